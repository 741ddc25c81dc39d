/**
 * The shared document and its transports: a Y.Doc, this browser's IndexedDB copy (offline
 * edits survive a closed tab or a crash), and the y-websocket provider to the server.
 */

import * as decoding from 'lib0/decoding'
import type * as encoding from 'lib0/encoding'
import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider, messageSync } from 'y-websocket'
import * as Y from 'yjs'

import { type StopReason, shouldReconnect, stopReason } from './close-codes'
import type { RoleName, ThreadInfo } from '../lib/api'
import type { EditorConfig } from './config'
import { SaveTracker } from './save-status'

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'online' }
  | { kind: 'offline' }
  | { kind: 'stopped'; reason: StopReason }

const SYNC_STEP1 = 0
/** The server's own notices (documents/realtime/protocol.py): one JSON object each. */
const MESSAGE_NOTICE = 100
/** The comments feed: a thread that was created or changed, or deleted (one JSON object each). */
const MESSAGE_COMMENTS = 101

/** What the server says about the document or this client's rights. */
export type Notice =
  | { type: 'role'; role: RoleName; refused?: boolean }
  | { type: 'refused' }
  | { type: 'title'; title: string }
  | { type: 'history' }
  /** Something new reached this user's notifications. */
  | { type: 'notifications' }

/** A change of a comment thread, by anyone (this user too). */
export type ThreadChange = { type: 'thread'; thread: ThreadInfo } | { type: 'thread.deleted'; id: string }
/** How long a slow or broken IndexedDB may delay the connection. */
const LOCAL_LOAD_TIMEOUT_MS = 2000

type MessageHandler = (
  encoder: encoding.Encoder,
  decoder: decoding.Decoder,
  provider: WebsocketProvider,
  emitSynced: boolean,
  messageType: number,
) => void

