"""Where a comment thread's text is: two Yjs relative positions, kept beside the document.

A browser makes them from its selection (through y-prosemirror's mapping) and the server
stores them with the thread, so nobody moves or rewrites a comment by editing the document.
Each names a character: `start` the first character of the range (assoc 0, "the character
after the position"), `end` the last one (assoc -1, "the character before it"). They follow
their characters through every concurrent edit; typing at either edge stays outside the range.

pycrdt can resolve a position to an offset (`StickyIndex.get_index`), but it does not say in
which text of the XmlFragment the offset lies, and it makes positions only in Text and Array,
not in XmlText. Two small steps of this module fill the gap, each on a throwaway copy of the
document:

- **Which text** (`locate`): the copy integrates one marker embed per position, each inserted
  right after the position's character by a client (id 0) that loses every tie, so YATA puts
  it immediately after its origin. Walking the copy's texts finds each marker.
- **Making positions** (`anchor_quote`): inserting a character into the copy gives an update
  whose one item names its neighbours: its origin (the character before) and its right origin
  (the one after), which is all a relative position holds.

Offsets are in UTF-16 code units, as Yjs counts them; Python strings count code points.
"""

import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pycrdt import Doc, StickyIndex, Transaction, XmlElement, XmlFragment, XmlText

# A relative position is at most a kind, two 8-byte var-uints and a var-int.
MAX_POSITION_BYTES = 24
MAX_SAFE_INTEGER = 2**53 - 1
# The content ref of an embed in the update encoding (lib0's ContentEmbed).
_CONTENT_EMBED = 5
_CONTENT_STRING = 4
_CONTENT_FORMAT = 6
_HAS_ORIGIN = 0x80
_HAS_RIGHT_ORIGIN = 0x40
_MARKER_CLIENT = 0
BLOCK_SEPARATOR = "\n"


class InvalidAnchor(ValueError):
    """Positions that are no item-scoped Yjs relative positions, or name nothing in the text."""


@dataclass(frozen=True, slots=True)
class Position:
    """A Yjs relative position on one character: its item id and which side of it."""

    client: int
    clock: int
    assoc: int  # 0: the position is before the character; -1: after it

    def encode(self) -> bytes:
        """The position as Yjs's `encodeRelativePosition` writes it."""
        side = 0x41 if self.assoc else 0  # lib0's var-int of -1 or 0
        return bytes((0, *_var_uint(self.client), *_var_uint(self.clock), side))


def decode_position(data: bytes) -> Position:
    """A position from its Yjs encoding. Only positions on a character are anchors: those on a
    whole type (its start or end) cannot be told apart from the next paragraph's."""
    if not data or len(data) > MAX_POSITION_BYTES:
        raise InvalidAnchor("a position is 2 to 24 bytes")
    reader = _Reader(data)
    if reader.var_uint() != 0:
        raise InvalidAnchor("the position must be on a character, not on a whole type")
    client, clock = reader.var_uint(), reader.var_uint()
    assoc = reader.var_int() if reader.more() else 0
    if reader.more():
        raise InvalidAnchor("trailing bytes after the position")
    return Position(client, clock, -1 if assoc < 0 else 0)


@dataclass(frozen=True, slots=True, order=True)
class Place:
    """A point of the document's text: the `text`-th XmlText in document order, `offset`
    code points into it."""

    text: int
    offset: int


@dataclass(frozen=True, slots=True)
class Located:
    """A range found in the document: where it starts and ends, and the text between."""

    start: Place
    end: Place
    quote: str

    @property
    def orphaned(self) -> bool:
        """All of the anchored text was deleted."""
        return not self.quote


def texts_of(fragment: XmlFragment) -> list[XmlText]:
    """The fragment's XmlTexts in document order."""
    return list(_walk(fragment))


def _walk(parent: XmlFragment | XmlElement) -> Iterator[XmlText]:
    for child in parent.children:
        if isinstance(child, XmlText):
            yield child
        elif isinstance(child, XmlElement):
            yield from _walk(child)


def locate(doc: Doc, ranges: Sequence[tuple[Position, Position]]) -> list[Located | None]:
    """Where each (start, end) range is now; None for one whose text is gone with its block
    (or was never in this document)."""
    positions = [position for pair in ranges for position in pair]
    places = _places(doc, positions)
    fragment = doc.get("default", type=XmlFragment)
    contents = [_plain(text) for text in texts_of(fragment)]
    found: list[Located | None] = []
    for start, end in zip(places[::2], places[1::2], strict=True):
        if start is None or end is None:
            found.append(None)
        elif end <= start:
            found.append(Located(start, start, ""))
        else:
            found.append(Located(start, end, _between(contents, start, end)))
    return found


