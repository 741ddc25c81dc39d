"""The shared document's content: CRDT <-> ProseMirror JSON, Markdown, HTML and plain text.

The browser edits the `Y.XmlFragment` named `default` through Tiptap and y-tiptap; the server holds
the same fragment in a pycrdt `Doc`. Everything goes through ProseMirror JSON:

- `crdt`: the fragment as ProseMirror JSON (`fragment_to_prosemirror`), and new content written
  into it as a minimal change (`replace_content`), so that concurrent typing survives and a client
  that reconnects does not see its document duplicated;
- `schema`: the editor's schema; all content is normalised into it before it is written or shown;
- `limits`: how large and how deep the content of one write may be;
- `markdown`, `html`, `text`: each format out of and into ProseMirror JSON.
"""

from __future__ import annotations

import json

from pycrdt import XmlFragment

from .crdt import fragment_to_prosemirror, replace_content
from .html import html_to_prosemirror, prosemirror_to_html
from .limits import ContentLimits, ContentRefused, ContentTooDeep, ContentTooLarge
from .markdown import markdown_to_prosemirror, prosemirror_to_markdown
from .schema import Node, normalise_doc
from .text import prosemirror_to_text, text_to_prosemirror

__all__ = [
    "FORMATS",
    "ContentLimits",
    "ContentRefused",
    "ContentTooDeep",
    "ContentTooLarge",
    "fragment_to_prosemirror",
    "html_to_prosemirror",
    "markdown_to_prosemirror",
    "parse",
    "prosemirror_to_html",
    "prosemirror_to_markdown",
    "prosemirror_to_text",
    "render",
    "replace_content",
    "text_to_prosemirror",
]

FORMATS = ("text", "markdown", "html", "json")


def _json_to_prosemirror(source: str | Node) -> Node:
    """ProseMirror JSON, as a string or parsed, in the editor's schema; sized as compact JSON."""
    limits = ContentLimits.current()
    if isinstance(source, str):
        limits.check_bytes(_utf8_size(source))
        try:
            source = json.loads(source)
        except RecursionError:
            raise limits.too_deep("The JSON") from None
        except ValueError as error:
            raise ValueError(f"invalid JSON: {error}") from error
    limits.check_tree(source)
    try:
        limits.check_bytes(_utf8_size(json.dumps(source, ensure_ascii=False)))
    except RecursionError:  # nested attributes: check_tree measures the nodes only
        raise limits.too_deep("The JSON") from None
    return normalise_doc(source)


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


_PARSERS = {
    "text": text_to_prosemirror,
    "markdown": markdown_to_prosemirror,
    "html": html_to_prosemirror,
    "json": _json_to_prosemirror,
}
_RENDERERS = {
    "text": prosemirror_to_text,
    "markdown": prosemirror_to_markdown,
    "html": prosemirror_to_html,
}


def parse(format: str, content: str | Node) -> Node:
    """`content` in `format` (one of FORMATS) as a ProseMirror document in the editor's schema.

    `content` is a string; for "json" it may be the document itself. Raises ContentTooLarge for
    content over the limits of bytes or nodes, ContentTooDeep for content nested deeper than the
    limit (see ContentLimits), ValueError for an unknown format, or for JSON that is not a
    ProseMirror document.
    """
    if format not in _PARSERS:
        raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    if format == "json":
        return _json_to_prosemirror(content)
    if not isinstance(content, str):
        raise ValueError(f"{format} content must be a string")
    limits = ContentLimits.current()
    limits.check_bytes(_utf8_size(content))
    doc = _PARSERS[format](content)
    limits.check_tree(doc)
    return doc


def render(fragment: XmlFragment, format: str) -> str | Node:
    """The fragment in `format` (one of FORMATS); "json" gives the ProseMirror dict.

    Every format shows the document in the editor's schema, as the editor shows it: what it
    cannot show is left out, and links open safely (see schema.LINK_OPENS).
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    doc = fragment_to_prosemirror(fragment)
    return normalise_doc(doc) if format == "json" else _RENDERERS[format](doc)
