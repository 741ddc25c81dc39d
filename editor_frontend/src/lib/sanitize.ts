/**
 * Renders HTML from the server (a version's content) into a fragment that holds only document
 * markup: an allow-list of tags, `href` on links (http, https, mailto, relative) and nothing
 * else. Unknown elements are replaced by their children; scripts and styles are dropped whole.
 */

const ALLOWED = new Set([
  'P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'STRONG', 'B', 'EM', 'I', 'S', 'DEL', 'STRIKE', 'U',
  'CODE', 'PRE', 'UL', 'OL', 'LI', 'BLOCKQUOTE', 'A', 'HR', 'BR',
])
const DROPPED = new Set(['SCRIPT', 'STYLE', 'IFRAME', 'OBJECT', 'EMBED', 'TEMPLATE', 'NOSCRIPT', 'svg', 'math'])

export function safeHref(href: string | null): string | null {
  if (!href) return null
  const value = href.trim()
  if (/^(https?:|mailto:)/i.test(value) || /^[/#?]/.test(value)) return value
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return value // relative
  return null
}

function copy(source: Node, target: Node): void {
  for (const child of Array.from(source.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      target.appendChild(document.createTextNode(child.textContent ?? ''))
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      const element = child as Element
      if (DROPPED.has(element.tagName) || DROPPED.has(element.localName)) continue
      if (ALLOWED.has(element.tagName)) {
        const clean = document.createElement(element.tagName.toLowerCase())
        if (element.tagName === 'A') {
          const href = safeHref(element.getAttribute('href'))
          if (href) {
            clean.setAttribute('href', href)
            clean.setAttribute('target', '_blank')
            clean.setAttribute('rel', 'noopener noreferrer nofollow')
          }
        }
        if (element.tagName === 'OL' && element.getAttribute('start')) {
          const start = Number.parseInt(element.getAttribute('start') ?? '', 10)
          if (Number.isFinite(start)) clean.setAttribute('start', String(start))
        }
        copy(element, clean)
        target.appendChild(clean)
      } else {
        copy(element, target)
      }
    }
  }
}

/** A fragment with the allowed markup of `html`. */
export function sanitizeHtml(html: string): DocumentFragment {
  const parsed = new DOMParser().parseFromString(html, 'text/html')
  const fragment = document.createDocumentFragment()
  copy(parsed.body, fragment)
  return fragment
}
