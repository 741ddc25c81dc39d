/**
 * Images: Tiptap's `image` node (src, alt, title, width and height), resizable from its corners
 * (the node view sizes it through the CSSOM, which the CSP allows), inserted from an address or
 * uploaded (the toolbar's file picker, a paste, a drop) as the document's attachments.
 */

import { type Editor, Extension } from '@tiptap/core'
import Image from '@tiptap/extension-image'
import type { Node as ProseMirrorNode } from '@tiptap/pm/model'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap'

import { ApiError, api } from '../lib/api'
import { promptDialog, toast } from '../lib/ui'

/** The types the attachments endpoint takes. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp']

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    imageUploads: {
      /** Uploads `files` and inserts each image at `at` (the selection by default) once stored. */
      uploadImages: (files: File[], at?: number) => ReturnType
      /** Has the server fetch the image at `src` and inserts it at the selection once stored. */
      fetchImage: (src: string, alt?: string) => ReturnType
    }
  }
}

export interface Attachment {
  id: string
  url: string
}

/** Where the attachments of the document are uploaded, and fetched from an address. */
export interface AttachmentUrls {
  url: string
  fetchUrl: string
}

/**
 * A place in the shared document that holds while people edit it (a Yjs relative position):
 * an upload takes a while, and the image goes where it was dropped even if text came before.
 */
export function anchor(editor: Editor, pos: number): () => number {
  const sync = ySyncPluginKey.getState(editor.state)
  if (!sync?.binding) return () => Math.min(pos, editor.state.doc.content.size)
  const relative = absolutePositionToRelativePosition(pos, sync.type, sync.binding.mapping)
  return () => {
    const now = ySyncPluginKey.getState(editor.state)
    const absolute = now?.binding ? relativePositionToAbsolutePosition(now.doc, now.type, relative, now.binding.mapping) : null
    return Math.min(absolute ?? pos, editor.state.doc.content.size)
  }
}

/** Stores an image file as an attachment of the document. */
export function uploadImage(urls: AttachmentUrls, file: File): Promise<Attachment> {
  const form = new FormData()
  form.append('file', file)
  return api<Attachment>('POST', urls.url, form)
}

/** Has the server fetch an image from the web and store it as an attachment (so that the
 * document never shows an image from elsewhere, which would tell that site who reads it). */
export function fetchImage(urls: AttachmentUrls, src: string): Promise<Attachment> {
  return api<Attachment>('POST', urls.fetchUrl, { url: src })
}

/** Inserts a stored image (its `src`) where `where` says, unless the editor can no longer take it. */
export function insertAttachment(editor: Editor, where: () => number, src: string, alt?: string | null): void {
  if (!editor.isEditable || editor.isDestroyed) return
  editor.chain().insertContentAt(where(), { type: 'image', attrs: { src, alt: alt || null } }).run()
}

function reason(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error)
}

async function upload(editor: Editor, urls: AttachmentUrls, files: File[], at: number): Promise<void> {
  const where = anchor(editor, at)
  for (const file of files) {
    try {
      insertAttachment(editor, where, (await uploadImage(urls, file)).url)
    } catch (error) {
      toast(`Could not upload ${file.name}: ${reason(error)}`, 'error')
    }
  }
}

function imageFiles(list: FileList | null | undefined): File[] {
  return [...(list ?? [])].filter((file) => file.type.startsWith('image/'))
}

