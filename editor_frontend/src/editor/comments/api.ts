/** The comment threads' REST calls (documents/api/threads.py), in the page's session. */

import { type Anchor, type CommentInfo, type Page, type ThreadInfo, api, documentUrls } from '../../lib/api'

type Urls = ReturnType<typeof documentUrls>

/** When this user last looked at the document's comments (null: never). */
interface Seen {
  seen: string | null
}

export class CommentsApi {
  constructor(private readonly urls: Urls) {}

  /** Every thread, open and resolved, following the pages of the list. */
  async threads(): Promise<ThreadInfo[]> {
    const threads: ThreadInfo[] = []
    let next: string | null = this.urls.threads
    while (next) {
      const page: Page<ThreadInfo> = await api<Page<ThreadInfo>>('GET', next)
      threads.push(...page.results)
      next = page.next
    }
    return threads
  }

  create(body: string, anchor: Anchor): Promise<ThreadInfo> {
    return api<ThreadInfo>('POST', this.urls.threads, { body, anchor })
  }

  reply(threadId: string, body: string): Promise<CommentInfo> {
    return api<CommentInfo>('POST', this.urls.threadComments(threadId), { body })
  }

  edit(threadId: string, commentId: number, body: string): Promise<CommentInfo> {
    return api<CommentInfo>('PATCH', this.urls.comment(threadId, commentId), { body })
  }

  async remove(threadId: string, commentId: number): Promise<void> {
    await api('DELETE', this.urls.comment(threadId, commentId))
  }

  resolve(threadId: string): Promise<ThreadInfo> {
    return api<ThreadInfo>('POST', this.urls.resolve(threadId))
  }

  reopen(threadId: string): Promise<ThreadInfo> {
    return api<ThreadInfo>('POST', this.urls.reopen(threadId))
  }

  /** When I last looked (what is newer is unread); then it is now. */
  async lastSeenThenNow(): Promise<string | null> {
    const before = await api<Seen>('GET', this.urls.threadsSeen)
    await this.seenNow()
    return before.seen
  }

  /** I have looked now; also as the page goes (what came in live was seen). */
  async seenNow(): Promise<void> {
    await api<Seen>('POST', this.urls.threadsSeen, undefined, { keepalive: true })
  }
}
