"""Plain text: one line per textblock."""

from __future__ import annotations

from .schema import TEXTBLOCKS, Node, normalise_doc, text_node


def prosemirror_to_text(doc: Node) -> str:
    """The document as plain text: one line per textblock, list item and hard break.

    Blocks are separated by a single "\\n" (no blank lines), list items carry no markers, a
    horizontal rule is an empty line. `text_to_prosemirror` reads this back line by line.
    """
    return "\n".join(_text_lines(normalise_doc(doc)["content"]))


def _text_lines(blocks: list[Node]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if block["type"] in TEXTBLOCKS:
            lines.append("".join(n.get("text", "\n") for n in block.get("content", [])))
        elif block["type"] == "horizontalRule":
            lines.append("")
        else:
            lines.extend(_text_lines(block["content"]))
    return lines


def text_to_prosemirror(source: str) -> Node:
    """Plain text as a document: one paragraph per line, empty lines as empty paragraphs."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraphs = [{"type": "paragraph", "content": [text_node(line, [])]} for line in lines]
    return normalise_doc({"type": "doc", "content": paragraphs})
