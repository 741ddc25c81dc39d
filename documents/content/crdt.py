"""The CRDT side: reading the `Y.XmlFragment` as ProseMirror JSON, and writing to it minimally.

y-tiptap (y-prosemirror) stores a ProseMirror document in the fragment like this: every non-text
node is an `XmlElement` named after its node type, with its non-null attrs as attributes; the
consecutive text nodes of a textblock are one `XmlText` whose formatting attributes are the marks
(`{"bold": {}}`, `{"link": {"href": ...}}`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from difflib import SequenceMatcher
from itertools import pairwise
from os.path import commonprefix
from typing import Any

from pycrdt import XmlElement, XmlFragment, XmlText

from .schema import MARKS, Node, merge_text, normalise_doc, plain_text, text_node

Segment = Node | list[Node]  # one child in the CRDT: an element, or the text nodes of one XmlText


# --- Reading the CRDT -------------------------------------------------------------------------


def fragment_to_prosemirror(fragment: XmlFragment) -> Node:
    """The fragment as ProseMirror JSON, as Tiptap's `editor.getJSON()` gives it.

    Attributes are what the fragment stores (y-prosemirror leaves out null attrs); integral
    numbers come back as ints. An empty fragment gives `{"type": "doc", "content": []}`.
    """
    return {"type": "doc", "content": _read_children(fragment)}


def _read_children(parent: XmlFragment | XmlElement) -> list[Node]:
    nodes: list[Node] = []
    for child in parent.children:
        if isinstance(child, XmlText):
            nodes.extend(_read_text(child))
        else:
            nodes.append(_read_element(child))
    return merge_text(nodes)


def _read_element(element: XmlElement) -> Node:
    node: Node = {"type": element.tag}
    attrs = {key: _clean(value) for key, value in element.attributes}
    if attrs:
        node["attrs"] = attrs
    content = _read_children(element)
    if content:
        node["content"] = content
    return node


def _read_text(text: XmlText) -> list[Node]:
    nodes = []
    for value, formatting in text.diff():
        if isinstance(value, str) and value:
            marks = [_mark(name, attrs) for name, attrs in (formatting or {}).items()]
            nodes.append(text_node(value, _sort_marks(marks)))
    return nodes


def _mark(name: str, attrs: Any) -> Node:
    mark: Node = {"type": name}
    if isinstance(attrs, dict) and attrs:
        mark["attrs"] = _clean(attrs)
    return mark


def _sort_marks(marks: list[Node]) -> list[Node]:
    """Marks in the schema's order, as ProseMirror keeps them; unknown ones last."""
    return sorted(
        marks, key=lambda m: (MARKS.index(m["type"]) if m["type"] in MARKS else 99, m["type"])
    )


