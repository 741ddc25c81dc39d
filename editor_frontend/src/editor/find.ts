/**
 * Find and replace in the document: a ProseMirror plugin that finds a query in each textblock
 * (across marks, never across blocks) and shows the matches as decorations, so that nothing of
 * the search ever reaches the shared document. Its matches follow every change, remote ones too.
 */

import { Extension } from '@tiptap/core'
import type { Node as PMNode } from '@tiptap/pm/model'
import { type EditorState, Plugin, PluginKey, TextSelection, type Transaction } from '@tiptap/pm/state'
import { Decoration, DecorationSet, type EditorView } from '@tiptap/pm/view'
import { yUndoPluginKey } from '@tiptap/y-tiptap'

export interface FindQuery {
  text: string
  caseSensitive: boolean
  wholeWord: boolean
}

export interface Match {
  from: number
  to: number
}

export interface FindState {
  query: FindQuery
  matches: Match[]
  /** The index of the current match in `matches`, or -1 when there is none. */
  current: number
  decorations: DecorationSet
}

type FindMeta = { query: FindQuery; near: number } | { current: number }

export const findKey = new PluginKey<FindState>('find')

const EMPTY_QUERY: FindQuery = { text: '', caseSensitive: false, wholeWord: false }
/** What a leaf inline node (an image, a line break) stands for: a match never spans it. */
const OBJECT = '\ufffc'

function pattern(query: FindQuery): RegExp | null {
  if (!query.text) return null
  const escaped = query.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  // Letters, digits and marks of any script make up words, not only ASCII's \w.
  const source = query.wholeWord ? `(?<![\\p{L}\\p{N}\\p{M}_])${escaped}(?![\\p{L}\\p{N}\\p{M}_])` : escaped
  return new RegExp(source, query.caseSensitive ? 'gu' : 'giu')
}

/** Every match of `query` in `doc`, in document order. */
export function findMatches(doc: PMNode, query: FindQuery): Match[] {
  const regexp = pattern(query)
  if (!regexp) return []
  const matches: Match[] = []
  doc.descendants((node, pos) => {
    if (!node.isTextblock) return true
    // One character per position: text is its own size, every leaf inline node is one.
    let text = ''
    node.forEach((child) => {
      text += child.isText ? (child.text ?? '') : OBJECT.repeat(child.nodeSize)
    })
    for (const found of text.matchAll(regexp)) {
      if (found[0].length === 0) continue
      const from = pos + 1 + (found.index ?? 0)
      matches.push({ from, to: from + found[0].length })
    }
    return false
  })
  return matches
}

/** The first match at or after `pos` (wrapping round to the first), or -1. */
function indexFrom(matches: Match[], pos: number): number {
  if (matches.length === 0) return -1
  const at = matches.findIndex((match) => match.from >= pos)
  return at < 0 ? 0 : at
}

function decorate(doc: PMNode, matches: Match[], current: number): DecorationSet {
  return DecorationSet.create(
    doc,
    matches.map((match, index) =>
      Decoration.inline(match.from, match.to, { class: index === current ? 'find-match find-current' : 'find-match' }),
    ),
  )
}

function build(doc: PMNode, query: FindQuery, near: number): FindState {
  const matches = findMatches(doc, query)
  const current = indexFrom(matches, near)
  return { query, matches, current, decorations: decorate(doc, matches, current) }
}

function apply(tr: Transaction, state: FindState): FindState {
  const meta = tr.getMeta(findKey) as FindMeta | undefined
  if (meta && 'query' in meta) return build(tr.doc, meta.query, meta.near)
  if (meta && 'current' in meta) {
    return { ...state, current: meta.current, decorations: decorate(tr.doc, state.matches, meta.current) }
  }
  if (!tr.docChanged || !state.query.text) return state
  // The current match stays the one nearest to where it was (a remote change may replace
  // the whole document, then the old position itself is the best guess).
  const old = state.matches[state.current]
  const mapped = old ? tr.mapping.mapResult(old.from) : null
  const near = mapped && !mapped.deleted ? mapped.pos : (old?.from ?? 0)
  return build(tr.doc, state.query, near)
}

