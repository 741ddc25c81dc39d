/**
 * The document's comment threads as this page knows them, by id: loaded over REST, then kept
 * up to date by the live feed (collab.ts, message 101) and by the answers to this page's own
 * calls. The highlights and the sidebar both draw from it, and from which thread is active.
 */

import type { CommentInfo, ThreadInfo } from '../../lib/api'
import type { ThreadChange } from '../collab'

export class ThreadStore {
  private readonly threads = new Map<string, ThreadInfo>()
  private readonly listeners = new Set<() => void>()
  private activeId: string | null = null

  /** Every thread, in the order the server listed them (document order, orphaned last). */
  all(): ThreadInfo[] {
    return [...this.threads.values()]
  }

  get(id: string): ThreadInfo | undefined {
    return this.threads.get(id)
  }

  /** The thread whose card and highlight stand out, if any. */
  get active(): string | null {
    return this.activeId
  }

  setActive(id: string | null): void {
    if (id === this.activeId) return
    this.activeId = id
    this.changed()
  }

  replaceAll(threads: ThreadInfo[]): void {
    this.threads.clear()
    for (const thread of threads) this.threads.set(thread.id, thread)
    if (this.activeId && !this.threads.has(this.activeId)) this.activeId = null
    this.changed()
  }

  put(thread: ThreadInfo): void {
    this.threads.set(thread.id, thread)
    this.changed()
  }

  remove(id: string): void {
    if (!this.threads.delete(id)) return
    if (this.activeId === id) this.activeId = null
    this.changed()
  }

  /** A reply that this page's call added, before the live feed brings the whole thread. */
  putComment(threadId: string, comment: CommentInfo): void {
    const thread = this.threads.get(threadId)
    if (!thread) return
    const known = thread.comments.some((existing) => existing.id === comment.id)
    const comments = known ? thread.comments.map((existing) => (existing.id === comment.id ? comment : existing)) : [...thread.comments, comment]
    this.put({ ...thread, comments })
  }

  /** A comment deleted by this page's call; the first one takes its thread with it. */
  removeComment(threadId: string, commentId: number): void {
    const thread = this.threads.get(threadId)
    if (!thread) return
    if (thread.comments[0]?.id === commentId) this.remove(threadId)
    else this.put({ ...thread, comments: thread.comments.filter((comment) => comment.id !== commentId) })
  }

  /** A change from the live feed. */
  apply(change: ThreadChange): void {
    if (change.type === 'thread') this.put(change.thread)
    else this.remove(change.id)
  }

  /** Calls `listener` after every change (threads or the active one). */
  subscribe(listener: () => void): void {
    this.listeners.add(listener)
  }

  private changed(): void {
    for (const listener of this.listeners) listener()
  }
}
