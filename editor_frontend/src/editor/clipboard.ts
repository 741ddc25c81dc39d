/**
 * Pasted HTML, cleaned before ProseMirror parses it, so that what Google Docs and Word put on
 * the clipboard keeps its headings, lists and marks:
 *
 * - Google Docs wraps everything in `<b id="docs-internal-guid-…" style="font-weight:normal">`
 *   (unwrapped, never bold), writes every run's colour, black included, and nests a list as a
 *   `<ul>` straight inside the `<ul>` (moved into the item before it, where HTML wants it).
 * - Word writes its Title as a paragraph of a class (a heading here), and list items as paragraphs (`style="mso-list:l0 level2 lfo1"`) whose bullet or
 *   number is text in a span (`mso-list:Ignore`), inside conditional comments: they become
 *   real, nested `<ul>`/`<ol>` lists; `<o:p>`, comments, `<style>` and `<meta>` go.
 * - Styles become the tags and data attributes the editor's marks read (weight, italics,
 *   decoration, vertical alignment, a colour that is not the default, a background colour as a
 *   highlight, text alignment), and the style attributes go: the page's policy refuses them.
 *
 * The HTML is parsed into a detached document (DOMParser runs no scripts and loads nothing)
 * and never touches the page.
 */

/** Colours that are only the page's default: written on every run by Docs and Word. */
const DEFAULT_COLORS = /^(#000(000)?|black|windowtext|rgb\(0, ?0, ?0\)|inherit|initial|currentcolor)$/i
const NO_BACKGROUND = /^(transparent|#fff(fff)?|white|rgb\(255, ?255, ?255\)|rgba\(0, ?0, ?0, ?0\)|inherit|initial|none)$/i
/** The text of a Word list item's number: digits, a letter or a Roman numeral, then . or ). */
const NUMBERED = /^\s*(\d+|[a-z]|[ivxlcdm]+)[.)]/i
const WORD_LIST = /mso-list:\s*l(\d+)\s+level(\d+)/i
/** A `style=` inside a tag (its name, after a space or a quote that ended another value). */
/** A style sheet, as Word puts one in what it copies. */
const STYLE_ELEMENT = /<style\b[^>]*>[\s\S]*?<\/style\s*>/gi
const STYLE_ATTRIBUTE = /(<[a-z][^>]*?[\s"'])style\s*=/gi

/** `html` as cleaned for the editor's parser. */
export function cleanPastedHtml(html: string): string {
  // Before parsing, style sheets go and style attributes are renamed: the page's policy
  // refuses (and reports) every one a parsed document holds, and the attributes' words are
  // still needed.
  const inert = html.replace(STYLE_ELEMENT, '').replace(STYLE_ATTRIBUTE, '$1data-pasted-style=')
  const doc = new DOMParser().parseFromString(inert, 'text/html')
  const body = doc.body
  removeNoise(body)
  for (const wrapper of body.querySelectorAll('b[id^="docs-internal-guid"]')) unwrap(wrapper)
  wordLists(body)
  wordTitles(body)
  nestStrayLists(body)
  for (const element of body.querySelectorAll<HTMLElement>('[data-pasted-style]')) styleToTags(element)
  return body.innerHTML
}

function removeNoise(body: HTMLElement): void {
  const walker = body.ownerDocument.createTreeWalker(body, NodeFilter.SHOW_COMMENT)
  const comments: Node[] = []
  while (walker.nextNode()) comments.push(walker.currentNode)
  for (const comment of comments) comment.parentNode?.removeChild(comment)
  for (const element of body.querySelectorAll('style, meta, link, script, title, xml')) element.remove()
  // Word's empty-paragraph filler: an element of the `o:` namespace, parsed as `o:p`.
  for (const element of [...body.getElementsByTagName('o:p')]) unwrap(element)
}

function unwrap(element: Element): void {
  element.replaceWith(...element.childNodes)
}

/** Word's list paragraphs, in runs of consecutive ones, as nested lists. */
function wordLists(body: HTMLElement): void {
  const paragraphs = [...body.querySelectorAll<HTMLElement>('p[data-pasted-style*="mso-list"]')]
  const done = new Set<Element>()
  for (const first of paragraphs) {
    if (done.has(first) || !WORD_LIST.test(first.getAttribute('data-pasted-style') ?? '')) continue
    const run: HTMLElement[] = [first]
    let next = first.nextElementSibling
    while (next instanceof HTMLElement && next.tagName === 'P' && WORD_LIST.test(next.getAttribute('data-pasted-style') ?? '')) {
      run.push(next)
      next = next.nextElementSibling
    }
    for (const paragraph of run) done.add(paragraph)
    first.before(buildList(run))
    for (const paragraph of run) paragraph.remove()
  }
}

function buildList(run: HTMLElement[]): HTMLElement {
  const doc = run[0].ownerDocument
  // The open lists, outermost first, with their level.
  const stack: { level: number; list: HTMLElement }[] = []
  let root: HTMLElement | null = null
  for (const paragraph of run) {
    const level = Number(WORD_LIST.exec(paragraph.getAttribute('data-pasted-style') ?? '')?.[2] ?? 1)
    const marker = paragraph.querySelector('[data-pasted-style*="mso-list:Ignore"], [data-pasted-style*="mso-list: Ignore"]')
    const ordered = NUMBERED.test(marker?.textContent ?? '')
    marker?.remove()
    while (stack.length && stack[stack.length - 1].level > level) stack.pop()
    let top = stack[stack.length - 1]
    if (!top || top.level < level) {
      const list = doc.createElement(ordered ? 'ol' : 'ul')
      const parentItem = top?.list.lastElementChild
      if (parentItem) parentItem.append(list)
      else if (!root) root = list
      else root.append(list) // deeper than anything open: keep it inside the outer list
      top = { level, list }
      stack.push(top)
    }
    const item = doc.createElement('li')
    const content = doc.createElement('p')
    content.append(...paragraph.childNodes)
    trimLeadingSpace(content)
    item.append(content)
    top.list.append(item)
  }
  return root as HTMLElement
}

/** Word's Title and Subtitle styles are paragraphs of a class: headings here. */
function wordTitles(body: HTMLElement): void {
  for (const [name, level] of [['MsoTitle', 'h1'], ['MsoSubtitle', 'h2']]) {
    for (const paragraph of [...body.querySelectorAll(`p.${name}`)]) {
      const heading = paragraph.ownerDocument.createElement(level)
      heading.append(...paragraph.childNodes)
      paragraph.replaceWith(heading)
    }
  }
}

/** Word pads the bullet with non-breaking spaces that outlive the bullet. */
function trimLeadingSpace(element: HTMLElement): void {
  const first = element.firstChild
  if (first?.nodeType === Node.TEXT_NODE) first.textContent = (first.textContent ?? '').replace(/^[\s\u00a0]+/, '')
}

/** A list directly inside a list (Google Docs) goes into the item before it. */
function nestStrayLists(body: HTMLElement): void {
  for (const list of [...body.querySelectorAll(':is(ul, ol) > :is(ul, ol)')]) {
    const item = list.previousElementSibling
    if (item?.tagName === 'LI') item.append(list)
    else wrapInItem(list)
  }
}

function wrapInItem(list: Element): HTMLElement {
  const item = list.ownerDocument.createElement('li')
  list.replaceWith(item)
  item.append(list)
  return item
}

/** A style attribute's declarations, read from its text (a parsed style may be refused). */
function declarations(element: Element): Map<string, string> {
  const found = new Map<string, string>()
  for (const part of (element.getAttribute('data-pasted-style') ?? '').split(';')) {
    const colon = part.indexOf(':')
    if (colon > 0) found.set(part.slice(0, colon).trim().toLowerCase(), part.slice(colon + 1).trim().replace(/\s*!important$/, ''))
  }
  return found
}

/** Wraps the element's content in `tag` (with `attributes`). */
function wrapContent(element: Element, tag: string, attributes: Record<string, string> = {}): void {
  const wrapper = element.ownerDocument.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) wrapper.setAttribute(name, value)
  wrapper.append(...element.childNodes)
  element.append(wrapper)
}

/**
 * The formatting a style attribute says, as the tags and data attributes the editor's parser
 * reads; the attribute itself goes (the page's policy refuses inline styles, and the parser
 * would report every one of them).
 */
function styleToTags(element: HTMLElement): void {
  const style = declarations(element)
  element.removeAttribute('data-pasted-style')
  const weight = style.get('font-weight') ?? ''
  const decoration = `${style.get('text-decoration') ?? ''} ${style.get('text-decoration-line') ?? ''}`
  const color = style.get('color') ?? ''
  const background = style.get('background-color') ?? style.get('background') ?? ''
  const align = style.get('text-align') ?? ''
  const inline = !/^(P|H[1-6]|LI|UL|OL|TABLE|TBODY|THEAD|TR|TD|TH|DIV|BLOCKQUOTE)$/.test(element.tagName)
  if (inline && element.tagName !== 'B' && /^(bold|bolder|[6-9]00)$/.test(weight)) wrapContent(element, 'strong')
  if (inline && style.get('font-style') === 'italic') wrapContent(element, 'em')
  if (inline && /underline/.test(decoration)) wrapContent(element, 'u')
  if (inline && /line-through/.test(decoration)) wrapContent(element, 's')
  if (inline && style.get('vertical-align') === 'super') wrapContent(element, 'sup')
  if (inline && style.get('vertical-align') === 'sub') wrapContent(element, 'sub')
  if (inline && color && !DEFAULT_COLORS.test(color) && element.tagName !== 'A' && !element.closest('a')) {
    wrapContent(element, 'span', { 'data-color': color })
  }
  if (inline && background && !NO_BACKGROUND.test(background)) wrapContent(element, 'mark', { 'data-color': background })
  if (!inline && /^(left|center|right|justify)$/.test(align)) element.setAttribute('data-text-align', align)
  // A <b> whose style says it is not bold (as Docs writes some) is no bold.
  if (element.tagName === 'B' && /^(normal|[1-5]00)$/.test(weight)) unwrap(element)
}
