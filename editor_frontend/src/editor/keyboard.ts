/** Keys beyond Tiptap's own: Tab stays in the document, and Google Docs' shortcuts. */

import { type Editor, Extension } from '@tiptap/core'

import { nextCell } from './tables'

/** The innermost of the list items and table cells the selection is in, if any. */
function innermost(editor: Editor): 'listItem' | 'taskItem' | 'cell' | null {
  const { $from } = editor.state.selection
  for (let depth = $from.depth; depth > 0; depth--) {
    const name = $from.node(depth).type.name
    if (name === 'listItem' || name === 'taskItem') return name
    if (name === 'tableCell' || name === 'tableHeader') return 'cell'
  }
  return null
}

/**
 * Tab nests a list item, in a table moves to the next cell (a new row after the last), elsewhere
 * types a tab character. It never moves the focus out of the document: the keystrokes after it
 * would be lost. Readers' Tab moves on as usual.
 */
function indent(editor: Editor): boolean {
  if (!editor.isEditable) return false
  const inside = innermost(editor)
  if (inside === 'cell') {
    nextCell(editor)
    return true
  }
  if (inside) {
    editor.commands.sinkListItem(inside) // the first item of a list cannot nest: nothing happens
    return true
  }
  return editor.commands.command(({ tr }) => {
    tr.insertText('\t')
    return true
  })
}

/** Shift-Tab lifts a list item out of its list, in a table goes to the previous cell, elsewhere
 * does nothing (but keeps the focus). */
function outdent(editor: Editor): boolean {
  if (!editor.isEditable) return false
  const inside = innermost(editor)
  if (inside === 'cell') editor.commands.goToPreviousCell()
  else if (inside) editor.commands.liftListItem(inside)
  return true
}

/** Google Docs' "clear formatting": every mark goes but links, and the alignment; headings,
 * lists and quotes stay. */
export function clearTextFormatting(editor: Editor): boolean {
  const types = Object.values(editor.schema.marks).filter((type) => type.name !== 'link')
  editor
    .chain()
    .command(({ tr }) => {
      for (const { $from, $to } of tr.selection.ranges) {
        for (const type of types) tr.removeMark($from.pos, $to.pos, type)
      }
      for (const type of types) tr.removeStoredMark(type)
      return true
    })
    .unsetTextAlign()
    .run()
  return true
}

export const KeyboardShortcuts = Extension.create({
  name: 'keyboardShortcuts',
  addKeyboardShortcuts() {
    return {
      Tab: () => indent(this.editor),
      'Shift-Tab': () => outdent(this.editor),
      // Shift+5 is "%" as a key, but ProseMirror's keymap also looks the key code up ("5").
      'Alt-Shift-5': () => this.editor.commands.toggleStrike(),
      'Mod-\\': () => clearTextFormatting(this.editor),
    }
  },
})
