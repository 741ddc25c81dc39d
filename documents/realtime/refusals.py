"""What a session refused to integrate, so that it is never integrated later.

A client whose update was refused (it had become read-only) still holds that update, and a
stock Yjs client sends it again in every later sync step 2: after a promotion, or after a
reconnect, the refused text would land. Yjs makes that detectable without keeping the update:
a client's insertions are numbered by a clock without gaps, so everything of that client from
the first refused clock on is refused for good (its later insertions build on the refused ones
and could not be integrated without them anyway); and a refused deletion is a range of item
ids, refused while those items are still present here.

Only refusals are inspected: a session with none pays nothing per update.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from pycrdt import Decoder, Doc, Encoder, get_update

from documents.realtime.protocol import ProtocolError, read_var_uint

# Bounds on what one document remembers; past them, refusals of new clients or ranges are not
# recorded and the sending socket is closed instead (see RefusalOverflow).
MAX_REFUSED_CLIENTS = 1_000
MAX_REFUSED_RANGES = 10_000
MAX_CLIENTS_PER_UPDATE = 256


class RefusalOverflow(Exception):
    """Too many refusals to remember for one document."""


# Past every clock a Yjs client can reach (lib0 numbers are below 2^53).
_BEYOND_ANY_CLOCK = 2**53

Ranges = dict[int, list[tuple[int, int]]]


def parse_state_vector(state: bytes) -> dict[int, int]:
    """Client id -> clock, from an encoded state vector."""
    decoder = Decoder(state)
    count = read_var_uint(decoder)
    return {read_var_uint(decoder): read_var_uint(decoder) for _ in range(count)}


def encode_state_vector(clocks: dict[int, int]) -> bytes:
    encoder = Encoder()
    encoder.write_var_uint(len(clocks))
    for client, clock in clocks.items():
        encoder.write_var_uint(client)
        encoder.write_var_uint(clock)
    return encoder.to_bytes()


def _without_insertions_of(update: bytes, clients: Iterable[int]) -> bytes:
    """`update` less every insertion of these clients."""
    return get_update(update, encode_state_vector(dict.fromkeys(clients, _BEYOND_ANY_CLOCK)))


def _inserts_beyond(update: bytes, clocks: dict[int, int]) -> bool:
    """Whether `update` inserts, for one of these clients, at or past its clock."""
    if not clocks:
        return False
    return get_update(update, encode_state_vector(clocks)) != _without_insertions_of(update, clocks)


def inserting_clients(update: bytes) -> dict[int, int]:
    """Client id -> the first clock it inserts at, for every client `update` inserts for.

    An update lists its insertions client by client, each group headed by the client id and its
    first clock; only the first header can be read without decoding every struct, so each
    client found is cut away and the next one read. Bounded by MAX_CLIENTS_PER_UPDATE."""
    found: dict[int, int] = {}
    rest = update
    while True:
        decoder = Decoder(rest)
        if read_var_uint(decoder) == 0:
            return found
        if len(found) == MAX_CLIENTS_PER_UPDATE:
            raise ProtocolError(f"inserts for more than {MAX_CLIENTS_PER_UPDATE} clients")
        read_var_uint(decoder)  # how many structs the group holds
        client = read_var_uint(decoder)
        if client in found:
            raise ProtocolError("lists a client twice")
        found[client] = read_var_uint(decoder)
        rest = _without_insertions_of(rest, [client])


def parse_delete_set(update: bytes) -> Ranges | None:
    """Client id -> the (start, end) clock ranges an update without insertions deletes; None
    when it has insertions."""
    decoder = Decoder(update)
    if read_var_uint(decoder) != 0:
        return None
    ranges: Ranges = {}
    for _ in range(read_var_uint(decoder)):
        client = read_var_uint(decoder)
        spans = ranges.setdefault(client, [])
        for _ in range(read_var_uint(decoder)):
            start = read_var_uint(decoder)
            spans.append((start, start + read_var_uint(decoder)))
    return ranges


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in spans)


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies inside the union of `spans`."""
    position = start
    for a, b in sorted(spans):
        if a > position:
            break
        position = max(position, b)
    return position >= end


