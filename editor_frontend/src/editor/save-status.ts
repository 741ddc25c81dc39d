/**
 * "Saved" only when the server says so.
 *
 * The server's contract: after each stored batch that held updates from this client, it sends
 * a standard sync step 1 whose state vector covers stored content only (and one at connect).
 * The provider answers those messages as usual; this tracker reads the state vector too and
 * compares it with the local document, for the client ids whose content originated here (typed
 * in this tab, or loaded from this browser's IndexedDB copy): saved iff, for each of them, the
 * server's clock has reached the local clock.
 *
 * Deletions do not advance a Yjs clock, so a local change also sets a `dirty` flag that only a
 * confirmation (a step 1 after the greeting of a connection) clears.
 */

import * as Y from 'yjs'

export type SaveState = 'saved' | 'saving'

export class SaveTracker {
  private readonly doc: Y.Doc
  private readonly remoteOrigins: Set<unknown>
  private readonly listeners = new Set<(state: SaveState) => void>()
  /** Client ids whose content this browser must see stored. */
  private readonly tracked = new Set<number>()
  private serverVector: Map<number, number> = new Map()
  private dirty = false
  private greeted = false
  private current: SaveState = 'saved'

  /**
   * @param doc the shared document
   * @param remoteOrigins transaction origins that bring content from the server (the provider):
   *   their changes are already stored and are not tracked
   */
  constructor(doc: Y.Doc, remoteOrigins: unknown[]) {
    this.doc = doc
    this.remoteOrigins = new Set(remoteOrigins)
    doc.on('afterTransaction', this.onTransaction)
  }

  get state(): SaveState {
    return this.current
  }

  /** Calls `listener` now and on every change of state; returns the unsubscribe function. */
  subscribe(listener: (state: SaveState) => void): () => void {
    this.listeners.add(listener)
    listener(this.current)
    return () => this.listeners.delete(listener)
  }

  /** A new connection begins: its first step 1 is a greeting, not a confirmation. */
  connectionStarted(): void {
    this.greeted = false
  }

  /**
   * The server sent a sync step 1 with this encoded state vector. Returns true when it is a
   * confirmation of stored content, false when it is the greeting of a new connection.
   */
  serverStateVector(encoded: Uint8Array): boolean {
    this.serverVector = Y.decodeStateVector(encoded)
    const confirmation = this.greeted
    if (confirmation) {
      this.dirty = false
    }
    this.greeted = true
    this.evaluate()
    return confirmation
  }

  /** Local clocks ahead of the server's, by client id (empty when everything is stored). */
  pending(): Map<number, number> {
    const local = Y.decodeStateVector(Y.encodeStateVector(this.doc))
    const ahead = new Map<number, number>()
    for (const client of this.tracked) {
      const clock = local.get(client) ?? 0
      if (clock > (this.serverVector.get(client) ?? 0)) ahead.set(client, clock)
    }
    return ahead
  }

  /** Whether this document holds content the server's last state vector does not cover. */
  aheadOfServer(): boolean {
    const local = Y.decodeStateVector(Y.encodeStateVector(this.doc))
    for (const [client, clock] of local) {
      if (clock > (this.serverVector.get(client) ?? 0)) return true
    }
    return false
  }

  destroy(): void {
    this.doc.off('afterTransaction', this.onTransaction)
    this.listeners.clear()
  }

  private readonly onTransaction = (transaction: Y.Transaction): void => {
    if (this.remoteOrigins.has(transaction.origin)) return
    let changed = transaction.deleteSet.clients.size > 0
    for (const [client, clock] of transaction.afterState) {
      if (clock !== (transaction.beforeState.get(client) ?? 0)) {
        this.tracked.add(client)
        changed = true
      }
    }
    if (!changed) return
    if (transaction.local) this.dirty = true
    this.evaluate()
  }

  private evaluate(): void {
    const next: SaveState = this.dirty || this.pending().size > 0 ? 'saving' : 'saved'
    if (next !== this.current) {
      this.current = next
      for (const listener of this.listeners) listener(next)
    }
  }
}
