/**
 * The formatting toolbar: one button per command, with its shortcut and active state. It is one
 * tab stop, its buttons reached with the arrow keys (the WAI-ARIA toolbar pattern).
 */

import type { Editor } from '@tiptap/core'

import { h } from '../lib/dom'
import { promptDialog } from '../lib/ui'
import { ALIGNMENTS, type Alignment, HIGHLIGHT_COLORS, TEXT_COLORS, currentAlignment } from './formatting'
import { type IconName, icon } from './icons'
import { chooseImageFiles, insertImageFromAddress } from './images'
import { clearTextFormatting } from './keyboard'
import { openPalette } from './palette'
import { insertTable } from './tables'

const isMac = /Mac|iPhone|iPad/.test(navigator.platform)

/** Tab stays in the document (it indents), so the toolbar has a key of its own, as in TinyMCE. */
const TOOLBAR_KEY = 'Alt+F10'
const isToolbarKey = (event: KeyboardEvent): boolean => event.altKey && event.key === 'F10'

/** "Mod-Shift-8" → "Ctrl+Shift+8" (or "⌘⇧8" on a Mac). */
export function shortcutLabel(keys: string): string {
  const parts = keys.split('-')
  if (isMac) {
    return parts
      .map((part) => ({ Mod: '⌘', Shift: '⇧', Alt: '⌥' })[part] ?? part.toUpperCase())
      .join('')
  }
  return parts.map((part) => ({ Mod: 'Ctrl' })[part] ?? (part.length === 1 ? part.toUpperCase() : part)).join('+')
}

/** One button: what it does, whether it is on (aria-pressed) and whether it applies here. */
export interface Tool {
  name: string
  label: string
  shortcut?: string
  icon?: IconName
  text?: string
  /** Opens a popup instead of acting at once: its aria-haspopup. */
  popup?: 'true' | 'dialog'
  run: (editor: Editor, button: HTMLButtonElement) => unknown
  isActive?: (editor: Editor) => boolean
  can?: (editor: Editor) => boolean
  /** Changes no text (commenting): usable whether the text may be changed or not, as `can` says. */
  independent?: boolean
}

export type Group = Tool[]

/** Asks for a link's address; an empty address removes the link. */
export async function editLink(editor: Editor): Promise<void> {
  const previous = (editor.getAttributes('link').href as string | undefined) ?? ''
  const { from, to } = editor.state.selection
  const answer = await promptDialog(previous ? 'Edit link' : 'Insert link', 'Address', previous || 'https://', 'Apply', 2048)
  // The dialog hands the focus back with the browser's caret at the start of the document: put
  // the selection of before back, and into the DOM (view.focus writes it there).
  editor.commands.setTextSelection({ from, to })
  editor.view.focus()
  if (answer === null) return
  const href = answer.trim()
  if (!href || href === 'https://') {
    editor.chain().extendMarkRange('link').unsetLink().run()
    return
  }
  const normalized = /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#') ? href : `https://${href}`
  if (from === to && !previous) {
    // Nothing selected: insert the address itself as the link text.
    editor.commands.insertContent({ type: 'text', text: normalized, marks: [{ type: 'link', attrs: { href: normalized } }] })
    return
  }
  editor.chain().extendMarkRange('link').setLink({ href: normalized }).run()
}

/** The colour palette of text colour or highlight, applied to the selection. */
function pickColor(editor: Editor, button: HTMLButtonElement, kind: 'color' | 'highlight'): void {
  const { from, to } = editor.state.selection
  const current = kind === 'color' ? (editor.getAttributes('textStyle').color as string | undefined) : (editor.getAttributes('highlight').color as string | undefined)
  const back = () => {
    editor.commands.setTextSelection({ from, to })
    editor.view.focus()
  }
  openPalette(
    button,
    kind === 'color' ? 'Text colour' : 'Highlight colour',
    kind === 'color' ? TEXT_COLORS : HIGHLIGHT_COLORS,
    current ?? null,
    (value) => {
      back()
      const chain = editor.chain().focus()
      if (kind === 'color') (value ? chain.setColor(value) : chain.unsetColor()).run()
      else (value ? chain.setHighlight({ color: value }) : chain.unsetHighlight()).run()
    },
    back,
  )
}

const ALIGNMENT_LABELS: Record<Alignment, { label: string; key: string; icon: IconName }> = {
  left: { label: 'Align left', key: 'l', icon: 'alignLeft' },
  center: { label: 'Centre', key: 'e', icon: 'alignCenter' },
  right: { label: 'Align right', key: 'r', icon: 'alignRight' },
  justify: { label: 'Justify', key: 'j', icon: 'alignJustify' },
}

