/** Export: the Export menu, which downloads the server's rendering of the document as a file. */

import { errorMessage, statusMessage } from '../lib/api'
import { h } from '../lib/dom'
import { downloadBlob, safeFilename, toast } from '../lib/ui'
import { icon } from './icons'

interface Choice {
  /** The `format` of `GET …/export`, also the file's extension. */
  format: string
  label: string
}

const CHOICES: Choice[] = [
  { format: 'docx', label: 'Microsoft Word (.docx)' },
  { format: 'pdf', label: 'PDF document (.pdf)' },
  { format: 'odt', label: 'OpenDocument text (.odt)' },
  { format: 'md', label: 'Markdown (.md)' },
  { format: 'html', label: 'Web page (.html)' },
  { format: 'txt', label: 'Plain text (.txt)' },
]

/** The file name a `Content-Disposition` header gives, preferring its UTF-8 `filename*`. */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim())
    } catch {
      // A malformed escape: fall back to the plain name.
    }
  }
  const plain = /filename\s*=\s*"((?:[^"\\]|\\.)*)"|filename\s*=\s*([^;]+)/i.exec(header)
  if (!plain) return null
  return (plain[1] ?? plain[2]).replace(/\\(.)/g, '$1').trim() || null
}

/**
 * Downloads the document in one format. Fetched rather than followed as a link, so that a
 * refusal (a document too complex to convert, a lost connection) is told in a notice instead
 * of being saved as the file.
 */
export async function exportDocument(exportUrl: string, title: string, choice: Choice): Promise<void> {
  let response: Response
  try {
    response = await fetch(`${exportUrl}?format=${choice.format}`, { credentials: 'same-origin' })
  } catch {
    toast('Could not export: cannot reach the server. Check your connection.', 'error')
    return
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null)
    toast(`Could not export: ${errorMessage(body, statusMessage(response.status))}`, 'error')
    return
  }
  const name = dispositionFilename(response.headers.get('Content-Disposition')) ?? safeFilename(title, choice.format)
  downloadBlob(name, await response.blob())
}

/** The Export button and its menu. */
export function exportMenu(exportUrl: string, currentTitle: () => string): HTMLElement {
  const menu = h('div', { class: 'menu', role: 'menu', hidden: true })
  const button = h(
    'button',
    { type: 'button', class: 'btn btn-quiet', 'aria-haspopup': 'menu', 'aria-expanded': 'false', title: 'Download a copy' },
    icon('download'),
    h('span', { class: 'btn-label' }, 'Export'),
  )
  const close = () => {
    menu.hidden = true
    button.setAttribute('aria-expanded', 'false')
  }
  for (const choice of CHOICES) {
    menu.append(
      h(
        'button',
        {
          type: 'button',
          role: 'menuitem',
          class: 'menu-item',
          'data-format': choice.format,
          onclick: () => {
            close()
            void exportDocument(exportUrl, currentTitle(), choice)
          },
        },
        choice.label,
      ),
    )
  }
  menu.append(
    h('div', { class: 'menu-separator', role: 'separator' }),
    h(
      'button',
      {
        type: 'button',
        role: 'menuitem',
        class: 'menu-item',
        'data-action': 'print',
        title: 'Ctrl+P',
        onclick: () => {
          close()
          window.print()
        },
      },
      'Print…',
    ),
  )
  button.addEventListener('click', () => {
    const opening = menu.hidden
    menu.hidden = !opening
    button.setAttribute('aria-expanded', String(opening))
  })
  document.addEventListener('click', (event) => {
    if (!wrapper.contains(event.target as Node)) close()
  })
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close()
  })
  const wrapper = h('div', { class: 'menu-wrap' }, button, menu)
  return wrapper
}
