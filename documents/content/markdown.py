"""Markdown: GitHub-flavoured (CommonMark with `~~strike~~`, pipe tables and task lists) out and
in, through markdown-it-py (task lists found as mdit-py-plugins finds them, in one pass); what it
cannot express is inline HTML."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .html import HTML_DROPPED, html_block, html_mark, html_nodes, mark_html, sanitized_tree
from .limits import ContentLimits
from .schema import HARD_BREAK, LISTS, Node, inline_events, normalise_doc, text_node

_MD_DELIMITERS = {"bold": "**", "italic": "*", "strike": "~~"}
_MD_HTML_TAGS = {"bold": "strong", "italic": "em", "strike": "s"}
_MD_ESCAPE = re.compile(r"([\\`*_\[\]<~])|&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^([#>+=-])|^(\d+)([.)])")
_MD_COLUMN = {None: "---", "left": ":--", "center": ":-:", "right": "--:"}


def prosemirror_to_markdown(doc: Node) -> str:
    """The document as GitHub-flavoured Markdown, escaped so that it reads back the same.

    Empty paragraphs have no Markdown form and are left out; a hard break is a backslash at the
    end of the line (`<br>` in a heading or a table cell); emphasis that delimiters cannot
    express (next to punctuation) is written as inline HTML, and so are underline, highlight,
    text colour, subscript and superscript. Blocks Markdown cannot hold are written as HTML,
    which `markdown_to_prosemirror` reads back: an aligned paragraph or heading, an image with a
    size, a task list with an empty item, and a table a pipe table cannot express (see
    _md_table). Column widths are left out.
    """
    markdown = _md_blocks(normalise_doc(doc)["content"], in_item=False)
    return markdown + "\n" if markdown else ""


def _md_blocks(blocks: list[Node], in_item: bool) -> str:
    out = ""
    previous: Node | None = None
    previous_alternate = False
    for block in blocks:
        # Two lists of a kind in a row would merge into one: the second switches its marker.
        alternate = previous is not None and previous["type"] == block["type"]
        alternate = alternate and not previous_alternate
        rendered = _md_block(block, alternate)
        if not rendered:
            continue
        if previous is not None:
            tight = in_item and previous["type"] == "paragraph" and _interrupts(block)
            out += "\n" if tight else "\n\n"
        out += rendered
        previous, previous_alternate = block, alternate
    return out


def _interrupts(block: Node) -> bool:
    """Whether a list may follow a paragraph without a blank line: it must start at 1, and its
    first item must not start empty (else it reads as the paragraph's continuation)."""
    if block["type"] not in LISTS or block.get("attrs", {}).get("start", 1) != 1:
        return False
    return "content" in block["content"][0]["content"][0]


def _md_block(block: Node, alternate: bool) -> str:
    kind = block["type"]
    attrs = block.get("attrs", {})
    content = block.get("content", [])
    if kind in ("paragraph", "heading") and "textAlign" in attrs:
        return _md_html(block)
    if kind == "paragraph":
        return _md_textblock(content, heading=False)
    if kind == "image":
        return _md_image(attrs)
    if kind == "table":
        return _md_table(block)
    if kind == "taskList" and not all(_md_task_opens(item["content"][0]) for item in content):
        return _md_html(block)
    if kind == "heading":
        return ("#" * attrs["level"] + " " + _md_textblock(content, heading=True)).rstrip()
    if kind == "horizontalRule":
        return "---"
    if kind == "codeBlock":
        return _md_code_block(content[0]["text"] if content else "", attrs.get("language", ""))
    if kind == "blockquote":
        return _indent(_md_blocks(content, in_item=False), "> ", "> ")
    items = []
    for number, item in enumerate(content, attrs.get("start", 1)):
        if kind == "orderedList":
            marker = f"{number}{')' if alternate else '.'} "
        else:
            marker = "* " if alternate else "- "
        rest = " " * len(marker)
        if kind == "taskList":
            marker += "[x] " if item["attrs"]["checked"] else "[ ] "
        items.append(_indent(_md_blocks(item["content"], in_item=True), marker, rest))
    return "\n".join(items)


def _md_task_opens(paragraph: Node) -> bool:
    """Whether a task item's first paragraph can follow its box: "- [ ]" alone is no task, and
    an aligned paragraph is HTML, where the box would be text."""
    return "content" in paragraph and "textAlign" not in paragraph.get("attrs", {})


def _md_html(block: Node) -> str:
    """A block as HTML on one line: an HTML block ends at a blank line."""
    return html_block(block).replace("\n", "&#10;")


def _md_image(attrs: Node) -> str:
    if "width" in attrs or "height" in attrs:
        return _md_html({"type": "image", "attrs": attrs})
    alt = _md_escape(attrs.get("alt", "").replace("\n", " "), heading=False)
    return f"![{alt}" + _md_link_end({"href": attrs["src"], **attrs})


def _md_table(table: Node) -> str:
    """A pipe table when it can say all of the table but its column widths: a first row of
    header cells only, no other header cell, no spans, one paragraph in each cell (not aligned
    itself), each cell aligned as its column's header; else the table as HTML."""
    rows = [row["content"] for row in table["content"]]
    width = len(rows[0])
    fits = all(len(cells) == width for cells in rows)
    fits = fits and all(cell["type"] == "tableHeader" for cell in rows[0])
    fits = fits and all(cell["type"] == "tableCell" for cells in rows[1:] for cell in cells)
    fits = fits and all(
        cell["attrs"]["colspan"] == cell["attrs"]["rowspan"] == 1
        and [block["type"] for block in cell["content"]] == ["paragraph"]
        for cells in rows
        for cell in cells
    )
    if not fits:
        return _md_html(table)
    aligns = [cell["attrs"].get("align") for cell in rows[0]]
    lines = [_md_row(cells) for cells in rows]
    lines.insert(1, "| " + " | ".join(_MD_COLUMN.get(align, "---") for align in aligns) + " |")
    markdown = "\n".join(lines)
    unsized = [
        {**row, "content": [{**c, "attrs": _without_width(c["attrs"])} for c in row["content"]]}
        for row in table["content"]
    ]
    if markdown_to_prosemirror(markdown)["content"] != [{**table, "content": unsized}]:
        return _md_html(table)  # alignments that differ in a column, and the like
    return markdown


def _without_width(attrs: Node) -> Node:
    return {key: value for key, value in attrs.items() if key != "colwidth"}


def _md_row(cells: list[Node]) -> str:
    texts = [_md_textblock(cell["content"][0].get("content", []), heading=True) for cell in cells]
    return "| " + " | ".join(text.replace("|", "\\|") for text in texts) + " |"


def _indent(text: str, first: str, rest: str) -> str:
    """Prefix the first line with `first` and the others with `rest` (blank lines stay bare)."""
    lines = text.split("\n")
    prefixes = [first] + [rest] * (len(lines) - 1)
    return "\n".join(
        p + line if line else p.rstrip() for p, line in zip(prefixes, lines, strict=True)
    )


def _md_code_block(text: str, language: str) -> str:
    language = " ".join(language.split())
    fence_char = "~" if "`" in language else "`"
    longest = max((len(run) for run in re.findall(f"{re.escape(fence_char)}+", text)), default=0)
    fence = fence_char * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}" if text else f"{fence}{language}\n{fence}"


