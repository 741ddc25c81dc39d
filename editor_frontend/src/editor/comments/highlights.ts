/**
 * The commented passages, drawn as decorations (never marks: nothing of it reaches the shared
 * document): one per open thread, the active one emphasised, and the passage being commented
 * on while its composer is open. The ranges come from the threads' Yjs anchors, read again after
 * every change of the document or of the threads.
 */

import { Extension } from '@tiptap/core'
import { type EditorState, Plugin, PluginKey, type Transaction } from '@tiptap/pm/state'
import { Decoration, DecorationSet, type EditorView } from '@tiptap/pm/view'

import type { Anchor } from '../../lib/api'
import { type Range, rangeOf } from './anchors'
import type { ThreadStore } from './store'

export interface HighlightState {
  /** Where each thread's text is now (threads whose text is gone have none). */
  ranges: Map<string, Range>
  /** The passage of the comment being written, if any. */
  draft: Range | null
  decorations: DecorationSet
}

export interface HighlightOptions {
  store: ThreadStore | null
  /** The anchor of the comment being written, if any. */
  draft: () => Anchor | null
  /** A click in the text: the thread of the highlight clicked, or null elsewhere. */
  onActivate: (id: string | null) => void
}

export const highlightKey = new PluginKey<HighlightState>('commentHighlights')

const EMPTY: HighlightState = { ranges: new Map(), draft: null, decorations: DecorationSet.empty }

function build(state: EditorState, options: HighlightOptions): HighlightState {
  const ranges = new Map<string, Range>()
  const decorations: Decoration[] = []
  const active = options.store?.active ?? null
  for (const thread of options.store?.all() ?? []) {
    const range = rangeOf(state, thread.anchor)
    if (!range) continue
    ranges.set(thread.id, range)
    // Resolved threads leave the text, unless opened from "Show resolved".
    if (thread.status !== 'open' && thread.id !== active) continue
    const className = thread.id === active ? 'comment-highlight is-active' : 'comment-highlight'
    decorations.push(Decoration.inline(range.from, range.to, { class: className, 'data-thread-id': thread.id }))
  }
  const draftAnchor = options.draft()
  const draft = draftAnchor ? rangeOf(state, draftAnchor) : null
  if (draft) decorations.push(Decoration.inline(draft.from, draft.to, { class: 'comment-draft' }))
  return { ranges, draft, decorations: DecorationSet.create(state.doc, decorations) }
}

/** Moves the ranges along with an edit until they are read from the anchors again. */
function mapped(value: HighlightState, tr: Transaction): HighlightState {
  const move = (range: Range): Range => ({ from: tr.mapping.map(range.from, 1), to: tr.mapping.map(range.to, -1) })
  const ranges = new Map([...value.ranges].map(([id, range]) => [id, move(range)] as const))
  return { ranges, draft: value.draft && move(value.draft), decorations: value.decorations.map(tr.mapping, tr.doc) }
}

/** The highlights' state of `state`. */
export function highlights(state: EditorState): HighlightState {
  return highlightKey.getState(state) ?? EMPTY
}

/** Reads every thread's range again: after a change of the threads, the active one or the draft. */
export function refreshHighlights(view: EditorView): void {
  view.dispatch(view.state.tr.setMeta(highlightKey, 'refresh').setMeta('addToHistory', false))
}

export const CommentHighlights = Extension.create<HighlightOptions>({
  name: 'commentHighlights',

  addOptions() {
    return { store: null, draft: () => null, onActivate: () => undefined }
  },

  addProseMirrorPlugins() {
    const options = this.options
    return [
      new Plugin<HighlightState>({
        key: highlightKey,
        state: {
          init: (_config, state) => build(state, options),
          apply: (tr, value, _old, state) => {
            if (tr.getMeta(highlightKey) === 'refresh') return build(state, options)
            if (!tr.docChanged) return value
            return mapped(value, tr)
          },
        },
        props: {
          decorations: (state) => highlightKey.getState(state)?.decorations,
          handleClick: (_view, _pos, event) => {
            const target = event.target instanceof Element ? event.target.closest('[data-thread-id]') : null
            options.onActivate(target?.getAttribute('data-thread-id') ?? null)
            return false // the caret goes where the click was, as usual
          },
        },
        view: () => {
          let queued = false
          return {
            // The Yjs side of a local edit is written by the sync plugin's own view update: the
            // anchors are read again once it is done, before the next paint.
            update: (view, previous) => {
              if (view.state.doc === previous.doc || queued) return
              queued = true
              queueMicrotask(() => {
                queued = false
                if (!view.isDestroyed) refreshHighlights(view)
              })
            },
          }
        },
      }),
    ]
  },
})
