/**
 * The ways to start a comment on the selected text: the toolbar's Comment button, Ctrl-Alt-M
 * (Cmd-Alt-M on a Mac) and the context menu over a selection. They work in a read-only editor
 * too: commenters cannot change the text but can select it.
 */

import type { Editor } from '@tiptap/core'

import { h } from '../../lib/dom'
import { type Tool, shortcutLabel } from '../toolbar'

export const COMMENT_SHORTCUT = 'Mod-Alt-m'

/** Whether the selection holds some text to comment on. */
function hasText(editor: Editor): boolean {
  const { from, to, empty } = editor.state.selection
  return !empty && editor.state.doc.textBetween(from, to, '').trim() !== ''
}

/** The toolbar's Comment button. */
export function commentTool(canComment: () => boolean, openComposer: () => void): Tool {
  return {
    name: 'comment',
    label: 'Comment',
    shortcut: COMMENT_SHORTCUT,
    icon: 'comment',
    independent: true,
    run: () => openComposer(),
    can: (editor) => canComment() && hasText(editor),
  }
}

/** Ctrl/Cmd-Alt-M anywhere in the page (a read-only editor has no focus of its own). */
export function bindCommentKey(canComment: () => boolean, openComposer: () => void): void {
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || !event.altKey || event.shiftKey || event.code !== 'KeyM') return
    if (!canComment() || document.querySelector('dialog[open]')) return
    event.preventDefault()
    openComposer() // it says so when nothing is selected
  })
}

let openMenu: (() => void) | null = null

/** Right-click over selected text: a small menu with Comment instead of the browser's. */
export function bindCommentMenu(editor: Editor, canComment: () => boolean, openComposer: () => void): void {
  editor.view.dom.addEventListener('contextmenu', (event) => {
    if (!canComment() || !hasText(editor)) return
    event.preventDefault()
    openMenu?.()
    const item = h(
      'button',
      { type: 'button', class: 'menu-item', role: 'menuitem', 'data-action': 'comment' },
      'Comment',
      h('span', { class: 'menu-shortcut muted' }, shortcutLabel(COMMENT_SHORTCUT)),
    )
    const menu = h('div', { class: 'menu context-menu', role: 'menu', 'aria-label': 'Selection' }, item)
    const close = (): void => {
      menu.remove()
      document.removeEventListener('mousedown', outside, true)
      document.removeEventListener('keydown', escape, true)
      window.removeEventListener('scroll', close, true)
      if (openMenu === close) openMenu = null
    }
    const outside = (down: MouseEvent): void => {
      if (!menu.contains(down.target as Node)) close()
    }
    const escape = (key: KeyboardEvent): void => {
      if (key.key !== 'Escape') return
      key.preventDefault()
      close()
    }
    item.addEventListener('mousedown', (down) => down.preventDefault()) // keeps the selection
    item.addEventListener('click', () => {
      close()
      openComposer()
    })
    document.body.append(menu)
    menu.style.left = `${Math.min(event.clientX, window.innerWidth - menu.offsetWidth - 8)}px`
    menu.style.top = `${Math.min(event.clientY, window.innerHeight - menu.offsetHeight - 8)}px`
    document.addEventListener('mousedown', outside, true)
    document.addEventListener('keydown', escape, true)
    window.addEventListener('scroll', close, true)
    openMenu = close
    item.focus({ preventScroll: true })
  })
}
