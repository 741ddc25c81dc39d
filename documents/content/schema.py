"""The editor's schema, normalising any content into it, and walking inline content.

The schema is Tiptap's StarterKit with the open-source extensions the editor adds, under their
names: tables (`table`, `tableRow`, `tableHeader`, `tableCell`), `image` (a block), checklists
(`taskList`, `taskItem`, nested), `underline`, `textStyle` (with `color`), `highlight` (with an
optional `color`), `subscript`, `superscript` and `textAlign` on paragraphs and headings. Nothing
outside it may ever be written to the document: y-tiptap deletes, in every browser, an element or
a text whose node or mark type the editor does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .limits import ContentLimits

Node = dict[str, Any]

TEXTBLOCKS = frozenset({"paragraph", "heading", "codeBlock"})
LISTS = frozenset({"bulletList", "orderedList", "taskList"})
LIST_ITEMS = frozenset({"listItem", "taskItem"})
TABLE_CELLS = frozenset({"tableCell", "tableHeader"})
# What may stand among blocks.
BLOCKS = TEXTBLOCKS | LISTS | {"blockquote", "horizontalRule", "table", "image"}
# In the order of the editor's schema, which ranks by priority (link's 1000, textStyle's 101, the
# rest 100) and then as the extensions are listed: StarterKit's, then the others.
MARKS = (
    "link",
    "textStyle",
    "bold",
    "code",
    "italic",
    "strike",
    "underline",
    "highlight",
    "subscript",
    "superscript",
)
ALIGNMENTS = frozenset({"left", "center", "right", "justify"})
CELL_ALIGNMENTS = frozenset({"left", "center", "right"})
IMAGE_ATTRS = ("src", "alt", "title", "width", "height")
# The largest colspan, rowspan, column width and image size kept; beyond, the default.
MAX_SPAN = 1_000
MAX_PIXELS = 100_000
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
_LEVELS_NEEDED = {"blockquote": 2, "bulletList": 3, "orderedList": 3, "taskList": 3, "table": 4}
_COLOUR = re.compile(
    r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)"
)
_IMAGE_PATH = re.compile(r"/api/documents/[^\s\\]*")
_IMAGE_URL = re.compile(r"https?://[^/\s\\][^\s\\]*", re.IGNORECASE)


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
    attrs = _attrs(node)
    content = node.get("content")
    if kind == "horizontalRule":
        return [{"type": kind}]
    if kind == "image":
        image = _image(node)
        if image["type"] == "image":
            return [image]
        return [_textblock("paragraph", {}, [image])] if image["text"] else []
    if kind == "paragraph":
        return _split_at_images(kind, _alignment(attrs), _inline(content, levels))
    if kind == "heading":
        level = min(max(_integer(attrs.get("level"), 1), 1), 6)
        return _split_at_images(
            kind, {"level": level} | _alignment(attrs), _inline(content, levels)
        )
    if kind == "codeBlock":
        text = "".join(
            n.get("text", "\n") for n in _inline(content, levels) if n["type"] != "image"
        )
        language = (_string(attrs.get("language")) or "").strip()
        return [_textblock(kind, {"language": language} if language else {}, [text_node(text, [])])]
    if kind == "blockquote":
        return [{"type": kind, "content": _blocks(content, levels) or [{"type": "paragraph"}]}]
    if kind == "table":
        rows = _table_rows(content, levels)
        return [{"type": kind, "content": rows}] if rows else []
    items = _list_items(content, levels, "taskItem" if kind == "taskList" else "listItem")
    if not items:
        return []
    if kind in ("bulletList", "taskList"):
        return [{"type": kind, "content": items}]
    start = _integer(attrs.get("start"), 1)
    list_attrs: Node = {"start": start if 0 <= start <= 999_999_999 else 1}
    if list_type := _string(attrs.get("type")):
        list_attrs["type"] = list_type
    return [{"type": kind, "attrs": list_attrs, "content": items}]


def _attrs(node: Node) -> Node:
    return node["attrs"] if isinstance(node.get("attrs"), dict) else {}


def _alignment(attrs: Node) -> Node:
    align = attrs.get("textAlign")
    return {"textAlign": align} if isinstance(align, str) and align in ALIGNMENTS else {}


def _split_at_images(kind: str, attrs: Node, inline: list[Node]) -> list[Node]:
    """A textblock whose inline content holds images (from HTML or Markdown, where an image is
    inline) as the blocks the schema allows: the text around each image, and the image."""
    if not any(node["type"] == "image" for node in inline):
        return [_textblock(kind, attrs, inline)]
    blocks: list[Node] = []
    run: list[Node] = []
    for node in [*inline, None]:
        if node is not None and node["type"] != "image":
            if node["type"] == "text" and not run:  # spaces at the edges of a block are not shown
                node = {**node, "text": node["text"].lstrip(" ")}
            run.append(node)
            continue
        if run and run[-1]["type"] == "text":
            run[-1] = {**run[-1], "text": run[-1]["text"].rstrip(" ")}
        if run and any(n["type"] != "text" or n["text"] for n in run):
            blocks.append(_textblock(kind, attrs, run))
        run = []
        if node is not None:
            blocks.append(node)
    return blocks


def _list_items(nodes: Any, levels: int, item_type: str) -> list[Node]:
    """A list's items; anything else inside a list joins the item before it (or a new one)."""
    contents: list[tuple[Node, list[Node]]] = []
    for node in _nodes(nodes):
        is_item = node.get("type") in LIST_ITEMS
        if is_item or not contents:
            contents.append((node if is_item else {}, []))
        contents[-1][1].extend(_nodes(node.get("content")) if is_item else [node])
    items = []
    for source, content in contents:
        blocks = _blocks(content, levels - 1)
        if not blocks or blocks[0]["type"] != "paragraph":
            blocks.insert(0, {"type": "paragraph"})
        item: Node = {"type": item_type}
        if item_type == "taskItem":
            checked = _attrs(source).get("checked")
            item["attrs"] = {"checked": checked is True or checked == "true"}
        items.append(item | {"content": blocks})
    return items


