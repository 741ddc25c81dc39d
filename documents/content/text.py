"""Plain text: one line per textblock, lists with their markers, table rows as lines of cells."""

from __future__ import annotations

from .schema import TEXTBLOCKS, Node, normalise_doc, text_node


def prosemirror_to_text(doc: Node) -> str:
    """The document as plain text: one line per textblock and hard break.

    Blocks are separated by a single "\\n" (no blank lines). List items keep their marker ("- ",
    "3. ", "[x] " or "[ ] " for a task), their other lines indented under its text; a table row
    is one line, its cells separated by a tab (as a browser copies a table as text), each cell's
    blocks joined by a space; an image is its alt text; a horizontal rule is an empty line.
    `text_to_prosemirror` reads this back line by line, markers as text.
    """
    return "\n".join(_text_lines(normalise_doc(doc)["content"]))


def _text_lines(blocks: list[Node]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        kind = block["type"]
        if kind in TEXTBLOCKS:
            lines.append("".join(n.get("text", "\n") for n in block.get("content", [])))
        elif kind == "horizontalRule":
            lines.append("")
        elif kind == "image":
            lines.append(block["attrs"].get("alt", ""))
        elif kind == "table":
            lines.extend(_row_line(row) for row in block["content"])
        elif kind in ("bulletList", "orderedList", "taskList"):
            lines.extend(_list_lines(block))
        else:
            lines.extend(_text_lines(block["content"]))
    return lines


def _list_lines(block: Node) -> list[str]:
    lines: list[str] = []
    for number, item in enumerate(block["content"], block.get("attrs", {}).get("start", 1)):
        if block["type"] == "orderedList":
            marker = f"{number}. "
        elif block["type"] == "taskList":
            marker = "[x] " if item["attrs"]["checked"] else "[ ] "
        else:
            marker = "- "
        item_lines = _text_lines(item["content"])
        lines.append(marker + item_lines[0])
        lines.extend(" " * len(marker) + line if line else line for line in item_lines[1:])
    return lines


def _row_line(row: Node) -> str:
    cells = (" ".join(_text_lines(cell["content"])) for cell in row["content"])
    return "\t".join(cell.replace("\n", " ").replace("\t", " ") for cell in cells)


def text_to_prosemirror(source: str) -> Node:
    """Plain text as a document: one paragraph per line, empty lines as empty paragraphs."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraphs = [{"type": "paragraph", "content": [text_node(line, [])]} for line in lines]
    return normalise_doc({"type": "doc", "content": paragraphs})
