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
# The largest product of lengths difflib compares (see _opcodes): about a second of its time.
MAX_DIFF_PRODUCT = 1_000_000
# The fewest equal characters between two changes of a text that are kept rather than
# rewritten (see _text_changes).
MIN_KEPT_RUN = 4


# --- Reading the CRDT -------------------------------------------------------------------------


def fragment_to_prosemirror(fragment: XmlFragment) -> Node:
    """The fragment as ProseMirror JSON, as Tiptap's `editor.getJSON()` gives it.

    Attributes are what the fragment stores (y-prosemirror leaves out null attrs); integral
    numbers come back as ints. An empty fragment gives `{"type": "doc", "content": []}`.
    """
    return {"type": "doc", "content": _read_children(fragment)}


def _read_children(parent: XmlFragment | XmlElement) -> list[Node]:
    holder: Node = {}
    _read_into([(parent, holder)])
    return holder.get("content", [])


def _read_element(element: XmlElement) -> Node:
    node = _element_node(element)
    _read_into([(element, node)])
    return node


def _read_into(pending: list[tuple[XmlFragment | XmlElement, Node]]) -> None:
    """Give each node the content of its CRDT element, all the way down, without recursion: a
    client that writes the CRDT directly may nest it deeper than any stack."""
    filled: list[tuple[Node, list[Node]]] = []
    while pending:
        parent, node = pending.pop()
        content: list[Node] = []
        for child in parent.children:
            if isinstance(child, XmlText):
                content.extend(_read_text(child))
            else:
                content.append(child_node := _element_node(child))
                pending.append((child, child_node))
        filled.append((node, content))
    for node, content in filled:
        if content:
            node["content"] = merge_text(content)


def _element_node(element: XmlElement) -> Node:
    node: Node = {"type": element.tag}
    attrs = {key: _clean(value) for key, value in element.attributes}
    if attrs:
        node["attrs"] = attrs
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
    # The children once, in one walk: reaching each by its index would walk to it every time.
    children = list(parent.children)
    old: list[Segment] = [
        _read_text(child) if isinstance(child, XmlText) else _read_element(child)
        for child in children
    ]
    # From the end: a change never moves the children before it.
    for i1, i2, j1, j2 in reversed(_opcodes([_key(s) for s in old], [_key(s) for s in new])):
        paired = min(i2 - i1, j2 - j1)
        if i2 - i1 > paired:
            del parent.children[i1 + paired : i2]
        _insert_all(parent, i1 + paired, new[j1 + paired : j2])
        for index in range(i1 + paired - 1, i1 - 1, -1):
            _sync_child(parent, index, children[index], old[index], new[j1 + index - i1])


def _opcodes[T: (list[str], str)](old: T, new: T) -> list[tuple[int, int, int, int]]:
    """Ranges `old[i1:i2]` to make into `new[j1:j2]` (equal ones included), in order.

    difflib runs only between the common prefix and suffix, and only when that middle is small
    enough: it compares every line with every equal line, which for a long run of repeated
    paragraphs costs the product of the lengths. A larger middle is paired position by position.
    """
    prefix = len(commonprefix([old, new]))
    suffix = len(commonprefix([old[prefix:][::-1], new[prefix:][::-1]]))
    old_end, new_end = len(old) - suffix, len(new) - suffix
    if (old_end - prefix) * (new_end - prefix) <= MAX_DIFF_PRODUCT:
        matcher = SequenceMatcher(None, old[prefix:old_end], new[prefix:new_end], autojunk=False)
        middle = [
            (prefix + i1, prefix + i2, prefix + j1, prefix + j2)
            for _, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
    else:
        middle = [(prefix, old_end, prefix, new_end)]
    return [(0, prefix, 0, prefix), *middle, (old_end, len(old), new_end, len(new))]


def _sync_child(
    parent: XmlFragment | XmlElement,
    index: int,
    child: XmlElement | XmlText,
    old: Segment,
    new: Segment,
) -> None:
    if old == new:
        return
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


def _insert_all(parent: XmlFragment | XmlElement, index: int, segments: list[Segment]) -> None:
    """Insert the segments at `index`, in reverse order: Yrs finds an index by walking the
    children from the first, so inserting each one after the last would cost the square of
    their number; this costs one walk to `index` each (none for new content)."""
    for segment in reversed(segments):
        _insert(parent, index, segment)


def _insert(parent: XmlFragment | XmlElement, index: int, segment: Segment) -> None:
    if isinstance(segment, list):
        pieces = [(node["text"], _formatting(node)) for node in segment]
        _insert_text(parent.children.insert(index, XmlText()), 0, pieces)
    else:
        element = parent.children.insert(index, XmlElement(segment["type"], segment.get("attrs")))
        _insert_all(element, 0, _segments(segment.get("content", [])))


def _insert_text(text: XmlText, position: int, nodes: list[tuple[str, Node]]) -> None:
    """Insert the (text, formatting) pieces at `position` (UTF-8 bytes), in reverse order for
    the reason _insert_all gives."""
    for piece, formatting in reversed(nodes):
        text.insert(position, piece, formatting or None)


def _sync_text(text: XmlText, old: list[Node], new: list[Node]) -> None:
    """Edit only the characters that differ (so that comment anchors and carets on the others
    stay), then fix the marks that differ.

    pycrdt indexes XmlText by UTF-8 bytes: character offsets are converted. The changes are
    made from the end, so that the offsets of those before stay valid.
    """
    before = "".join(node["text"] for node in old)
    after = "".join(node["text"] for node in new)
    for i1, i2, j1, j2 in reversed(_text_changes(before, after)):
        start = _utf8_len(before[:i1])
        removed = _utf8_len(before[i1:i2])
        if removed:
            del text[start : start + removed]
        _insert_text(text, start, list(_spans(new, j1, j2)))
    _fix_marks(text, after, new)


def _text_changes(before: str, after: str) -> list[tuple[int, int, int, int]]:
    """The ranges `before[i1:i2]` to replace by `after[j1:j2]`, in order. Runs of fewer than
    MIN_KEPT_RUN equal characters between changes are replaced with them: each kept run splits
    the text's items, and many tiny ones made the update, and its integration on the event
    loop, several times larger than one replacement."""
    changes: list[list[int]] = []
    for i1, i2, j1, j2 in _opcodes(before, after):
        equal = before[i1:i2] == after[j1:j2]
        if equal and (i2 - i1 >= MIN_KEPT_RUN or not changes):
            continue
        if changes and changes[-1][1] == i1 and changes[-1][3] == j1:
            changes[-1][1], changes[-1][3] = i2, j2  # joins the change before
        else:
            changes.append([i1, i2, j1, j2])
    return [(i1, i2, j1, j2) for i1, i2, j1, j2 in changes]


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
