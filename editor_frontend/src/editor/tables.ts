/**
 * Tables: Tiptap's table nodes (`table`, `tableRow`, `tableHeader`, `tableCell`, with colspan,
 * rowspan and column widths) and the tools of the table menu, which the page shows while the
 * caret is in a table. Column widths are drawn by the table's node view through the CSSOM; a
 * cell's alignment becomes `data-align` (a `style` attribute would be blocked by the CSP).
 */

import type { Editor } from '@tiptap/core'
import { Table, TableCell, TableHeader, TableRow } from '@tiptap/extension-table'

import type { Group } from './toolbar'

/** A cell's alignment as `data-align`, read back from it or from a pasted `style`/`align`. */
function alignAttribute(parent: Record<string, unknown> | undefined) {
  return {
    ...parent,
    align: {
      ...(parent?.align as object | undefined),
      renderHTML: (attributes: Record<string, unknown>) => (attributes.align ? { 'data-align': String(attributes.align) } : {}),
    },
  }
}

const CspTableCell = TableCell.extend({
  addAttributes() {
    return alignAttribute(this.parent?.())
  },
})

const CspTableHeader = TableHeader.extend({
  addAttributes() {
    return alignAttribute(this.parent?.())
  },
})

export const tableExtensions = [
  // Resizing drags the column borders; the widths are stored in the cells' `colwidth`.
  Table.configure({ resizable: true, cellMinWidth: 48, lastColumnResizable: false }),
  TableRow,
  CspTableHeader,
  CspTableCell,
]

/** A new table: three by three, with a header row. */
export function insertTable(editor: Editor): boolean {
  return editor.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()
}

/** Tab in a table: the next cell, or a new row after the last one. */
export function nextCell(editor: Editor): boolean {
  if (editor.commands.goToNextCell()) return true
  if (!editor.can().addRowAfter()) return false
  return editor.chain().addRowAfter().goToNextCell().run()
}

/** Whether the table the selection is in has a header row (its first row is header cells). */
export function hasHeaderRow(editor: Editor): boolean {
  const { $from } = editor.state.selection
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth)
    if (node.type.name === 'table') return node.firstChild?.firstChild?.type.name === 'tableHeader'
  }
  return false
}

/** The table menu's groups: rows, columns, cells, the table itself. */
export const TABLE_GROUPS: Group[] = [
  [
    { name: 'addRowBefore', label: 'Insert row above', text: 'Row above', run: (e) => e.chain().focus().addRowBefore().run(), can: (e) => e.can().addRowBefore() },
    { name: 'addRowAfter', label: 'Insert row below', text: 'Row below', run: (e) => e.chain().focus().addRowAfter().run(), can: (e) => e.can().addRowAfter() },
    { name: 'deleteRow', label: 'Delete row', text: 'Delete row', run: (e) => e.chain().focus().deleteRow().run(), can: (e) => e.can().deleteRow() },
  ],
  [
    { name: 'addColumnBefore', label: 'Insert column left', text: 'Column left', run: (e) => e.chain().focus().addColumnBefore().run(), can: (e) => e.can().addColumnBefore() },
    { name: 'addColumnAfter', label: 'Insert column right', text: 'Column right', run: (e) => e.chain().focus().addColumnAfter().run(), can: (e) => e.can().addColumnAfter() },
    { name: 'deleteColumn', label: 'Delete column', text: 'Delete column', run: (e) => e.chain().focus().deleteColumn().run(), can: (e) => e.can().deleteColumn() },
  ],
  [
    { name: 'mergeCells', label: 'Merge cells', text: 'Merge', run: (e) => e.chain().focus().mergeCells().run(), can: (e) => e.can().mergeCells() },
    { name: 'splitCell', label: 'Split cell', text: 'Split', run: (e) => e.chain().focus().splitCell().run(), can: (e) => e.can().splitCell() },
    { name: 'toggleHeaderRow', label: 'Header row', text: 'Header row', run: (e) => e.chain().focus().toggleHeaderRow().run(), can: (e) => e.can().toggleHeaderRow(), isActive: hasHeaderRow },
  ],
  [{ name: 'deleteTable', label: 'Delete table', text: 'Delete table', run: (e) => e.chain().focus().deleteTable().run(), can: (e) => e.can().deleteTable() }],
]
