#!/usr/bin/env node
// A stock Yjs client (yjs + y-websocket's WebsocketProvider) driven line by line from stdin, for
// tests that interleave its edits with changes made elsewhere. Usage:
//   node scripted_client.mjs --url ws://HOST/ws/documents --room <uuid> --token TOKEN
// Commands, one JSON object a line: {"op": "paragraph", "text": "..."} appends a paragraph;
// {"op": "reconnect"} drops the socket and connects again (the provider then re-sends all it
// holds, as after any network loss); {"op": "presence", "state": {...}} sets its awareness
// state; {"op": "report"} does nothing. It ends when stdin closes. After the first sync and after
// each command it prints one JSON line: {"done": op, "text": "<paragraphs joined by \n>",
// "client": its client id, "presence": {client id: state}, "closes": [close codes seen]}.
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const { values: args } = parseArgs({
  options: { url: { type: 'string' }, room: { type: 'string' }, token: { type: 'string' } }
})
const doc = new Y.Doc()
const fragment = doc.getXmlFragment('default')
const provider = new WebsocketProvider(args.url, args.room, doc, {
  WebSocketPolyfill: WebSocket,
  disableBc: true,
  params: { token: args.token }
})
const textOf = (node) => node instanceof Y.XmlText
  ? node.toDelta().map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('')
  : node.toArray().map(textOf).join('')
const closes = []
provider.on('connection-close', (event) => closes.push(event?.code ?? null))
const report = (op) => process.stdout.write(JSON.stringify({
  done: op,
  text: fragment.toArray().map(textOf).join('\n'),
  client: doc.clientID,
  presence: Object.fromEntries(provider.awareness.getStates()),
  closes
}) + '\n')
const synced = () => new Promise((resolve) => {
  if (provider.synced) return resolve()
  const onSync = (isSynced) => { if (isSynced) { provider.off('sync', onSync); resolve() } }
  provider.on('sync', onSync)
})

await synced()
report('sync')
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line)
  if (command.op === 'paragraph') {
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText(command.text)])
    fragment.push([paragraph])
  } else if (command.op === 'presence') {
    provider.awareness.setLocalState(command.state)
  } else if (command.op === 'reconnect') {
    provider.disconnect()
    provider.connect()
    await synced()
  }
  report(command.op)
}
provider.destroy()
process.exit(0)