def _md_textblock(content: list[Node], heading: bool) -> str:
    """Inline Markdown of a textblock, checked by reading it back; emphasis that does not come
    back the same is written as HTML instead."""
    while content and content[-1]["type"] == "hardBreak":  # nothing can follow it in Markdown
        content = content[:-1]
    markdown = _md_inline(content, heading, html_emphasis=False)
    marked = any(node.get("marks") for node in content)
    if marked and _md_shape(markdown_to_prosemirror(markdown)) != _md_shape(_doc(content)):
        markdown = _md_inline(content, heading, html_emphasis=True)
    return markdown


def _doc(inline: list[Node]) -> Node:
    return {"type": "doc", "content": [{"type": "paragraph", "content": inline}]}


def _md_shape(doc: Node) -> list[Any]:
    """What Markdown must preserve of a paragraph: its blocks' text and mark types."""
    return [
        [(n.get("text"), [m["type"] for m in n.get("marks", [])]) for n in b.get("content", [])]
        for b in doc["content"]
    ]


def _md_inline(content: list[Node], heading: bool, html_emphasis: bool) -> str:
    parts = []
    for kind, value in inline_events(content, move_whitespace=not html_emphasis):
        if kind == "text":
            parts.append(_md_escape(value, heading))
        elif kind == "code":
            parts.append(_md_code_span(value))
        elif kind == "break":
            parts.append("<br>" if heading else "\\\n")
        elif value["type"] in _MD_DELIMITERS:
            tag = _MD_HTML_TAGS[value["type"]]
            html = f"<{tag}>" if kind == "open" else f"</{tag}>"
            parts.append(html if html_emphasis else _MD_DELIMITERS[value["type"]])
        elif value["type"] not in ("link", "code"):
            parts.append(mark_html(value, kind == "close"))
        elif value["type"] == "link" and kind == "close":
            parts.append(_md_link_end(value["attrs"]))
        elif value["type"] == "link":
            if parts and parts[-1].endswith("!"):  # "![" would start an image
                parts[-1] = parts[-1][:-1] + "\\!"
            parts.append("[")
        # The code mark opens and closes nothing here: its span comes whole with its text.
    lines = "".join(parts).split("\n")
    lines = [_md_line_start(line) for line in lines]
    lines[-1] = re.sub(r"\s+$", _entities, lines[-1])
    return "\n".join(lines)


