/** The Share dialog: who has access, with which role; owners add, change and remove people. */

import { ApiError, type LinkAccess, type Member, type NewMember, type Page, ROLE_LABELS, type RoleName, api, documentUrls, errorMessage } from '../lib/api'
import { h } from '../lib/dom'
import { avatar, toast } from '../lib/ui'
import type { EditorConfig } from './config'
import { icon } from './icons'

type Urls = ReturnType<typeof documentUrls>

/** What a member may now do, said when their role changes. */
const NOW_ABLE_TO: Record<RoleName, string> = { owner: 'can now manage', editor: 'can now edit', commenter: 'can now comment', viewer: 'can now view' }

/** Presence colours come from user ids, which this list does not have: one calm tone for all
 * but the current user, so that no colour here contradicts a caret. */
const MEMBER_COLOR = '#64748b'

/** What went wrong, in the server's words. The message about the person typed ("No user named
 * 'bobb'") is shown as it is, without the field name that errorMessage puts before field errors:
 * the dialog has one field for a person. */
function shareError(error: unknown): string {
  if (!(error instanceof ApiError)) return String(error)
  const body = error.body
  const about = body && typeof body === 'object' && 'user' in body ? body.user : undefined
  return errorMessage(about, error.message)
}

/** The document's address to hand to people: this page's, without test switches or a fragment. */
function documentLink(): string {
  return `${location.origin}${location.pathname}`
}

/** Copies an input's text: through the Clipboard API where the page may use it (secure
 * contexts, with permission), else by selecting it for the browser's copy command, which leaves
 * it selected when that fails too. True when copied. */
async function copyFrom(input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(input.value)
    return true
  } catch {
    input.focus()
    input.select()
    return document.execCommand('copy')
  }
}

/** The choices of who may open the document by its link alone. */
const LINK_ACCESS_LABELS: Record<LinkAccess, string> = {
  restricted: 'Only people with access',
  authenticated: 'Anyone signed in with the link',
  public: 'Anyone with the link',
}

/** Someone who asked the owner for access (`GET …/access-requests/`). */
interface AccessRequest {
  username: string
  name: string
  email: string | null
}

function roleSelect(current: RoleName, label: string): HTMLSelectElement {
  const select = h('select', { 'aria-label': label, class: 'role-select' })
  for (const role of ['editor', 'commenter', 'viewer'] as const) {
    select.append(h('option', { value: role, selected: role === current }, ROLE_LABELS[role]))
  }
  return select
}

export class ShareDialog {
  private readonly urls: Urls
  private readonly config: EditorConfig
  private readonly list = h('ul', { class: 'member-list', 'aria-label': 'People with access' })
  private readonly error = h('p', { class: 'modal-error', role: 'alert' })
  private readonly requests = h('ul', { class: 'member-list', 'aria-label': 'Asking for access' })
  private readonly requestsSection = h('section', { class: 'share-requests', hidden: true }, h('h3', { class: 'share-subtitle' }, 'Asking for access'), this.requests)

  constructor(urls: Urls, config: EditorConfig) {
    this.urls = urls
    this.config = config
  }

