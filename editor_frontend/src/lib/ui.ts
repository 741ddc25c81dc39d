/** Shared widgets: toasts, confirmation and prompt dialogs, avatars, dates, downloads. */

import { h } from './dom'

let toastBox: HTMLElement | null = null

/** A short message at the bottom of the page that goes away by itself. */
export function toast(message: string, kind: 'info' | 'error' = 'info', ms = 4000): void {
  if (!toastBox) {
    toastBox = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' })
    document.body.append(toastBox)
  }
  const item = h('div', { class: `toast toast-${kind}` }, message)
  toastBox.append(item)
  window.setTimeout(() => item.remove(), ms)
}

interface DialogOptions {
  title: string
  body?: Node | string
  confirmLabel?: string
  danger?: boolean
}

/**
 * A modal dialog: a title, a body, Cancel (unless `withCancel` is false) and `confirm` (a submit
 * button). Resolves with the value of the button that closed it ('ok' for `confirm`; Escape and
 * Cancel give something else) and leaves the page.
 */
function openModal(title: string, body: Node | null, confirm: HTMLButtonElement, onOpen: () => void, withCancel = true): Promise<string> {
  return new Promise((resolve) => {
    // Cancel is no submit button: Enter in a field submits with the form's first submit button,
    // which must be `confirm`.
    const cancel = withCancel ? h('button', { type: 'button', class: 'btn', onclick: () => dialog.close('cancel') }, 'Cancel') : null
    const dialog = h(
      'dialog',
      { class: 'modal' },
      h(
        'form',
        { method: 'dialog' },
        h('div', { class: 'modal-head' }, h('h2', {}, title)),
        h('div', { class: 'modal-body' }, body),
        h('div', { class: 'modal-foot' }, cancel, confirm),
      ),
    )
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue)
      dialog.remove()
    })
    document.body.append(dialog)
    dialog.showModal()
    onOpen()
  })
}

/** A modal dialog with a body, Cancel and a confirm button; resolves true when confirmed. */
export async function confirmDialog({ title, body, confirmLabel = 'OK', danger = false }: DialogOptions): Promise<boolean> {
  const confirm = h('button', { type: 'submit', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, value: 'ok' }, confirmLabel)
  const content = typeof body === 'string' ? h('p', {}, body) : body ?? null
  return (await openModal(title, content, confirm, () => confirm.focus())) === 'ok'
}

/** A modal dialog that only tells something: its body and a Close button. */
export async function infoDialog(title: string, body: Node): Promise<void> {
  const close = h('button', { type: 'submit', class: 'btn btn-primary', value: 'ok' }, 'Close')
  await openModal(title, body, close, () => close.focus(), false)
}

/** A modal dialog asking for one line of text; resolves to it, or null when cancelled. */
export async function promptDialog(title: string, label: string, initial = '', confirmLabel = 'OK', maxLength = 200): Promise<string | null> {
  const input = h('input', { type: 'text', value: initial, maxlength: maxLength, 'aria-label': label })
  const field = h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input)
  const confirm = h('button', { type: 'submit', class: 'btn btn-primary', value: 'ok' }, confirmLabel)
  const closedWith = await openModal(title, field, confirm, () => {
    input.focus()
    input.select()
  })
  return closedWith === 'ok' ? input.value.trim() : null
}

/** Up to two initials of a display name: "Ada Lovelace" → "AL", "bob" → "B". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return '?'
  const letters = words.length === 1 ? [words[0][0]] : [words[0][0], words[words.length - 1][0]]
  return letters.join('').toUpperCase()
}

/** A round avatar with initials on the user's colour; the name is in the tooltip. */
export function avatar(name: string, color: string, extraTitle = ''): HTMLElement {
  const element = h(
    'span',
    { class: 'avatar', title: extraTitle ? `${name} ${extraTitle}` : name, 'aria-label': name },
    initials(name),
  )
  // Through the CSSOM: the site's CSP blocks style attributes.
  element.style.background = color
  return element
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** "5 minutes ago" for recent dates, else a short absolute date. */
export function formatDate(iso: string, now = Date.now()): string {
  const date = new Date(iso)
  const seconds = Math.round((date.getTime() - now) / 1000)
  const abs = Math.abs(seconds)
  if (abs < 45) return 'just now'
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute')
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour')
  if (abs < 7 * 86400) return relative.format(Math.round(seconds / 86400), 'day')
  return absolute.format(date)
}

/** The full date and time, for tooltips. */
export function fullDate(iso: string): string {
  return absolute.format(new Date(iso))
}

/** Saves a blob as a file through the browser's download. */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const link = h('a', { href: url, download: filename })
  document.body.append(link)
  link.click()
  link.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** A file name from a title: no path separators or control characters. */
export function safeFilename(title: string, extension: string): string {
  const base = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120)
  return `${base || 'document'}.${extension}`
}