def _md_escape(text: str, heading: bool) -> str:
    escaped = _MD_ESCAPE.sub(lambda m: "\\" + m.group(0), text)
    if heading:
        escaped = escaped.replace("#", "\\#").replace("\n", "<br>")
    return escaped.replace("\n", "\\\n")


def _md_line_start(line: str) -> str:
    """Keep a line from starting a block (heading, list, quote...) or losing its indentation."""
    line = re.sub(r"^\s+", _entities, line)
    return _MD_LINE_START.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), line
    )


def _entities(match: re.Match[str]) -> str:
    return "".join(f"&#{ord(char)};" for char in match.group(0))


def _md_code_span(text: str) -> str:
    text = text.replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padded = text.startswith("`") or text.endswith("`")
    if text.startswith(" ") and text.endswith(" ") and text.strip():
        padded = True
    return f"{fence} {text} {fence}" if padded else f"{fence}{text}{fence}"


def _md_link_end(attrs: Node) -> str:
    href = attrs["href"].replace("\n", "")
    if re.search(r"[\s()<>\\]|[\x00-\x1f]", href):
        href = "<" + re.sub(r"([<>\\])", r"\\\1", href) + ">"
    title = attrs.get("title")
    if not title:
        return f"]({href})"
    escaped = re.sub(r'(["\\])', r"\\\1", title.replace("\n", " "))
    return f']({href} "{escaped}")'


# --- Markdown input -------------------------------------------------------------------------


@cache
def _markdown_parser(max_depth: int) -> MarkdownIt:
    # markdown-it drops, without a word, whatever lies deeper than its `maxNesting` (20 in the
    # CommonMark preset): one level more than the limit lets markdown_to_prosemirror see, and
    # refuse, whatever is too deep before anything is dropped.
    options = {"html": True, "maxNesting": max_depth + 1}
    parser = MarkdownIt("commonmark", options).enable(["strikethrough", "table"])
    parser.core.ruler.after("inline", "task_boxes", _task_boxes)
    return parser


def _task_boxes(state: StateCore) -> None:
    """Mark each list item whose first paragraph starts with "[ ] " or "[x] " as GitHub does,
    as mdit-py-plugins' tasklists does (a box token first in the item's inline content), in one
    pass: that plugin looks for each item's list from the item back, which costs the square of a
    list's length (a minute for a megabyte of "- [ ] a" lines, refused only once parsed)."""
    tokens = state.tokens
    for index in range(2, len(tokens)):
        inline = tokens[index]
        if inline.type != "inline" or tokens[index - 1].type != "paragraph_open":
            continue
        if tokens[index - 2].type != "list_item_open" or not inline.children:
            continue
        first = inline.children[0]
        box = first.content[:4] if first.type == "text" else ""
        if box not in ("[ ] ", "[x] ", "[X] "):
            continue
        first.content = first.content[3:]
        checked = 'checked="checked">' if box != "[ ] " else ">"
        inline.children.insert(0, Token("html_inline", "", 0, content=_MD_TASK + checked))


