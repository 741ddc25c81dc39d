/** What the editor page tells the browser code (documents/views.py, `editor-config`). */

import type { RoleName } from '../lib/api'

export interface EditorUser {
  id: number | string
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
  owner: { username: string; name: string }
  user: EditorUser
  websocketPath: string
  apiBase: string
  listUrl: string
  loginUrl: string
  disableBroadcast: boolean
}
