"""Comment anchors (documents/comments/anchors.py): positions made from a quote or by a browser,
followed through concurrent edits of other replicas before, inside and after the range, and
through deleting it; hostile positions."""

import pytest
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from documents.comments.anchors import (
    InvalidAnchor,
    Position,
    anchor_quote,
    decode_position,
    locate,
    texts_of,
)


def document(*paragraphs: str) -> Doc:
    doc = Doc()
    fragment = doc.get("default", type=XmlFragment)
    for paragraph in paragraphs:
        element = fragment.children.append(XmlElement("paragraph"))
        element.children.append(XmlText(paragraph))
    return doc


def replica(of: Doc) -> Doc:
    copy = Doc()
    copy.apply_update(of.get_update())
    return copy


def merge(*docs: Doc) -> None:
    """Every replica gets every other's changes, as a sync through the server does."""
    updates = [doc.get_update() for doc in docs]
    for doc in docs:
        for update in updates:
            doc.apply_update(update)


def text(doc: Doc, index: int = 0) -> XmlText:
    return texts_of(doc.get("default", type=XmlFragment))[index]


def quoted(doc: Doc, anchor) -> str | None:
    found = locate(doc, [anchor])[0]
    return None if found is None else found.quote


def utf8(content: str, index: int) -> int:
    """pycrdt indexes XmlText by UTF-8 bytes."""
    return len(content[:index].encode())


def test_a_quote_anchors_exactly_its_text():
    doc = document("The quick brown fox", "jumps over")
    anchor = anchor_quote(doc, "quick brown", 1)
    assert quoted(doc, anchor) == "quick brown"
    assert quoted(doc, anchor_quote(doc, "fox\njumps", 1)) == "fox\njumps"


def test_formatting_inside_and_at_the_edges_does_not_move_the_anchor():
    doc = document("héllo wörld 😀 again")
    text(doc).format(0, utf8("héllo wörld 😀 again", 3), {"bold": {}})
    text(doc).format(utf8("héllo wörld 😀 again", 6), 4, {"italic": {}})
    for quote in ("llo wö", "hél", "😀 ag", "wörld 😀"):
        assert quoted(doc, anchor_quote(doc, quote, 1)) == quote


@pytest.mark.parametrize(
    "edit, expected",
    [
        # Before the range, at its start, inside it, at its end, after it.
        (lambda t: t.insert(0, ">> "), "quick brown"),
        (lambda t: t.insert(4, "very "), "quick brown"),
        (lambda t: t.insert(9, "ish"), "quickish brown"),
        (lambda t: t.insert(15, " old"), "quick brown"),
        (lambda t: t.insert(19, "!"), "quick brown"),
        # Deleting part of it from either side, and its inside.
        (lambda t: t.__delitem__(slice(0, 6)), "ick brown"),
        (lambda t: t.__delitem__(slice(13, 19)), "quick bro"),
        (lambda t: t.__delitem__(slice(9, 12)), "quickown"),
    ],
)
def test_the_range_follows_its_text_through_a_concurrent_edit(edit, expected):
    alice = document("The quick brown fox")
    anchor = anchor_quote(alice, "quick brown", 1)
    bob = replica(alice)
    edit(text(bob))
    text(alice).insert(len("The quick brown fox"), " (alice)")  # concurrent, elsewhere
    merge(alice, bob)
    assert quoted(alice, anchor) == quoted(bob, anchor) == expected


def test_deleting_all_of_the_text_orphans_the_thread():
    alice = document("The quick brown fox")
    anchor = anchor_quote(alice, "quick brown", 1)
    bob = replica(alice)
    del text(bob)[4:15]
    text(alice).insert(0, "Still: ")
    merge(alice, bob)
    found = locate(alice, [anchor])[0]
    assert found is not None and found.orphaned and found.quote == ""


def test_typing_in_place_of_the_deleted_text_does_not_revive_it():
    doc = document("The quick brown fox")
    anchor = anchor_quote(doc, "quick", 1)
    del text(doc)[4:9]
    text(doc).insert(4, "slow")
    assert locate(doc, [anchor])[0].orphaned


def test_deleting_the_paragraph_loses_the_anchor():
    doc = document("First", "Second paragraph")
    anchor = anchor_quote(doc, "paragraph", 1)
    fragment = doc.get("default", type=XmlFragment)
    del fragment.children[1]
    assert locate(doc, [anchor]) == [None]


def test_a_browser_made_anchor_with_the_left_character_as_start():
    """y-prosemirror makes positions with assoc -1 (on the character before): a start on the
    character before the range works too."""
    doc = document("abc def")
    start, end = anchor_quote(doc, "def", 1)
    before_d = anchor_quote(doc, " ", 1)[1]  # the space, as the character before
    assert quoted(doc, (before_d, end)) == "def"
    assert quoted(doc, (start, end)) == "def"


def test_many_anchors_resolve_in_one_pass():
    doc = document(*(f"paragraph {n} text" for n in range(50)))
    anchors = [anchor_quote(doc, f"{n} text", 1) for n in range(0, 50, 7)]
    assert [found.quote for found in locate(doc, anchors)] == [f"{n} text" for n in range(0, 50, 7)]


def test_lost_and_forged_anchors_do_not_hold_up_the_others():
    doc = document("First words", "Second paragraph", "Third one")
    lost = anchor_quote(doc, "paragraph", 1)
    kept = [anchor_quote(doc, "words", 1), anchor_quote(doc, "Third", 1)]
    del doc.get("default", type=XmlFragment).children[1]
    forged = (Position(7, 1, 0), Position(7, 2, -1))
    found = locate(doc, [forged, lost, kept[0], forged, kept[1]])
    assert [f and f.quote for f in found] == [None, None, "words", None, "Third"]


def test_positions_of_unknown_items_resolve_to_nothing():
    doc = document("Some text")
    assert locate(doc, [(Position(1, 5, 0), Position(2**53 - 1, 2**53 - 1, -1))]) == [None]
    client = doc.client_id
    # Items of this document that are not characters of a text: the paragraph itself.
    assert locate(doc, [(Position(client, 0, 0), Position(client, 0, -1))]) == [None]


def test_an_embed_that_looks_like_a_marker_does_not_fool_the_lookup():
    doc = document("Some text")
    text(doc).insert_embed(0, {"marker": 0, "nonce": "guess"})
    anchor = anchor_quote(doc, "text", 1)
    assert quoted(doc, anchor) == "text"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x01\x07default\x00",  # on a root type
        b"\x02\x01\x02\x00",  # on a nested type
        b"\x00\x01",  # ends early
        b"\x00\x01\x02\x00\x00",  # trailing bytes
        b"\x00" + b"\xff" * 9 + b"\x01\x00",  # a number past 2^53
        bytes(25),
    ],
)
def test_malformed_positions_are_refused(data):
    with pytest.raises(InvalidAnchor):
        decode_position(data)


def test_a_position_survives_its_encoding():
    position = Position(2**53 - 1, 123456, -1)
    assert decode_position(position.encode()) == position
    # An old encoding without the assoc byte means assoc 0.
    assert decode_position(position.encode()[:-1]).assoc == 0
