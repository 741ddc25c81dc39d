/** The document list: mine and shared with me, search, sort, create, import, rename, delete. */

import { ApiError, type DocumentInfo, type Page, ROLE_LABELS, api } from '../lib/api'
import { mountBell } from '../lib/bell'
import { h, readJsonScript, required } from '../lib/dom'
import { confirmDialog, formatDate, fullDate, promptDialog, toast } from '../lib/ui'
import './list.css'

interface ListConfig {
  user: { id: number | string; username: string; name: string; color: string }
  apiBase: string
  editorBase: string
  /** IMPORT_MAX_BYTES: larger files are refused before they are sent. */
  maxImportBytes: number
}

type Filter = 'all' | 'mine' | 'shared'

const SORTS: { value: string; label: string }[] = [
  { value: '-updated', label: 'Last modified' },
  { value: 'title', label: 'Title A–Z' },
  { value: '-title', label: 'Title Z–A' },
  { value: '-created', label: 'Newest first' },
  { value: 'created', label: 'Oldest first' },
]

/** The file name extensions `POST /api/documents/import` takes. */
export const IMPORT_EXTENSIONS = ['docx', 'odt', 'md', 'markdown', 'html', 'htm', 'txt']

/** Whether the import takes a file of this name (the server checks its content too). */
export function importable(filename: string): boolean {
  const dot = filename.lastIndexOf('.')
  return dot > 0 && IMPORT_EXTENSIONS.includes(filename.slice(dot + 1).toLowerCase())
}

function uploadIcon(): HTMLElement {
  const span = h('span', { class: 'start-card-icon', 'aria-hidden': 'true' })
  span.innerHTML =
    '<svg viewBox="0 0 24 24" width="40" height="40"><path fill="currentColor" d="M19.35 10.04A7.49 7.49 0 0 0 12 4C9.11 4 6.6 5.64 5.35 8.04A5.994 5.994 0 0 0 0 14c0 3.31 2.69 6 6 6h13c2.76 0 5-2.24 5-5 0-2.64-2.05-4.78-4.65-4.96zM14 13v4h-4v-4H7l5-5 5 5h-3z"/></svg>'
  return span
}

class DocumentList {
  private readonly config: ListConfig
  private readonly root: HTMLElement
  private readonly search: HTMLInputElement
  private readonly sort: HTMLSelectElement
  private readonly body = h('tbody')
  private readonly table: HTMLTableElement
  private readonly empty = h('div', { class: 'empty-state list-empty', hidden: true })
  private readonly more = h('button', { type: 'button', class: 'btn', hidden: true }, 'Load more')
  private readonly countLabel = h('span', { class: 'muted list-count' })
  private readonly tabs: Record<Filter, HTMLButtonElement>
  private documents: DocumentInfo[] = []
  private next: string | null = null
  private filter: Filter = 'all'
  private request = 0
  private searchTimer = 0

