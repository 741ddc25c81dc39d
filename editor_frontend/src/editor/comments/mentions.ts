/**
 * Mentions. In a stored body a mention is the token `<@username>`, shown as an "@Full Name"
 * chip; in a comment box it is typed as `@username`, picked from a list that `@` opens (the
 * document's members, and for owners the other people, whom choosing offers to share with),
 * and turned into the token when the comment is sent.
 */

import { ApiError, type Member, type NewMember, type Page, type PersonMatch, api, documentUrls } from '../../lib/api'
import { h } from '../../lib/dom'
import { confirmDialog, toast } from '../../lib/ui'
import type { EditorConfig } from '../config'

type Urls = ReturnType<typeof documentUrls>

/** Someone the picker offers. */
export interface Candidate {
  username: string
  name: string
  /** Has access to the document already: otherwise choosing them offers to share first. */
  member: boolean
}

const TOKEN = /<@([^<>\s]+)>/g
/** `@name` typed in a box: after a space, an opening bracket or at the start. */
const TYPED = /(^|[\s(])@([\w.@+-]+)/g
/** The `@query` just before the caret, while it is being typed. */
const TYPING = /(?:^|[\s(])@([\w.@+-]*)$/
const MAX_SHOWN = 8

/** A stored body as nodes: its text, and each mention of someone in `mentions` as a chip. */
export function renderBody(body: string, mentions: { username: string; name: string }[]): Node[] {
  const names = new Map(mentions.map((mention) => [mention.username, mention.name]))
  const nodes: Node[] = []
  let at = 0
  for (const match of body.matchAll(TOKEN)) {
    const name = names.get(match[1])
    if (name === undefined) continue // unknown: stays plain text
    const index = match.index ?? 0
    if (index > at) nodes.push(document.createTextNode(body.slice(at, index)))
    nodes.push(h('span', { class: 'mention', 'data-username': match[1], title: match[1] }, `@${name}`))
    at = index + match[0].length
  }
  if (at < body.length) nodes.push(document.createTextNode(body.slice(at)))
  return nodes
}

/** A stored body as it is typed in a box: `<@bob>` → `@bob`. */
export function bodyToText(body: string): string {
  return body.replace(TOKEN, '@$1')
}

/** What a box holds as the body to send: each `@username` of someone known → `<@username>`.
 * Punctuation right after a name ("@bob.") stays text. */
export function textToBody(text: string, known: Set<string>): string {
  return text.replace(TYPED, (whole, before: string, typed: string) => {
    for (let name = typed; name; name = name.slice(0, -1)) {
      if (known.has(name)) return `${before}<@${name}>${typed.slice(name.length)}`
    }
    return whole
  })
}

/** Who may be mentioned: the members (read once), and for owners anybody found by name. */
export class People {
  private members: Promise<Candidate[]> | null = null
  private readonly known = new Set<string>()

  constructor(
    private readonly urls: Urls,
    private readonly config: EditorConfig,
  ) {}

  /** Without a membership there is no list of members to pick from (link visitors). */
  get canMention(): boolean {
    return this.config.isMember
  }

  /** Usernames that `@username` in a box stands for. */
  usernames(): Set<string> {
    return this.known
  }

  /** People a stored body mentions, so that editing it keeps them. */
  remember(mentions: { username: string }[]): void {
    for (const mention of mentions) this.known.add(mention.username)
  }

  /** The people whose username or a word of whose name begins with `query`. */
  async find(query: string): Promise<Candidate[]> {
    const members = await this.loadMembers()
    const wanted = query.toLowerCase()
    const matches = (person: { username: string; name: string }) =>
      [person.username, ...person.name.split(/\s+/)].some((word) => word.toLowerCase().startsWith(wanted))
    const found = members.filter(matches)
    if (this.config.canManage && query) {
      try {
        const others = await api<PersonMatch[]>('GET', this.urls.people(query))
        const listed = new Set(found.map((person) => person.username))
        for (const person of others) {
          if (!person.member && !listed.has(person.username) && person.username !== this.config.user.username) found.push(person)
        }
      } catch {
        // The members alone, then.
      }
    }
    return found.slice(0, MAX_SHOWN)
  }

  /** Ready to be mentioned: someone without access is shared with, as commenter, if the owner
   * agrees. */
  async choose(person: Candidate): Promise<boolean> {
    if (!person.member) {
      const agreed = await confirmDialog({
        title: `Share with ${person.name}?`,
        body: `${person.name} cannot see this document yet. Share with ${person.name} as commenter?`,
        confirmLabel: 'Share',
      })
      if (!agreed) return false
      try {
        const request: NewMember = { user: person.username, role: 'commenter' }
        await api<Member>('POST', this.urls.members, request)
      } catch (error) {
        toast(`Could not share with ${person.name}: ${error instanceof ApiError ? error.message : String(error)}`, 'error')
        return false
      }
      toast(`Shared with ${person.name}`)
      const members = await this.loadMembers()
      members.push({ ...person, member: true })
    }
    this.known.add(person.username)
    return true
  }

  private loadMembers(): Promise<Candidate[]> {
    this.members ??= this.fetchMembers()
    return this.members
  }

  private async fetchMembers(): Promise<Candidate[]> {
    const { owner, user } = this.config
    let members: Member[] = []
    try {
      const data = await api<Page<Member> | Member[]>('GET', this.urls.members)
      members = Array.isArray(data) ? data : data.results
    } catch {
      // Not allowed to see them (or unreachable): nobody to offer but the owner.
    }
    const people = [{ username: owner.username, name: owner.name }, ...members.filter((member) => member.username !== owner.username)]
    const others = people.filter((person) => person.username !== user.username)
    for (const person of people) this.known.add(person.username)
    return others.map((person) => ({ username: person.username, name: person.name, member: true }))
  }
}

let pickerCount = 0

/**
 * The list that `@` opens under a comment box: filtered as one types, Up and Down move in it,
 * Enter or Tab chooses, Escape closes it (and only it).
 */
export function attachMentionPicker(box: HTMLTextAreaElement, people: People): HTMLElement {
  const id = `mention-list-${++pickerCount}`
  const list = h('ul', { class: 'mention-list', id, role: 'listbox', 'aria-label': 'People to mention', hidden: true })
  let shown: Candidate[] = []
  let current = 0
  let asked = 0
  box.setAttribute('aria-autocomplete', 'list')
  box.setAttribute('aria-controls', id)

  const close = (): void => {
    list.hidden = true
    shown = []
    box.removeAttribute('aria-activedescendant')
  }
  const highlight = (index: number): void => {
    current = index
    list.querySelectorAll('li').forEach((item, at) => item.setAttribute('aria-selected', String(at === index)))
    box.setAttribute('aria-activedescendant', `${id}-${index}`)
  }
  const typing = (): string | null => {
    if (box.selectionStart !== box.selectionEnd) return null
    return TYPING.exec(box.value.slice(0, box.selectionStart))?.[1] ?? null
  }
  const choose = async (person: Candidate): Promise<void> => {
    close()
    // Read before asking to share: the dialog takes the focus, and the caret with it.
    const end = box.selectionStart
    const query = TYPING.exec(box.value.slice(0, end))?.[1] ?? ''
    const start = end - query.length
    if (!(await people.choose(person))) {
      box.focus()
      return
    }
    const inserted = `${person.username} `
    box.value = box.value.slice(0, start) + inserted + box.value.slice(end)
    box.focus()
    box.setSelectionRange(start + inserted.length, start + inserted.length)
    box.dispatchEvent(new Event('input', { bubbles: true }))
  }
  const update = async (): Promise<void> => {
    const query = typing()
    if (query === null || !people.canMention) {
      close()
      return
    }
    const ask = ++asked
    const found = await people.find(query)
    if (ask !== asked || typing() !== query) return // typed on meanwhile
    shown = found
    if (found.length === 0) {
      close()
      return
    }
    list.replaceChildren(
      ...found.map((person, index) => {
        const item = h(
          'li',
          { id: `${id}-${index}`, class: 'mention-option', role: 'option', 'data-username': person.username, 'aria-selected': 'false' },
          h('span', { class: 'mention-name' }, person.name),
          h('span', { class: 'mention-username muted' }, person.username),
          person.member ? null : h('span', { class: 'mention-unshared' }, 'not shared yet'),
        )
        item.addEventListener('mousedown', (event) => event.preventDefault()) // keeps the box's caret
        item.addEventListener('click', () => void choose(person))
        return item
      }),
    )
    list.hidden = false
    highlight(0)
  }

  box.addEventListener('input', () => void update())
  box.addEventListener('click', () => void update())
  box.addEventListener('blur', close)
  box.addEventListener('keydown', (event) => {
    if (list.hidden || shown.length === 0 || event.defaultPrevented) return
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      highlight((current + (event.key === 'ArrowDown' ? 1 : -1) + shown.length) % shown.length)
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault()
      void choose(shown[current])
    } else if (event.key === 'Escape') {
      event.preventDefault()
      event.stopPropagation()
      close()
    }
  })
  return list
}

/** Longest body the server takes. */
export const MAX_BODY = 4000

/** A comment box with its mention picker: Ctrl/Cmd-Enter sends the form it is in. */
export function commentBox(label: string, placeholder: string, people: People, initial = ''): { field: HTMLElement; box: HTMLTextAreaElement } {
  const box = h('textarea', { class: 'comment-input', rows: 2, 'aria-label': label, placeholder, maxlength: MAX_BODY })
  box.value = initial
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
      event.preventDefault()
      box.form?.requestSubmit()
    }
  })
  const field = h('div', { class: 'comment-field' }, box, attachMentionPicker(box, people))
  return { field, box }
}
