/**
 * One thread's card in the comments sidebar: the passage, the comments, a reply box, Resolve or
 * Reopen, and Edit and Delete on one's own comments (owners delete any). The boxes survive a
 * new rendering (a live change while one types), so nothing typed is lost.
 */

import { ApiError, type CommentInfo, type ThreadInfo } from '../../lib/api'
import { h } from '../../lib/dom'
import { avatar, confirmDialog, formatDate, fullDate, toast } from '../../lib/ui'
import type { CommentsApi } from './api'
import { MAX_BODY, type People, bodyToText, commentBox, renderBody, textToBody } from './mentions'
import type { ThreadStore } from './store'

/** What every card needs of the page. */
export interface CardContext {
  /** The current user's username. */
  me: string
  canComment: () => boolean
  isOwner: () => boolean
  people: People
  api: CommentsApi
  store: ThreadStore
}

/** How the card shows now. */
export interface CardState {
  active: boolean
  /** Its text is gone from the document (here or on the server). */
  orphaned: boolean
  unread: boolean
}

/** The message of a failed call, for the line under a box. */
function failure(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error)
}

/** The body to send from a box, or a reason not to. */
export function bodyFrom(box: HTMLTextAreaElement, people: People): { body: string } | { problem: string } {
  const text = box.value.trim()
  if (!text) return { problem: 'Write something first.' }
  const body = textToBody(text, people.usernames())
  if (body.length > MAX_BODY) return { problem: `A comment has at most ${MAX_BODY} characters.` }
  return { body }
}

export class ThreadCard {
  readonly element = h('article', { class: 'comment-card', tabindex: 0 })
  private readonly head = h('div', { class: 'comment-card-head' })
  private readonly list = h('ol', { class: 'comment-list' })
  private readonly status = h('div', { class: 'comment-status' })
  private thread: ThreadInfo
  private readonly reply: { form: HTMLFormElement; box: HTMLTextAreaElement; error: HTMLElement }
  private editing: { id: number; form: HTMLFormElement } | null = null
  /** What the card was last drawn from. */
  private shown: unknown[] | null = null

  constructor(
    thread: ThreadInfo,
    private readonly context: CardContext,
  ) {
    this.thread = thread
    this.element.dataset.threadId = thread.id
    const { field, box } = commentBox('Reply', 'Reply… (@ to mention)', context.people)
    const error = h('p', { class: 'comment-error', role: 'alert' })
    // Shown on the active card, and on any where a reply is being written.
    box.addEventListener('input', () => form.classList.toggle('has-text', box.value !== ''))
    const form = h('form', { class: 'comment-reply' }, field, error, h('div', { class: 'comment-buttons' }, h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Reply')))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.sendReply()
    })
    this.reply = { form, box, error }
    // Built once: moving a box in the page would take the focus from it.
    this.element.append(this.head, this.list, this.status, form)
  }

  get id(): string {
    return this.thread.id
  }

  render(thread: ThreadInfo, state: CardState): void {
    this.element.classList.toggle('is-active', state.active)
    // Made active, and nothing else changed: its parts stay (a click on them goes on).
    this.element.classList.toggle('is-unread', state.unread)
    const shown = [thread, state.orphaned, this.context.canComment(), this.context.isOwner()]
    if (this.shown?.every((value, at) => value === shown[at])) return
    this.shown = shown
    this.thread = thread
    const resolved = thread.status === 'resolved'
    this.element.classList.toggle('is-resolved', resolved)
    this.element.classList.toggle('is-orphaned', state.orphaned)
    this.element.dataset.status = thread.status
    this.element.setAttribute('aria-label', `Comment thread by ${thread.author.name} on “${thread.quote}”`)
    this.context.people.remember(thread.comments.flatMap((comment) => comment.mentions))
    const quote = h(
      'blockquote',
      { class: 'comment-quote' },
      state.orphaned ? h('span', { class: 'comment-orphaned' }, '(text deleted) ') : null,
      h('span', { class: 'comment-quote-text' }, thread.quote),
    )
    const unread = h('span', { class: 'comment-unread', title: 'New since your last visit', 'aria-label': 'New' })
    const canComment = this.context.canComment()
    const status = resolved
      ? h('p', { class: 'comment-resolved muted' }, `Resolved${thread.resolved_by ? ` by ${thread.resolved_by.name}` : ''}${thread.resolved_at ? ` · ${formatDate(thread.resolved_at)}` : ''}`)
      : ''
    const toggle = canComment
      ? h(
          'button',
          { type: 'button', class: 'btn btn-quiet btn-small', 'data-action': resolved ? 'reopen' : 'resolve', onclick: () => void this.setStatus(resolved ? 'open' : 'resolved') },
          resolved ? 'Reopen' : 'Resolve',
        )
      : null
    this.reply.form.hidden = !canComment || resolved
    this.head.replaceChildren(quote, unread, toggle ?? '')
    this.status.replaceChildren(status)
    // While a comment is being edited its box stays where it is; the list catches up after.
    if (!this.editing || !this.list.contains(this.editing.form)) this.drawComments()
  }

