"""What a socket may say about presence (awareness), and what everyone else gets to see of it.

Awareness states are relayed to every editor of a document, whose browsers render them: a name
and a colour beside a caret, an avatar. Two rules keep one client from speaking for others:

- A client id belongs to the user whose socket introduced it on this document, first come.
  Entries for client ids of other users are dropped, not relayed; honest stock clients send
  such entries all the time (y-websocket echoes every change of its awareness table, other
  clients' included), so dropping is the answer, not closing the socket.
- The `user` field (name and colour) is the server's: it is replaced by the authenticated
  user's display name and colour in every state relayed.

A state must also be something the editors can read: a JSON object of bounded depth. Its
`cursor` is relayed only when it holds two Yjs relative positions, else as null: y-prosemirror
throws while drawing carets from anything else, which stops every other editor rendering.
"""

import json
from collections.abc import Hashable

from documents.realtime.protocol import MAX_SAFE_INTEGER, ProtocolError

# Honest states nest four levels deep (cursor.anchor.item.client).
MAX_STATE_DEPTH = 16

# Client ids remembered per user and document: a page has one, each reload takes a new one.
MAX_CLIENT_IDS_PER_USER = 64

_RELATIVE_POSITION_KEYS = frozenset({"type", "tname", "item", "assoc"})


def stamp_state(state: bytes, user_field: dict) -> bytes:
    """A client's awareness state with the server's `user` field; raises ProtocolError unless
    it is a readable state. A removal (`null`) stays as it is."""
    if state == b"null":
        return state
    try:
        value = json.loads(state)
    except RecursionError:
        raise ProtocolError("awareness state nested too deeply") from None
    except ValueError:
        raise ProtocolError("awareness state is not JSON") from None
    if not isinstance(value, dict):
        raise ProtocolError("awareness state is not a JSON object")
    if _depth(value) > MAX_STATE_DEPTH:
        raise ProtocolError(f"awareness state nested deeper than {MAX_STATE_DEPTH} levels")
    cursor = value.get("cursor")
    if cursor is not None and not _is_cursor(cursor):
        # Other clients may keep other cursors (offsets, say): not refused, just not relayed.
        value["cursor"] = None
    value["user"] = user_field
    # ASCII: a lone surrogate ("\ud800" is valid JSON) stays escaped, so the bytes are always
    # UTF-8, which lib0 decodes strictly.
    return json.dumps(value, separators=(",", ":")).encode()


def _depth(value: object) -> int:
    """How many containers deep `value` nests (a flat object is 1); stops past the limit."""
    depth = 0
    level = [value]
    while depth <= MAX_STATE_DEPTH:
        containers = [item for item in level if isinstance(item, dict | list)]
        if not containers:
            break
        depth += 1
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
    return depth


def _is_id(value: object) -> bool:
    return (
        isinstance(value, dict)
        and value.keys() == {"client", "clock"}
        and all(_is_safe_uint(number) for number in value.values())
    )


def _is_safe_uint(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_SAFE_INTEGER


def _is_relative_position(value: object) -> bool:
    if not isinstance(value, dict) or not value.keys() <= _RELATIVE_POSITION_KEYS:
        return False
    return all(
        (
            value.get("type") is None or _is_id(value["type"]),
            value.get("item") is None or _is_id(value["item"]),
            value.get("tname") is None or isinstance(value["tname"], str),
            value.get("assoc") is None or type(value["assoc"]) is int,
        )
    )


def _is_cursor(value: object) -> bool:
    return (
        isinstance(value, dict)
        and value.keys() == {"anchor", "head"}
        and _is_relative_position(value["anchor"])
        and _is_relative_position(value["head"])
    )


class ClientOwners:
    """Which user introduced each awareness client id of one document.

    Owners outlive the presence: a client id stays its user's after the socket leaves, so that
    nobody can take over the id of a page that is reconnecting. Bounded per user (the oldest id
    is forgotten first)."""

    def __init__(self, per_user: int = MAX_CLIENT_IDS_PER_USER) -> None:
        self.per_user = per_user
        self._owner: dict[int, Hashable] = {}
        self._ids: dict[Hashable, dict[int, None]] = {}  # per user, oldest first

    def may_speak_for(self, client_id: int, user: Hashable) -> bool:
        """Whether `user` owns `client_id`, or could claim it (nobody owns it yet)."""
        owner = self._owner.get(client_id)
        return owner is None or owner == user

    def claim(self, client_id: int, user: Hashable) -> bool:
        """Whether `user` may speak for `client_id`; the first to ask owns it."""
        owner = self._owner.get(client_id)
        if owner is not None:
            return owner == user
        ids = self._ids.setdefault(user, {})
        if len(ids) >= self.per_user:
            oldest = next(iter(ids))
            del ids[oldest]
            del self._owner[oldest]
        ids[client_id] = None
        self._owner[client_id] = user
        return True
