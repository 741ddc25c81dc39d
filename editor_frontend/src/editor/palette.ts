/**
 * A colour palette that opens under a toolbar button: one swatch per colour and "None". The
 * toolbar scrolls sideways on phones (and would clip a child), so the palette sits in <body>,
 * placed under its button through the CSSOM. Arrow keys move along it, Escape closes it.
 */

import { h } from '../lib/dom'

export interface Swatch {
  name: string
  value: string
}

let open: { close: () => void } | null = null

/** Shows the palette for `button`; `pick` gets the chosen colour, or null for "None". */
export function openPalette(button: HTMLElement, label: string, swatches: Swatch[], current: string | null, pick: (value: string | null) => void, dismiss: () => void): void {
  const again = open !== null && button.getAttribute('aria-expanded') === 'true'
  open?.close()
  if (again) return // a second click on its button closes it

  const palette = h('div', { class: 'palette', role: 'group', 'aria-label': label })
  const choose = (value: string | null) => {
    close()
    pick(value)
  }
  const none = h('button', { type: 'button', class: 'swatch swatch-none', title: 'None', 'aria-label': 'None', 'data-color': '' })
  none.addEventListener('click', () => choose(null))
  palette.append(none)
  for (const swatch of swatches) {
    const element = h('button', { type: 'button', class: 'swatch', title: swatch.name, 'aria-label': swatch.name, 'data-color': swatch.value })
    element.style.backgroundColor = swatch.value // the CSSOM: the CSP blocks style attributes
    element.setAttribute('aria-pressed', String(swatch.value.toLowerCase() === current?.toLowerCase()))
    element.addEventListener('click', () => choose(swatch.value))
    palette.append(element)
  }
  const items = [...palette.querySelectorAll<HTMLButtonElement>('button')]
  for (const item of items) item.addEventListener('mousedown', (event) => event.preventDefault())

  palette.addEventListener('keydown', (event) => {
    const at = items.indexOf(event.target as HTMLButtonElement)
    if (event.key === 'Escape') {
      event.preventDefault()
      close()
      dismiss()
      return
    }
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key]
    if (step === undefined || at < 0) return
    event.preventDefault()
    items[(at + step + items.length) % items.length].focus()
  })
  const outside = (event: MouseEvent) => {
    if (!palette.contains(event.target as Node) && !button.contains(event.target as Node)) close()
  }
  function close(): void {
    palette.remove()
    button.setAttribute('aria-expanded', 'false')
    document.removeEventListener('mousedown', outside, true)
    if (open?.close === close) open = null
  }

  document.body.append(palette)
  const place = button.getBoundingClientRect()
  palette.style.left = `${Math.max(8, Math.min(place.left, window.innerWidth - palette.offsetWidth - 8))}px`
  palette.style.top = `${place.bottom + 6}px`
  button.setAttribute('aria-expanded', 'true')
  document.addEventListener('mousedown', outside, true)
  open = { close }
  if (document.activeElement === button) items[0].focus()
}