  /** Puts the caret into the reply box. */
  focusReply(): void {
    if (!this.reply.form.hidden) this.reply.box.focus()
  }

  private comment(comment: CommentInfo, first: boolean): HTMLElement {
    const mine = comment.author.username === this.context.me
    const actions: HTMLElement[] = []
    if (mine && this.context.canComment()) {
      actions.push(h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-action': 'edit', onclick: () => this.startEdit(comment) }, 'Edit'))
    }
    if ((mine && this.context.canComment()) || this.context.isOwner()) {
      actions.push(h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-action': 'delete', onclick: () => void this.delete(comment, first) }, 'Delete'))
    }
    const editing = this.editing?.id === comment.id ? this.editing.form : null
    return h(
      'li',
      { class: 'comment', 'data-comment-id': comment.id },
      h(
        'div',
        { class: 'comment-head' },
        avatar(comment.author.name, comment.author.color),
        h('span', { class: 'comment-author' }, comment.author.name),
        h('time', { class: 'comment-time muted', datetime: comment.created, title: fullDate(comment.created) }, formatDate(comment.created)),
        comment.edited ? h('span', { class: 'comment-edited muted', title: `Edited ${fullDate(comment.edited)}` }, '(edited)') : null,
      ),
      editing ?? h('div', { class: 'comment-body' }, ...renderBody(comment.body, comment.mentions)),
      actions.length && !editing ? h('div', { class: 'comment-actions' }, ...actions) : null,
    )
  }

  private drawComments(): void {
    this.list.replaceChildren(...this.thread.comments.map((comment, index) => this.comment(comment, index === 0)))
  }

  private async sendReply(): Promise<void> {
    const { box, error } = this.reply
    const wanted = bodyFrom(box, this.context.people)
    if ('problem' in wanted) {
      error.textContent = wanted.problem
      return
    }
    error.textContent = ''
    try {
      const comment = await this.context.api.reply(this.thread.id, wanted.body)
      box.value = ''
      this.reply.form.classList.remove('has-text')
      this.context.store.putComment(this.thread.id, comment)
    } catch (problem) {
      error.textContent = failure(problem)
    }
  }

  private startEdit(comment: CommentInfo): void {
    this.context.people.remember(comment.mentions)
    const { field, box } = commentBox('Edit comment', '', this.context.people, bodyToText(comment.body))
    const error = h('p', { class: 'comment-error', role: 'alert' })
    const cancel = h('button', { type: 'button', class: 'btn btn-small', onclick: () => this.stopEdit() }, 'Cancel')
    const form = h('form', { class: 'comment-edit' }, field, error, h('div', { class: 'comment-buttons' }, cancel, h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Save')))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.saveEdit(comment, box, error)
    })
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault()
        event.stopPropagation()
        this.stopEdit()
      }
    })
    this.editing = { id: comment.id, form }
    this.drawComments()
    box.focus()
    box.setSelectionRange(box.value.length, box.value.length)
  }

  private stopEdit(): void {
    this.editing = null
    this.drawComments()
  }

  private async saveEdit(comment: CommentInfo, box: HTMLTextAreaElement, error: HTMLElement): Promise<void> {
    const wanted = bodyFrom(box, this.context.people)
    if ('problem' in wanted) {
      error.textContent = wanted.problem
      return
    }
    try {
      const saved = await this.context.api.edit(this.thread.id, comment.id, wanted.body)
      this.editing = null
      this.context.store.putComment(this.thread.id, saved)
    } catch (problem) {
      error.textContent = failure(problem)
    }
  }

  private async delete(comment: CommentInfo, first: boolean): Promise<void> {
    const agreed = await confirmDialog(
      first
        ? { title: 'Delete this thread?', body: 'The comment and all its replies will be deleted for everyone.', confirmLabel: 'Delete', danger: true }
        : { title: 'Delete this comment?', body: 'It will be deleted for everyone.', confirmLabel: 'Delete', danger: true },
    )
    if (!agreed) return
    try {
      await this.context.api.remove(this.thread.id, comment.id)
      this.context.store.removeComment(this.thread.id, comment.id)
    } catch (problem) {
      toast(`Could not delete: ${failure(problem)}`, 'error')
    }
  }

  private async setStatus(status: 'open' | 'resolved'): Promise<void> {
    try {
      const thread = status === 'resolved' ? await this.context.api.resolve(this.thread.id) : await this.context.api.reopen(this.thread.id)
      this.context.store.put(thread)
    } catch (problem) {
      toast(`Could not ${status === 'resolved' ? 'resolve' : 'reopen'} the thread: ${failure(problem)}`, 'error')
    }
  }
}
