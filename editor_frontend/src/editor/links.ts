/**
 * Links as the editor shows them: each opens a new tab that cannot reach back to this page
 * (rel="noopener noreferrer"), whatever target and rel the shared document gives it, and an
 * href Tiptap does not allow (javascript: and the like) is not rendered at all. Any client can
 * write a link's attributes into the Yjs document directly; the server's exports say the same.
 */

import { mergeAttributes } from '@tiptap/core'
import { Link, isAllowedUri } from '@tiptap/extension-link'

export const LINK_TARGET = '_blank'
export const LINK_REL = 'noopener noreferrer nofollow'

export const SafeLink = Link.extend({
  renderHTML({ HTMLAttributes }) {
    const { href, target: _target, rel: _rel, ...rest } = HTMLAttributes
    const allowed =
      typeof href === 'string' &&
      this.options.isAllowedUri(href, {
        defaultValidate: (url) => !!isAllowedUri(url, this.options.protocols),
        protocols: this.options.protocols,
        defaultProtocol: this.options.defaultProtocol,
      })
    const opens = { target: LINK_TARGET, rel: LINK_REL }
    return ['a', mergeAttributes(this.options.HTMLAttributes, rest, allowed ? { href } : {}, opens), 0]
  },
})
