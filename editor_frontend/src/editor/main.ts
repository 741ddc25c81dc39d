/** The editor page: Tiptap bound to the shared Yjs document, presence, status and panels. */

import { Editor, Extension } from '@tiptap/core'
import Collaboration from '@tiptap/extension-collaboration'
import CollaborationCaret from '@tiptap/extension-collaboration-caret'
import TaskItem from '@tiptap/extension-task-item'
import TaskList from '@tiptap/extension-task-list'
import { Placeholder } from '@tiptap/extensions'
import StarterKit from '@tiptap/starter-kit'
import { yUndoPluginKey } from '@tiptap/y-tiptap'

import { type DocumentInfo, type RoleName, api, documentUrls, roleCanEdit } from '../lib/api'
import { mountBell } from '../lib/bell'
import { h, readJsonScript, required } from '../lib/dom'
import { Collab } from './collab'
import { Comments } from './comments'
import type { EditorConfig } from './config'
import { exportMenu } from './export'
import { Find } from './find'
import { FindBar, bindFindKeys } from './find-bar'
import { formattingExtensions } from './formatting'
import { icon } from './icons'
import { ImageUploads, imageExtensions } from './images'
import { KeyboardShortcuts } from './keyboard'
import { SafeLink } from './links'
import { OutlinePanel } from './outline'
import { PasteCleanup } from './paste'
import { showPresence } from './presence'
import { ShareDialog } from './share'
import { StatusLine, showNoticeBanner, showStopBanner } from './status'
import { TABLE_GROUPS, tableExtensions } from './tables'
import { TitleEditor } from './title'
import { FORMATTING_GROUPS, Toolbar, editLink } from './toolbar'
import { VersionsPanel } from './versions'
import { bindWordCountKey } from './wordcount'
import './editor.css'

const config = readJsonScript<EditorConfig>('editor-config')
const urls = documentUrls(config.apiBase, config.documentId)
const collab = new Collab(config)
const comments = new Comments(config, urls, collab)

/** Ctrl/Cmd-K opens the link dialog, as in other editors. */
const LinkShortcut = Extension.create({
  name: 'linkShortcut',
  addKeyboardShortcuts() {
    return {
      'Mod-k': () => {
        if (this.editor.isEditable) void editLink(this.editor)
        return true
      },
    }
  },
})

const editor = new Editor({
  element: required('editor'),
  editable: config.canEdit,
  // Tiptap's base stylesheet is an inline <style>: it applies under the page's CSP nonce only.
  injectNonce: document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce,
  extensions: [
    StarterKit.configure({
      // Collaboration brings its own undo (Yjs UndoManager): Tiptap's must not be loaded with it.
      undoRedo: false,
      // Loaded on its own with the other text formatting (formatting.ts).
      underline: false,
      // Links render through SafeLink instead (see links.ts).
      link: false,
    }),
    SafeLink.configure({ openOnClick: false, autolink: true, defaultProtocol: 'https' }),
    ...formattingExtensions,
    TaskList,
    // Its node view leaves out the data-type that its HTML has (and editor.css styles).
    TaskItem.configure({ nested: true, HTMLAttributes: { 'data-type': 'taskItem' } }),
    ...tableExtensions,
    ...imageExtensions,
    ImageUploads.configure({ url: urls.attachments, fetchUrl: urls.attachmentsFetch }),
    PasteCleanup.configure({ url: urls.attachments, fetchUrl: urls.attachmentsFetch }),
    Collaboration.configure({ fragment: collab.fragment }),
    CollaborationCaret.configure({
      provider: collab.provider,
      user: { name: config.user.name, color: config.user.color },
    }),
    Placeholder.configure({ placeholder: config.canEdit ? 'Start writing…' : 'This document is empty.' }),
    LinkShortcut,
    KeyboardShortcuts,
    Find,
    comments.extension,
  ],
  editorProps: {
    // Links do not open on a plain click while editing; Ctrl/Cmd-click opens them.
    handleClick: (_view, _pos, event) => {
      const link = (event.target as HTMLElement | null)?.closest?.('a[href]') as HTMLAnchorElement | null
      if (!link || !(event.ctrlKey || event.metaKey)) return false
      window.open(link.href, '_blank', 'noopener,noreferrer')
      return true
    },
    attributes: {
      class: 'prose',
      spellcheck: 'true',
      role: 'textbox',
      'aria-multiline': 'true',
      'aria-label': 'Document text',
    },
  },
})

