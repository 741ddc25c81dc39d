#!/usr/bin/env node
// Prints, one hex string a line, updates that stock Yjs writes for every kind of content: text
// with formats and embeds, XML elements with attributes, maps and arrays of nested values,
// binary data, a sub-document, deletions. Strings are full of 'u' and 'v' (the bytes of lib0's
// container tags), so that a nesting check cannot clear them by counting bytes.
import * as Y from 'yjs'

const words = 'vivid velvet uvula vuvuzela '.repeat(8)
const doc = new Y.Doc()
const updates = []
doc.on('update', (update) => updates.push(update))

const text = doc.getText('text')
text.insert(0, words, { bold: true, link: { href: 'https://example.com/uv', rel: 'uv' } })
text.insertEmbed(5, { image: { src: 'vu.png', sizes: [[1, 2], [3, [4]]] } })
text.format(2, 10, { italic: { level: [1, [2, [3]]] } })
text.delete(3, 4)

const fragment = doc.getXmlFragment('default')
const paragraph = new Y.XmlElement('paragraph')
paragraph.setAttribute('align', 'uvu')
paragraph.setAttribute('data', { nested: { deeper: [[[[words]]]] } })
paragraph.insert(0, [new Y.XmlText(words)])
fragment.insert(0, [paragraph, new Y.XmlText('tail uv')])

const map = doc.getMap('map')
map.set('values', [1, -7, 2 ** 40, 1.5, true, false, null, words, { a: [{ b: [words] }] }])
map.set('bytes', new Uint8Array([0x75, 0x76, 0x75, 0x76, 255, 0]))
map.set('big', 2n ** 60n)
map.set('sub', new Y.Doc({ guid: 'sub-vu', meta: { uv: [[[1]]] } }))
const array = new Y.Array()
array.push([words, [words, [words]], { uv: { vu: words } }])
map.set('array', array)
map.delete('bytes')

for (const update of [...updates, Y.encodeStateAsUpdate(doc)]) {
  process.stdout.write(Buffer.from(update).toString('hex') + '\n')
}
