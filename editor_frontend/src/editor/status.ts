/** The status line under the title, and the banner for a connection that ended for good. */

import { h } from '../lib/dom'
import type { ConnectionState } from './collab'
import type { StopReason } from './close-codes'
import type { SaveState } from './save-status'

const CONNECTION_TEXT: Record<ConnectionState['kind'], string> = {
  connecting: 'Connecting…',
  online: 'Online',
  offline: 'Offline — changes will sync',
  stopped: 'Disconnected',
}

/** Renders the connection and save state into the two spans of the status line. */
export class StatusLine {
  private connection: ConnectionState = { kind: 'connecting' }
  private save: SaveState = 'saved'
  private readonly connectionElement: HTMLElement
  private readonly saveElement: HTMLElement
  private canEdit: boolean

  constructor(connectionElement: HTMLElement, saveElement: HTMLElement, canEdit: boolean) {
    this.connectionElement = connectionElement
    this.saveElement = saveElement
    this.canEdit = canEdit
  }

  setConnection(state: ConnectionState): void {
    this.connection = state
    this.render()
  }

  setCanEdit(canEdit: boolean): void {
    this.canEdit = canEdit
    this.render()
  }

  setSave(state: SaveState): void {
    this.save = state
    this.render()
  }

  private render(): void {
    const kind = this.connection.kind
    this.connectionElement.textContent = CONNECTION_TEXT[kind]
    this.connectionElement.dataset.state = kind
    let text: string
    if (!this.canEdit) {
      text = 'Read only'
    } else if (this.save === 'saved') {
      text = 'All changes saved'
    } else if (kind === 'online' || kind === 'connecting') {
      text = 'Saving…'
    } else {
      text = 'Unsaved changes'
    }
    this.saveElement.textContent = text
    this.saveElement.dataset.state = this.canEdit ? this.save : 'read-only'
  }
}

/** Shows why the connection ended, with what the person can do about it. */
export function showStopBanner(banner: HTMLElement, reason: StopReason, links: { login: string; list: string }): void {
  let action: HTMLElement
  if (reason.action === 'sign-in') {
    const next = encodeURIComponent(window.location.pathname + window.location.search)
    action = h('a', { class: 'btn btn-primary btn-small', href: `${links.login}?next=${next}` }, 'Sign in')
  } else if (reason.action === 'documents') {
    action = h('a', { class: 'btn btn-small', href: links.list }, 'Back to documents')
  } else {
    action = h('button', { type: 'button', class: 'btn btn-small', onclick: () => window.location.reload() }, 'Reload')
  }
  banner.replaceChildren(
    h(
      'div',
      { class: 'banner-text' },
      h('strong', {}, reason.title),
      h('span', {}, ` ${reason.message}`),
    ),
    action,
  )
  banner.dataset.code = String(reason.code)
  banner.className = `banner banner-${reason.action === 'reload' ? 'error' : 'warning'}`
  banner.hidden = false
}

/** A word from the server that needs no action (a role change, a reload); dismissible. */
export function showNoticeBanner(banner: HTMLElement, message: string): void {
  if (banner.dataset.code) return // a stop says more, and stays
  banner.replaceChildren(
    h('div', { class: 'banner-text' }, message),
    h('button', { type: 'button', class: 'btn btn-small', onclick: () => { banner.hidden = true } }, 'Dismiss'),
  )
  banner.dataset.kind = 'notice'
  banner.className = 'banner banner-warning'
  banner.hidden = false
}