  constructor(config: ListConfig, root: HTMLElement, search: HTMLInputElement) {
    this.config = config
    this.root = root
    this.search = search
    const params = new URLSearchParams(window.location.search)
    this.search.value = params.get('search') ?? ''
    this.sort = h('select', { 'aria-label': 'Sort documents', class: 'sort-select' })
    for (const sort of SORTS) this.sort.append(h('option', { value: sort.value }, sort.label))
    this.sort.value = SORTS.some((sort) => sort.value === params.get('ordering')) ? (params.get('ordering') as string) : '-updated'

    const tab = (filter: Filter, label: string) =>
      h('button', { type: 'button', role: 'tab', class: 'tab', 'aria-selected': String(filter === this.filter), onclick: () => this.setFilter(filter) }, label)
    this.tabs = { all: tab('all', 'All'), mine: tab('mine', 'Owned by me'), shared: tab('shared', 'Shared with me') }

    const fileInput = h('input', { type: 'file', accept: IMPORT_EXTENSIONS.map((extension) => `.${extension}`).join(','), hidden: true })
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0]
      fileInput.value = ''
      if (file) void this.importFile(file)
    })

    this.table = h(
      'table',
      { class: 'doc-table' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Owner'), h('th', { scope: 'col' }, 'Access'), h('th', { scope: 'col' }, 'Last modified'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions'))),
      ),
      this.body,
    )

    this.root.replaceChildren(
      h(
        'section',
        { class: 'start' },
        h('h1', { class: 'start-title' }, 'Start a document'),
        h(
          'div',
          { class: 'start-cards' },
          h('button', { type: 'button', class: 'start-card', 'data-action': 'create', onclick: () => void this.create() }, h('span', { class: 'start-card-plus', 'aria-hidden': 'true' }, '+'), h('span', {}, 'Blank document')),
          h('button', { type: 'button', class: 'start-card start-card-import', 'data-action': 'import', onclick: () => fileInput.click() }, uploadIcon(), h('span', {}, 'Import a file'), h('span', { class: 'start-card-hint' }, 'Word, OpenDocument, Markdown, HTML or text')),
        ),
        fileInput,
      ),
      h(
        'section',
        { class: 'docs' },
        h('div', { class: 'docs-bar' }, h('div', { class: 'tabs', role: 'tablist' }, this.tabs.all, this.tabs.mine, this.tabs.shared), h('div', { class: 'docs-bar-right' }, this.countLabel, this.sort)),
        h('div', { class: 'table-wrap' }, this.table, this.empty),
        h('div', { class: 'list-more' }, this.more),
      ),
    )

    this.search.addEventListener('input', () => {
      window.clearTimeout(this.searchTimer)
      this.searchTimer = window.setTimeout(() => void this.load(), 250)
    })
    this.sort.addEventListener('change', () => void this.load())
    this.more.addEventListener('click', () => void this.loadMore())
  }

  private listUrl(): string {
    const params = new URLSearchParams()
    const search = this.search.value.trim()
    if (search) params.set('search', search)
    params.set('ordering', this.sort.value)
    return `${this.config.apiBase}?${params}`
  }

  private rememberQuery(): void {
    const params = new URLSearchParams()
    const search = this.search.value.trim()
    if (search) params.set('search', search)
    if (this.sort.value !== '-updated') params.set('ordering', this.sort.value)
    const query = params.toString()
    window.history.replaceState(null, '', query ? `?${query}` : window.location.pathname)
  }

  async load(): Promise<void> {
    const request = ++this.request
    this.rememberQuery()
    this.root.setAttribute('aria-busy', 'true')
    try {
      const page = await api<Page<DocumentInfo>>('GET', this.listUrl())
      if (request !== this.request) return
      this.documents = page.results
      this.next = page.next
      this.render(page.count)
    } catch (error) {
      if (request !== this.request) return
      this.documents = []
      this.next = null
      this.render(0, error instanceof ApiError ? error.message : 'Could not load your documents.')
    } finally {
      if (request === this.request) this.root.removeAttribute('aria-busy')
    }
  }

  private async loadMore(): Promise<void> {
    if (!this.next) return
    this.more.disabled = true
    try {
      const page = await api<Page<DocumentInfo>>('GET', this.next)
      this.documents.push(...page.results)
      this.next = page.next
      this.render(page.count)
    } catch (error) {
      toast(error instanceof ApiError ? error.message : 'Could not load more documents.', 'error')
    } finally {
      this.more.disabled = false
    }
  }

  private setFilter(filter: Filter): void {
    this.filter = filter
    for (const [name, tab] of Object.entries(this.tabs)) tab.setAttribute('aria-selected', String(name === filter))
    this.render(null)
  }

  private visible(): DocumentInfo[] {
    if (this.filter === 'mine') return this.documents.filter((doc) => doc.role === 'owner')
    if (this.filter === 'shared') return this.documents.filter((doc) => doc.role !== 'owner')
    return this.documents
  }

  private total: number = 0

  private render(count: number | null, error?: string): void {
    if (count !== null) this.total = count
    const documents = this.visible()
    this.body.replaceChildren(...documents.map((doc) => this.row(doc)))
    this.table.hidden = documents.length === 0
    this.more.hidden = !this.next
    this.countLabel.textContent = this.total ? `${this.total} document${this.total === 1 ? '' : 's'}` : ''
    if (documents.length === 0) {
      const searching = this.search.value.trim() !== ''
      let title: string
      let text: string
      if (error) {
        title = 'Something went wrong'
        text = error
      } else if (searching) {
        title = 'No matching documents'
        text = `Nothing matches “${this.search.value.trim()}”.`
      } else if (this.filter === 'shared') {
        title = 'Nothing shared with you yet'
        text = 'Documents other people share with you appear here.'
      } else {
        title = 'No documents yet'
        text = 'Create a blank document or import a file to get started.'
      }
      this.empty.replaceChildren(h('h2', {}, title), h('p', { class: 'muted' }, text))
      this.empty.hidden = false
    } else {
      this.empty.hidden = true
    }
  }

  private editorUrl(doc: DocumentInfo): string {
    return `${this.config.editorBase}${doc.id}/`
  }

  private row(doc: DocumentInfo): HTMLTableRowElement {
    const mine = doc.role === 'owner'
    const actions = h('div', { class: 'row-actions' })
    if (mine) {
      actions.append(
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-action': 'rename', onclick: () => void this.rename(doc) }, 'Rename'),
        h('button', { type: 'button', class: 'btn btn-quiet btn-small danger-text', 'data-action': 'delete', onclick: () => void this.remove(doc) }, 'Delete'),
      )
    }
    const link = h('a', { href: this.editorUrl(doc), class: 'doc-link' }, h('span', { class: 'doc-icon', 'aria-hidden': 'true' }), h('span', { class: 'doc-name' }, doc.title || 'Untitled document'))
    const title = h('td', { class: 'cell-title' }, link)
    if (doc.snippet) title.append(h('p', { class: 'doc-snippet muted' }, doc.snippet))
    const tr = h(
      'tr',
      { 'data-id': doc.id },
      title,
      h('td', { class: 'cell-owner' }, mine ? 'me' : doc.owner),
      h('td', { class: 'cell-access' }, h('span', { class: `badge badge-${doc.role}` }, ROLE_LABELS[doc.role] ?? doc.role)),
      h('td', { class: 'cell-date', title: fullDate(doc.updated) }, formatDate(doc.updated)),
      h('td', { class: 'cell-actions' }, actions),
    )
    tr.addEventListener('click', (event) => {
      // The whole row opens the document, except its buttons and the link itself.
      if ((event.target as HTMLElement).closest('button, a')) return
      window.location.href = this.editorUrl(doc)
    })
    return tr
  }

  private async create(): Promise<void> {
    try {
      const doc = await api<DocumentInfo>('POST', this.config.apiBase, { title: 'Untitled document' })
      window.location.href = this.editorUrl(doc)
    } catch (error) {
      toast(`Could not create a document: ${error instanceof ApiError ? error.message : String(error)}`, 'error')
    }
  }

  private async importFile(file: File): Promise<void> {
    if (!importable(file.name)) {
      toast('Import takes Word (.docx), OpenDocument (.odt), Markdown (.md), HTML (.html) or text (.txt) files.', 'error')
      return
    }
    if (file.size > this.config.maxImportBytes) {
      toast(`That file is too large to import (${Math.floor(this.config.maxImportBytes / (1024 * 1024))} MB at most).`, 'error')
      return
    }
    const form = new FormData()
    form.append('file', file)
    this.root.setAttribute('aria-busy', 'true')
    toast(`Importing ${file.name}…`)
    try {
      const doc = await api<DocumentInfo>('POST', `${this.config.apiBase}import`, form)
      window.location.href = this.editorUrl(doc)
    } catch (error) {
      toast(`Could not import ${file.name}: ${error instanceof ApiError ? error.message : String(error)}`, 'error')
    } finally {
      this.root.removeAttribute('aria-busy')
    }
  }

  private async rename(doc: DocumentInfo): Promise<void> {
    const title = await promptDialog('Rename', 'New name', doc.title, 'Rename')
    if (title === null || !title || title === doc.title) return
    try {
      const updated = await api<DocumentInfo>('PATCH', `${this.config.apiBase}${doc.id}/`, { title })
      doc.title = updated.title ?? title
      if (updated.updated) doc.updated = updated.updated
      this.render(null)
    } catch (error) {
      toast(`Could not rename: ${error instanceof ApiError ? error.message : String(error)}`, 'error')
    }
  }

  private async remove(doc: DocumentInfo): Promise<void> {
    const ok = await confirmDialog({
      title: 'Delete this document?',
      body: `“${doc.title}” will be deleted for everyone it is shared with. This cannot be undone.`,
      confirmLabel: 'Delete',
      danger: true,
    })
    if (!ok) return
    try {
      await api('DELETE', `${this.config.apiBase}${doc.id}/`)
      this.documents = this.documents.filter((other) => other.id !== doc.id)
      this.render(Math.max(0, this.total - 1))
      toast(`Deleted “${doc.title}”`)
    } catch (error) {
      toast(`Could not delete: ${error instanceof ApiError ? error.message : String(error)}`, 'error')
    }
  }
}

const list = new DocumentList(readJsonScript<ListConfig>('list-config'), required('document-list-app'), required<HTMLInputElement>('search'))
void list.load()
mountBell()
