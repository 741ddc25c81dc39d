/**
 * The find bar: Ctrl/Cmd-F opens it (instead of the browser's own search, which cannot see the
 * editor's highlights), Ctrl/Cmd-H opens it with the replace row. Enter and Shift-Enter go to
 * the next and previous match, Escape closes it and returns to the document. Readers can find
 * but get no replace row.
 */

import type { Editor } from '@tiptap/core'

import { h } from '../lib/dom'
import { type FindQuery, clearQuery, findState, replaceAll, replaceCurrent, reveal, setQuery, step } from './find'
import { icon } from './icons'

export class FindBar {
  private readonly editor: Editor
  private readonly root: HTMLElement
  private readonly field = h('input', { type: 'text', class: 'find-field', 'aria-label': 'Find in document', placeholder: 'Find', spellcheck: 'false' })
  private readonly replacement = h('input', { type: 'text', class: 'find-field', 'aria-label': 'Replace with', placeholder: 'Replace with', spellcheck: 'false' })
  private readonly count = h('span', { class: 'find-count', role: 'status', 'aria-live': 'polite' })
  private readonly matchCase = h('input', { type: 'checkbox' })
  private readonly wholeWord = h('input', { type: 'checkbox' })
  private readonly replaceRow: HTMLElement
  private readonly replaceButtons: HTMLButtonElement[]

  constructor(container: HTMLElement, editor: Editor) {
    this.editor = editor
    const button = (label: string, content: Node | string, onclick: () => void, title = label) =>
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': label, title, onclick }, content)
    this.replaceButtons = [
      button('Replace', 'Replace', () => replaceCurrent(editor.view, this.replacement.value), 'Replace this match'),
      button('Replace all', 'Replace all', () => this.replaceAll()),
    ]
    this.replaceRow = h('div', { class: 'find-row' }, this.replacement, ...this.replaceButtons)
    this.root = h(
      'div',
      { class: 'find-bar', role: 'search', 'aria-label': 'Find and replace', hidden: true },
      h(
        'div',
        { class: 'find-row' },
        this.field,
        this.count,
        button('Previous match', '↑', () => this.step(-1), 'Previous match (Shift+Enter)'),
        button('Next match', '↓', () => this.step(1), 'Next match (Enter)'),
        button('Close find', icon('close'), () => this.close(), 'Close (Escape)'),
      ),
      h(
        'div',
        { class: 'find-row find-options' },
        h('label', { class: 'find-option' }, this.matchCase, 'Match case'),
        h('label', { class: 'find-option' }, this.wholeWord, 'Whole word'),
      ),
      this.replaceRow,
    )
    container.append(this.root)

    this.field.addEventListener('input', () => this.search())
    this.matchCase.addEventListener('change', () => this.search())
    this.wholeWord.addEventListener('change', () => this.search())
    this.root.addEventListener('keydown', (event) => this.onKey(event))
    this.field.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return
      event.preventDefault()
      this.step(event.shiftKey ? -1 : 1)
    })
    this.replacement.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return
      event.preventDefault()
      replaceCurrent(editor.view, this.replacement.value)
    })
    // Local and remote changes both move the matches: the count follows.
    editor.on('transaction', () => {
      if (!this.root.hidden) this.render()
    })
  }

  get isOpen(): boolean {
    return !this.root.hidden
  }

  /** Opens the bar (with the replace row when `replace` and the user may edit), its field
   * holding the selected text if there is some, and focused. */
  open(replace: boolean): void {
    const canReplace = this.editor.isEditable
    this.replaceRow.hidden = !(replace && canReplace)
    for (const button of this.replaceButtons) button.disabled = !canReplace
    const { from, to, empty } = this.editor.state.selection
    const selected = empty ? '' : this.editor.state.doc.textBetween(from, to, ' ')
    const wasOpen = this.isOpen
    this.root.hidden = false
    if (selected && !selected.includes('\n') && selected.length <= 200) this.field.value = selected
    if (!wasOpen || selected) this.search()
    const target = replace && canReplace && wasOpen && document.activeElement === this.field ? this.replacement : this.field
    target.focus()
    target.select()
  }

  /** Closes the bar, leaves no highlight and puts the focus back in the document. */
  close(): void {
    if (!this.isOpen) return
    this.root.hidden = true
    clearQuery(this.editor.view)
    this.editor.view.focus()
  }

  private query(): FindQuery {
    return { text: this.field.value, caseSensitive: this.matchCase.checked, wholeWord: this.wholeWord.checked }
  }

  private search(): void {
    setQuery(this.editor.view, this.query())
    reveal(this.editor.view)
    this.render()
  }

  private step(direction: 1 | -1): void {
    step(this.editor.view, direction)
    this.render()
  }

  private replaceAll(): void {
    replaceAll(this.editor.view, this.replacement.value)
    this.render()
  }

  private render(): void {
    const { query, matches, current } = findState(this.editor.state)
    if (!query.text) this.count.textContent = ''
    else if (matches.length === 0) this.count.textContent = 'No results'
    else this.count.textContent = `${current + 1} of ${matches.length}`
    this.root.dataset.found = String(matches.length > 0)
    // A role change can make the editor a reader while the bar is open. (The buttons stay enabled
    // without matches: disabling the focused one would drop the focus out of the bar.)
    const canReplace = this.editor.isEditable
    for (const button of this.replaceButtons) button.disabled = !canReplace
    if (!canReplace) this.replaceRow.hidden = true
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault()
      this.close()
    }
  }
}

/**
 * Takes Ctrl/Cmd-F and Ctrl/Cmd-H from the browser while the focus is anywhere in this page:
 * the browser's own search would not see what the editor highlights.
 */
export function bindFindKeys(bar: FindBar): void {
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return
    const key = event.key.toLowerCase()
    if (key !== 'f' && key !== 'h') return
    // Under a modal dialog the bar could not take the focus.
    if (event.shiftKey || document.querySelector('dialog[open]')) return
    event.preventDefault()
    bar.open(key === 'h')
  })
}
