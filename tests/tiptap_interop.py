"""The real editor's schema and y-tiptap, run in Node on what we write: does Tiptap read it, and
do we read what it writes? (The packages are the editor's own, from `make setup`.)"""

import base64
import json
import shutil
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent / "editor_frontend" / "node_modules"

# The extensions as editor_frontend/src/editor/main.ts configures them, without the views that
# only render; "starter-kit" is the editor's schema before its rich-document extensions.
SCHEMAS = {
    "starter-kit": "[StarterKit.configure({ undoRedo: false, underline: false })]",
    "editor": """[
  StarterKit.configure({ undoRedo: false, underline: false }),
  Underline, TextStyle, Color, Highlight.configure({ multicolor: true }), Subscript, Superscript,
  TextAlign.configure({ types: ['heading', 'paragraph'], defaultAlignment: null }),
  TaskList, TaskItem.configure({ nested: true }),
  Table, TableRow, TableHeader, TableCell, Image,
]""",
}

NODE_SCRIPT = """
import { getSchema } from 'FRONTEND/@tiptap/core/dist/index.js'
import StarterKit from 'FRONTEND/@tiptap/starter-kit/dist/index.js'
import Underline from 'FRONTEND/@tiptap/extension-underline/dist/index.js'
import { TextStyle } from 'FRONTEND/@tiptap/extension-text-style/dist/index.js'
import Color from 'FRONTEND/@tiptap/extension-color/dist/index.js'
import Highlight from 'FRONTEND/@tiptap/extension-highlight/dist/index.js'
import Subscript from 'FRONTEND/@tiptap/extension-subscript/dist/index.js'
import Superscript from 'FRONTEND/@tiptap/extension-superscript/dist/index.js'
import TextAlign from 'FRONTEND/@tiptap/extension-text-align/dist/index.js'
import TaskList from 'FRONTEND/@tiptap/extension-task-list/dist/index.js'
import TaskItem from 'FRONTEND/@tiptap/extension-task-item/dist/index.js'
import {
  Table, TableRow, TableHeader, TableCell,
} from 'FRONTEND/@tiptap/extension-table/dist/index.js'
import Image from 'FRONTEND/@tiptap/extension-image/dist/index.js'
import * as Y from 'FRONTEND/yjs/dist/yjs.mjs'
import {
  yXmlFragmentToProseMirrorRootNode, prosemirrorJSONToYXmlFragment,
} from 'FRONTEND/@tiptap/y-tiptap/dist/y-tiptap.js'
import { readFileSync } from 'node:fs'
const schema = getSchema(SCHEMA)
const input = JSON.parse(readFileSync(0, 'utf8'))
const doc = new Y.Doc()
Y.applyUpdate(doc, Buffer.from(input.update, 'base64'))
const fragment = doc.getXmlFragment('default')
const before = fragment.toString()
const node = yXmlFragmentToProseMirrorRootNode(fragment, schema)
node.check()
const theirs = new Y.Doc()
prosemirrorJSONToYXmlFragment(schema, input.json, theirs.getXmlFragment('default'))
console.log(JSON.stringify({
  json: node.toJSON(),
  unchanged: fragment.toString() === before,
  update: Buffer.from(Y.encodeStateAsUpdate(theirs)).toString('base64'),
}))
"""


def tiptap_round_trip(update: bytes, doc: dict, schema: str) -> dict:
    """Tiptap's answer under SCHEMAS[schema]: `json`, what it reads from `update`; `unchanged`,
    whether reading it left the fragment as it was; `update`, `doc` as Tiptap writes it."""
    # `make setup` installs both; a missing one is a broken set-up, not a reason to skip.
    assert shutil.which("node"), "Node.js is required"
    extensions = ("y-tiptap", "extension-table", "extension-task-item", "extension-image")
    missing = [name for name in extensions if not (FRONTEND / "@tiptap" / name).is_dir()]
    assert not missing, f"run `make setup` (editor_frontend): {missing}"
    script = NODE_SCRIPT.replace("SCHEMA", SCHEMAS[schema]).replace("FRONTEND", FRONTEND.as_posix())
    payload = {"update": base64.b64encode(update).decode(), "json": doc}
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(result.stdout)
    return {**answer, "update": base64.b64decode(answer["update"])}
