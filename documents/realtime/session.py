"""DocumentSession: the live copy of one document in this process, shared by all its sockets."""

import logging
from typing import Protocol
from uuid import UUID

from pycrdt import Doc

from documents.realtime.protocol import (
    EMPTY_UPDATE,
    AwarenessEntry,
    MessageType,
    ProtocolError,
    YSyncMessageType,
    awareness_message,
    create_sync_step1_message,
    create_sync_step2_message,
    decode_awareness,
    decode_message,
)
from documents.realtime.store import UpdateWriter

logger = logging.getLogger(__name__)

UPDATE_HEADER = bytes([MessageType.SYNC, YSyncMessageType.SYNC_UPDATE])


class Peer(Protocol):
    """One connected client, as the session sees it."""

    read_only: bool

    async def send_frame(self, frame: bytes) -> None:
        """Send one binary frame; must not raise if the socket is already closed."""


def _is_rust_panic(error: BaseException) -> bool:
    # pyo3 turns a Rust panic into PanicException, which derives from BaseException.
    return type(error).__name__ == "PanicException"


class DocumentSession:
    """One pycrdt Doc and the presence of everyone editing it.

    Updates from a peer are applied to the Doc, forwarded as received to the other peers (no
    re-encoding), and queued in the writer. Presence (awareness) is relayed to every peer,
    the sender included: the stock client relies on that echo to keep a lone socket alive.
    """

    def __init__(self, document_id: UUID, doc: Doc, writer: UpdateWriter) -> None:
        self.document_id = document_id
        self.doc = doc
        self.writer = writer
        self._peers: dict[Peer, set[int]] = {}  # peer -> awareness client ids it controls
        self._presence: dict[int, AwarenessEntry] = {}

    @property
    def peers(self) -> list[Peer]:
        return list(self._peers)

    @property
    def presence(self) -> dict[int, AwarenessEntry]:
        """The current awareness entries by client id."""
        return dict(self._presence)

    async def join(self, peer: Peer) -> None:
        """Add a peer and greet it: our state vector, then everyone's presence."""
        self._peers[peer] = set()
        await peer.send_frame(create_sync_step1_message(self.doc.get_state()))
        if self._presence:
            await peer.send_frame(awareness_message(list(self._presence.values())))

    async def leave(self, peer: Peer) -> None:
        """Remove a peer and, at once, the presence of the clients it controlled."""
        controlled = self._peers.pop(peer, None)
        if not controlled:
            return
        removed = [
            AwarenessEntry(client_id, entry.clock, b"null")
            for client_id in controlled
            if (entry := self._presence.pop(client_id, None)) is not None
        ]
        if removed:
            await self._broadcast(awareness_message(removed))

    async def receive(self, peer: Peer, frame: bytes) -> None:
        """Handle one frame from a peer; raises ProtocolError for a malformed one, before any
        change to the document or the presence."""
        message = decode_message(frame)
        if message.type is MessageType.SYNC:
            if message.sync_type is YSyncMessageType.SYNC_STEP1:
                await peer.send_frame(create_sync_step2_message(self._diff(message.payload)))
            elif message.sync_type is YSyncMessageType.SYNC_UPDATE:
                await self._update(peer, message.payload, frame)
            else:  # step 2: what the client has that we lack, offline edits included
                await self._update(peer, message.payload, UPDATE_HEADER + frame[2:])
        elif message.type is MessageType.AWARENESS:
            await self._awareness(peer, message.payload, frame)
        elif message.type is MessageType.QUERY_AWARENESS and self._presence:
            await peer.send_frame(awareness_message(list(self._presence.values())))
        # Auth messages only ever travel from server to client; one from a client is ignored.

    def apply_update(self, update: bytes) -> None:
        """Apply an update to the Doc and queue it for storage; raises ProtocolError if pycrdt
        rejects it, leaving the Doc unchanged."""
        try:
            self.doc.apply_update(update)
        except ValueError as error:
            raise ProtocolError(f"invalid update: {error}") from None
        except BaseException as error:
            if not _is_rust_panic(error):
                raise
            raise ProtocolError("invalid update") from None
        self.writer.append(update)

    def _diff(self, state_vector: bytes) -> bytes:
        try:
            return self.doc.get_update(state_vector)
        except ValueError:
            raise ProtocolError("invalid state vector") from None

    async def _update(self, peer: Peer, update: bytes, frame: bytes) -> None:
        if update == EMPTY_UPDATE:
            return
        if peer.read_only:
            logger.info("document %s: dropped an update from a read-only peer", self.document_id)
            return
        self.apply_update(update)
        await self._broadcast(frame, exclude=peer)

    async def _awareness(self, peer: Peer, payload: bytes, frame: bytes) -> None:
        entries = decode_awareness(payload)
        controlled = self._peers.get(peer)
        if controlled is None:
            return
        for entry in entries:
            current = self._presence.get(entry.client_id)
            # y-protocols' rule: a newer clock wins; at the same clock, only a removal does.
            if current is not None and (
                current.clock > entry.clock or (current.clock == entry.clock and not entry.removed)
            ):
                continue
            if entry.removed:
                self._presence.pop(entry.client_id, None)
                controlled.discard(entry.client_id)
            else:
                self._presence[entry.client_id] = entry
                controlled.add(entry.client_id)
        await self._broadcast(frame)

    async def _broadcast(self, frame: bytes, exclude: Peer | None = None) -> None:
        # A copy: a peer may leave while we await another's send.
        for peer in list(self._peers):
            if peer is not exclude:
                try:
                    await peer.send_frame(frame)
                except Exception:
                    logger.exception("document %s: sending to a peer failed", self.document_id)
