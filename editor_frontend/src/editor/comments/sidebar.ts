/**
 * The comments sidebar, right of the paper: one card per thread in document order, each beside
 * its passage (pushed down when they would overlap; the active one exactly beside it), the
 * threads whose text is gone at the end, and the composer of a new comment beside the selection.
 * On phones it is a panel over the page, like the outline, its cards one under the other.
 */

import type { Editor } from '@tiptap/core'

import { ApiError, type Anchor, type ThreadInfo } from '../../lib/api'
import { h } from '../../lib/dom'
import { toast } from '../../lib/ui'
import { icon } from '../icons'
import { type Range, anchorFor } from './anchors'
import { type CardContext, ThreadCard, bodyFrom } from './card'
import { highlights, refreshHighlights } from './highlights'
import { commentBox } from './mentions'

/** Space between two cards, in pixels. */
const GAP = 8
const PHONE = window.matchMedia('(max-width: 640px)')

/** The comment being written: where, and its box. */
interface Draft {
  anchor: Anchor
  form: HTMLFormElement
  box: HTMLTextAreaElement
  error: HTMLElement
}

/** What the sidebar tells its button. */
export interface SidebarHooks {
  toggled: (open: boolean) => void
  /** Whether any thread shown has something new. */
  unread: (any: boolean) => void
}

/** The ids of the threads with text, in document order. */
function placedOrder(ranges: Map<string, Range>): string {
  return [...ranges].sort(([, a], [, b]) => a.from - b.from).map(([id]) => id).join(' ')
}

export class CommentsSidebar {
  readonly root = h('aside', { class: 'comments-column', id: 'comments', 'aria-label': 'Comments' })
  private readonly cards = h('div', { class: 'comment-cards' })
  private readonly empty = h('p', { class: 'comments-empty muted' }, 'No comments yet. Select some text and choose Comment.')
  private readonly showResolved = h('input', { type: 'checkbox', 'data-action': 'show-resolved' })
  private readonly views = new Map<string, ThreadCard>()
  private draft: Draft | null = null
  /** When this user had last looked at the comments before this visit (null: never). */
  private seenBefore: string | null = null
  /** Threads looked at during this visit: no longer unread. */
  private readonly looked = new Set<string>()
  private layoutQueued = false
  /** The threads with text, in document order, as the cards last showed them. */
  private placedOrder = ''
  /** Images and fonts that load, boxes that grow: the passages and the cards move. */
  private readonly resizes = new ResizeObserver(() => this.queueLayout())