export const FORMATTING_GROUPS: Group[] = [
  [
    { name: 'undo', label: 'Undo', shortcut: 'Mod-z', icon: 'undo', run: (e) => e.chain().focus().undo().run(), can: (e) => e.can().undo() },
    { name: 'redo', label: 'Redo', shortcut: 'Mod-Shift-z', icon: 'redo', run: (e) => e.chain().focus().redo().run(), can: (e) => e.can().redo() },
  ],
  [1, 2, 3].map((level) => ({
    name: `heading${level}`,
    label: `Heading ${level}`,
    shortcut: `Mod-Alt-${level}`,
    text: `H${level}`,
    run: (e: Editor) => e.chain().focus().toggleHeading({ level: level as 1 | 2 | 3 }).run(),
    isActive: (e: Editor) => e.isActive('heading', { level }),
  })),
  [
    { name: 'bold', label: 'Bold', shortcut: 'Mod-b', icon: 'bold', run: (e) => e.chain().focus().toggleBold().run(), isActive: (e) => e.isActive('bold') },
    { name: 'italic', label: 'Italic', shortcut: 'Mod-i', icon: 'italic', run: (e) => e.chain().focus().toggleItalic().run(), isActive: (e) => e.isActive('italic') },
    { name: 'underline', label: 'Underline', shortcut: 'Mod-u', icon: 'underline', run: (e) => e.chain().focus().toggleUnderline().run(), isActive: (e) => e.isActive('underline') },
    { name: 'strike', label: 'Strikethrough', shortcut: 'Alt-Shift-5', icon: 'strike', run: (e) => e.chain().focus().toggleStrike().run(), isActive: (e) => e.isActive('strike') },
    { name: 'code', label: 'Inline code', shortcut: 'Mod-e', icon: 'code', run: (e) => e.chain().focus().toggleCode().run(), isActive: (e) => e.isActive('code') },
    { name: 'subscript', label: 'Subscript', shortcut: 'Mod-,', icon: 'subscript', run: (e) => e.chain().focus().toggleSubscript().run(), isActive: (e) => e.isActive('subscript') },
    { name: 'superscript', label: 'Superscript', shortcut: 'Mod-.', icon: 'superscript', run: (e) => e.chain().focus().toggleSuperscript().run(), isActive: (e) => e.isActive('superscript') },
    { name: 'link', label: 'Link', shortcut: 'Mod-k', icon: 'link', run: (e) => editLink(e), isActive: (e) => e.isActive('link') },
  ],
  [
    { name: 'textColor', label: 'Text colour', icon: 'textColor', popup: 'true', run: (e, button) => pickColor(e, button, 'color'), isActive: (e) => !!e.getAttributes('textStyle').color },
    { name: 'highlight', label: 'Highlight', icon: 'highlight', popup: 'true', run: (e, button) => pickColor(e, button, 'highlight'), isActive: (e) => e.isActive('highlight') },
    { name: 'clearFormatting', label: 'Clear formatting', shortcut: 'Mod-\\', icon: 'clearFormatting', run: (e) => clearTextFormatting(e) && e.commands.focus() },
  ],
  ALIGNMENTS.map((alignment) => ({
    name: `align-${alignment}`,
    label: ALIGNMENT_LABELS[alignment].label,
    shortcut: `Mod-Shift-${ALIGNMENT_LABELS[alignment].key}`,
    icon: ALIGNMENT_LABELS[alignment].icon,
    run: (e: Editor) => e.chain().focus().setTextAlign(alignment).run(),
    isActive: (e: Editor) => (currentAlignment(e) ?? 'left') === alignment,
    can: (e: Editor) => e.can().setTextAlign(alignment),
  })),
  [
    { name: 'bulletList', label: 'Bulleted list', shortcut: 'Mod-Shift-8', icon: 'bulletList', run: (e) => e.chain().focus().toggleBulletList().run(), isActive: (e) => e.isActive('bulletList') },
    { name: 'taskList', label: 'Checklist', shortcut: 'Mod-Shift-9', icon: 'taskList', run: (e) => e.chain().focus().toggleTaskList().run(), isActive: (e) => e.isActive('taskList') },
    { name: 'orderedList', label: 'Numbered list', shortcut: 'Mod-Shift-7', icon: 'orderedList', run: (e) => e.chain().focus().toggleOrderedList().run(), isActive: (e) => e.isActive('orderedList') },
    { name: 'blockquote', label: 'Quote', shortcut: 'Mod-Shift-b', icon: 'blockquote', run: (e) => e.chain().focus().toggleBlockquote().run(), isActive: (e) => e.isActive('blockquote') },
    { name: 'codeBlock', label: 'Code block', shortcut: 'Mod-Alt-c', icon: 'codeBlock', run: (e) => e.chain().focus().toggleCodeBlock().run(), isActive: (e) => e.isActive('codeBlock') },
    { name: 'horizontalRule', label: 'Horizontal line', icon: 'horizontalRule', run: (e) => e.chain().focus().setHorizontalRule().run() },
  ],
  [
    { name: 'table', label: 'Insert table', icon: 'table', run: (e) => insertTable(e), can: (e) => e.can().insertTable() },
    { name: 'imageUpload', label: 'Upload image', icon: 'upload', popup: 'dialog', run: (e) => chooseImageFiles(e), can: (e) => e.can().setImage({ src: '/' }) },
    { name: 'image', label: 'Image from address', icon: 'image', popup: 'dialog', run: (e) => insertImageFromAddress(e), can: (e) => e.can().setImage({ src: '/' }) },
  ],
]