/** The WebSocket URL of the documents endpoint on this host. */
export function websocketBase(path: string, location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}${path}`
}

export class Collab {
  readonly doc = new Y.Doc()
  readonly fragment: Y.XmlFragment
  readonly provider: WebsocketProvider
  readonly local: IndexeddbPersistence | null
  readonly saves: SaveTracker
  private state: ConnectionState = { kind: 'connecting' }
  private everOnline = false
  private readonly listeners = new Set<(state: ConnectionState) => void>()
  private readonly noticeListeners = new Set<(notice: Notice) => void>()
  private readonly threadListeners = new Set<(change: ThreadChange) => void>()

  constructor(config: EditorConfig) {
    this.fragment = this.doc.getXmlFragment('default')
    // A visitor signed out keeps no offline copy: the next person at this browser is not them.
    this.local = config.signedIn ? openLocalCopy(`docs:${config.user.id}:${config.documentId}`, this.doc) : null
    this.provider = new WebsocketProvider(websocketBase(config.websocketPath), config.documentId, this.doc, {
      connect: false,
      disableBc: config.disableBroadcast || new URLSearchParams(window.location.search).get('test') === '1',
      shouldReconnect,
    })
    this.saves = new SaveTracker(this.doc, [this.provider])
    this.listenForConfirmations()
    this.listenForNotices()
    this.provider.on('status', ({ status }) => {
      if (status === 'connecting') {
        this.saves.connectionStarted()
        // Retrying after a loss stays "offline" until a connection really syncs.
        if (!this.everOnline) this.setState({ kind: 'connecting' })
      } else if (status === 'disconnected') {
        this.setState({ kind: 'offline' })
      }
    })
    this.provider.on('sync', (synced) => {
      if (synced) {
        this.everOnline = true
        this.setState({ kind: 'online' })
      }
    })
    this.provider.on('connection-error', () => {
      // The first attempt failed (server unreachable): say so rather than "Connecting…".
      if (this.state.kind === 'connecting') this.setState({ kind: 'offline' })
    })
    this.provider.on('closed', ({ code }) => {
      const reason = stopReason(code)
      if (reason) this.stop(reason)
    })
    window.addEventListener('offline', this.networkLost)
    window.addEventListener('online', this.networkBack)
  }

  /**
   * When the network goes away an open socket just hangs until y-websocket's 30 s watchdog:
   * drop it at once (the status turns "Offline") and stop retrying until the network returns;
   * then reconnect at once instead of waiting out the back-off.
   */
  private readonly networkLost = (): void => {
    if (this.state.kind !== 'stopped') this.provider.disconnect()
  }

  private readonly networkBack = (): void => {
    if (this.state.kind !== 'stopped') this.provider.connect()
  }

  /** Loads this browser's copy first (so offline edits go out in the first sync), then connects. */
  async start(): Promise<void> {
    if (this.local) {
      await Promise.race([this.local.whenSynced, delay(LOCAL_LOAD_TIMEOUT_MS)]).catch(() => undefined)
    }
    if (this.state.kind !== 'stopped') this.provider.connect()
  }

  get connection(): ConnectionState {
    return this.state
  }

  /** Calls `listener` now and whenever the connection state changes. */
  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener)
    listener(this.state)
    return () => this.listeners.delete(listener)
  }

  /** Stops for good: no reconnects; the browser copy is erased when the reason says so. */
  stop(reason: StopReason): void {
    this.provider.shouldConnect = false
    this.provider.disconnect()
    if (reason.forget && this.local) {
      this.local.clearData().catch(() => undefined)
    }
    this.setState({ kind: 'stopped', reason })
  }

  /** Calls `listener` with every notice from the server. */
  onNotice(listener: (notice: Notice) => void): void {
    this.noticeListeners.add(listener)
  }

  /** Calls `listener` with every change of a comment thread that the server announces. */
  onThreadChange(listener: (change: ThreadChange) => void): void {
    this.threadListeners.add(listener)
  }

  /**
   * Gives up this browser's copy: the connection is dropped and the offline copy erased, so
   * that changes the server refused can never be sent again. The page then reloads the
   * document from the server, under a new Yjs client id.
   */
  async discardLocalCopy(): Promise<void> {
    this.provider.shouldConnect = false
    this.provider.disconnect()
    await this.local?.clearData().catch(() => undefined)
  }

  destroy(): void {
    window.removeEventListener('offline', this.networkLost)
    window.removeEventListener('online', this.networkBack)
    this.saves.destroy()
    this.provider.destroy()
    this.local?.destroy().catch(() => undefined)
    this.doc.destroy()
  }

  private setState(next: ConnectionState): void {
    if (this.state.kind === 'stopped') return
    if (next.kind === this.state.kind) return
    this.state = next
    for (const listener of this.listeners) listener(next)
  }

  private listenForNotices(): void {
    const handlers = this.provider.messageHandlers as unknown as MessageHandler[]
    handlers[MESSAGE_NOTICE] = jsonMessages('a notice', isNotice, this.noticeListeners)
    handlers[MESSAGE_COMMENTS] = jsonMessages('a comments message', isThreadChange, this.threadListeners)
  }

  /**
   * Reads the state vector of every sync step 1 that comes from the server (not those from
   * other tabs over BroadcastChannel), then lets the stock handler answer it.
   *
   * A confirmation is answered only when this document holds something the server lacks.
   * The stock answer (a step 2) always carries the whole delete set, which a server may store
   * and confirm again, and so on for ever; every update already went out over this ordered
   * connection, so there is nothing to repair. The greeting of a connection is always
   * answered: that answer carries what was typed offline.
   */
  private listenForConfirmations(): void {
    const handlers = this.provider.messageHandlers as unknown as MessageHandler[]
    const stock = handlers[messageSync]
    handlers[messageSync] = (encoder, decoder, provider, fromServer, messageType) => {
      if (fromServer) {
        try {
          const peek = decoding.clone(decoder)
          if (decoding.readVarUint(peek) === SYNC_STEP1) {
            const confirmation = this.saves.serverStateVector(decoding.readVarUint8Array(peek))
            if (confirmation && !this.saves.aheadOfServer()) return
          }
        } catch (error) {
          console.warn('could not read a sync message', error)
        }
      }
      stock(encoder, decoder, provider, fromServer, messageType)
    }
  }
}

/** The handler of a message type whose frames each hold one JSON object (a var-string): the
 * objects that pass `valid` go to every listener. */
function jsonMessages<T>(what: string, valid: (value: unknown) => value is T, listeners: Set<(value: T) => void>): MessageHandler {
  return (_encoder, decoder) => {
    let value: unknown
    try {
      value = JSON.parse(decoding.readVarString(decoder))
    } catch (error) {
      console.warn(`could not read ${what} from the server`, error)
      return
    }
    if (!valid(value)) return
    for (const listener of listeners) listener(value)
  }
}

function isNotice(value: unknown): value is Notice {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
}

function isThreadChange(value: unknown): value is ThreadChange {
  if (typeof value !== 'object' || value === null) return false
  const change = value as { type: string; thread?: { id?: unknown }; id?: unknown }
  if (change.type === 'thread') return typeof change.thread?.id === 'string'
  return change.type === 'thread.deleted' && typeof change.id === 'string'
}

function openLocalCopy(name: string, doc: Y.Doc): IndexeddbPersistence | null {
  if (typeof indexedDB === 'undefined') return null
  try {
    return new IndexeddbPersistence(name, doc)
  } catch (error) {
    console.warn('no offline copy: IndexedDB is unavailable', error)
    return null
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms))
}