/** The search's plugin state of `state`. */
export function findState(state: EditorState): FindState {
  return findKey.getState(state) ?? { query: EMPTY_QUERY, matches: [], current: -1, decorations: DecorationSet.empty }
}

/** Searches for `query`, the current match being the first one from the selection on. */
export function setQuery(view: EditorView, query: FindQuery): void {
  view.dispatch(view.state.tr.setMeta(findKey, { query, near: view.state.selection.from }))
}

/** Ends the search: no highlight is left. */
export function clearQuery(view: EditorView): void {
  if (findState(view.state).query.text) setQuery(view, EMPTY_QUERY)
}

/** Makes match `index` current, selects it and scrolls it into view. */
function select(view: EditorView, index: number): void {
  const match = findState(view.state).matches[index]
  if (!match) return
  const tr = view.state.tr.setMeta(findKey, { current: index })
  tr.setSelection(TextSelection.create(tr.doc, match.from, match.to)).scrollIntoView()
  view.dispatch(tr)
  // ProseMirror scrolls from the DOM selection, which is in the find bar: the highlight says where.
  view.dom.querySelector('.find-current')?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
}

/** Goes to the next match (`step` 1) or the previous one (-1), wrapping round. */
export function step(view: EditorView, direction: 1 | -1): void {
  const { matches, current } = findState(view.state)
  if (matches.length === 0) return
  select(view, current < 0 ? 0 : (current + direction + matches.length) % matches.length)
}

/** Shows the current match (after typing in the find field), without moving the selection. */
export function reveal(view: EditorView): void {
  view.dom.querySelector('.find-current')?.scrollIntoView({ block: 'nearest', inline: 'nearest' })
}

/** Dispatches `tr` as an undo step of its own: Yjs would merge it with edits made just before. */
function dispatchAlone(view: EditorView, tr: Transaction): void {
  const undo = yUndoPluginKey.getState(view.state)?.undoManager
  undo?.stopCapturing()
  view.dispatch(tr)
  undo?.stopCapturing()
}

function replaceIn(tr: Transaction, match: Match, text: string): void {
  if (!text) {
    tr.delete(match.from, match.to)
    return
  }
  const $from = tr.doc.resolve(match.from)
  const marks = $from.marksAcross(tr.doc.resolve(match.to)) ?? $from.marks()
  tr.replaceWith(match.from, match.to, tr.doc.type.schema.text(text, marks))
}

/** Replaces the current match with `text` and goes on to the next one. */
export function replaceCurrent(view: EditorView, text: string): void {
  const { matches, current } = findState(view.state)
  const match = matches[current]
  if (!view.editable || !match) return
  const tr = view.state.tr
  replaceIn(tr, match, text)
  dispatchAlone(view, tr)
  // The next match is the first one after the replacement (which may itself match).
  const next = findState(view.state).matches.findIndex((found) => found.from >= match.from + text.length)
  if (next >= 0) select(view, next)
  else if (findState(view.state).matches.length > 0) select(view, 0)
}

/** Replaces every match with `text` in one transaction: one step to undo. Returns how many. */
export function replaceAll(view: EditorView, text: string): number {
  const { matches } = findState(view.state)
  if (!view.editable || matches.length === 0) return 0
  const tr = view.state.tr
  // From the last to the first: the earlier positions stay valid.
  for (const match of [...matches].reverse()) replaceIn(tr, match, text)
  dispatchAlone(view, tr)
  return matches.length
}

/** The search as a Tiptap extension. */
export const Find = Extension.create({
  name: 'find',
  addProseMirrorPlugins() {
    return [
      new Plugin<FindState>({
        key: findKey,
        state: {
          init: () => ({ query: EMPTY_QUERY, matches: [], current: -1, decorations: DecorationSet.empty }),
          apply,
        },
        props: { decorations: (state) => findKey.getState(state)?.decorations },
      }),
    ]
  },
})