def _places(doc: Doc, positions: Sequence[Position]) -> list[Place | None]:
    known = _state_vector(doc.get_state())
    nonce = secrets.token_hex(8)
    copy = Doc()
    copy.apply_update(doc.get_update())
    # One update per marker, the latest characters first: integrating a marker after half of a
    # surrogate pair splits its item one unit off, which would shift later clocks of the item.
    clock = known.get(_MARKER_CLIENT, 0)
    ordered = sorted(enumerate(positions), key=lambda item: (item[1].client, -item[1].clock))
    for number, position in ordered:
        # A marker after an unknown item would wait for it, and every later marker with it.
        if position.clock < known.get(position.client, 0):
            copy.apply_update(_marker_update(position, clock, nonce, number))
            clock += 1
    places: list[Place | None] = [None] * len(positions)
    for index, text in enumerate(texts_of(copy.get("default", type=XmlFragment))):
        offset = 0
        for chunk, _attrs in text.diff():
            if isinstance(chunk, str):
                offset += len(chunk)
            elif isinstance(chunk, dict) and chunk.get("nonce") == nonce:
                places[int(chunk["marker"])] = Place(index, offset)
    with doc.transaction() as txn:
        for number, position in enumerate(positions):
            place = places[number]
            # A marker sits right after its character, so a position before a character that
            # is still there is one place further left.
            if place is not None and position.assoc == 0 and _visible(position, txn):
                places[number] = Place(place.text, place.offset - 1)
    return places


def _visible(position: Position, txn: Transaction) -> bool:
    """Whether the position's character is still in the document (not deleted). pycrdt's
    offsets mix UTF-8 and UTF-16 units, so only their difference is used: the two sides of a
    visible character are one apart. Only characters that took a marker are asked: get_index
    panics on an unknown item."""
    after = StickyIndex.decode(Position(position.client, position.clock, -1).encode())
    before = StickyIndex.decode(Position(position.client, position.clock, 0).encode())
    return after.get_index(txn) - before.get_index(txn) == 1


def anchor_quote(doc: Doc, quote: str, occurrence: int) -> tuple[Position, Position]:
    """Positions around the `occurrence`-th (from 1) appearance of `quote` in the document's
    text (blocks joined by newlines). Raises InvalidAnchor when there is none such."""
    fragment = doc.get("default", type=XmlFragment)
    contents = [_plain(text) for text in texts_of(fragment)]
    whole = BLOCK_SEPARATOR.join(contents)
    at = -1
    for _ in range(occurrence):
        at = whole.find(quote, at + 1)
        if at < 0:
            raise InvalidAnchor("the quoted text does not occur that often in the document")
    start = _place_of(contents, at)
    end = _place_of(contents, at + len(quote))
    if start.offset == len(contents[start.text]) or end.offset == 0:
        raise InvalidAnchor("the quote must begin and end with text, not with a line break")
    return (
        _neighbour(doc, start, before=False),
        _neighbour(doc, end, before=True),
    )


def _place_of(contents: list[str], index: int) -> Place:
    for number, content in enumerate(contents):
        if index <= len(content):
            return Place(number, index)
        index -= len(content) + len(BLOCK_SEPARATOR)
    raise InvalidAnchor("past the end of the document")


def _neighbour(doc: Doc, place: Place, before: bool) -> Position:
    """The position on the character before (or after) `place`, read from the update that
    inserting a character there in a copy makes. The character takes the formatting of the
    one before it, so that the insertion needs no formatting items around it."""
    copy = Doc()
    copy.apply_update(doc.get_update())
    text = texts_of(copy.get("default", type=XmlFragment))[place.text]
    state = copy.get_state()
    text.insert(_index(text, place.offset), "x", _formatting_before(text, place.offset))
    origin, right_origin = _text_item_neighbours(copy.get_update(state))
    neighbour = origin if before else right_origin
    if neighbour is None:
        raise InvalidAnchor("no character on that side of the position")
    return Position(*neighbour, assoc=-1 if before else 0)


