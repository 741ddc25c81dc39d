/**
 * Paste fidelity: pasted HTML is cleaned (clipboard.ts), and its images never enter the shared
 * document as they came. Images embedded in the clipboard (`data:` URLs) are uploaded; images
 * from the web are fetched by the server; either is stored as an attachment of the document and
 * inserted where it was in the pasted content. Whatever cannot be brought in (a file path of
 * the copying computer, a refusal, more than MAX_IMAGES_PER_PASTE) is left out with a notice.
 *
 * How the images keep their place: each is replaced, before parsing, by one private-use
 * character; after parsing, the characters are taken out of the slice, their positions noted
 * and held as Yjs relative positions while the images are stored. The characters never reach
 * the document.
 */

import { type Editor, Extension } from '@tiptap/core'
import { Fragment, type Node as ProseMirrorNode, Slice } from '@tiptap/pm/model'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import type { EditorView } from '@tiptap/pm/view'

import { toast } from '../lib/ui'
import { cleanPastedHtml } from './clipboard'
import { type Attachment, type AttachmentUrls, IMAGE_TYPES, anchor, fetchImage, insertAttachment, uploadImage } from './images'

/** Images one paste brings in at most; the others are left out (and said so). */
export const MAX_IMAGES_PER_PASTE = 20
/** Where the stand-ins of images start (Unicode's private use area). */
const FIRST_MARKER = 0xe000

interface PastedImage {
  src: string
  alt: string | null
}

interface PlacedImage extends PastedImage {
  /** The image's position in the parsed slice's content. */
  pos: number
}

/** A `data:` image URL as a file, or null for anything else. */
export function dataImage(src: string, name: string): File | null {
  const match = /^data:([a-z/+.-]+);base64,(.*)$/is.exec(src)
  if (!match || !IMAGE_TYPES.includes(match[1].toLowerCase())) return null
  try {
    const bytes = Uint8Array.from(atob(match[2].replace(/\s+/g, '')), (char) => char.charCodeAt(0))
    return new File([bytes], name, { type: match[1].toLowerCase() })
  } catch {
    return null // not base64
  }
}

/**
 * Takes the images out of cleaned HTML: the document's own attachments stay, each other image
 * (up to `limit`) becomes a stand-in character and is returned; beyond the limit they go.
 */
export function extractImages(html: string, isOwn: (src: string) => boolean, limit: number): { html: string; images: PastedImage[]; leftOut: number } {
  const doc = new DOMParser().parseFromString(html, 'text/html')
  const images: PastedImage[] = []
  let leftOut = 0
  for (const image of [...doc.body.querySelectorAll('img')]) {
    const src = image.getAttribute('src') ?? ''
    if (isOwn(src)) continue
    if (images.length >= limit) {
      leftOut += 1
      image.remove()
      continue
    }
    image.replaceWith(doc.createTextNode(String.fromCharCode(FIRST_MARKER + images.length)))
    images.push({ src, alt: image.getAttribute('alt') })
  }
  return { html: doc.body.innerHTML, images, leftOut }
}

/** `fragment` without the stand-in characters; where each was is added to `placed`. */
function withoutStandIns(fragment: Fragment, start: number, images: PastedImage[], placed: PlacedImage[]): Fragment {
  const children: ProseMirrorNode[] = []
  let pos = start
  fragment.forEach((child) => {
    if (child.isText) {
      let kept = ''
      for (const char of child.text ?? '') {
        const index = char.charCodeAt(0) - FIRST_MARKER
        if (index >= 0 && index < images.length) placed.push({ ...images[index], pos: pos + kept.length })
        else kept += char
      }
      if (kept) children.push(child.type.schema.text(kept, child.marks))
      pos += kept.length
    } else if (child.isLeaf) {
      children.push(child)
      pos += child.nodeSize
    } else {
      const copy = child.copy(withoutStandIns(child.content, pos + 1, images, placed))
      children.push(copy)
      pos += copy.nodeSize
    }
  })
  return Fragment.fromArray(children)
}

