"""The shared document's content: CRDT <-> ProseMirror JSON, Markdown, HTML and plain text.

The browser edits the `Y.XmlFragment` named `default` through Tiptap and y-tiptap; the server holds
the same fragment in a pycrdt `Doc`. Everything goes through ProseMirror JSON:

- `crdt`: the fragment as ProseMirror JSON (`fragment_to_prosemirror`), and new content written
  into it as a minimal change (`replace_content`), so that concurrent typing survives and a client
  that reconnects does not see its document duplicated;
- `schema`: the editor's schema; all content is normalised into it before it is written or shown;
- `markdown`, `html`, `text`: each format out of and into ProseMirror JSON.
"""

from __future__ import annotations

import json

from pycrdt import XmlFragment

from .crdt import fragment_to_prosemirror, replace_content
from .html import html_to_prosemirror, prosemirror_to_html
from .markdown import markdown_to_prosemirror, prosemirror_to_markdown
from .schema import Node, normalise_doc
from .text import prosemirror_to_text, text_to_prosemirror

__all__ = [
    "FORMATS",
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


def _json_to_prosemirror(source: str) -> Node:
    try:
        doc = json.loads(source)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"invalid JSON: {error}") from error
    return normalise_doc(doc)


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


def parse(format: str, content: str) -> Node:
    """`content` in `format` (one of FORMATS) as a ProseMirror document in the editor's schema.

    Raises ValueError for an unknown format, or for JSON that is not a ProseMirror document.
    """
    if format not in _PARSERS:
        raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    return _PARSERS[format](content)


def render(fragment: XmlFragment, format: str) -> str | Node:
    """The fragment in `format` (one of FORMATS); "json" gives the ProseMirror dict."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    doc = fragment_to_prosemirror(fragment)
    return doc if format == "json" else _RENDERERS[format](doc)
