/**
 * Text formatting beyond StarterKit: underline, text colour and highlight, subscript and
 * superscript, and text alignment, all Tiptap's own extensions, rendered so that the page's
 * Content-Security-Policy lets them apply: a `style` attribute is blocked there, so colours go
 * through the CSSOM (mark views) and alignment through a data attribute that editor.css styles.
 */

import type { Editor, MarkViewRenderer } from '@tiptap/core'
import Color from '@tiptap/extension-color'
import Highlight from '@tiptap/extension-highlight'
import Subscript from '@tiptap/extension-subscript'
import Superscript from '@tiptap/extension-superscript'
import TextAlign from '@tiptap/extension-text-align'
import { TextStyle } from '@tiptap/extension-text-style'
import Underline from '@tiptap/extension-underline'

export const ALIGNMENTS = ['left', 'center', 'right', 'justify'] as const
export type Alignment = (typeof ALIGNMENTS)[number]

/**
 * A mark view rendering `tag` with the mark's attributes, its `style` set through the CSSOM
 * (which the CSP allows) instead of as an attribute (which it blocks).
 */
function styledMarkView(tag: string): MarkViewRenderer {
  return ({ HTMLAttributes }) => {
    const dom = document.createElement(tag)
    for (const [key, value] of Object.entries(HTMLAttributes)) {
      if (value === null || value === undefined) continue
      if (key === 'style') dom.style.cssText = String(value)
      else dom.setAttribute(key, String(value))
    }
    return { dom, contentDOM: dom }
  }
}

/** Holds the colour (and any other text style) of a run of text; pasted text brings its colour
 * as `data-color` (clipboard.ts), the page's policy refusing style attributes. */
const CspTextStyle = TextStyle.extend({
  parseHTML() {
    return [...(this.parent?.() ?? []), { tag: 'span[data-color]', consuming: false }]
  },
  addMarkView() {
    return styledMarkView('span')
  },
})

/** The text colour, also read from `data-color`. */
const CspColor = Color.extend({
  addGlobalAttributes() {
    return (this.parent?.() ?? []).map((group) => ({
      ...group,
      attributes: Object.fromEntries(
        Object.entries(group.attributes).map(([name, attribute]) => [
          name,
          name === 'color' ? { ...attribute, parseHTML: (element: HTMLElement) => element.dataset.color || attribute?.parseHTML?.(element) } : attribute,
        ]),
      ),
    }))
  },
})

/** A highlight of any colour; the text keeps the colour the scheme gives it (editor.css). */
const CspHighlight = Highlight.extend({
  addMarkView() {
    return styledMarkView('mark')
  },
}).configure({ multicolor: true })

/** Alignment of paragraphs and headings, written as `data-text-align` (styled in editor.css). */
const CspTextAlign = TextAlign.extend({
  addGlobalAttributes() {
    return [
      {
        types: this.options.types,
        attributes: {
          textAlign: {
            default: this.options.defaultAlignment,
            parseHTML: (element: HTMLElement) => {
              const alignment = element.dataset.textAlign || element.style.textAlign
              return this.options.alignments.includes(alignment) ? alignment : this.options.defaultAlignment
            },
            renderHTML: (attributes: Record<string, unknown>) => {
              const alignment = attributes.textAlign
              return typeof alignment === 'string' && this.options.alignments.includes(alignment) ? { 'data-text-align': alignment } : {}
            },
          },
        },
      },
    ]
  },
}).configure({ types: ['heading', 'paragraph'], alignments: [...ALIGNMENTS], defaultAlignment: null })

export const formattingExtensions = [Underline, CspTextStyle, CspColor, CspHighlight, Subscript, Superscript, CspTextAlign]

/** Text colours offered: mid tones that read on the light and the dark page alike. */
export const TEXT_COLORS: { name: string; value: string }[] = [
  { name: 'Red', value: '#d93025' },
  { name: 'Orange', value: '#e8710a' },
  { name: 'Green', value: '#188038' },
  { name: 'Teal', value: '#129eaf' },
  { name: 'Blue', value: '#1a73e8' },
  { name: 'Purple', value: '#9334e6' },
  { name: 'Grey', value: '#80868b' },
]

/** Highlight colours offered: light backgrounds, under text that editor.css keeps dark. */
export const HIGHLIGHT_COLORS: { name: string; value: string }[] = [
  { name: 'Yellow', value: '#fef08a' },
  { name: 'Green', value: '#bbf7d0' },
  { name: 'Blue', value: '#bfdbfe' },
  { name: 'Pink', value: '#fbcfe8' },
  { name: 'Orange', value: '#fed7aa' },
]

/** The alignment of the block the selection starts in (null: the default, left). */
export function currentAlignment(editor: Editor): string | null {
  const { $from } = editor.state.selection
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth)
    if ('textAlign' in node.attrs) return (node.attrs.textAlign as string | null) ?? null
  }
  return null
}
