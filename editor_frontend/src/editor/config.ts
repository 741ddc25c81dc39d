/** What the editor page tells the browser code (documents/views.py, `editor-config`). */

import type { LinkAccess, RoleName } from '../lib/api'

export interface EditorUser {
  /** null for a visitor signed out (on a public link). */
  id: number | string | null
  username: string
  name: string
  color: string
}

export interface EditorConfig {
  documentId: string
  title: string
  role: RoleName
  canEdit: boolean
  canManage: boolean
  /** The owner or a member by name (not only by the link): sees who else has access. */
  isMember: boolean
  signedIn: boolean
  linkAccess: LinkAccess
  linkRole: RoleName
  owner: { username: string; name: string }
  user: EditorUser
  websocketPath: string
  apiBase: string
  listUrl: string
  loginUrl: string
  disableBroadcast: boolean
}
