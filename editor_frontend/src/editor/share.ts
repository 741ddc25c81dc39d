/** The Share dialog: who has access, with which role; owners add, change and remove people. */

import { ApiError, type Member, type Page, type RoleName, api, documentUrls } from '../lib/api'
import { h } from '../lib/dom'
import { avatar, toast } from '../lib/ui'
import type { EditorConfig } from './config'
import { icon } from './icons'

type Urls = ReturnType<typeof documentUrls>

const ROLE_LABELS: Record<RoleName, string> = { owner: 'Owner', editor: 'Can edit', viewer: 'Can view' }

/** Presence colours come from user ids, which this list does not have: one calm tone for all
 * but the current user, so that no colour here contradicts a caret. */
const MEMBER_COLOR = '#64748b'

function roleSelect(current: RoleName, label: string): HTMLSelectElement {
  const select = h('select', { 'aria-label': label, class: 'role-select' })
  for (const role of ['editor', 'viewer'] as const) {
    select.append(h('option', { value: role, selected: role === current }, ROLE_LABELS[role]))
  }
  return select
}

export class ShareDialog {
  private readonly urls: Urls
  private readonly config: EditorConfig
  private readonly list = h('ul', { class: 'member-list', 'aria-label': 'People with access' })
  private readonly error = h('p', { class: 'modal-error', role: 'alert' })

  constructor(urls: Urls, config: EditorConfig) {
    this.urls = urls
    this.config = config
  }

  async open(): Promise<void> {
    const manage = this.config.canManage
    const username = h('input', { type: 'text', name: 'username', placeholder: 'Username', autocomplete: 'off', 'aria-label': 'Username to share with', required: true })
    const role = roleSelect('editor', 'Role for the new person')
    const addForm = h(
      'form',
      { class: 'share-add' },
      username,
      role,
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Share'),
    )
    addForm.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.add(username, role)
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
        h('h3', { class: 'share-subtitle' }, 'People with access'),
        this.list,
      ),
      h('div', { class: 'modal-foot' }, h('button', { type: 'button', class: 'btn', onclick: () => dialog.close() }, 'Done')),
    )
    dialog.addEventListener('close', () => dialog.remove())
    document.body.append(dialog)
    dialog.showModal()
    if (manage) username.focus()
    await this.refresh()
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
    const name = member.name || member.username
    const isMe = member.username === this.config.user.username
    const who = h(
      'div',
      { class: 'member-who' },
      avatar(name, isMe ? this.config.user.color : MEMBER_COLOR),
      h(
        'div',
        {},
        h('div', { class: 'member-name' }, name, isMe ? h('span', { class: 'muted' }, ' (you)') : null),
        name !== member.username ? h('div', { class: 'member-username muted' }, member.username) : null,
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
    const username = input.value.trim()
    if (!username) {
      input.focus()
      return
    }
    this.error.textContent = ''
    try {
      await api('POST', this.urls.members, { username, role: role.value })
      input.value = ''
      toast(`Shared with ${username}`)
      await this.refresh()
    } catch (error) {
      this.error.textContent = error instanceof ApiError ? error.message : String(error)
    }
  }

  private async changeRole(member: Member, select: HTMLSelectElement): Promise<void> {
    try {
      await api('PATCH', this.urls.member(member.username), { role: select.value })
      toast(`${member.name || member.username} ${select.value === 'viewer' ? 'can now view' : 'can now edit'}`)
    } catch (error) {
      select.value = member.role
      this.error.textContent = error instanceof ApiError ? error.message : String(error)
    }
  }

  private async remove(member: Member): Promise<void> {
    try {
      await api('DELETE', this.urls.member(member.username))
      toast(`${member.name || member.username} no longer has access`)
      await this.refresh()
    } catch (error) {
      this.error.textContent = error instanceof ApiError ? error.message : String(error)
    }
  }
}
