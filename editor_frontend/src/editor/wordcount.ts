/**
 * Word count (Ctrl/Cmd-Shift-C, as in Google Docs): words, characters and characters without
 * spaces of the document, and of the selection when there is one. Words are counted the way the
 * browser splits them in any language (Intl.Segmenter), paragraph breaks are no characters.
 */

import type { Editor } from '@tiptap/core'
import type { Node as PMNode } from '@tiptap/pm/model'

import { h } from '../lib/dom'
import { infoDialog } from '../lib/ui'

export interface Counts {
  words: number
  characters: number
  charactersWithoutSpaces: number
}

const words = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'word' }) : null
const graphemes = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null

function wordCount(text: string): number {
  if (!words) return text.match(/[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*/gu)?.length ?? 0
  let count = 0
  for (const segment of words.segment(text)) if (segment.isWordLike) count++
  return count
}

/** Characters as a reader sees them: "é" written as e and a combining accent is one. */
function characterCount(text: string): number {
  if (!graphemes) return [...text].length
  let count = 0
  for (const _ of graphemes.segment(text)) count++
  return count
}

/** The counts of a list of texts, each a paragraph (words never run from one to the next). */
export function countTexts(texts: string[]): Counts {
  const counts: Counts = { words: 0, characters: 0, charactersWithoutSpaces: 0 }
  for (const text of texts) {
    counts.words += wordCount(text)
    // A line break inside a paragraph separates words but is no character either.
    counts.characters += characterCount(text.replace(/\n/g, ''))
    counts.charactersWithoutSpaces += characterCount(text.replace(/\s/gu, ''))
  }
  return counts
}

/** The text of each textblock between `from` and `to`. */
export function blockTexts(doc: PMNode, from = 0, to = doc.content.size): string[] {
  const texts: string[] = []
  doc.nodesBetween(from, to, (node, pos) => {
    if (!node.isTextblock) return true
    const start = Math.max(from, pos + 1)
    const end = Math.min(to, pos + 1 + node.content.size)
    if (end > start) texts.push(doc.textBetween(start, end, '\n', '\n'))
    return false
  })
  return texts
}

function table(document: Counts, selection: Counts | null): HTMLElement {
  const row = (label: string, key: keyof Counts) =>
    h(
      'tr',
      { 'data-count': key },
      h('th', { scope: 'row' }, label),
      h('td', { 'data-of': 'document' }, document[key].toLocaleString()),
      selection ? h('td', { 'data-of': 'selection' }, selection[key].toLocaleString()) : null,
    )
  return h(
    'table',
    { class: 'word-count' },
    h('thead', {}, h('tr', {}, h('td', {}), h('th', { scope: 'col' }, 'Document'), selection ? h('th', { scope: 'col' }, 'Selection') : null)),
    h(
      'tbody',
      {},
      row('Words', 'words'),
      row('Characters', 'characters'),
      row('Characters excluding spaces', 'charactersWithoutSpaces'),
    ),
  )
}

/** Shows the counts of `editor`'s document and selection in a dialog. */
export async function showWordCount(editor: Editor): Promise<void> {
  const { doc, selection } = editor.state
  const hadFocus = editor.view.hasFocus()
  const selected = selection.empty ? null : countTexts(blockTexts(doc, selection.from, selection.to))
  await infoDialog('Word count', table(countTexts(blockTexts(doc)), selected))
  if (hadFocus) editor.view.focus()
}

/** Ctrl/Cmd-Shift-C anywhere in the page opens the word count. */
export function bindWordCountKey(editor: Editor): void {
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || !event.shiftKey || event.altKey || event.key.toLowerCase() !== 'c') return
    if (document.querySelector('dialog[open]')) return
    event.preventDefault()
    void showWordCount(editor)
  })
}