def _deleted_in(doc: Doc) -> Ranges:
    # An update against the Doc's own state vector holds no insertions: only its delete set.
    return parse_delete_set(doc.get_update(doc.get_state())) or {}


@dataclass
class Refusals:
    """The insertions (client id -> first refused clock) and deletions refused on a document."""

    insertions_from: dict[int, int] = field(default_factory=dict)
    deletions: Ranges = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.insertions_from or self.deletions)

    def to_json(self) -> dict:
        """A JSON form, for the database and for other processes."""
        return {
            "insertions": [[client, clock] for client, clock in self.insertions_from.items()],
            "deletions": [
                [client, start, end]
                for client, spans in self.deletions.items()
                for start, end in spans
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Refusals":
        """The inverse of `to_json`; an empty form gives no refusals."""
        refusals = cls()
        refusals.merge(data)
        return refusals

    def merge(self, data: dict) -> None:
        """Add the refusals of a `to_json` form (another process's)."""
        for client, clock in data.get("insertions", []):
            self.insertions_from[client] = min(clock, self.insertions_from.get(client, clock))
        for client, start, end in data.get("deletions", []):
            spans = self.deletions.setdefault(client, [])
            if (start, end) not in spans:
                spans.append((start, end))

    def record(self, update: bytes, doc: Doc) -> bool:
        """Remember what `update` would have added to `doc` or removed from it; returns
        whether that was anything not remembered before.

        Raises RefusalOverflow, recording nothing, past the bounds; ProtocolError for an update
        pycrdt cannot read."""
        try:
            held = parse_state_vector(doc.get_state())
            clients = inserting_clients(update)
            inserted = {
                client: held.get(client, 0)
                for client in clients
                if client not in self.insertions_from
                and _inserts_beyond(update, {client: held.get(client, 0)})
            }
            deleted = parse_delete_set(_without_insertions_of(update, clients)) or {}
            already_deleted = _deleted_in(doc) if deleted else {}
        except ValueError as error:
            raise ProtocolError(f"invalid update: {error}") from None
        new_ranges = [
            (client, start, end)
            for client, spans in deleted.items()
            for start, end in spans
            if start < held.get(client, 0)  # items this copy holds
            and not _covered(already_deleted.get(client, []), start, end)
        ]
        total_clients = len(self.insertions_from) + len(inserted)
        ranges = sum(map(len, self.deletions.values())) + len(new_ranges)
        if total_clients > MAX_REFUSED_CLIENTS or ranges > MAX_REFUSED_RANGES:
            raise RefusalOverflow
        self.insertions_from.update(inserted)
        for client, start, end in new_ranges:
            self.deletions.setdefault(client, []).append((start, end))
        return bool(inserted or new_ranges)

    def blocks(self, update: bytes, doc: Doc) -> bool:
        """Whether `update` carries something refused earlier: an insertion at or past a
        refused clock, or a refused deletion of items that `doc` still holds."""
        try:
            if _inserts_beyond(update, self.insertions_from):
                return True
            if not self.deletions:
                return False
            clients = inserting_clients(update)
            deleted = parse_delete_set(_without_insertions_of(update, clients)) or {}
            suspects = [
                (client, start, end)
                for client, spans in deleted.items()
                if client in self.deletions
                for start, end in spans
                if _overlaps(self.deletions[client], start, end)
            ]
            if not suspects:
                return False
            already_deleted = _deleted_in(doc)
        except ValueError as error:
            raise ProtocolError(f"invalid update: {error}") from None
        # A refused range that is deleted here by now (someone allowed to deleted it too) is
        # moot: forget it, so that it no longer blocks anybody.
        for client in {client for client, _, _ in suspects}:
            held = already_deleted.get(client, [])
            kept = [span for span in self.deletions[client] if not _covered(held, *span)]
            if kept:
                self.deletions[client] = kept
            else:
                del self.deletions[client]
        return any(
            client in self.deletions and _overlaps(self.deletions[client], start, end)
            for client, start, end in suspects
        )
