/**
 * Comments on the editor page: the threads (store.ts) loaded over REST on every connection and
 * kept current by the live feed, their highlights in the text (highlights.ts), the sidebar
 * (sidebar.ts) and the ways to start a comment (commands.ts). Viewers and visitors read them;
 * commenters, editors and owners write them.
 */

import type { Editor } from '@tiptap/core'

import { documentUrls, roleCanComment } from '../../lib/api'
import { h } from '../../lib/dom'
import type { Collab } from '../collab'
import type { EditorConfig } from '../config'
import { icon } from '../icons'
import type { Tool } from '../toolbar'
import { CommentsApi } from './api'
import { bindCommentKey, bindCommentMenu, commentTool } from './commands'
import { CommentHighlights, refreshHighlights } from './highlights'
import { People } from './mentions'
import { CommentsSidebar } from './sidebar'
import { ThreadStore } from './store'

type Urls = ReturnType<typeof documentUrls>

export class Comments {
  readonly store = new ThreadStore()
  /** The highlights, for the editor's extensions. */
  readonly extension
  private readonly api: CommentsApi
  private readonly people: People
  private sidebar: CommentsSidebar | null = null
  private loading: Promise<void> | null = null

  constructor(
    private readonly config: EditorConfig,
    urls: Urls,
    private readonly collab: Collab,
  ) {
    this.api = new CommentsApi(urls)
    this.people = new People(urls, config)
    this.extension = CommentHighlights.configure({
      store: this.store,
      draft: () => this.sidebar?.draftAnchor ?? null,
      onActivate: (id) => (id ? this.sidebar?.activate(id) : this.store.setActive(null)),
    })
  }

  /** Whether this user may write comments now. */
  readonly canComment = (): boolean => this.config.signedIn && roleCanComment(this.config.role) && this.collab.connection.kind !== 'stopped'

  /** The toolbar's Comment button. */
  tool(): Tool {
    return commentTool(this.canComment, () => this.sidebar?.openComposer())
  }

  /** Puts the sidebar beside the paper and its button into `actions`, and starts following
   * the threads. */
  mount(editor: Editor, paper: HTMLElement, actions: HTMLElement): void {
    const button = h(
      'button',
      { type: 'button', class: 'btn btn-quiet comments-button', title: 'Comments', 'aria-pressed': 'false', 'aria-controls': 'comments', 'data-action': 'comments' },
      icon('comment'),
      h('span', { class: 'btn-label' }, 'Comments'),
    )
    const sidebar = new CommentsSidebar(
      editor,
      { me: this.config.user.username, canComment: this.canComment, isOwner: () => this.config.canManage, people: this.people, api: this.api, store: this.store },
      {
        toggled: (open) => button.setAttribute('aria-pressed', String(open)),
        unread: (any) => button.classList.toggle('has-unread', any),
      },
    )
    this.sidebar = sidebar
    button.setAttribute('aria-pressed', String(sidebar.isOpen))
    button.addEventListener('click', () => sidebar.setOpen(!sidebar.isOpen))
    paper.after(sidebar.root)
    actions.prepend(button)

    this.store.subscribe(() => refreshHighlights(editor.view))
    this.collab.onThreadChange((change) => this.store.apply(change))
    const open = () => sidebar.openComposer()
    bindCommentKey(this.canComment, open)
    bindCommentMenu(editor, this.canComment, open)
    // Loaded once the document is: before, no passage could be found. Every reconnection
    // catches up on what the feed brought while this page was away.
    this.collab.onConnection((state) => {
      if (state.kind === 'online') void this.load()
    })
    // The bell's link to a thread of this very page changes only the fragment.
    window.addEventListener('hashchange', () => this.openLinkedThread())
    if (this.config.signedIn) {
      void this.loadSeen(sidebar)
      // What arrived while the page was shown counts as seen, the next visit.
      document.addEventListener('visibilitychange', () => {
        if (document.hidden) void this.api.seenNow().catch(() => undefined)
      })
    }
  }

  /** After a change of role: the boxes and buttons follow it. */
  refresh(): void {
    this.sidebar?.render()
  }

  private load(): Promise<void> {
    this.loading ??= this.api
      .threads()
      .then((threads) => {
        this.store.replaceAll(threads)
        this.openLinkedThread()
      })
      .catch(() => undefined) // kept as they were; the next connection tries again
      .finally(() => {
        this.loading = null
      })
    return this.loading
  }

  /** A link to a thread (`#thread-<id>`, from the bell) opens its card, once. */
  private openLinkedThread(): void {
    const id = /^#thread-([0-9a-f-]+)$/.exec(window.location.hash)?.[1]
    if (!id || !this.store.get(id)) return
    history.replaceState(null, '', window.location.pathname + window.location.search)
    this.sidebar?.activate(id)
  }

  private async loadSeen(sidebar: CommentsSidebar): Promise<void> {
    try {
      sidebar.lastSeen = await this.api.lastSeenThenNow()
    } catch {
      // Then everything by others shows as new.
    }
  }
}