const toolbarElement = required('toolbar')
const toolbar = new Toolbar(toolbarElement, editor, { groups: [...FORMATTING_GROUPS, [comments.tool()]] })
toolbar.setEnabled(config.canEdit)
// The table menu: a toolbar of its own, shown while the caret is in a table.
const tableMenuElement = h('div', { id: 'table-menu', class: 'toolbar toolbar-table', role: 'toolbar', 'aria-label': 'Table', hidden: true })
toolbarElement.after(tableMenuElement)
const tableMenu = new Toolbar(tableMenuElement, editor, { groups: TABLE_GROUPS, shownWhen: (e) => e.isActive('table') })
tableMenu.setEnabled(config.canEdit)
bindFindKeys(new FindBar(toolbarElement.parentElement ?? document.body, editor))
bindWordCountKey(editor)

const bell = mountBell()
const banner = required('banner')
const status = new StatusLine(required('status-connection'), required('status-save'), config.canEdit)
collab.saves.subscribe((state) => status.setSave(state))
collab.onConnection((state) => {
  status.setConnection(state)
  document.body.dataset.connection = state.kind
  if (state.kind === 'stopped') {
    editor.setEditable(false)
    toolbar.setEnabled(false)
    tableMenu.setEnabled(false)
    comments.refresh()
    showStopBanner(banner, state.reason, { login: config.loginUrl, list: config.listUrl })
  }
})

showPresence(required('presence'), collab.provider.awareness)
const titleInput = required<HTMLInputElement>('doc-title')
const title = new TitleEditor(titleInput, urls.detail, config.canEdit, () => editor.view.focus())

// Header actions: outline, history, share, export. The outline and the history share the side panel.
const sidePanel = required('side-panel')
const outlineButton = h(
  'button',
  { type: 'button', class: 'btn btn-quiet', title: 'Document outline', 'aria-pressed': 'false', 'data-action': 'outline' },
  icon('outline'),
  h('span', { class: 'btn-label' }, 'Outline'),
)
const outline = new OutlinePanel(sidePanel, editor, () => outlineButton.setAttribute('aria-pressed', 'false'))
const historyButton = h(
  'button',
  { type: 'button', class: 'btn btn-quiet', title: 'Version history', 'aria-pressed': 'false', 'data-action': 'history' },
  icon('history'),
  h('span', { class: 'btn-label' }, 'History'),
)
const versions = new VersionsPanel(sidePanel, urls, () => config.canEdit, () => historyButton.setAttribute('aria-pressed', 'false'))
historyButton.addEventListener('click', () => {
  if (versions.isOpen) {
    versions.close()
  } else {
    outline.close()
    historyButton.setAttribute('aria-pressed', 'true')
    void versions.open()
  }
})
outlineButton.addEventListener('click', () => {
  if (outline.isOpen) {
    outline.close()
  } else {
    if (versions.isOpen) versions.close()
    outlineButton.setAttribute('aria-pressed', 'true')
    outline.open()
  }
})
const share = new ShareDialog(urls, config)
const shareButton = h(
  'button',
  { type: 'button', class: 'btn btn-primary', 'data-action': 'share', onclick: () => void share.open() },
  icon('share'),
  h('span', { class: 'btn-label' }, 'Share'),
)
required('doc-actions').append(outlineButton, historyButton, exportMenu(urls.export, () => title.value), shareButton)
comments.mount(editor, editor.view.dom.closest<HTMLElement>('.paper') ?? required('editor'), required('doc-actions'))

/** Beside the title, for those who may not change the text: what they may do instead. */
function showReadOnlyBadge(role: RoleName): void {
  const badge = document.getElementById('view-only-badge') ?? h('span', { class: 'badge', id: 'view-only-badge' })
  titleInput.after(badge)
  badge.toggleAttribute('hidden', roleCanEdit(role))
  const commenting = role === 'commenter'
  badge.className = `badge ${commenting ? 'badge-commenter' : 'badge-view'}`
  badge.textContent = commenting ? 'Comment only' : 'View only'
  badge.title = commenting
    ? 'You can read this document, see who is here and comment on it, but not change its text.'
    : 'You can read this document and see who is here, but not change it.'
}