def _table_rows(nodes: Any, levels: int) -> list[Node]:
    """A table's rows; anything else inside a table joins the row before it (or a new one), and
    rows without cells are left out (a table holds one row at least)."""
    rows: list[list[Node]] = []
    for node in _nodes(nodes):
        is_row = node.get("type") == "tableRow"
        if is_row or not rows:
            rows.append([])
        rows[-1].extend(_nodes(node.get("content")) if is_row else [node])
    normalised = []
    for cells in rows:
        if content := _table_cells(cells, levels - 1):
            normalised.append({"type": "tableRow", "content": content})
    return normalised


def _table_cells(nodes: list[Node], levels: int) -> list[Node]:
    """A row's cells; anything else inside a row joins the cell before it (or a new one)."""
    cells: list[tuple[Node, list[Node]]] = []
    for node in nodes:
        is_cell = node.get("type") in TABLE_CELLS
        if is_cell or not cells:
            cells.append((node if is_cell else {"type": "tableCell"}, []))
        cells[-1][1].extend(_nodes(node.get("content")) if is_cell else [node])
    return [
        {
            "type": cell["type"],
            "attrs": _cell_attrs(_attrs(cell)),
            "content": _blocks(content, levels - 1) or [{"type": "paragraph"}],
        }
        for cell, content in cells
    ]


def _cell_attrs(attrs: Node) -> Node:
    """colspan and rowspan (1 unless given), colwidth when it gives a width (0: not yet
    measured, as prosemirror-tables writes it) for each column the cell spans, and align (left,
    center or right) when given."""
    colspan, rowspan = (_pixels(attrs.get(key), 1, MAX_SPAN) or 1 for key in ("colspan", "rowspan"))
    cell: Node = {"colspan": colspan, "rowspan": rowspan}
    widths = attrs.get("colwidth")
    if isinstance(widths, list) and len(widths) == colspan:
        measured = [_pixels(width, 0, MAX_PIXELS) for width in widths]
        if None not in measured:
            cell["colwidth"] = measured
    if attrs.get("align") in CELL_ALIGNMENTS:
        cell["align"] = attrs["align"]
    return cell


