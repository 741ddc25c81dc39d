"""The y-websocket wire protocol (y-protocols `sync.js` and `awareness.js`), over pycrdt's codec.

One message per binary frame. Each starts with a var-uint type: 0 sync (then 0 step 1, 1 step 2,
2 update), 1 awareness, 2 auth, 3 query awareness. Frames come from untrusted clients, so every
read is bounded: a malformed frame raises `ProtocolError` and never an unrelated exception.

The server also sends notices of its own (type 100, see `notice_message`); a stock client logs
and skips them, and one sent by a client is refused like any unknown type.
"""

import json
from dataclasses import dataclass
from enum import IntEnum

from pycrdt import (
    Decoder,
    Encoder,
    YSyncMessageType,
    create_awareness_message,
    create_update_message,
    write_message,
)

__all__ = [
    "AwarenessEntry",
    "Message",
    "MessageType",
    "ProtocolError",
    "YSyncMessageType",
    "awareness_message",
    "check_entry_count",
    "create_sync_step1_message",
    "create_sync_step2_message",
    "create_update_message",
    "decode_awareness",
    "decode_message",
    "encode_awareness",
    "notice_message",
    "read_var_uint",
    "feature_message",
    "read_feature_message",
    "EMPTY_UPDATE",
    "MAX_SAFE_INTEGER",
    "MessageTooLarge",
    "NOTICE_MESSAGE_TYPE",
]

# lib0 writes numbers up to 2^53 (JavaScript's safe integers): at most 8 var-uint bytes.
MAX_VAR_UINT_BYTES = 8
# ...and its decoder throws on anything larger, so no such number may ever be relayed.
MAX_SAFE_INTEGER = 2**53 - 1

# The update a Yjs client sends when it has nothing new (an empty struct store and delete set).
EMPTY_UPDATE = b"\x00\x00"


# Server-to-client notices: the first var-uint of the frame, then one JSON object as a
# var-string. Far above the y-protocols types, so that a future standard type cannot collide.
NOTICE_MESSAGE_TYPE = 100


class ProtocolError(ValueError):
    """A frame that is not a valid y-websocket message; `str(error)` says why."""


class MessageTooLarge(ProtocolError):
    """A frame over the size limit of its message type (the socket closes with 4413)."""


class MessageType(IntEnum):
    """The first var-uint of every frame."""

    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3


@dataclass(frozen=True, slots=True)
class Message:
    """A decoded frame: its type, the sync sub-type for sync messages, and the payload (a state
    vector, an update, an encoded awareness update, or an auth reason)."""

    type: MessageType
    sync_type: YSyncMessageType | None
    payload: bytes


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's presence: its id, its clock, and its state as UTF-8 JSON (`null` = gone)."""

    client_id: int
    clock: int
    state: bytes

    @property
    def removed(self) -> bool:
        return self.state == b"null"


def read_var_uint(decoder: Decoder) -> int:
    """Read one lib0 var-uint; raises ProtocolError instead of reading an unbounded one."""
    # pycrdt's reader walks until a byte below 0x80 with no bound; check that one comes soon,
    # or a frame of 0xff bytes would make it build a million-bit integer.
    start = decoder.i0
    window = decoder.stream[start : start + MAX_VAR_UINT_BYTES]
    if not window:
        raise ProtocolError("message ends early")
    if all(byte & 0x80 for byte in window):
        raise ProtocolError("var-uint is truncated or longer than 8 bytes")
    return decoder.read_var_uint()


def _read_bytes(decoder: Decoder) -> bytes:
    length = read_var_uint(decoder)
    if length > decoder.length:
        raise ProtocolError(f"declared length {length} exceeds the {decoder.length} bytes left")
    start = decoder.i0
    decoder.i0 += length
    decoder.length -= length
    return decoder.stream[start : decoder.i0]


def _expect_end(decoder: Decoder) -> None:
    if decoder.length:
        raise ProtocolError(f"{decoder.length} unexpected bytes after the message")


def check_entry_count(payload: bytes) -> None:
    """Raise ProtocolError if the entry count that starts an update or a state vector exceeds
    the bytes after it. pycrdt (yrs) reserves room for that many entries before reading one: a
    5-byte update declaring 2^28 clients costs 512 MiB and a second of the event loop, a state
    vector declaring 2^29 a GiB and two seconds. Every entry takes at least a byte."""
    decoder = Decoder(payload)
    count = read_var_uint(decoder)
    if count > decoder.length:
        raise ProtocolError(f"declares {count} entries in {decoder.length} bytes")


