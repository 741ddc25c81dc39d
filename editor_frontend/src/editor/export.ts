/** Export: download the document as Markdown, HTML or plain text from the content endpoint. */

import { ApiError, type ContentFormat, api } from '../lib/api'
import { h } from '../lib/dom'
import { downloadText, safeFilename, toast } from '../lib/ui'
import { icon } from './icons'

interface Choice {
  format: ContentFormat
  label: string
  extension: string
  mime: string
}

const CHOICES: Choice[] = [
  { format: 'markdown', label: 'Markdown (.md)', extension: 'md', mime: 'text/markdown' },
  { format: 'html', label: 'Web page (.html)', extension: 'html', mime: 'text/html' },
  { format: 'text', label: 'Plain text (.txt)', extension: 'txt', mime: 'text/plain' },
]

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] as string)
}

/** A standalone HTML file around the document's HTML body. */
export function htmlFile(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
</head>
<body>
${body}
</body>
</html>
`
}

/** Downloads the document in one format. */
export async function exportDocument(contentUrl: string, title: string, choice: Choice): Promise<void> {
  try {
    const result = await api<{ format: string; content: unknown }>('GET', `${contentUrl}?format=${choice.format}`)
    const content = typeof result.content === 'string' ? result.content : JSON.stringify(result.content, null, 2)
    const text = choice.format === 'html' ? htmlFile(title, content) : content
    downloadText(safeFilename(title, choice.extension), text, choice.mime)
  } catch (error) {
    toast(`Could not export: ${error instanceof ApiError ? error.message : String(error)}`, 'error')
  }
}

/** The Export button and its menu. */
export function exportMenu(contentUrl: string, currentTitle: () => string): HTMLElement {
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
            void exportDocument(contentUrl, currentTitle(), choice)
          },
        },
        choice.label,
      ),
    )
  }
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