/** Where a toolbar appears, if not always: the table menu shows while the caret is in a table. */
export interface ToolbarOptions {
  groups?: Group[]
  shownWhen?: (editor: Editor) => boolean
}

/** Builds the toolbar into `root` (role="toolbar") and keeps it in step with the editor. */
export class Toolbar {
  private readonly buttons: { tool: Tool; button: HTMLButtonElement }[] = []
  private enabled = true
  private readonly editor: Editor
  /** The one button that Tab stops at (roving tabindex): the last one focused, if usable. */
  private tabStop: HTMLButtonElement | null = null
  private readonly root: HTMLElement
  private readonly shownWhen?: (editor: Editor) => boolean

  constructor(root: HTMLElement, editor: Editor, { groups = FORMATTING_GROUPS, shownWhen }: ToolbarOptions = {}) {
    this.editor = editor
    this.root = root
    this.shownWhen = shownWhen
    for (const group of groups) {
      const groupElement = h('div', { class: 'toolbar-group', role: 'group' })
      for (const tool of group) {
        const title = tool.shortcut ? `${tool.label} (${shortcutLabel(tool.shortcut)})` : tool.label
        const button = h('button', {
          type: 'button',
          class: `tool${tool.text ? ' tool-text' : ''}`,
          title,
          'aria-label': tool.label,
          'data-tool': tool.name,
        })
        if (tool.icon) button.append(icon(tool.icon))
        if (tool.text) button.append(tool.text)
        if (tool.isActive) button.setAttribute('aria-pressed', 'false')
        if (tool.popup) button.setAttribute('aria-haspopup', tool.popup)
        // mousedown would move the focus out of the editor and lose the selection.
        button.addEventListener('mousedown', (event) => event.preventDefault())
        button.addEventListener('click', () => {
          if (this.enabled || tool.independent) tool.run(this.editor, button)
        })
        groupElement.append(button)
        this.buttons.push({ tool, button })
      }
      root.append(groupElement)
    }
    this.listenToKeys(root)
    const update = () => this.refresh()
    editor.on('transaction', update)
    editor.on('selectionUpdate', update)
    editor.on('focus', update)
    this.refresh()
  }

  /** Turns every button off (a viewer, or a connection that ended) or back on. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled
    this.refresh()
  }

  refresh(): void {
    const editable = this.enabled && this.editor.isEditable
    if (this.shownWhen) {
      const shown = editable && this.shownWhen(this.editor)
      // Hidden while the focus is in it would drop the focus on the page: back to the text.
      if (!shown && this.root.contains(document.activeElement)) this.editor.view.focus()
      this.root.hidden = !shown
    }
    for (const { tool, button } of this.buttons) {
      const active = editable && tool.isActive ? tool.isActive(this.editor) : false
      if (tool.isActive) button.setAttribute('aria-pressed', String(active))
      button.classList.toggle('is-active', active)
      let usable = editable || !!tool.independent
      if (usable && tool.can) {
        try {
          usable = tool.can(this.editor)
        } catch {
          usable = false
        }
      }
      button.disabled = !usable
    }
    if (!this.tabStop || this.tabStop.disabled) this.setTabStop(this.usableButtons()[0] ?? null)
  }

  /** The keyboard: into the toolbar from the document, and along it (see moveFocus). */
  private listenToKeys(root: HTMLElement): void {
    root.setAttribute('aria-keyshortcuts', TOOLBAR_KEY)
    this.editor.view.dom.addEventListener('keydown', (event) => {
      if (!isToolbarKey(event)) return
      event.preventDefault()
      this.tabStop?.focus()
    })
    root.addEventListener('keydown', (event) => this.moveFocus(event))
    root.addEventListener('focusin', (event) => {
      if (event.target instanceof HTMLButtonElement) this.setTabStop(event.target)
    })
  }

  private usableButtons(): HTMLButtonElement[] {
    return this.buttons.map(({ button }) => button).filter((button) => !button.disabled)
  }

  private setTabStop(stop: HTMLButtonElement | null): void {
    this.tabStop = stop
    for (const { button } of this.buttons) button.tabIndex = button === stop ? 0 : -1
  }

  /**
   * Left and Right go to the previous and next usable button (round the ends), Home and End to
   * the first and last; Escape goes back to the document.
   */
  private moveFocus(event: KeyboardEvent): void {
    const usable = this.usableButtons()
    const at = usable.indexOf(event.target as HTMLButtonElement)
    if (at < 0 || event.altKey || event.ctrlKey || event.metaKey) return
    if (event.key === 'Escape') {
      this.editor.view.focus()
      return
    }
    const targets: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: usable.length - 1 }
    const target = targets[event.key]
    if (target === undefined) return
    event.preventDefault()
    usable[(target + usable.length) % usable.length].focus()
  }
}
