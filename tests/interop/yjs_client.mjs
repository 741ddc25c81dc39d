#!/usr/bin/env node
// Stock Yjs client (yjs + y-websocket's WebsocketProvider) used by the Python test-suite as an
// interop check. Usage:
//   node yjs_client.mjs --url ws://127.0.0.1:PORT/ws/documents --room <document-uuid>
//     [--token TOKEN] [--paragraph "text"]... [--expect "substring"]... [--timeout 15]
// Prints exactly one JSON line on stdout. Exit codes: 0 ok, 1 timeout/failure, 2 closed by the
// server with a close code >= 4000 (printed as closeCode).
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    room: { type: 'string' },
    token: { type: 'string' },
    paragraph: { type: 'string', multiple: true, default: [] },
    expect: { type: 'string', multiple: true, default: [] },
    timeout: { type: 'string', default: '15' }
  }
})
if (!args.url || !args.room) {
  process.stdout.write(JSON.stringify({ ok: false, error: '--url and --room are required' }) + '\n')
  process.exit(1)
}

const doc = new Y.Doc()
const fragment = doc.getXmlFragment('default')
const provider = new WebsocketProvider(args.url, args.room, doc, {
  WebSocketPolyfill: WebSocket,
  disableBc: true, // no BroadcastChannel in Node; all traffic must go through the server
  params: args.token ? { token: args.token } : {}
})

// Plain text: text of all XmlText nodes, top-level children (paragraphs) separated by "\n".
// XmlText.toString() renders formatting as markup, so read the delta instead.
const textOf = (node) => node instanceof Y.XmlText
  ? node.toDelta().map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('')
  : node.toArray().map(textOf).join('')
const plainText = () => fragment.toArray().map(textOf).join('\n')

// Other clients' awareness states, remembered even if they leave before we finish.
const peers = new Set()
provider.awareness.on('change', ({ added, updated }) => {
  for (const id of [...added, ...updated]) {
    if (id !== doc.clientID && provider.awareness.getStates().get(id)) peers.add(id)
  }
})

let finished = false
const finish = (code, result) => {
  if (finished) return
  finished = true
  provider.destroy()
  // process.exit after the write is flushed: never wait for lingering sockets/timers.
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(code))
}

let lastError = null
provider.on('connection-error', (ev) => { lastError = ev?.message || 'websocket error' })
provider.on('connection-close', (ev) => {
  // Application close codes (>= 4000, e.g. auth/permission failures) are terminal for the
  // test; the provider itself would keep reconnecting for most of them.
  if (ev && ev.code >= 4000) finish(2, { ok: false, closeCode: ev.code, reason: ev.reason || '' })
  else if (ev) lastError = `connection closed with code ${ev.code}`
})

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const deadline = setTimeout(() => {
  const missing = args.expect.filter((s) => !plainText().includes(s))
  const error = !provider.synced
    ? `timeout waiting for sync${lastError ? ` (${lastError})` : ''}`
    : missing.length ? `timeout waiting for ${JSON.stringify(missing)}` : 'timeout'
  finish(1, { ok: false, error, text: plainText() })
}, Number(args.timeout) * 1000)

// 1. initial sync with the server
if (!provider.synced) {
  await new Promise((resolve) => provider.on('sync', (synced) => synced && resolve()))
}

// 2. local edits, in the shape Tiptap / y-prosemirror produce: <paragraph>text</paragraph>
if (args.paragraph.length) {
  doc.transact(() => {
    fragment.push(args.paragraph.map((text) => {
      const p = new Y.XmlElement('paragraph')
      p.insert(0, [new Y.XmlText(text)])
      return p
    }))
  })
}
provider.awareness.setLocalStateField('user', { name: 'node-client', color: '#ff0000' })

// 3. wait until every expected substring is visible (observe deep changes, no polling)
await new Promise((resolve) => {
  const check = () => {
    if (args.expect.every((s) => plainText().includes(s))) {
      fragment.unobserveDeep(check)
      resolve()
    }
  }
  fragment.observeDeep(check)
  check()
})

// 4. y-websocket has no per-update ack: give the server time to receive our updates, then
// make sure the connection survived (a rejected write would typically close it).
await sleep(300)
clearTimeout(deadline)
if (!provider.wsconnected || (provider.ws && provider.ws.bufferedAmount > 0)) {
  finish(1, { ok: false, error: lastError || 'connection lost before updates were acknowledged', text: plainText() })
} else {
  finish(0, { ok: true, text: plainText(), xml: fragment.toString(), awarenessPeers: peers.size })
}
