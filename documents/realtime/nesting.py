"""A bound on how deeply the values inside a Yjs update nest, checked before pycrdt sees it.

Map entries, XML attributes and embedded documents carry lib0 "any" values (arrays, objects,
numbers, strings). Yrs decodes and drops them recursively: a 60 KB update whose value nests
30,000 arrays deep overflows the native stack and kills the whole server process (a segfault,
not an exception). Browsers give up sooner (Yjs throws "Maximum call stack size exceeded"
somewhere between 3,000 and 6,000 levels), so such a document could not be opened either.
JSON strings (embeds, formats) are safe: yrs parses them with serde_json's depth limit.

Nesting N deep takes at least N container tags (bytes 0x75 or 0x76), so most updates are
cleared by counting those bytes; only the rest are walked, struct by struct, following the
update format of Yjs (v1, as y-websocket sends it).
"""

from documents.realtime.protocol import ProtocolError

# Honest values nest a few levels at most (a link's attributes, a table cell's widths).
MAX_VALUE_DEPTH = 64

_ARRAY_TAG = 0x75
_OBJECT_TAG = 0x76

# lib0 "any" tags whose value has a fixed size in bytes.
_FIXED_SIZE = {127: 0, 126: 0, 121: 0, 120: 0, 124: 4, 123: 8, 122: 8}
_VAR_INT_TAG = 125
_STRING_TAG = 119
_BYTES_TAG = 116

# Item content kinds (the low five bits of an item's info byte).
_GC, _SKIP = 0, 10
_DELETED, _JSON, _BINARY, _STRING, _EMBED, _FORMAT, _TYPE, _ANY, _DOC = range(1, 10)
# Shared types whose content carries a name (XmlElement, XmlHook).
_NAMED_TYPES = {3, 5}
_KNOWN_TYPES = range(7)


def check_value_depth(update: bytes) -> None:
    """Raise ProtocolError if a value in `update` nests deeper than MAX_VALUE_DEPTH, or if the
    update cannot be walked to find out."""
    if update.count(_ARRAY_TAG) + update.count(_OBJECT_TAG) < MAX_VALUE_DEPTH:
        return
    _UpdateWalker(update).walk()


class _UpdateWalker:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def walk(self) -> None:
        for _ in range(self.count()):
            structs = self.count()
            self.uint()  # client
            self.uint()  # first clock
            for _ in range(structs):
                self.struct()
        for _ in range(self.count()):  # the delete set: client, then (clock, length) pairs
            self.uint()
            for _ in range(self.count()):
                self.uint()
                self.uint()
        if self.position != len(self.data):
            raise ProtocolError("unexpected bytes after the update")

    def struct(self) -> None:
        info = self.byte()
        kind = info & 0x1F
        if kind in (_GC, _SKIP):
            self.uint()  # length
            return
        if info & 0x80:  # left origin
            self.uint()
            self.uint()
        if info & 0x40:  # right origin
            self.uint()
            self.uint()
        if not info & 0xC0:  # no origin: the parent is named
            if self.uint():
                self.skip_string()  # a root type's name
            else:
                self.uint()  # the parent item's id
                self.uint()
            if info & 0x20:
                self.skip_string()  # the map key
        self.content(kind)

    def content(self, kind: int) -> None:
        if kind == _DELETED:
            self.uint()
        elif kind == _JSON:
            for _ in range(self.count()):
                self.skip_string()
        elif kind in (_BINARY, _STRING, _EMBED):
            self.skip_string()
        elif kind == _FORMAT:
            self.skip_string()
            self.skip_string()
        elif kind == _TYPE:
            type_ref = self.uint()
            if type_ref not in _KNOWN_TYPES:
                raise ProtocolError(f"unknown shared type {type_ref}")
            if type_ref in _NAMED_TYPES:
                self.skip_string()
        elif kind == _ANY:
            for _ in range(self.count()):
                self.value()
        elif kind == _DOC:
            self.skip_string()  # guid
            self.value()
        else:
            raise ProtocolError(f"unknown item content {kind}")

    def value(self) -> None:
        """Skip one lib0 "any" value, without recursion, checking its depth."""
        levels = [[1, False]]  # per open level: values left to read, and whether keyed
        while levels:
            level = levels[-1]
            if level[0] == 0:
                levels.pop()
                continue
            level[0] -= 1
            if level[1]:
                self.skip_string()  # an object's key
            tag = self.byte()
            if tag in _FIXED_SIZE:
                self.skip(_FIXED_SIZE[tag])
            elif tag == _VAR_INT_TAG:
                self.uint()  # a signed var-int has the shape of an unsigned one
            elif tag in (_STRING_TAG, _BYTES_TAG):
                self.skip_string()
            elif tag in (_ARRAY_TAG, _OBJECT_TAG):
                if len(levels) > MAX_VALUE_DEPTH:
                    raise ProtocolError(f"a value nests deeper than {MAX_VALUE_DEPTH} levels")
                levels.append([self.count(), tag == _OBJECT_TAG])
            else:
                raise ProtocolError(f"unknown value tag {tag}")

    # -- primitive reads, each bounded by the bytes left ---------------------------------------

    def byte(self) -> int:
        if self.position >= len(self.data):
            raise ProtocolError("update ends early")
        self.position += 1
        return self.data[self.position - 1]

    def uint(self) -> int:
        value = 0
        shift = 0
        while True:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
            if shift > 63:
                raise ProtocolError("var-uint longer than 64 bits")

    def count(self) -> int:
        """A length or count: never more than the bytes left, as each element takes one."""
        value = self.uint()
        if value > len(self.data) - self.position:
            raise ProtocolError(
                f"declares {value} entries in {len(self.data) - self.position} bytes"
            )
        return value

    def skip(self, size: int) -> None:
        if self.position + size > len(self.data):
            raise ProtocolError("update ends early")
        self.position += size

    def skip_string(self) -> None:
        self.skip(self.uint())