  constructor(
    private readonly editor: Editor,
    private readonly context: CardContext,
    private readonly hooks: SidebarHooks,
  ) {
    const close = h('button', { type: 'button', class: 'btn btn-quiet btn-icon comments-close', title: 'Close', 'aria-label': 'Close comments', onclick: () => this.setOpen(false) }, icon('close'))
    this.showResolved.addEventListener('change', () => this.render())
    this.root.append(
      h('div', { class: 'comments-head' }, h('h2', {}, 'Comments'), h('label', { class: 'comments-toggle' }, this.showResolved, 'Show resolved'), close),
      this.empty,
      this.cards,
    )
    this.root.hidden = PHONE.matches
    // On mousedown: the card drawn again as it becomes active must not lose the click.
    this.root.addEventListener('mousedown', (event) => {
      if (event.button === 0) this.pressed(event)
    })
    // Tabbing into a card makes it active as a click does (its reply box and buttons show).
    this.root.addEventListener('focusin', (event) => {
      const id = (event.target as HTMLElement).closest<HTMLElement>('.comment-card[data-thread-id]')?.dataset.threadId
      if (id && id !== this.context.store.active) this.activate(id)
    })
    // Turning into a phone, the open column would cover the page.
    PHONE.addEventListener('change', () => this.setOpen(!PHONE.matches))
    this.root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.draft && this.draft.form.contains(event.target as Node) && !event.defaultPrevented) {
        event.preventDefault()
        this.closeComposer()
      }
    })
    context.store.subscribe(() => this.render())
    editor.on('transaction', () => this.followText())
    window.addEventListener('resize', () => this.queueLayout())
    this.resizes.observe(editor.view.dom)
    this.render()
  }

  get isOpen(): boolean {
    return !this.root.hidden
  }

  setOpen(open: boolean): void {
    this.root.hidden = !open
    this.hooks.toggled(open)
    if (open) this.queueLayout()
  }

  /** The anchor of the comment being written, for its highlight. */
  get draftAnchor(): Anchor | null {
    return this.draft?.anchor ?? null
  }

  set lastSeen(seen: string | null) {
    this.seenBefore = seen
    this.render()
  }

  /** Opens the composer beside the selected text, or says that there is none. */
  openComposer(): void {
    if (!this.context.canComment()) return
    const { from, to } = this.editor.state.selection
    const found = from === to ? null : anchorFor(this.editor.state, { from, to })
    if (!found) {
      toast('Select some text to comment on')
      return
    }
    this.closeComposer()
    const { field, box } = commentBox('Comment', 'Comment… (@ to mention)', this.context.people)
    const error = h('p', { class: 'comment-error', role: 'alert' })
    const cancel = h('button', { type: 'button', class: 'btn btn-small', onclick: () => this.closeComposer() }, 'Cancel')
    const form = h(
      'form',
      { class: 'comment-card comment-composer', 'aria-label': 'New comment' },
      h('blockquote', { class: 'comment-quote' }, found.quote),
      field,
      error,
      h('div', { class: 'comment-buttons' }, cancel, h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Comment')),
    )
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.send()
    })
    this.draft = { anchor: found.anchor, form, box, error }
    this.resizes.observe(form)
    this.context.store.setActive(null)
    this.setOpen(true)
    refreshHighlights(this.editor.view)
    this.render()
    box.focus({ preventScroll: true })
  }

  closeComposer(): void {
    if (!this.draft) return
    const hadFocus = this.draft.form.contains(document.activeElement)
    this.draft.form.remove()
    this.draft = null
    refreshHighlights(this.editor.view)
    this.render()
    if (hadFocus) this.editor.view.focus()
  }

  /** Makes a thread the active one: its card stands out (the panel opens on phones). */
  activate(id: string): void {
    this.looked.add(id)
    this.context.store.setActive(id)
    if (!this.isOpen) this.setOpen(true)
    window.requestAnimationFrame(() => this.views.get(id)?.element.scrollIntoView({ block: 'nearest' }))
  }

  private async send(): Promise<void> {
    const draft = this.draft
    if (!draft) return
    const wanted = bodyFrom(draft.box, this.context.people)
    if ('problem' in wanted) {
      draft.error.textContent = wanted.problem
      return
    }
    draft.error.textContent = ''
    try {
      const thread = await this.context.api.create(wanted.body, draft.anchor)
      this.context.store.put(thread)
      this.closeComposer()
      this.activate(thread.id)
    } catch (error) {
      const anchorGone = error instanceof ApiError && error.status === 400 && !!error.body && typeof error.body === 'object' && 'anchor' in error.body
      draft.error.textContent = anchorGone ? 'The text was changed meanwhile: select it again.' : error instanceof ApiError ? error.message : String(error)
    }
  }

  /** A press on a card (not on its buttons or boxes) makes it active and selects its text. */
  private pressed(event: MouseEvent): void {
    const target = event.target as HTMLElement
    const card = target.closest<HTMLElement>('.comment-card[data-thread-id]')
    if (!card?.dataset.threadId) return
    const id = card.dataset.threadId
    this.activate(id)
    if (target.closest('button, textarea, input, a, .mention-list')) return
    const range = highlights(this.editor.state).ranges.get(id)
    if (range) this.editor.commands.setTextSelection(range)
  }

  private visible(thread: ThreadInfo): boolean {
    return thread.status === 'open' || this.showResolved.checked
  }

  private unread(thread: ThreadInfo): boolean {
    if (this.looked.has(thread.id)) return false
    return thread.comments.some((comment) => comment.author.username !== this.context.me && (this.seenBefore === null || comment.created > this.seenBefore))
  }

  /** The threads to show, in document order, those without text last. */
  private ordered(ranges: Map<string, Range>): ThreadInfo[] {
    const shown = this.context.store.all().filter((thread) => this.visible(thread))
    const placed = shown.filter((thread) => ranges.has(thread.id) && !thread.orphaned)
    placed.sort((a, b) => (ranges.get(a.id)?.from ?? 0) - (ranges.get(b.id)?.from ?? 0))
    return [...placed, ...shown.filter((thread) => !placed.includes(thread))]
  }

  render(): void {
    const { ranges } = highlights(this.editor.state)
    this.placedOrder = placedOrder(ranges)
    const threads = this.ordered(ranges)
    const active = this.context.store.active
    // A thread resolved while active (or hidden with "Show resolved") lets go of its highlight.
    const activeThread = active ? this.context.store.get(active) : undefined
    if (activeThread && !this.visible(activeThread)) {
      this.context.store.setActive(null) // renders again
      return
    }
    const elements: HTMLElement[] = []
    for (const thread of threads) {
      let view = this.views.get(thread.id)
      if (!view) {
        view = new ThreadCard(thread, this.context)
        this.views.set(thread.id, view)
        this.resizes.observe(view.element)
      }
      view.render(thread, { active: thread.id === active, orphaned: thread.orphaned || !ranges.has(thread.id), unread: this.unread(thread) })
      elements.push(view.element)
    }
    for (const id of this.views.keys()) {
      if (this.context.store.get(id)) continue
      this.resizes.unobserve(this.views.get(id)?.element ?? this.root)
      this.views.delete(id)
    }
    if (this.draft) elements.push(this.draft.form)
    // Moving a card would take the focus from its box: only when the order changed.
    const current = [...this.cards.children]
    if (current.length !== elements.length || elements.some((element, at) => current[at] !== element)) {
      const focused = this.cards.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null
      this.cards.replaceChildren(...elements)
      focused?.focus({ preventScroll: true })
    }
    this.empty.hidden = elements.length > 0
    this.hooks.unread(threads.some((thread) => this.unread(thread)))
    this.queueLayout()
  }

  /** After a change of the text: cards move, and their order or their text's being gone may
   * change (then they are shown again). */
  private followText(): void {
    if (placedOrder(highlights(this.editor.state).ranges) !== this.placedOrder) this.render()
    else this.queueLayout()
  }

  private queueLayout(): void {
    if (this.layoutQueued) return
    this.layoutQueued = true
    window.requestAnimationFrame(() => {
      this.layoutQueued = false
      this.layout()
    })
  }

  /**
   * Each card as near its passage as it can be: the active card (or the composer) exactly
   * beside its passage, the cards above it pushed up and those below pushed down so that none
   * overlap. On phones the cards simply follow one another.
   */
  private layout(): void {
    if (this.root.hidden || PHONE.matches) {
      for (const element of this.cards.children) (element as HTMLElement).style.top = ''
      this.cards.style.height = ''
      return
    }
    const { ranges, draft } = highlights(this.editor.state)
    const origin = this.cards.getBoundingClientRect().top
    const view = this.editor.view
    const wantedTop = (range: Range | null | undefined): number | null => {
      if (!range) return null
      try {
        return view.coordsAtPos(range.from).top - origin
      } catch {
        return null
      }
    }
    const items = [...this.cards.children].map((child) => {
      const element = child as HTMLElement
      const id = element.dataset.threadId
      const wanted = id ? wantedTop(this.context.store.get(id)?.orphaned ? null : ranges.get(id)) : wantedTop(draft)
      return { element, wanted, height: element.offsetHeight, top: 0 }
    })
    // The composer goes where its passage is, among the others.
    const draftItem = items.find((item) => item.element === this.draft?.form)
    if (draftItem && draftItem.wanted !== null) {
      items.splice(items.indexOf(draftItem), 1)
      const at = items.findIndex((item) => item.wanted === null || item.wanted > (draftItem.wanted ?? 0))
      items.splice(at < 0 ? items.length : at, 0, draftItem)
    }
    const pinned = items.findIndex((item) => item.element === this.draft?.form || item.element.classList.contains('is-active'))
    let bottom = 0
    for (const item of items) {
      item.top = Math.max(item.wanted ?? bottom, bottom)
      bottom = item.top + item.height + GAP
    }
    if (pinned >= 0 && items[pinned].wanted !== null) {
      // Pinned beside its passage: the ones below follow it, the ones above make way upwards.
      items[pinned].top = items[pinned].wanted ?? 0
      for (let at = pinned + 1; at < items.length; at++) {
        items[at].top = Math.max(items[at].wanted ?? 0, items[at - 1].top + items[at - 1].height + GAP)
      }
      for (let at = pinned - 1; at >= 0; at--) {
        items[at].top = Math.min(items[at].top, items[at + 1].top - items[at].height - GAP)
      }
      const overflow = items[0] ? -items[0].top : 0
      if (overflow > 0) for (const item of items) item.top += overflow
    }
    let end = 0
    for (const item of items) {
      item.element.style.top = `${Math.round(item.top)}px`
      end = Math.max(end, item.top + item.height)
    }
    this.cards.style.height = `${Math.ceil(end)}px`
  }
}