def decode_message(frame: bytes) -> Message:
    """Decode one frame; raises `ProtocolError` unless it is exactly one well-formed message."""
    decoder = Decoder(frame)
    raw_type = read_var_uint(decoder)
    try:
        message_type = MessageType(raw_type)
    except ValueError:
        raise ProtocolError(f"unknown message type {raw_type}") from None
    sync_type = None
    if message_type is MessageType.SYNC:
        raw_sync_type = read_var_uint(decoder)
        try:
            sync_type = YSyncMessageType(raw_sync_type)
        except ValueError:
            raise ProtocolError(f"unknown sync message type {raw_sync_type}") from None
        payload = _read_bytes(decoder)
    elif message_type is MessageType.AWARENESS:
        payload = _read_bytes(decoder)
    elif message_type is MessageType.AUTH:
        read_var_uint(decoder)  # the auth sub-type (0 = permission denied)
        payload = _read_bytes(decoder)
    else:
        payload = b""
    _expect_end(decoder)
    return Message(message_type, sync_type, payload)


def create_sync_step1_message(state_vector: bytes) -> bytes:
    """Sync step 1: our state vector, asking for what we lack."""
    return bytes((MessageType.SYNC, YSyncMessageType.SYNC_STEP1)) + write_message(state_vector)


def create_sync_step2_message(update: bytes) -> bytes:
    """Sync step 2: the answer to a step 1, everything the asker lacks."""
    return bytes((MessageType.SYNC, YSyncMessageType.SYNC_STEP2)) + write_message(update)


def decode_awareness(payload: bytes) -> list[AwarenessEntry]:
    """Decode an awareness update; every state must be valid JSON text, and client ids and
    clocks numbers that a browser's decoder accepts."""
    decoder = Decoder(payload)
    count = read_var_uint(decoder)
    if count > decoder.length:
        raise ProtocolError(f"declares {count} entries in {decoder.length} bytes")
    entries = []
    for _ in range(count):
        client_id = read_var_uint(decoder)
        clock = read_var_uint(decoder)
        if client_id > MAX_SAFE_INTEGER or clock > MAX_SAFE_INTEGER:
            raise ProtocolError(f"awareness client id or clock above 2^53-1 ({client_id}, {clock})")
        state = _read_bytes(decoder)
        try:
            json.loads(state)
        except RecursionError:
            raise ProtocolError(f"awareness state of client {client_id} nests too deeply") from None
        except ValueError:  # UnicodeDecodeError is a ValueError too
            raise ProtocolError(f"awareness state of client {client_id} is not JSON") from None
        entries.append(AwarenessEntry(client_id, clock, state))
    _expect_end(decoder)
    return entries


def encode_awareness(entries: list[AwarenessEntry]) -> bytes:
    """Encode entries as an awareness update (the payload of an awareness message)."""
    encoder = Encoder()
    encoder.write_var_uint(len(entries))
    for entry in entries:
        encoder.write_var_uint(entry.client_id)
        encoder.write_var_uint(entry.clock)
        # Not write_var_string: it prefixes the length in characters, and lib0 reads bytes.
        encoder.stream.append(write_message(entry.state))
    return encoder.to_bytes()


def awareness_message(entries: list[AwarenessEntry]) -> bytes:
    """A whole awareness frame carrying these entries."""
    return create_awareness_message(encode_awareness(entries))


def feature_message(message_type: int, payload: bytes) -> bytes:
    """A message of a feature's own type (features.py): the type, then the payload as one
    length-prefixed byte string, as lib0 writes a Uint8Array."""
    return bytes((message_type,)) + write_message(payload)


def read_feature_message(frame: bytes) -> bytes:
    """The payload of a `feature_message`; raises ProtocolError unless the frame is exactly one."""
    decoder = Decoder(frame)
    read_var_uint(decoder)
    payload = _read_bytes(decoder)
    _expect_end(decoder)
    return payload


def notice_message(notice: dict) -> bytes:
    """A notice from the server: what changed about the document or this client's rights.

    `notice["type"]` says which: `role` (with `role`, and `refused` when changes of this
    client's were refused), `refused` (changes refused for another reason), `title` (with
    `title`), `history` (the server changed the content: local undo history is void).
    """
    return feature_message(NOTICE_MESSAGE_TYPE, json.dumps(notice, separators=(",", ":")).encode())
