/** Who is in the document: one avatar per person, from the awareness states. */

import type { Awareness } from 'y-protocols/awareness'

import { avatar } from '../lib/ui'

export interface PresenceUser {
  name: string
  color: string
}

interface Person extends PresenceUser {
  self: boolean
}

const MAX_SHOWN = 5

/** Everyone with a valid `user` state, one entry per name+colour, the local user first. */
export function peopleIn(awareness: Awareness): Person[] {
  const people = new Map<string, Person>()
  for (const [clientId, state] of awareness.getStates()) {
    const user = (state as { user?: Partial<PresenceUser> } | null)?.user
    if (!user || typeof user.name !== 'string' || typeof user.color !== 'string') continue
    const key = `${user.name}\u0000${user.color}`
    const self = clientId === awareness.clientID
    const known = people.get(key)
    if (known) {
      known.self ||= self
    } else {
      people.set(key, { name: user.name, color: user.color, self })
    }
  }
  return [...people.values()].sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name))
}

/** Keeps `root` showing the avatars of the people in the document. */
export function showPresence(root: HTMLElement, awareness: Awareness): () => void {
  const render = () => {
    const people = peopleIn(awareness)
    const shown = people.slice(0, MAX_SHOWN).map((person) => {
      const element = avatar(person.name, person.color, person.self ? '(you)' : '')
      element.classList.add('presence-avatar')
      element.dataset.name = person.name
      if (person.self) element.classList.add('is-self')
      return element
    })
    const hidden = people.slice(MAX_SHOWN)
    if (hidden.length) {
      const more = avatar(`+${hidden.length}`, '#6b7280')
      more.textContent = `+${hidden.length}`
      more.title = hidden.map((person) => person.name).join(', ')
      shown.push(more)
    }
    root.replaceChildren(...shown)
    root.setAttribute('aria-label', `${people.length} ${people.length === 1 ? 'person' : 'people'} in this document`)
  }
  awareness.on('change', render)
  render()
  return () => awareness.off('change', render)
}
