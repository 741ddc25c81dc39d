/**
 * Where a thread is in the text: Yjs relative positions of its first and last character, so
 * that it follows every edit, remote ones too. Only the anchors live in the shared document's
 * terms; the threads themselves are on the server.
 *
 * The server accepts only positions on characters: `start` on the first one (assoc 0, the
 * position before it) and `end` on the last (assoc -1, the position after it).
 */

import type { Node as PMNode } from '@tiptap/pm/model'
import type { EditorState } from '@tiptap/pm/state'
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap'
import { fromBase64, toBase64 } from 'lib0/buffer'
import * as Y from 'yjs'

import type { Anchor } from '../../lib/api'

/** A span of the ProseMirror document. */
export interface Range {
  from: number
  to: number
}

interface Binding {
  doc: Y.Doc
  type: Y.XmlFragment
  mapping: Map<Y.AbstractType<unknown>, PMNode>
}

function binding(state: EditorState): Binding | null {
  return (ySyncPluginKey.getState(state)?.binding as Binding | undefined) ?? null
}

/** The part of `from`…`to` between its first and last text character, or null without text. */
export function textRange(doc: PMNode, from: number, to: number): Range | null {
  let first: number | null = null
  let last: number | null = null
  doc.nodesBetween(from, to, (node, pos) => {
    if (!node.isText) return true
    if (first === null) first = Math.max(from, pos)
    last = Math.min(to, pos + node.nodeSize)
    return false
  })
  if (first === null || last === null || first >= last) return null
  return { from: first, to: last }
}

/** The Y.XmlText holding the character that ends at `after`, and that character's offset in it. */
function characterBefore(bound: Binding, after: number): { text: Y.XmlText; offset: number } | null {
  const relative = absolutePositionToRelativePosition(after, bound.type, bound.mapping) as Y.RelativePosition
  const absolute = Y.createAbsolutePositionFromRelativePosition(relative, bound.doc)
  if (!absolute || !(absolute.type instanceof Y.XmlText)) return null
  if (absolute.index < 1 || absolute.index > absolute.type.length) return null
  return { text: absolute.type, offset: absolute.index - 1 }
}

function encode(position: Y.RelativePosition): string {
  return toBase64(Y.encodeRelativePosition(position))
}

/** The anchor and quote of the text in `range` (trimmed to its text), or null without text. */
export function anchorFor(state: EditorState, range: Range): { anchor: Anchor; quote: string; range: Range } | null {
  const bound = binding(state)
  const text = textRange(state.doc, range.from, range.to)
  if (!bound || !text) return null
  const first = characterBefore(bound, text.from + 1)
  const last = characterBefore(bound, text.to)
  if (!first || !last) return null
  return {
    anchor: {
      start: encode(Y.createRelativePositionFromTypeIndex(first.text, first.offset, 0)),
      end: encode(Y.createRelativePositionFromTypeIndex(last.text, last.offset + 1, -1)),
    },
    quote: state.doc.textBetween(text.from, text.to, '\n'),
    range: text,
  }
}

/** Where `anchor` is in the document now, or null when its text is gone (or not loaded yet). */
export function rangeOf(state: EditorState, anchor: Anchor): Range | null {
  const bound = binding(state)
  if (!bound) return null
  try {
    const from = relativePositionToAbsolutePosition(bound.doc, bound.type, Y.decodeRelativePosition(fromBase64(anchor.start)), bound.mapping)
    const to = relativePositionToAbsolutePosition(bound.doc, bound.type, Y.decodeRelativePosition(fromBase64(anchor.end)), bound.mapping)
    if (from === null || to === null || from >= to || to > state.doc.content.size) return null
    return { from, to }
  } catch {
    return null // a malformed anchor: shown as a thread without its text
  }
}