_MD_CONTAINERS = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "blockquote_open": "blockquote",
    "bullet_list_open": "bulletList",
    "ordered_list_open": "orderedList",
    "list_item_open": "listItem",
    "table_open": "table",
    "tr_open": "tableRow",
    "th_open": "tableHeader",
    "td_open": "tableCell",
}
_MD_CELLS = frozenset({"th_open", "td_open", "th_close", "td_close"})
_MD_TASK = '<input class="task-list-item-checkbox" '
_MD_TABLE_PARTS = frozenset({"thead_open", "thead_close", "tbody_open", "tbody_close"})
_MD_MARKS = {"strong": "bold", "em": "italic", "s": "strike"}
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")


def markdown_to_prosemirror(source: str) -> Node:
    """GitHub-flavoured Markdown as a document: CommonMark with `~~strike~~`, pipe tables (their
    column alignment on each cell) and task lists (a bullet list whose items all
    start with `[ ]` or `[x]`; in any other list these stay text).

    Unknown inline HTML degrades to its text; HTML, inline or in blocks, is read by
    `html_to_prosemirror`'s rules (sanitized: no scripts, handlers or unsafe URLs). Raises
    ContentTooDeep for blocks nested deeper than the limit (see ContentLimits).
    """
    limits = ContentLimits.current()
    root: Node = {"type": "doc", "content": []}
    stack = [root]
    for token in _markdown_parser(limits.max_depth).parse(source):
        if token.type in _MD_TABLE_PARTS:  # their rows are the table's
            continue
        # A block opened or met here lies len(stack) levels deep (inline content adds none).
        if token.nesting != -1 and token.type != "inline" and len(stack) > limits.max_depth:
            raise limits.too_deep("The Markdown")
        if token.nesting == 1:
            node: Node = {"type": _MD_CONTAINERS.get(token.type, "unknown"), "content": []}
            if token.type == "heading_open":
                node["attrs"] = {"level": int(token.tag[1])}
            elif token.type == "ordered_list_open":
                start = token.attrGet("start")
                node["attrs"] = {"start": 1 if start is None else start}
            stack[-1]["content"].append(node)
            stack.append(node)
            if token.type in _MD_CELLS:  # a cell holds its inline content in a paragraph
                if len(stack) > limits.max_depth:
                    raise limits.too_deep("The Markdown")
                align = (token.attrGet("style") or "").removeprefix("text-align:")
                node["attrs"] = {"align": align}
                node["content"].append({"type": "paragraph", "content": []})
                stack.append(node["content"][0])
        elif token.nesting == -1:
            closed = None
            for _ in range(2 if token.type in _MD_CELLS else 1):
                closed = stack.pop() if len(stack) > 1 else None
            if closed is not None and token.type in ("bullet_list_close", "ordered_list_close"):
                _md_tasks(closed)
        else:
            stack[-1]["content"].extend(_md_leaf(token, limits.max_depth - len(stack)))
    return normalise_doc(root)


def _md_tasks(node: Node) -> None:
    """A bullet list whose items all start with a task's box becomes a task list; in any other
    list, the boxes are text again."""
    markers = [_md_task_marker(item) for item in node["content"]]
    tasks = node["type"] == "bulletList" and bool(markers) and None not in markers
    for item, marker in zip(node["content"], markers, strict=True):
        if marker is None:
            continue
        inline = item["content"][0]["content"]
        checked = 'checked="checked"' in marker["html"]
        if not tasks:
            inline[0] = text_node("[x]" if checked else "[ ]", [])
            continue
        del inline[0]
        if inline and inline[0]["type"] == "text":
            inline[0]["text"] = inline[0]["text"].removeprefix(" ")
        item["type"], item["attrs"] = "taskItem", {"checked": checked}
    if tasks:
        node["type"] = "taskList"


def _md_task_marker(item: Node) -> Node | None:
    blocks = item.get("content") or [{}]
    inline = blocks[0].get("content") or [{}] if blocks[0].get("type") == "paragraph" else [{}]
    return inline[0] if inline[0].get("type") == "taskMarker" else None


