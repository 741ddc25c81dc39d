/** The version history panel: list, name the current state, preview, restore. */

import { ApiError, type Page, type VersionContent, type VersionInfo, api, documentUrls } from '../lib/api'
import { clear, h } from '../lib/dom'
import { sanitizeHtml } from '../lib/sanitize'
import { confirmDialog, formatDate, fullDate, promptDialog, toast } from '../lib/ui'
import { icon } from './icons'

type Urls = ReturnType<typeof documentUrls>

function asList<T>(data: Page<T> | T[]): T[] {
  return Array.isArray(data) ? data : data.results
}

export class VersionsPanel {
  private readonly root: HTMLElement
  private readonly urls: Urls
  private readonly canEditNow: () => boolean
  private readonly list = h('ol', { class: 'version-list', 'aria-label': 'Versions' })
  private readonly preview = h('div', { class: 'version-preview' })
  private readonly message = h('p', { class: 'panel-message muted' })
  private selected: string | null = null
  private readonly onClose: () => void

  constructor(root: HTMLElement, urls: Urls, canEdit: () => boolean, onClose: () => void) {
    this.root = root
    this.urls = urls
    this.canEditNow = canEdit
    this.onClose = onClose
  }

  get isOpen(): boolean {
    return !this.root.hidden && this.root.dataset.panel === 'versions'
  }

  async open(): Promise<void> {
    this.root.dataset.panel = 'versions'
    const nameButton = h('button', { type: 'button', class: 'btn btn-primary btn-small', onclick: () => void this.nameCurrent() }, 'Name current version')
    nameButton.disabled = !this.canEditNow()
    if (!this.canEditNow()) nameButton.title = 'Only editors can name versions'
    const closeButton = h('button', { type: 'button', class: 'btn btn-quiet btn-icon', title: 'Close', 'aria-label': 'Close version history', onclick: () => this.close() }, icon('close'))
    clear(this.preview)
    this.preview.hidden = true
    this.root.replaceChildren(
      h('div', { class: 'panel-head' }, h('h2', {}, 'Version history'), closeButton),
      h('div', { class: 'panel-actions' }, nameButton),
      this.message,
      this.list,
      this.preview,
    )
    this.root.hidden = false
    await this.refresh()
  }

  close(): void {
    this.root.hidden = true
    this.root.dataset.panel = ''
    this.selected = null
    this.onClose()
  }

  async refresh(): Promise<void> {
    this.message.textContent = 'Loading…'
    try {
      const versions = asList(await api<Page<VersionInfo> | VersionInfo[]>('GET', this.urls.versions))
      this.render(versions)
    } catch (error) {
      this.message.textContent = error instanceof ApiError ? error.message : 'Could not load the versions.'
    }
  }

  private render(versions: VersionInfo[]): void {
    this.message.textContent = versions.length
      ? ''
      : 'No named versions yet. Name the current state to be able to come back to it.'
    this.list.replaceChildren(
      ...versions.map((version) => {
        const id = String(version.id)
        const item = h(
          'li',
          { class: `version${id === this.selected ? ' is-selected' : ''}`, 'data-version': id },
          h(
            'button',
            { type: 'button', class: 'version-open', onclick: () => void this.show(version) },
            h('span', { class: 'version-name' }, version.name || 'Untitled version'),
            h(
              'span',
              { class: 'version-meta', title: fullDate(version.created) },
              `${formatDate(version.created)}${version.author ? ` · ${version.author}` : ''}`,
            ),
          ),
        )
        return item
      }),
    )
  }

  private async nameCurrent(): Promise<void> {
    const stamp = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date())
    const name = await promptDialog('Name current version', 'Version name', stamp, 'Save version')
    if (name === null) return
    try {
      await api('POST', this.urls.versions, { name: name || stamp })
      toast('Version saved')
      await this.refresh()
    } catch (error) {
      toast(`Could not save the version: ${error instanceof ApiError ? error.message : String(error)}`, 'error')
    }
  }

  private async show(version: VersionInfo): Promise<void> {
    const id = String(version.id)
    this.selected = id
    for (const item of this.list.querySelectorAll<HTMLElement>('.version')) {
      item.classList.toggle('is-selected', item.dataset.version === id)
    }
    this.preview.hidden = false
    this.preview.replaceChildren(h('p', { class: 'muted' }, 'Loading preview…'))
    let loaded: VersionContent
    try {
      loaded = await api<VersionContent>('GET', `${this.urls.version(id)}?format=html`)
    } catch (error) {
      this.preview.replaceChildren(h('p', { class: 'panel-error' }, error instanceof ApiError ? error.message : 'Could not load this version.'))
      return
    }
    if (this.selected !== id) return
    const restore = h('button', { type: 'button', class: 'btn btn-small', onclick: () => void this.restore(version) }, 'Restore this version')
    restore.disabled = !this.canEditNow()
    const body = h('div', { class: 'version-content prose' })
    body.append(sanitizeHtml(typeof loaded.content === 'string' ? loaded.content : ''))
    if (!body.textContent?.trim()) body.append(h('p', { class: 'muted' }, 'This version is empty.'))
    this.preview.replaceChildren(
      h('div', { class: 'version-preview-head' }, h('strong', {}, version.name || 'Untitled version'), restore),
      body,
    )
  }

  private async restore(version: VersionInfo): Promise<void> {
    const ok = await confirmDialog({
      title: 'Restore this version?',
      body: `The document will go back to “${version.name || 'this version'}” for everyone. The current state is saved as a version first, so you can come back to it.`,
      confirmLabel: 'Restore',
    })
    if (!ok) return
    try {
      await api('POST', this.urls.versions, { name: `Before restoring “${version.name || 'a version'}”`.slice(0, 200) })
      await api('POST', this.urls.restore(version.id))
      toast(`Restored “${version.name || 'version'}”`)
      await this.refresh()
    } catch (error) {
      toast(`Could not restore: ${error instanceof ApiError ? error.message : String(error)}`, 'error')
    }
  }
}
