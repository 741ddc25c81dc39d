/** The REST API, as the pages use it: session cookie plus Django's CSRF header. */

/** A failed API call, with a message a person can read. */
export class ApiError extends Error {
  readonly status: number
  readonly body: unknown

  constructor(status: number, message: string, body: unknown) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.body = body
  }
}

/** Django's CSRF token, from the `csrftoken` cookie the pages set. */
export function csrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === 'csrftoken') return decodeURIComponent(rest.join('='))
  }
  return ''
}

/** The first readable message in a DRF error body: `detail`, a field error or a list. */
export function errorMessage(body: unknown, fallback: string): string {
  if (typeof body === 'string' && body.trim()) return body
  if (Array.isArray(body)) {
    for (const item of body) {
      const message = errorMessage(item, '')
      if (message) return message
    }
    return fallback
  }
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>
    for (const key of ['detail', 'message', 'error', 'non_field_errors']) {
      if (key in record) {
        const message = errorMessage(record[key], '')
        if (message) return message
      }
    }
    for (const [field, value] of Object.entries(record)) {
      const message = errorMessage(value, '')
      if (message) return field === 'detail' ? message : `${field}: ${message}`
    }
  }
  return fallback
}

/** What an HTTP error status means to the person who met it. */
export function statusMessage(status: number): string {
  switch (status) {
    case 401:
    case 403:
      return 'You are not allowed to do that (are you still signed in?).'
    case 404:
      return 'Not found: it may have been deleted.'
    case 413:
      return 'That is too large.'
    case 429:
      return 'Too many requests; try again in a moment.'
    default:
      return status >= 500 ? 'The server had a problem; try again.' : `Request failed (${status}).`
  }
}

/** Calls the API; JSON in (or a form, for files), JSON out. Throws ApiError on an HTTP error or
 * no connection. `keepalive` lets the call finish after the page is gone. */
export async function api<T = unknown>(method: string, url: string, body?: unknown, { keepalive = false } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const form = body instanceof FormData
  // A form's Content-Type (multipart, with its boundary) is the browser's to write.
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRFToken'] = csrfToken()
  let response: Response
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      keepalive,
      body: body === undefined ? undefined : form ? (body as FormData) : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'Cannot reach the server. Check your connection.', null)
  }
  const text = await response.text()
  let data: unknown = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, errorMessage(data, statusMessage(response.status)), data)
  }
  return data as T
}

/** A page of a DRF paginated list. */
export interface Page<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

export type RoleName = 'owner' | 'editor' | 'commenter' | 'viewer'

/** How each role reads in the pages. */
export const ROLE_LABELS: Record<RoleName, string> = { owner: 'Owner', editor: 'Can edit', commenter: 'Can comment', viewer: 'Can view' }

/** Who may open a document by its link alone (`link_access`), with its `link_role`. */
export type LinkAccess = 'restricted' | 'authenticated' | 'public'

/** Whether the role may change the text (as `Role.can_edit` decides on the server). */
export function roleCanEdit(role: RoleName): boolean {
  return role === 'owner' || role === 'editor'
}

/** Whether the role may comment: all but viewers. */
export function roleCanComment(role: RoleName): boolean {
  return role !== 'viewer'
}

export interface DocumentInfo {
  id: string
  title: string
  owner: string
  role: RoleName
  created: string
  updated: string
  url?: string
  link_access?: LinkAccess
  link_role?: RoleName
  /** In search results: the words around a hit in the text ("" for a title hit). */
  snippet?: string | null
}

export interface VersionInfo {
  id: number | string
  name: string
  created: string
  author: string | null
}

export interface VersionContent extends VersionInfo {
  format: string
  content: unknown
}

/** Someone a document is shared with (`GET …/members/`). */
export interface Member {
  username: string
  /** The display name: the full name, else the username. */
  name: string
  /** Shown to owners only; null for others, and for people with no address. */
  email?: string | null
  role: RoleName
}

/** `POST …/members/`: `user` is a username or an e-mail address (any case). */
export interface NewMember {
  user: string
  role: RoleName
}

/** Someone as the comments show them. */
export interface Person {
  username: string
  name: string
  color: string
}

/** One comment of a thread; `body` holds mentions as `<@username>` tokens. */
export interface CommentInfo {
  id: number
  author: Person
  body: string
  mentions: { username: string; name: string }[]
  created: string
  edited: string | null
}

/** Yjs relative positions (base64) of a thread's first and last character. */
export interface Anchor {
  start: string
  end: string
}

/** A comment thread on a passage: its first comment and the replies. */
export interface ThreadInfo {
  id: string
  status: 'open' | 'resolved'
  /** The passage as it was when the thread began. */
  quote: string
  /** Its text is gone from the document. */
  orphaned: boolean
  anchor: Anchor
  author: Person
  created: string
  resolved_by: Person | null
  resolved_at: string | null
  comments: CommentInfo[]
}

/** Someone an owner may mention (`GET …/people/?q=`): `member` says whether they have access. */
export interface PersonMatch {
  username: string
  name: string
  member: boolean
}

export type ContentFormat = 'text' | 'markdown' | 'html' | 'json'

/** The API paths of one document. */
export function documentUrls(apiBase: string, id: string) {
  const base = `${apiBase}${id}/`
  return {
    detail: base,
    content: `${base}content`,
    export: `${base}export`,
    versions: `${base}versions/`,
    version: (versionId: string | number) => `${base}versions/${versionId}/`,
    restore: (versionId: string | number) => `${base}versions/${versionId}/restore/`,
    members: `${base}members/`,
    attachments: `${base}attachments/`,
    attachmentsFetch: `${base}attachments/fetch/`,
    member: (username: string) => `${base}members/${encodeURIComponent(username)}/`,
    accessRequests: `${base}access-requests/`,
    accessRequest: (username: string) => `${base}access-requests/${encodeURIComponent(username)}/`,
    threads: `${base}threads/`,
    threadsSeen: `${base}threads/seen/`,
    thread: (threadId: string) => `${base}threads/${threadId}/`,
    threadComments: (threadId: string) => `${base}threads/${threadId}/comments/`,
    comment: (threadId: string, commentId: number) => `${base}threads/${threadId}/comments/${commentId}/`,
    resolve: (threadId: string) => `${base}threads/${threadId}/resolve/`,
    reopen: (threadId: string) => `${base}threads/${threadId}/reopen/`,
    people: (query: string) => `${base}people/?q=${encodeURIComponent(query)}`,
  }
}
