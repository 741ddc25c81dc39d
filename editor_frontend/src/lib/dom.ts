/** Small DOM helpers: the pages are plain TypeScript, no framework. */

type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>

/**
 * Creates an element: `h('button', { class: 'btn', onclick: save }, 'Save')`.
 * `on*` attributes that are functions become event listeners; `false`/`null` attributes are
 * left out; text children are inserted as text, never as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, ''), value)
    } else if (value === true) {
      element.setAttribute(name, '')
    } else {
      element.setAttribute(name, String(value))
    }
  }
  append(element, ...children)
  return element
}

/** Appends children, skipping empty ones and turning strings into text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

/** Removes every child of an element. */
export function clear(element: Element): void {
  element.replaceChildren()
}

/** Reads the JSON that a template wrote with Django's json_script filter. */
export function readJsonScript<T>(id: string): T {
  const element = document.getElementById(id)
  if (!element?.textContent) {
    throw new Error(`the page has no #${id} configuration`)
  }
  return JSON.parse(element.textContent) as T
}

/** An element that must exist on the page. */
export function required<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id)
  if (!element) throw new Error(`the page has no #${id}`)
  return element as T
}
