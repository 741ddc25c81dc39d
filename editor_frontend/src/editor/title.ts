/** The document title, renamed in place through `PATCH /api/documents/<id>/`. */

import { ApiError, api } from '../lib/api'
import { toast } from '../lib/ui'

const SUFFIX = ' · Docs'

/** Leaving the field saves, Enter saves and goes on into the document, Escape goes back; read-only for viewers. */
export class TitleEditor {
  private readonly input: HTMLInputElement
  private readonly detailUrl: string
  private saved: string
  private saving = false

  /** `onEnter` takes the focus on to the document (leaving the field saves the title). */
  constructor(input: HTMLInputElement, detailUrl: string, editable: boolean, onEnter: () => void) {
    this.input = input
    this.detailUrl = detailUrl
    this.saved = input.value
    this.showInTab()
    this.setEditable(editable)
    input.addEventListener('keydown', (event) => {
      if (input.readOnly) return
      if (event.key === 'Enter') {
        event.preventDefault()
        onEnter()
      } else if (event.key === 'Escape') {
        input.value = this.saved
        input.blur()
      }
    })
    input.addEventListener('blur', () => void this.save())
  }

  get value(): string {
    return this.saved
  }

  setEditable(editable: boolean): void {
    this.input.readOnly = !editable
    this.input.title = editable ? 'Rename' : ''
  }

  /** Someone renamed the document elsewhere: show it, unless the field is being edited here. */
  setRemote(title: string): void {
    if (title === this.saved || document.activeElement === this.input || this.saving) return
    this.saved = title
    this.input.value = title
    this.showInTab()
  }

  private showInTab(): void {
    document.title = `${this.saved}${SUFFIX}`
  }

  private async save(): Promise<void> {
    if (this.input.readOnly) return
    const title = this.input.value.trim()
    if (!title) {
      this.input.value = this.saved
      return
    }
    if (title === this.saved || this.saving) return
    this.saving = true
    this.input.setAttribute('aria-busy', 'true')
    try {
      const updated = await api<{ title: string }>('PATCH', this.detailUrl, { title })
      this.saved = updated.title ?? title
      this.input.value = this.saved
      this.showInTab()
    } catch (error) {
      this.input.value = this.saved
      toast(`Could not rename: ${error instanceof ApiError ? error.message : String(error)}`, 'error')
    } finally {
      this.saving = false
      this.input.removeAttribute('aria-busy')
    }
  }
}