def _md_leaf(token: Token, levels: int) -> list[Node]:
    """A block without blocks inside (an HTML block may hold some: `levels` are left for them)."""
    if token.type == "inline":
        return _md_inline_nodes(token.children or [], [])
    if token.type in ("fence", "code_block"):
        language = token.info.split()[0] if token.info.strip() else ""
        text = token.content.removesuffix("\n")
        return [
            {
                "type": "codeBlock",
                "attrs": {"language": language},
                "content": [text_node(text, [])],
            }
        ]
    if token.type == "hr":
        return [{"type": "horizontalRule"}]
    if token.type == "html_block":
        return html_nodes(sanitized_tree(token.content, levels + 1).children, [], pre=False)
    return [text_node(token.content, [])] if token.content else []


def _md_inline_nodes(tokens: list[Token], marks: list[Node]) -> list[Node]:
    nodes: list[Node] = []
    dropping = ""  # inside inline <script> or the like: skip to its end tag
    open_tags: dict[str, list[Node | None]] = {}  # inline HTML: by tag, the marks each opened
    for token in tokens:
        name = token.type.removesuffix("_open").removesuffix("_close")
        tag = _HTML_TAG.match(token.content) if token.type == "html_inline" else None
        if dropping:
            dropping = "" if tag and tag.group(0).lower() == "</" + dropping else dropping
        elif tag and not tag.group(1) and tag.group(2).lower() in HTML_DROPPED:
            dropping = tag.group(2).lower()
        elif token.type == "text":
            nodes.append(text_node(token.content, list(marks)))
        elif token.type == "softbreak":
            nodes.append(text_node(" ", list(marks)))
        elif token.type == "hardbreak":
            nodes.append(HARD_BREAK)
        elif token.type == "code_inline":
            nodes.append(text_node(token.content, [{"type": "code"}]))
        elif token.type == "image":
            attrs = {"src": token.attrGet("src"), "title": token.attrGet("title")}
            alt = "".join(n.get("text", "") for n in _md_inline_nodes(token.children or [], []))
            nodes.append({"type": "image", "attrs": attrs | {"alt": alt}})
        elif token.type == "html_inline" and token.content.startswith(_MD_TASK):
            nodes.append({"type": "taskMarker", "html": token.content})  # see _md_tasks
        elif token.type == "link_open":
            attrs = {key: token.attrGet(key) for key in ("href", "title") if token.attrGet(key)}
            marks.append({"type": "link", "attrs": attrs})
        elif name in _MD_MARKS or name == "link":
            _toggle_mark(marks, _MD_MARKS.get(name, "link"), token.nesting == 1)
        elif tag:
            nodes.extend(_md_html_inline(token.content, tag, marks, open_tags))
        elif token.content:
            nodes.append(text_node(token.content, list(marks)))
    return nodes


def _md_html_inline(
    html: str, tag: re.Match[str], marks: list[Node], open_tags: dict[str, list[Node | None]]
) -> list[Node]:
    """Inline HTML in Markdown: <br>, <img> and the tags of marks count (read as HTML is, see
    html_mark), other tags are dropped. A closing tag ends the mark its latest opening began;
    a mark of a type already open opens nothing, so that `marks` stays short (each text node
    copies it) whatever the nesting."""
    closing, name = tag.group(1) == "/", tag.group(2).lower()
    if name == "br":
        return [HARD_BREAK]
    if closing:
        opened = open_tags[name].pop() if open_tags.get(name) else None
        if opened is not None:
            marks[:] = [mark for mark in marks if mark is not opened]
        return []
    elements = sanitized_tree(html, 1).children
    if not elements or isinstance(elements[0], str):
        return []
    if name == "img":
        return html_nodes(elements[:1], [], pre=False)
    mark = (html_mark(elements[0]) or [None])[0]
    if mark is not None and any(open_mark["type"] == mark["type"] for open_mark in marks):
        mark = None
    open_tags.setdefault(name, []).append(mark)
    if mark is not None:
        marks.append(mark)
    return []


def _toggle_mark(marks: list[Node], kind: str, opening: bool) -> None:
    if opening:
        marks.append({"type": kind})
        return
    for index in range(len(marks) - 1, -1, -1):
        if marks[index]["type"] == kind:
            del marks[index]
            return