  async open(): Promise<void> {
    const manage = this.config.canManage
    const person = h('input', { type: 'text', name: 'user', placeholder: 'Username or e-mail', autocomplete: 'off', 'aria-label': 'Username or e-mail address to share with', required: true })
    const role = roleSelect('editor', 'Role for the new person')
    const addForm = h(
      'form',
      { class: 'share-add' },
      person,
      role,
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Share'),
    )
    addForm.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.add(person, role)
    })
    const dialog = h(
      'dialog',
      { class: 'modal share-dialog', 'aria-labelledby': 'share-title' },
      h(
        'div',
        { class: 'modal-head' },
        h('h2', { id: 'share-title' }, `Share “${this.currentTitle()}”`),
        h('button', { type: 'button', class: 'btn btn-quiet btn-icon', 'aria-label': 'Close', onclick: () => dialog.close() }, icon('close')),
      ),
      h(
        'div',
        { class: 'modal-body' },
        manage ? addForm : h('p', { class: 'muted' }, 'Only the owner can change who has access.'),
        this.error,
        manage ? this.requestsSection : null,
        // Those who came by the link alone see nobody else (the server says the same).
        this.config.isMember ? h('h3', { class: 'share-subtitle' }, 'People with access') : null,
        this.config.isMember ? this.list : null,
        h('h3', { class: 'share-subtitle' }, 'Link'),
        manage ? this.linkSettings() : null,
        this.linkRow(),
      ),
      h('div', { class: 'modal-foot' }, h('button', { type: 'button', class: 'btn', onclick: () => dialog.close() }, 'Done')),
    )
    dialog.addEventListener('close', () => dialog.remove())
    document.body.append(dialog)
    dialog.showModal()
    if (manage) person.focus()
    await Promise.all([this.config.isMember ? this.refresh() : null, manage ? this.refreshRequests() : null])
  }

  /** Who may open the document by its link alone, and as what (owners). */
  private linkSettings(): HTMLElement {
    const access = h('select', { 'aria-label': 'Who can open the link', class: 'role-select', 'data-setting': 'link-access' })
    for (const value of Object.keys(LINK_ACCESS_LABELS) as LinkAccess[]) {
      access.append(h('option', { value, selected: value === this.config.linkAccess }, LINK_ACCESS_LABELS[value]))
    }
    const role = h('select', { 'aria-label': 'Role of people with the link', class: 'role-select', 'data-setting': 'link-role' })
    for (const value of ['viewer', 'commenter', 'editor'] as const) {
      role.append(h('option', { value, selected: value === this.config.linkRole }, ROLE_LABELS[value]))
    }
    role.disabled = this.config.linkAccess === 'restricted'
    const save = async (): Promise<void> => {
      const wanted = { link_access: access.value as LinkAccess, link_role: role.value as RoleName }
      try {
        await api('PATCH', this.urls.detail, wanted)
        this.config.linkAccess = wanted.link_access
        this.config.linkRole = wanted.link_role
        role.disabled = wanted.link_access === 'restricted'
        toast(wanted.link_access === 'restricted' ? 'Only people with access can open it now' : `${LINK_ACCESS_LABELS[wanted.link_access]}: ${ROLE_LABELS[wanted.link_role].toLowerCase()}`)
      } catch (error) {
        access.value = this.config.linkAccess
        role.value = this.config.linkRole
        this.error.textContent = error instanceof ApiError ? error.message : String(error)
      }
    }
    access.addEventListener('change', () => void save())
    role.addEventListener('change', () => void save())
    return h('div', { class: 'share-link-settings' }, access, role)
  }

  private async refreshRequests(): Promise<void> {
    let waiting: AccessRequest[] = []
    try {
      waiting = await api<AccessRequest[]>('GET', this.urls.accessRequests)
    } catch {
      // Shown as nothing waiting; sharing by name still works.
    }
    this.requests.replaceChildren(...waiting.map((request) => this.requestRow(request)))
    this.requestsSection.hidden = waiting.length === 0
  }

  private requestRow(request: AccessRequest): HTMLElement {
    const role = roleSelect('viewer', `Role for ${request.name}`)
    const answer = async (grant: boolean): Promise<void> => {
      try {
        if (grant) {
          await api('POST', this.urls.accessRequest(request.username), { role: role.value })
          toast(`Shared with ${request.name}`)
        } else {
          await api('DELETE', this.urls.accessRequest(request.username))
        }
        await Promise.all([this.refresh(), this.refreshRequests()])
      } catch (error) {
        this.error.textContent = error instanceof ApiError ? error.message : String(error)
      }
    }
    const details = [request.username, request.email].filter(Boolean).join(' · ')
    return h(
      'li',
      { class: 'member', 'data-username': request.username },
      h('div', { class: 'member-who' }, avatar(request.name, MEMBER_COLOR), h('div', {}, h('div', { class: 'member-name' }, request.name), h('div', { class: 'member-username muted' }, details))),
      h(
        'div',
        { class: 'member-controls' },
        role,
        h('button', { type: 'button', class: 'btn btn-primary btn-small', 'aria-label': `Share with ${request.name}`, onclick: () => void answer(true) }, 'Share'),
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': `Dismiss ${request.name}`, onclick: () => void answer(false) }, 'Dismiss'),
      ),
    )
  }

  /** The document's link, read-only, and a button that copies it. */
  private linkRow(): HTMLElement {
    const link = h('input', { type: 'text', readonly: true, value: documentLink(), 'aria-label': 'Link to this document' })
    const status = h('span', { class: 'share-link-status muted', role: 'status' })
    const copy = async (): Promise<void> => {
      status.textContent = (await copyFrom(link)) ? 'Link copied' : 'Link selected: press Ctrl+C to copy it'
    }
    return h(
      'div',
      { class: 'share-link' },
      link,
      h('button', { type: 'button', class: 'btn', 'data-action': 'copy-link', onclick: () => void copy() }, icon('link'), 'Copy link'),
      status,
    )
  }

  private currentTitle(): string {
    return (document.getElementById('doc-title') as HTMLInputElement | null)?.value || this.config.title
  }

  private async refresh(): Promise<void> {
    this.error.textContent = ''
    let members: Member[]
    try {
      const data = await api<Page<Member> | Member[]>('GET', this.urls.members)
      members = Array.isArray(data) ? data : data.results
    } catch (error) {
      this.error.textContent = error instanceof ApiError ? error.message : 'Could not load who has access.'
      members = []
    }
    const owner = this.config.owner
    const rows = [
      this.row({ username: owner.username, name: owner.name, role: 'owner' }),
      ...members.filter((member) => member.role !== 'owner' && member.username !== owner.username).map((member) => this.row(member)),
    ]
    this.list.replaceChildren(...rows)
  }

  private row(member: Member): HTMLElement {
    const name = member.name
    const details = [name !== member.username ? member.username : null, member.email].filter(Boolean).join(' · ')
    const isMe = member.username === this.config.user.username
    const who = h(
      'div',
      { class: 'member-who' },
      avatar(name, isMe ? this.config.user.color : MEMBER_COLOR),
      h(
        'div',
        {},
        h('div', { class: 'member-name' }, name, isMe ? h('span', { class: 'muted' }, ' (you)') : null),
        details ? h('div', { class: 'member-username muted' }, details) : null,
      ),
    )
    let control: HTMLElement
    if (member.role === 'owner' || !this.config.canManage) {
      control = h('span', { class: `badge badge-${member.role}` }, ROLE_LABELS[member.role] ?? member.role)
    } else {
      const select = roleSelect(member.role, `Role of ${name}`)
      select.addEventListener('change', () => void this.changeRole(member, select))
      const remove = h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': `Remove ${name}`, onclick: () => void this.remove(member) }, 'Remove')
      control = h('div', { class: 'member-controls' }, select, remove)
    }
    return h('li', { class: 'member', 'data-username': member.username }, who, control)
  }

  private async add(input: HTMLInputElement, role: HTMLSelectElement): Promise<void> {
    const user = input.value.trim()
    if (!user) {
      input.focus()
      return
    }
    this.error.textContent = ''
    try {
      const request: NewMember = { user, role: role.value as RoleName }
      const member = await api<Member>('POST', this.urls.members, request)
      input.value = ''
      toast(`Shared with ${member.name}`)
      await this.refresh()
    } catch (error) {
      this.error.textContent = shareError(error)
      input.focus()
    }
  }

  private async changeRole(member: Member, select: HTMLSelectElement): Promise<void> {
    try {
      await api('PATCH', this.urls.member(member.username), { role: select.value })
      toast(`${member.name} ${NOW_ABLE_TO[select.value as RoleName]}`)
    } catch (error) {
      select.value = member.role
      this.error.textContent = error instanceof ApiError ? error.message : String(error)
    }
  }

  private async remove(member: Member): Promise<void> {
    try {
      await api('DELETE', this.urls.member(member.username))
      toast(`${member.name} no longer has access`)
      await this.refresh()
    } catch (error) {
      this.error.textContent = error instanceof ApiError ? error.message : String(error)
    }
  }
}
