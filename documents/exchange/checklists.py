"""Task lists through DOCX and ODT, which have none: an item is written as a bulleted item whose
text starts with a ballot box (☐, or ☒ when done), as word processors show a checklist, and a
bulleted list whose every item starts so is read back as a task list."""

from documents.content.schema import Node

UNCHECKED = "☐"
CHECKED = "☒"
# Other boxes that word processors write for a done item.
CHECKED_ALSO = ("☑", "✅", "✔")
_BOXES = (UNCHECKED, CHECKED, *CHECKED_ALSO)


def as_marked_lists(node: Node) -> Node:
    """`node` with every task list turned into a bulleted list of items marked ☐ or ☒."""
    content = [as_marked_lists(child) for child in node.get("content", [])]
    if node["type"] == "taskList":
        return {**node, "type": "bulletList", "content": content}
    if node["type"] == "taskItem":
        box = CHECKED if node.get("attrs", {}).get("checked") else UNCHECKED
        return {"type": "listItem", "content": _marked(content, box)}
    return {**node, "content": content} if "content" in node else node


def from_marked_lists(node: Node) -> Node:
    """`node` with every bulleted list whose items all start with a ballot box turned into a
    task list, the box taken out of the text."""
    content = [from_marked_lists(child) for child in node.get("content", [])]
    if node["type"] == "bulletList" and content and all(map(_box_of, content)):
        return {"type": "taskList", "content": [_task_item(item) for item in content]}
    return {**node, "content": content} if "content" in node else node


def _marked(content: list[Node], box: str) -> list[Node]:
    first = content[0] if content else None
    if first is None or first["type"] != "paragraph":
        return [{"type": "paragraph", "content": [{"type": "text", "text": box}]}, *content]
    marked = {"type": "text", "text": f"{box} "}
    return [{**first, "content": [marked, *first.get("content", [])]}, *content[1:]]


def _first_text(item: Node) -> Node | None:
    blocks = item.get("content") or [{}]
    if blocks[0].get("type") != "paragraph":
        return None
    inline = blocks[0].get("content") or [{}]
    return inline[0] if inline[0].get("type") == "text" else None


def _box_of(item: Node) -> str | None:
    text = _first_text(item)
    if item["type"] != "listItem" or text is None:
        return None
    return next((box for box in _BOXES if text["text"].startswith(box)), None)


def _task_item(item: Node) -> Node:
    box = _box_of(item)
    assert box is not None
    paragraph, *rest = item["content"]
    first, *inline = paragraph["content"]
    remaining = first["text"][len(box) :].lstrip()
    if remaining:
        inline.insert(0, {**first, "text": remaining})
    return {
        "type": "taskItem",
        "attrs": {"checked": box != UNCHECKED},
        "content": [{**paragraph, "content": inline}, *rest],
    }