def _index(text: XmlText, offset: int) -> int:
    """pycrdt's index of the point `offset` code points into the text's characters: it counts
    UTF-8 bytes, and one for each embed."""
    index = 0
    for chunk, _attrs in text.diff():
        if not isinstance(chunk, str):
            index += 1
        elif offset <= len(chunk):
            return index + len(chunk[:offset].encode())
        else:
            offset -= len(chunk)
            index += len(chunk.encode())
    return index


def _formatting_before(text: XmlText, offset: int) -> dict:
    counted = 0
    for chunk, attrs in text.diff():
        if isinstance(chunk, str):
            counted += len(chunk)
            if offset and counted >= offset:
                return dict(attrs or {})
    return {}


def _text_item_neighbours(update: bytes) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """The origin and right origin of the text item that one insertion's update brings
    (formatting items may come with it)."""
    reader = _Reader(update)
    if reader.var_uint() != 1:
        raise InvalidAnchor("the probe's update is not one client's")
    structs = reader.var_uint()
    reader.var_uint(), reader.var_uint()  # the probe's own client and first clock
    for _ in range(structs):
        info = reader.byte()
        origin = (reader.var_uint(), reader.var_uint()) if info & _HAS_ORIGIN else None
        right = (reader.var_uint(), reader.var_uint()) if info & _HAS_RIGHT_ORIGIN else None
        if origin is None and right is None:
            raise InvalidAnchor("the probe landed in an empty text")
        content = info & 0x1F
        if content == _CONTENT_STRING:
            return origin, right
        if content != _CONTENT_FORMAT:
            raise InvalidAnchor("the probe made an unexpected item")
        reader.string(), reader.string()  # the formatting key and its JSON value
    raise InvalidAnchor("the probe made no text item")


def _marker_update(position: Position, clock: int, nonce: str, number: int) -> bytes:
    """An update of one embed, with the position's character as its origin."""
    out = bytearray((1, 1, *_var_uint(_MARKER_CLIENT), *_var_uint(clock)))
    out.append(_HAS_ORIGIN | _CONTENT_EMBED)
    out += bytes((*_var_uint(position.client), *_var_uint(position.clock)))
    payload = json.dumps({"marker": number, "nonce": nonce}).encode()
    out += bytes((*_var_uint(len(payload)), *payload))
    out.append(0)  # an empty delete set
    return bytes(out)


def _plain(text: XmlText) -> str:
    return "".join(chunk for chunk, _attrs in text.diff() if isinstance(chunk, str))


def _between(contents: list[str], start: Place, end: Place) -> str:
    if start.text == end.text:
        return contents[start.text][start.offset : end.offset]
    parts = [contents[start.text][start.offset :]]
    parts += contents[start.text + 1 : end.text]
    parts.append(contents[end.text][: end.offset])
    return BLOCK_SEPARATOR.join(parts)


def _state_vector(state: bytes) -> dict[int, int]:
    reader = _Reader(state)
    return {reader.var_uint(): reader.var_uint() for _ in range(reader.var_uint())}


def _var_uint(number: int) -> Iterator[int]:
    while number >= 0x80:
        yield (number & 0x7F) | 0x80
        number >>= 7
    yield number


class _Reader:
    """lib0's var-uint and var-int, bounded to JavaScript's safe integers."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def more(self) -> bool:
        return self.at < len(self.data)

    def byte(self) -> int:
        if not self.more():
            raise InvalidAnchor("the position ends too early")
        self.at += 1
        return self.data[self.at - 1]

    def var_uint(self) -> int:
        number, shift = 0, 0
        while True:
            byte = self.byte()
            number |= (byte & 0x7F) << shift
            if number > MAX_SAFE_INTEGER:
                raise InvalidAnchor("a number in the position is too large")
            if byte < 0x80:
                return number
            shift += 7

    def string(self) -> str:
        length = self.var_uint()
        if self.at + length > len(self.data):
            raise InvalidAnchor("a string runs past the end")
        self.at += length
        return self.data[self.at - length : self.at].decode(errors="replace")

    def var_int(self) -> int:
        byte = self.byte()
        negative = byte & 0x40
        number, shift = byte & 0x3F, 6
        while byte & 0x80:
            byte = self.byte()
            number |= (byte & 0x7F) << shift
            if number > MAX_SAFE_INTEGER:
                raise InvalidAnchor("a number in the position is too large")
            shift += 7
        return -number if negative else number