/** Follows the role the server gives: the editor locks or unlocks itself at once. */
function applyRole(role: RoleName): void {
  if (role === config.role) return
  config.role = role
  config.canEdit = roleCanEdit(role)
  config.canManage = role === 'owner'
  const editable = config.canEdit && collab.connection.kind !== 'stopped'
  editor.setEditable(editable)
  toolbar.setEnabled(editable)
  tableMenu.setEnabled(editable)
  title.setEditable(config.canEdit)
  status.setCanEdit(config.canEdit)
  comments.refresh()
  showReadOnlyBadge(role)
}

/** What to say after the reload that `discardRefusedChanges` makes (kept for this tab only). */
const pendingNoticeKey = `docs:notice:${config.documentId}`

/**
 * The server refused changes of this browser's: they exist nowhere else and must never be
 * sent again, so the local copy (and its offline copy) is dropped and the document reloaded
 * from the server, with a word about why.
 */
async function discardRefusedChanges(message: string): Promise<void> {
  editor.setEditable(false)
  toolbar.setEnabled(false)
  tableMenu.setEnabled(false)
  window.sessionStorage.setItem(pendingNoticeKey, message)
  await collab.discardLocalCopy()
  window.location.reload()
}

const pendingNotice = window.sessionStorage.getItem(pendingNoticeKey)
if (pendingNotice) {
  window.sessionStorage.removeItem(pendingNoticeKey)
  showNoticeBanner(banner, pendingNotice)
}

/** A change made by the server (a restore, a REST edit) replaced text that local undo steps
 * refer to: undoing them would bring the replaced text back beside the new. */
function endUndoHistory(): void {
  const undo = yUndoPluginKey.getState(editor.state)?.undoManager
  if (!undo || (undo.undoStack.length === 0 && undo.redoStack.length === 0)) return
  undo.clear()
  showNoticeBanner(banner, 'The document was changed on the server (a version was restored or it was edited through the API), so Undo starts afresh from here.')
}

collab.onNotice((notice) => {
  if (notice.type === 'role') {
    const hadUnsaved = collab.saves.state !== 'saved'
    applyRole(notice.role)
    const nowOnly = notice.role === 'commenter' ? 'comment on' : 'view'
    if (!roleCanEdit(notice.role) && (notice.refused || hadUnsaved)) {
      void discardRefusedChanges(`You can now only ${nowOnly} this document; your last changes were not saved.`)
    } else if (!roleCanEdit(notice.role)) {
      showNoticeBanner(banner, `You can now only ${nowOnly} this document.`)
    } else {
      showNoticeBanner(banner, 'You can now edit this document.')
    }
  } else if (notice.type === 'refused') {
    void discardRefusedChanges('Some of your changes could not be saved, so the document was reloaded from the server.')
  } else if (notice.type === 'title') {
    title.setRemote(notice.title)
  } else if (notice.type === 'history') {
    endUndoHistory()
  } else if (notice.type === 'notifications') {
    void bell?.refresh()
  }
})

/** Picks up a new title or role on return to the tab: notices cannot reach a closed socket. */
async function refreshDetails(): Promise<void> {
  if (collab.connection.kind === 'stopped' || document.hidden) return
  try {
    const details = await api<DocumentInfo>('GET', urls.detail)
    title.setRemote(details.title)
    applyRole(details.role)
  } catch {
    // Unreachable or gone: the connection status and its close code already say so.
  }
}
document.addEventListener('visibilitychange', () => void refreshDetails())

// Without an offline copy, leaving with unsaved changes would lose them.
window.addEventListener('beforeunload', (event) => {
  if (!collab.local && config.canEdit && collab.saves.state === 'saving') {
    event.preventDefault()
  }
})

void collab.start()
if (config.canEdit) editor.commands.focus('start')

if (new URLSearchParams(window.location.search).get('test') === '1') {
  // For end-to-end tests: inspect the shared document and the editor.
  Object.assign(window, { docsEditor: { editor, collab, refreshDetails, comments } })
}