/** Image files pasted or dropped into the document are uploaded and inserted there. */
export const ImageUploads = Extension.create<AttachmentUrls>({
  name: 'imageUploads',

  addOptions() {
    return { url: '', fetchUrl: '' }
  },

  addCommands() {
    return {
      uploadImages:
        (files, at) =>
        ({ editor }) => {
          if (!this.options.url || files.length === 0) return false
          void upload(editor, this.options, files, at ?? editor.state.selection.from)
          return true
        },
      fetchImage:
        (src, alt) =>
        ({ editor }) => {
          if (!this.options.fetchUrl) return false
          const where = anchor(editor, editor.state.selection.from)
          // The document's own images need no fetching.
          if (src.startsWith(this.options.url)) {
            insertAttachment(editor, where, src, alt)
            return true
          }
          fetchImage(this.options, new URL(src, window.location.href).href)
            .then((attachment) => insertAttachment(editor, where, attachment.url, alt))
            .catch((error: unknown) => toast(`Could not bring in the image: ${reason(error)}`, 'error'))
          return true
        },
    }
  },

  addProseMirrorPlugins() {
    const editor = this.editor
    return [
      new Plugin({
        key: new PluginKey('imageUploads'),
        props: {
          handlePaste: (view, event) => {
            const files = imageFiles(event.clipboardData?.files)
            if (!files.length || !view.editable) return false
            event.preventDefault()
            return editor.commands.uploadImages(files)
          },
          handleDrop: (view, event, _slice, moved) => {
            const files = imageFiles(event.dataTransfer?.files)
            if (moved || !files.length || !view.editable) return false
            event.preventDefault()
            const at = view.posAtCoords({ left: event.clientX, top: event.clientY })?.pos
            return editor.commands.uploadImages(files, at)
          },
        },
      }),
    ]
  },
})

/** The file picker of the toolbar: the chosen images are uploaded to the selection. */
export function chooseImageFiles(editor: Editor): void {
  const input = document.createElement('input')
  input.type = 'file'
  input.accept = IMAGE_TYPES.join(',')
  input.multiple = true
  input.addEventListener('change', () => {
    editor.view.focus()
    editor.commands.uploadImages(imageFiles(input.files))
  })
  input.click()
}

/** Sizes the <img> of a node view to the node's width and height (through the CSSOM). */
function applySize(image: HTMLImageElement | null, node: ProseMirrorNode): void {
  if (!image) return
  const { width, height } = node.attrs as { width?: number | null; height?: number | null }
  image.style.width = width ? `${width}px` : ''
  image.style.height = height ? `${height}px` : ''
}

/**
 * Tiptap's resizable image sizes itself from the node only when it is first drawn: a size
 * another person gives it (an update of the node) is applied here as well.
 */
const SharedSizeImage = Image.extend({
  addNodeView() {
    const parent = this.parent?.()
    if (!parent) return null
    return (props) => {
      const view = parent(props)
      const image = (view.dom as HTMLElement).querySelector('img')
      const update = view.update?.bind(view)
      view.update = (node, decorations, innerDecorations) => {
        const updated = update ? update(node, decorations, innerDecorations) : false
        if (updated) applySize(image, node)
        return updated
      }
      return view
    }
  },
})

export const imageExtensions = [
  SharedSizeImage.configure({
    // Pasted data: URIs would put whole files into the shared document.
    allowBase64: false,
    resize: { enabled: true, directions: ['bottom-right', 'bottom-left'], minWidth: 40, minHeight: 24, alwaysPreserveAspectRatio: true },
  }),
]

/** An address an image may be shown from: the web (http, https) or this site (a path). */
export function imageSource(address: string): string | null {
  const value = address.trim()
  if (!value || value === 'https://') return null
  if (value.startsWith('/') && !value.startsWith('//')) return value
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`
  try {
    const url = new URL(withScheme)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}

/** Asks for an image's address and its description; the server fetches it, and it is
 * inserted at the selection. */
export async function insertImageFromAddress(editor: Editor): Promise<void> {
  const { from, to } = editor.state.selection
  const restore = () => {
    editor.commands.setTextSelection({ from, to })
    editor.view.focus()
  }
  const address = await promptDialog('Insert image', 'Image address', 'https://', 'Next', 2048)
  if (address === null) return restore()
  const src = imageSource(address)
  if (!src) return restore()
  const alt = await promptDialog('Describe the image', 'Description (for people who cannot see it)', '', 'Insert', 500)
  restore()
  if (alt === null) return
  editor.chain().focus().fetchImage(src, alt).run()
}
