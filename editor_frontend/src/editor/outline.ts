/**
 * The document outline: a side panel listing the headings (levels 1 to 3, indented by level)
 * that follows every change, remote ones too. A click puts the caret at the start of that heading.
 * It shares #side-panel with the version history: the page shows one or the other.
 */

import type { Editor } from '@tiptap/core'
import type { Node as PMNode } from '@tiptap/pm/model'

import { h } from '../lib/dom'
import { icon } from './icons'

export interface Heading {
  level: number
  text: string
  /** The position before the heading node. */
  pos: number
}

/** The headings of levels 1 to 3 in `doc`, in document order. */
export function headings(doc: PMNode): Heading[] {
  const found: Heading[] = []
  doc.descendants((node, pos) => {
    if (node.type.name !== 'heading') return !node.isTextblock
    const level = Number(node.attrs.level)
    if (level >= 1 && level <= 3) found.push({ level, text: node.textContent, pos })
    return false
  })
  return found
}

export class OutlinePanel {
  private readonly root: HTMLElement
  private readonly editor: Editor
  private readonly onClose: () => void
  private readonly list = h('ol', { class: 'outline-list', 'aria-label': 'Headings' })
  private readonly message = h('p', { class: 'panel-message muted' }, 'No headings yet: the headings you add appear here.')
  /** What the list shows now, to rebuild it only when a heading changes. */
  private shown = ''
  private readonly follow = ({ transaction }: { transaction: { docChanged: boolean } }) => {
    if (transaction.docChanged) this.render()
  }

  constructor(root: HTMLElement, editor: Editor, onClose: () => void) {
    this.root = root
    this.editor = editor
    this.onClose = onClose
  }

  get isOpen(): boolean {
    return !this.root.hidden && this.root.dataset.panel === 'outline'
  }

  open(): void {
    this.root.dataset.panel = 'outline'
    const closeButton = h('button', { type: 'button', class: 'btn btn-quiet btn-icon', title: 'Close', 'aria-label': 'Close outline', onclick: () => this.close() }, icon('close'))
    this.shown = ''
    this.root.replaceChildren(h('div', { class: 'panel-head' }, h('h2', {}, 'Outline'), closeButton), this.message, h('nav', { 'aria-label': 'Outline' }, this.list))
    this.root.hidden = false
    this.render()
    this.editor.on('transaction', this.follow)
  }

  close(): void {
    if (!this.isOpen) return
    this.editor.off('transaction', this.follow)
    this.root.hidden = true
    this.root.dataset.panel = ''
    this.onClose()
  }

  private render(): void {
    const found = headings(this.editor.state.doc)
    const shown = JSON.stringify(found.map(({ level, text }) => [level, text]))
    if (shown === this.shown) return
    this.shown = shown
    this.message.hidden = found.length > 0
    this.list.replaceChildren(
      ...found.map((heading, index) =>
        h(
          'li',
          { class: 'outline-entry', 'data-level': heading.level },
          h('button', { type: 'button', class: 'outline-item', onclick: () => this.jump(index) }, heading.text || 'Untitled heading'),
        ),
      ),
    )
  }

  /** Puts the caret at the start of heading `index` (looked up now: positions move with every edit). */
  private jump(index: number): void {
    const heading = headings(this.editor.state.doc)[index]
    if (!heading) return
    this.editor.chain().focus().setTextSelection(heading.pos + 1).scrollIntoView().run()
  }
}