def _clean(value: Any) -> Any:
    """CRDT numbers are floats: integral ones become ints again."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


# --- Writing the CRDT -----------------------------------------------------------------------


def replace_content(fragment: XmlFragment, new: Node) -> None:
    """Make the fragment equal to the ProseMirror document `new` by a minimal change.

    `new` is normalised into the editor's schema first (ValueError if it is no document).
    Children are matched level by level on their type and text (difflib over the sequence, so
    every run of equal blocks, not only a common prefix and suffix, stays untouched); a matched
    or replaced pair of the same type is updated in place (attributes set, text edited from the
    first to the last differing character, marks fixed with `format`, containers recursed into);
    anything else is deleted and inserted whole. Runs in the caller's transaction if there is
    one, else in its own, so that it is one update.
    """
    blocks = normalise_doc(new)["content"]
    with fragment.doc.transaction():
        _sync_children(fragment, _segments(blocks))


def _segments(content: list[Node]) -> list[Segment]:
    """Content grouped as the CRDT holds it: each run of text nodes is one XmlText."""
    segments: list[Segment] = []
    for node in content:
        if node["type"] != "text":
            segments.append(node)
        elif segments and isinstance(segments[-1], list):
            segments[-1].append(node)
        else:
            segments.append([node])
    return segments


def _key(segment: Segment) -> str:
    if isinstance(segment, list):
        return "\0" + "".join(node["text"] for node in segment)
    return segment["type"] + "\0" + plain_text(segment)


def _sync_children(parent: XmlFragment | XmlElement, new: list[Segment]) -> None:
    old: list[Segment] = [
        _read_text(child) if isinstance(child, XmlText) else _read_element(child)
        for child in parent.children
    ]
    matcher = SequenceMatcher(None, [_key(s) for s in old], [_key(s) for s in new], autojunk=False)
    for _, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        paired = min(i2 - i1, j2 - j1)
        if i2 - i1 > paired:
            del parent.children[i1 + paired : i2]
        for offset, segment in enumerate(new[j1 + paired : j2]):
            _insert(parent, i1 + paired + offset, segment)
        for offset in range(paired):
            _sync_child(parent, i1 + offset, old[i1 + offset], new[j1 + offset])


def _sync_child(parent: XmlFragment | XmlElement, index: int, old: Segment, new: Segment) -> None:
    if old == new:
        return
    child = parent.children[index]
    if isinstance(old, list) and isinstance(new, list) and isinstance(child, XmlText):
        _sync_text(child, old, new)
    elif isinstance(child, XmlElement) and isinstance(new, dict) and old["type"] == new["type"]:
        old_attrs, new_attrs = old.get("attrs", {}), new.get("attrs", {})
        for key in old_attrs.keys() - new_attrs.keys():
            del child.attributes[key]
        for key, value in new_attrs.items():
            if old_attrs.get(key) != value:
                child.attributes[key] = value
        if old.get("content") != new.get("content"):
            _sync_children(child, _segments(new.get("content", [])))
    else:
        del parent.children[index]
        _insert(parent, index, new)


def _insert(parent: XmlFragment | XmlElement, index: int, segment: Segment) -> None:
    if isinstance(segment, list):
        text = parent.children.insert(index, XmlText())
        position = 0
        for node in segment:
            text.insert(position, node["text"], _formatting(node) or None)
            position += _utf8_len(node["text"])
    else:
        element = parent.children.insert(index, XmlElement(segment["type"], segment.get("attrs")))
        for offset, child in enumerate(_segments(segment.get("content", []))):
            _insert(element, offset, child)


def _sync_text(text: XmlText, old: list[Node], new: list[Node]) -> None:
    """Edit only the differing middle of the text, then fix the marks that differ.

    pycrdt indexes XmlText by UTF-8 bytes: character offsets are converted.
    """
    before = "".join(node["text"] for node in old)
    after = "".join(node["text"] for node in new)
    prefix = len(commonprefix([before, after]))
    suffix = len(commonprefix([before[prefix:][::-1], after[prefix:][::-1]]))
    start = _utf8_len(before[:prefix])
    removed = _utf8_len(before[prefix : len(before) - suffix])
    if removed:
        del text[start : start + removed]
    position = start
    for piece, formatting in _spans(new, prefix, len(after) - suffix):
        text.insert(position, piece, formatting or None)
        position += _utf8_len(piece)
    _fix_marks(text, after, new)


def _spans(nodes: list[Node], low: int, high: int) -> Iterator[tuple[str, Node]]:
    """The pieces of the text nodes' text between characters `low` and `high`, with formatting."""
    offset = 0
    for node in nodes:
        end = offset + len(node["text"])
        if end > low and offset < high:
            yield node["text"][max(low - offset, 0) : high - offset], _formatting(node)
        offset = end


def _fix_marks(text: XmlText, content: str, nodes: list[Node]) -> None:
    """Format the ranges whose marks differ from those of `nodes` (`content` is their text)."""
    wanted = [(_formatting(node), len(node["text"])) for node in nodes]
    actual = [(f or {}, len(v)) for v, f in text.diff() if isinstance(v, str)]
    wanted_starts, actual_starts = _starts(wanted), _starts(actual)
    bounds = sorted(set(wanted_starts) | set(actual_starts) | {len(content)})
    position = 0
    for low, high in pairwise(bounds):
        want = wanted[bisect_right(wanted_starts, low) - 1][0]
        have = actual[bisect_right(actual_starts, low) - 1][0]
        size = _utf8_len(content[low:high])
        if want != have:
            patch = {
                key: want.get(key)
                for key in want.keys() | have.keys()
                if want.get(key) != have.get(key)
            }
            text.format(position, position + size, patch)
        position += size


def _starts(runs: list[tuple[Node, int]]) -> list[int]:
    starts, offset = [], 0
    for _, length in runs:
        starts.append(offset)
        offset += length
    return starts


def _formatting(node: Node) -> Node:
    """A text node's marks as XmlText formatting attributes."""
    return {mark["type"]: mark.get("attrs", {}) for mark in node.get("marks", [])}


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))