def _image(node: Node) -> Node:
    """An image with a safe `src` (see is_safe_image_src); else its alt text, as a text node."""
    attrs = _attrs(node)
    src = (_string(attrs.get("src")) or "").strip()
    if not is_safe_image_src(src):
        return text_node(_string(attrs.get("alt")) or "", [])
    image: Node = {"src": src}
    for key in ("alt", "title"):
        if value := _string(attrs.get(key)):  # an empty one says no more than none
            image[key] = value
    for key in ("width", "height"):
        if pixels := _pixels(attrs.get(key), 1, MAX_PIXELS):
            image[key] = pixels
    return {"type": "image", "attrs": image}


def _pixels(value: Any, low: int, high: int) -> int | None:
    """A whole number between `low` and `high` (a number or its string), else None."""
    number = _integer(value, -1) if value is not None else -1
    return number if low <= number <= high else None


def _textblock(kind: str, attrs: Node, inline: list[Node]) -> Node:
    node: Node = {"type": kind}
    if attrs:
        node["attrs"] = attrs
    inline = [n for n in inline if n["type"] != "text" or n["text"]]
    if inline:
        node["content"] = inline
    return node


def _inline(nodes: Any, levels: int) -> list[Node]:
    """Nodes where inline content belongs; anything else is flattened to its inline content.
    Images are kept (with a safe src, else as their alt text), for the textblock to split at."""
    inline: list[Node] = []
    for node in _nodes(nodes):
        kind = node.get("type")
        if kind == "text":
            if text := _string(node.get("text")):
                inline.append(text_node(text, _marks(node.get("marks"))))
        elif kind == "hardBreak":
            inline.append(HARD_BREAK)
        elif kind == "image":
            inline.append(_image(node))
        elif levels > 0:
            inline.extend(_inline(node.get("content"), levels - 1))
        elif text := _string(plain_text(node)):
            inline.append(text_node(text, []))
    return merge_text(inline)


def _marks(marks: Any) -> list[Node]:
    """Known marks, once each, in schema order; a link needs a safe href, and opens as
    LINK_OPENS says whatever it asks for; text colour needs a colour (see safe_colour), which a
    highlight may have; code excludes every other mark, as in the editor."""
    found: dict[str, Node] = {}
    for mark in _nodes(marks):
        kind = mark.get("type")
        attrs = _attrs(mark)
        if kind == "link":
            given = {k: _string(v) for k, v in attrs.items() if v is None or isinstance(v, str)}
            if given.get("href") and is_safe_href(given["href"]):
                link = {key: given.get(key) for key in LINK_ATTRS} | LINK_OPENS
                found[kind] = {"type": kind, "attrs": link}
        elif kind in ("textStyle", "highlight"):
            # A highlight without a colour has it null, as the editor (multicolor) stores it.
            colour = safe_colour(attrs.get("color"))
            if colour or kind == "highlight":
                found[kind] = {"type": kind, "attrs": {"color": colour}}
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


def safe_colour(value: Any) -> str | None:
    """`value` if it is a colour as `#rgb`, `#rrggbb` or `rgb(r, g, b)` (each 0 to 255), else None:
    nothing else may reach a style attribute."""
    if not isinstance(value, str) or not (match := _COLOUR.fullmatch(value.strip())):
        return None
    if any(int(part) > 255 for part in match.groups() if part is not None):
        return None
    return value.strip()


def is_safe_image_src(src: str) -> bool:
    """Whether an image may be shown from `src`: an http(s) URL, or a path of the site's own
    document API (`/api/documents/<id>/attachments/...`). No data: URLs, as in Tiptap's default."""
    if _INVISIBLE.search(src):
        return False
    if _IMAGE_URL.fullmatch(src):
        return True
    segments = src.split("?")[0].split("#")[0].split("/")
    return bool(_IMAGE_PATH.fullmatch(src)) and not {".", ".."} & set(segments)


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
