/** The bell in the header of every page: my unread notifications, a list, mark read. */

import { api, type Page } from './api'
import { h } from './dom'
import { formatDate, toast } from './ui'

const BELL_SVG =
  '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm6.5-6V11c0-3.07-1.64-5.64-4.5-6.32V4a2 2 0 0 0-4 0v.68C7.13 5.36 5.5 7.92 5.5 11v5l-2 2v1h17v-1l-2-2z"/></svg>'

const NOTIFICATIONS_URL = '/api/notifications/'

export interface NotificationInfo {
  id: number
  kind: 'shared' | 'access_requested' | 'mentioned' | 'replied'
  document: { id: string; title: string }
  actor: { username: string; name: string }
  role: string
  /** For mentions and replies: the thread, and the start of the comment. */
  thread?: string | null
  excerpt?: string
  created: string
  read: boolean
}

type NotificationPage = Page<NotificationInfo> & { unread: number }

const ROLE_WORDS: Record<string, string> = { editor: 'edit', commenter: 'comment on', viewer: 'view', owner: 'manage' }

/** What a notification says, in a sentence. */
export function describe(notification: NotificationInfo): string {
  const who = notification.actor.name
  const title = `“${notification.document.title}”`
  if (notification.kind === 'access_requested') return `${who} asks for access to ${title}`
  const quoted = notification.excerpt ? `: “${notification.excerpt}”` : ''
  if (notification.kind === 'mentioned') return `${who} mentioned you in a comment on ${title}${quoted}`
  if (notification.kind === 'replied') return `${who} replied to a comment on ${title}${quoted}`
  return `${who} shared ${title} with you: you can ${ROLE_WORDS[notification.role] ?? 'open'} it`
}

/** The bell: a button with the unread count, opening the list of notifications. */
export class Bell {
  private readonly count = h('span', { class: 'bell-count', hidden: true })
  private readonly button: HTMLButtonElement
  private readonly panel = h('div', { class: 'bell-panel', role: 'dialog', 'aria-label': 'Notifications', hidden: true })

  constructor(root: HTMLElement, private readonly editorBase = '/documents/') {
    const glyph = h('span', { class: 'icon', 'aria-hidden': 'true' })
    glyph.innerHTML = BELL_SVG
    this.button = h('button', { type: 'button', class: 'btn btn-quiet btn-icon bell', 'aria-label': 'Notifications', 'aria-expanded': 'false', 'data-action': 'notifications' }, glyph, this.count)
    this.button.addEventListener('click', () => void (this.panel.hidden ? this.open() : this.close()))
    document.addEventListener('click', (event) => {
      if (!root.contains(event.target as Node)) this.close()
    })
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close()
    })
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) void this.refresh()
    })
    root.replaceChildren(h('div', { class: 'bell-wrap' }, this.button, this.panel))
    void this.refresh()
  }

  private async load(): Promise<NotificationPage | null> {
    try {
      return await api<NotificationPage>('GET', NOTIFICATIONS_URL)
    } catch {
      return null // the bell stays as it was; the page itself says when the server is gone
    }
  }

  private showUnread(unread: number): void {
    this.count.hidden = unread === 0
    this.count.textContent = unread > 99 ? '99+' : String(unread)
    this.button.setAttribute('aria-label', unread ? `Notifications: ${unread} unread` : 'Notifications')
  }

  async refresh(): Promise<void> {
    const page = await this.load()
    if (page) this.showUnread(page.unread)
  }

  private async open(): Promise<void> {
    this.panel.hidden = false
    this.button.setAttribute('aria-expanded', 'true')
    const page = await this.load()
    if (!page) {
      this.panel.replaceChildren(h('p', { class: 'muted bell-empty' }, 'Could not load notifications.'))
      return
    }
    this.showUnread(page.unread)
    const items = page.results.map((notification) => this.item(notification))
    const readAll = h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-action': 'read-all', disabled: page.unread === 0, onclick: () => void this.readAll() }, 'Mark all read')
    this.panel.replaceChildren(
      h('div', { class: 'bell-head' }, h('strong', {}, 'Notifications'), h('span', { class: 'bell-actions' }, readAll, h('a', { href: '/accounts/notifications/', class: 'btn btn-quiet btn-small' }, 'Settings'))),
      items.length ? h('ul', { class: 'bell-list' }, ...items) : h('p', { class: 'muted bell-empty' }, 'Nothing new.'),
    )
  }

  private close(): void {
    this.panel.hidden = true
    this.button.setAttribute('aria-expanded', 'false')
  }

  private item(notification: NotificationInfo): HTMLElement {
    const link = h(
      'a',
      // A comment's notification opens its thread (comments/index.ts reads the fragment).
      { href: `${this.editorBase}${notification.document.id}/${notification.thread ? `#thread-${notification.thread}` : ''}`, class: 'bell-item', 'data-read': String(notification.read) },
      h('span', { class: 'bell-text' }, describe(notification)),
      h('span', { class: 'bell-date muted' }, formatDate(notification.created)),
    )
    link.addEventListener('click', (event) => {
      if (notification.read) return
      event.preventDefault()
      void api('POST', `${NOTIFICATIONS_URL}${notification.id}/read/`)
        .catch(() => undefined)
        .then(() => window.location.assign(link.href))
    })
    return h('li', { 'data-id': String(notification.id) }, link)
  }

  private async readAll(): Promise<void> {
    try {
      await api('POST', `${NOTIFICATIONS_URL}read-all/`)
      await this.open()
    } catch {
      toast('Could not mark the notifications read.', 'error')
    }
  }
}

/** Puts the bell into the page's header, where it has a place (signed-in pages). */
export function mountBell(): Bell | null {
  const root = document.getElementById('notifications')
  return root ? new Bell(root) : null
}