/** The image stored as an attachment, or null when it cannot be (a refusal, a lost
 * connection, a file path of the computer it was copied on). */
async function bringIn(urls: AttachmentUrls, image: PastedImage, number: number): Promise<Attachment | null> {
  try {
    if (image.src.startsWith('data:')) {
      const file = dataImage(image.src, `pasted-image-${number}`)
      return file ? await uploadImage(urls, file) : null
    }
    const address = new URL(image.src, window.location.href)
    if (address.protocol !== 'http:' && address.protocol !== 'https:') return null
    return await fetchImage(urls, address.href)
  } catch {
    return null
  }
}

function leftOutNotice(count: number): string {
  return count === 1
    ? 'A pasted image was left out: it could not be stored in this document.'
    : `${count} pasted images were left out: they could not be stored in this document.`
}

/** Cleans pasted HTML and brings its images in as attachments. */
export const PasteCleanup = Extension.create<AttachmentUrls>({
  name: 'pasteCleanup',

  addOptions() {
    return { url: '', fetchUrl: '' }
  },

  addProseMirrorPlugins() {
    const editor: Editor = this.editor
    const urls = this.options
    const base = () => new URL(urls.url, window.location.href).href
    const isOwn = (src: string) => {
      try {
        return Boolean(urls.url) && new URL(src, window.location.href).href.startsWith(base())
      } catch {
        return false
      }
    }
    // What the last transformPastedHTML took out, for the paste or drop that parsed it.
    let pending: { images: PastedImage[]; leftOut: number } = { images: [], leftOut: 0 }
    const forget = () => {
      pending = { images: [], leftOut: 0 }
      return false
    }

    /** Inserts `slice` without its stand-ins at `from` (replacing the selection for a paste),
     * then brings its images in. False when there is nothing of ours to do. */
    const insert = (view: EditorView, slice: Slice, from: number, replaceSelection: boolean): boolean => {
      const { images, leftOut } = pending
      forget()
      if (!images.length && !leftOut) return false
      const placed: PlacedImage[] = []
      const cleaned = new Slice(withoutStandIns(slice.content, 0, images, placed), slice.openStart, slice.openEnd)
      const tr = replaceSelection ? view.state.tr.replaceSelection(cleaned) : view.state.tr.replaceRange(from, from, cleaned)
      view.dispatch(tr.scrollIntoView().setMeta('paste', true).setMeta('uiEvent', replaceSelection ? 'paste' : 'drop'))
      const size = editor.state.doc.content.size
      const targets = placed.map((image) => ({ image, where: anchor(editor, Math.min(Math.max(0, from + image.pos - slice.openStart), size)) }))
      void (async () => {
        // Stand-ins the parser dropped (where no text may be) lost their image too.
        let missing = leftOut + images.length - placed.length
        for (const [index, { image, where }] of targets.entries()) {
          const attachment = await bringIn(urls, image, index + 1)
          if (attachment) insertAttachment(editor, where, attachment.url, image.alt)
          else missing += 1
        }
        if (missing) toast(leftOutNotice(missing), 'error')
      })()
      return true
    }

    return [
      new Plugin({
        key: new PluginKey('pasteCleanup'),
        props: {
          handleDOMEvents: { paste: forget, drop: forget },
          transformPastedHTML: (html) => {
            const extracted = extractImages(cleanPastedHtml(html), isOwn, MAX_IMAGES_PER_PASTE)
            pending = { images: extracted.images, leftOut: extracted.leftOut }
            return extracted.html
          },
          handlePaste: (view, _event, slice) => insert(view, slice, view.state.selection.from, true),
          handleDrop: (view, event, slice, moved) => {
            if (moved) return forget()
            const at = view.posAtCoords({ left: event.clientX, top: event.clientY })?.pos ?? view.state.selection.from
            return insert(view, slice, at, false)
          },
        },
      }),
    ]
  },
})
