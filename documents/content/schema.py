"""The editor's schema, normalising any content into it, and walking inline content.

The schema is Tiptap's StarterKit as the editor configures it (`editor_frontend/src/editor/
main.ts`): underline is switched off there, so it is not here either. Nothing outside it may ever
be written to the document: y-tiptap deletes, in every browser, an element or a text whose node
or mark type the editor does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .limits import ContentLimits

Node = dict[str, Any]

TEXTBLOCKS = frozenset({"paragraph", "heading", "codeBlock"})
LISTS = frozenset({"bulletList", "orderedList"})
BLOCKS = TEXTBLOCKS | LISTS | {"blockquote", "horizontalRule"}  # what may stand among blocks
MARKS = ("link", "bold", "code", "italic", "strike")  # in the order of the editor's schema
LINK_ATTRS = ("href", "target", "rel", "class", "title")
# Every link opens a new tab that cannot reach back to the document (window.opener) nor tell it
# where the reader came from: the editor's defaults, which Tiptap gives every link it makes. A
# link that says otherwise (only a client writing the CRDT directly can store one) gets them too.
LINK_OPENS = {"target": "_blank", "rel": "noopener noreferrer nofollow"}
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp", "ftps", "sms", "xmpp"})

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]")
HARD_BREAK: Node = {"type": "hardBreak"}
# Levels of nesting a block takes with its content: a quote holds blocks, a list items of blocks.
_LEVELS_NEEDED = {"blockquote": 2, "bulletList": 3, "orderedList": 3}


def text_node(text: str, marks: list[Node]) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = marks
    return node


def merge_text(nodes: list[Node]) -> list[Node]:
    """Join adjacent text nodes with the same marks, as ProseMirror does."""
    merged: list[Node] = []
    for node in nodes:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and node["type"] == previous["type"] == "text"
            and node.get("marks") == previous.get("marks")
        ):
            merged[-1] = {**previous, "text": previous["text"] + node["text"]}
        else:
            merged.append(node)
    return merged


# --- Normalising into the schema ----------------------------------------------------------------


def normalise_doc(doc: Any) -> Node:
    """`doc` made valid in the editor's schema; unknown nodes are unwrapped, unknown marks dropped.

    Content nested deeper than the limit (what only a client writing the CRDT directly can
    store, since writes through the API are refused) is flattened to text, so that no input can
    exhaust the stack. Raises ValueError when `doc` is not a ProseMirror document at all.
    """
    if not isinstance(doc, dict) or doc.get("type") != "doc":
        raise ValueError('expected a ProseMirror document: {"type": "doc", "content": [...]}')
    levels = ContentLimits.current().max_depth
    return {
        "type": "doc",
        "content": _blocks(doc.get("content"), levels) or [{"type": "paragraph"}],
    }


def _nodes(value: Any) -> list[Node]:
    return [node for node in value if isinstance(node, dict)] if isinstance(value, list) else []


def _blocks(nodes: Any, levels: int) -> list[Node]:
    """Nodes where blocks belong, with `levels` of nesting left for them and what they hold
    (one at least); stray inline content is gathered into paragraphs."""
    blocks: list[Node] = []
    inline: list[Node] = []
    for node in _nodes(nodes):
        kind = node.get("type")
        if kind in ("text", "hardBreak"):
            inline.append(node)
            continue
        if inline:
            blocks.append(_textblock("paragraph", {}, _inline(inline, levels)))
            inline = []
        if levels < _LEVELS_NEEDED.get(kind, 1) or (kind not in BLOCKS and levels < 2):
            blocks.append(_textblock("paragraph", {}, [text_node(_string(plain_text(node)), [])]))
        elif kind in BLOCKS:
            blocks.extend(_block(node, levels - 1))
        else:  # unwrapped, but counted: the recursion is as deep as the input
            blocks.extend(_blocks(node.get("content"), levels - 1))
    if inline:
        blocks.append(_textblock("paragraph", {}, _inline(inline, levels)))
    return blocks


def _block(node: Node, levels: int) -> list[Node]:
    kind = node["type"]
    attrs = node.get("attrs") if isinstance(node.get("attrs"), dict) else {}
    content = node.get("content")
    if kind == "horizontalRule":
        return [{"type": kind}]
    if kind == "paragraph":
        return [_textblock(kind, {}, _inline(content, levels))]
    if kind == "heading":
        level = _integer(attrs.get("level"), 1)
        return [_textblock(kind, {"level": min(max(level, 1), 6)}, _inline(content, levels))]
    if kind == "codeBlock":
        text = "".join(n.get("text", "\n") for n in _inline(content, levels))
        language = (_string(attrs.get("language")) or "").strip()
        return [_textblock(kind, {"language": language} if language else {}, [text_node(text, [])])]
    if kind == "blockquote":
        return [{"type": kind, "content": _blocks(content, levels) or [{"type": "paragraph"}]}]
    items = _list_items(content, levels)
    if not items:
        return []
    if kind == "bulletList":
        return [{"type": kind, "content": items}]
    start = _integer(attrs.get("start"), 1)
    list_attrs: Node = {"start": start if 0 <= start <= 999_999_999 else 1}
    if list_type := _string(attrs.get("type")):
        list_attrs["type"] = list_type
    return [{"type": kind, "attrs": list_attrs, "content": items}]


def _list_items(nodes: Any, levels: int) -> list[Node]:
    """A list's items; anything else inside a list joins the item before it (or a new one)."""
    contents: list[list[Node]] = []
    for node in _nodes(nodes):
        if node.get("type") == "listItem" or not contents:
            contents.append([])
        contents[-1].extend(
            _nodes(node.get("content")) if node.get("type") == "listItem" else [node]
        )
    items = []
    for content in contents:
        blocks = _blocks(content, levels - 1)
        if not blocks or blocks[0]["type"] != "paragraph":
            blocks.insert(0, {"type": "paragraph"})
        items.append({"type": "listItem", "content": blocks})
    return items


def _textblock(kind: str, attrs: Node, inline: list[Node]) -> Node:
    node: Node = {"type": kind}
    if attrs:
        node["attrs"] = attrs
    inline = [n for n in inline if n["type"] != "text" or n["text"]]
    if inline:
        node["content"] = inline
    return node


def _inline(nodes: Any, levels: int) -> list[Node]:
    """Nodes where inline content belongs; anything else is flattened to its inline content."""
    inline: list[Node] = []
    for node in _nodes(nodes):
        kind = node.get("type")
        if kind == "text":
            if text := _string(node.get("text")):
                inline.append(text_node(text, _marks(node.get("marks"))))
        elif kind == "hardBreak":
            inline.append(HARD_BREAK)
        elif levels > 0:
            inline.extend(_inline(node.get("content"), levels - 1))
        elif text := _string(plain_text(node)):
            inline.append(text_node(text, []))
    return merge_text(inline)


def _marks(marks: Any) -> list[Node]:
    """Known marks, once each, in schema order; a link needs a safe href, and opens as
    LINK_OPENS says whatever it asks for; code excludes every other mark, as in the editor."""
    found: dict[str, Node] = {}
    for mark in _nodes(marks):
        kind = mark.get("type")
        if kind == "link":
            attrs = mark.get("attrs") if isinstance(mark.get("attrs"), dict) else {}
            given = {k: _string(v) for k, v in attrs.items() if v is None or isinstance(v, str)}
            if given.get("href") and is_safe_href(given["href"]):
                link = {key: given.get(key) for key in LINK_ATTRS} | LINK_OPENS
                found[kind] = {"type": kind, "attrs": link}
        elif kind in MARKS:
            found[kind] = {"type": kind}
    if "code" in found:
        return [found["code"]]
    return [found[kind] for kind in MARKS if kind in found]


def _integer(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        return int(float(value))
    except (ValueError, OverflowError):
        return default


def plain_text(node: Node) -> str:
    """All the text under `node`, however deep (without recursion)."""
    parts, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current.get("text"), str):
            parts.append(current["text"])
        stack.extend(reversed(_nodes(current.get("content"))))
    return "".join(parts)


def _string(value: Any) -> str | None:
    """A string as the CRDT can hold it (lone surrogates replaced), None for anything else."""
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else None


def is_safe_href(href: str) -> bool:
    """Whether a link target may be kept: relative, or with a harmless scheme (no javascript:)."""
    compact = _INVISIBLE.sub("", href)
    scheme, colon, _ = compact.partition(":")
    relative = not colon or any(char in scheme for char in "/?#")
    return bool(compact) and (relative or scheme.lower() in SAFE_SCHEMES)


# --- Inline serialisation shared by Markdown and HTML -----------------------------------------


def inline_events(nodes: list[Node], move_whitespace: bool) -> Iterator[tuple[str, Any]]:
    """Walk inline nodes as properly nested events: ("open", mark), ("close", mark),
    ("text", text), ("code", text) and ("break", None).

    With `move_whitespace`, whitespace at the edges of marked text moves outside the marks
    (Markdown's `** bold**` would not be bold).
    """
    stack: list[Node] = []
    pending = ""
    for node in nodes:
        marks = node.get("marks", [])
        kept = 0
        while kept < len(stack) and stack[kept] in marks:
            kept += 1
        for mark in reversed(stack[kept:]):
            yield "close", mark
        del stack[kept:]
        if node["type"] != "text":
            if pending:
                yield "text", pending
                pending = ""
            yield "break", None
            continue
        text, lead, trail = node["text"], "", ""
        code = marks == [{"type": "code"}]
        if move_whitespace and not code:
            if not text.strip():
                pending += text
                continue
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            text = text.strip()
        if pending + lead:
            yield "text", pending + lead
        for mark in marks:
            if mark not in stack:
                stack.append(mark)
                yield "open", mark
        yield ("code" if code else "text"), text
        pending = trail
    for mark in reversed(stack):
        yield "close", mark
    if pending:
        yield "text", pending
