"""DocumentSession: the live copy of one document in this process, shared by all its sockets.

The session is the small core: the Doc, its peers, and one path by which an update is applied,
stored and relayed, whether it comes from a peer, from another process or from the server
itself (a REST edit). Everything else is a feature plugged in through features.py.
"""

import logging
from collections.abc import Callable, Sequence
from uuid import UUID

from pycrdt import Doc

from documents import metrics
from documents.access import Role
from documents.realtime.document_log import DocumentLog
from documents.realtime.events import Event
from documents.realtime.features import (
    Change,
    Feature,
    Peer,
    feature_classes,
    hooks_of,
    message_routes,
    overrides,
)
from documents.realtime.link import ProcessLink
from documents.realtime.nesting import check_value_depth
from documents.realtime.protocol import (
    EMPTY_UPDATE,
    MessageTooLarge,
    MessageType,
    ProtocolError,
    YSyncMessageType,
    check_entry_count,
    create_sync_step1_message,
    create_sync_step2_message,
    create_update_message,
    decode_message,
)
from documents.realtime.store import UpdateWriter

logger = logging.getLogger(__name__)

UPDATE_HEADER = bytes([MessageType.SYNC, YSyncMessageType.SYNC_UPDATE])


def _is_rust_panic(error: BaseException) -> bool:
    # pyo3 turns a Rust panic into PanicException, which derives from BaseException.
    return type(error).__name__ == "PanicException"


class DocumentSession:
    """One pycrdt Doc, the peers editing it, and the features beside it.

    A peer's update is checked (its nesting, then each feature that refuses updates), applied
    to the Doc, queued in the writer, forwarded as received to the other peers (no
    re-encoding) and shown to the features. Sync step 1 and step 2 are answered here; every
    other message type belongs to the feature that declares it.
    """

    def __init__(
        self,
        document_id: UUID,
        doc: Doc,
        writer: UpdateWriter,
        link: ProcessLink,
        *,
        features: Sequence[type[Feature]] | None = None,
    ) -> None:
        self.document_id = document_id
        self.doc = doc
        self.writer = writer
        self.link = link
        self.log = DocumentLog(logger, document_id)
        self._peers: dict[Peer, None] = {}  # ordered: broadcasts go out in join order
        classes = feature_classes() if features is None else features
        self.features = [feature_class(self) for feature_class in classes]
        self._hooks = hooks_of(self.features)
        self._guards = [feature for feature in self.features if overrides(feature, "refuses")]
        self._routes = message_routes(self.features)
        writer.on_stored = self._stored
        # The Doc emits a transaction event only when an update changes something, with the
        # update of what it integrated: that tells new updates from repeats (a state vector
        # comparison misses pure deletions, and a stock client's every step 2 repeats the whole
        # delete set), and includes what an earlier update left pending for want of its causal
        # predecessors, which only now fit in.
        self._integrated: bytes | None = None
        self._change_subscription = doc.observe(self._note_change)

    def feature[F: Feature](self, feature_class: type[F]) -> F:
        """This session's instance of a feature class."""
        for feature in self.features:
            if isinstance(feature, feature_class):
                return feature
        raise LookupError(f"no {feature_class.__name__} in this session")

    async def start(self) -> None:
        """Start the features in order (they load what they keep, then the process link hands
        over what other processes sent meanwhile)."""
        for feature in self.features:
            await feature.start()

    async def stop(self) -> None:
        """Store what is pending, then stop the features, last first."""
        self.doc.unobserve(self._change_subscription)
        await self.writer.flush()
        for feature in reversed(self.features):
            await feature.stop()
        # Stopped features hear nothing more, not even of the writer's last flush. Breaking the
        # cycles through the writer and the features lets refcounting free the Doc now: the
        # cyclic collector does not see its Rust memory and, in an idle process, may not run
        # for a long time.
        self.writer.on_stored = None
        await self.writer.stop()
        self.features.clear()
        self._hooks.clear()
        self._routes.clear()
        self._guards.clear()

    @property
    def peers(self) -> list[Peer]:
        return list(self._peers)

    async def join(self, peer: Peer) -> None:
        """Add a peer and greet it with our state vector; features greet it after that."""
        self._peers[peer] = None
        await peer.send_frame(create_sync_step1_message(self.doc.get_state()))
        for hook in self._hooks["peer_joined"]:
            await hook(peer)

    async def leave(self, peer: Peer) -> None:
        if peer not in self._peers:
            return
        del self._peers[peer]
        for hook in self._hooks["peer_left"]:
            await hook(peer)

    async def change_role(self, peer: Peer, role: Role) -> None:
        """A peer's role changed while it is connected: it takes effect now."""
        peer.role = role
        for hook in self._hooks["role_changed"]:
            await hook(peer)

    async def receive(self, peer: Peer, frame: bytes) -> None:
        """Handle one frame from a peer; raises ProtocolError for a malformed one, before any
        change to the document or to what the features keep."""
        route = self._routes.get(frame[:1])
        if route is not None:
            received, limit = route
            if len(frame) > limit:
                raise MessageTooLarge(f"message of type {frame[0]} over {limit} bytes")
            await received(peer, frame)
            return
        message = decode_message(frame)
        if message.type is not MessageType.SYNC:
            return  # auth messages only travel to clients; presence with no feature for it
        if message.sync_type is YSyncMessageType.SYNC_STEP1:
            await peer.send_frame(create_sync_step2_message(self._diff(message.payload)))
        elif message.sync_type is YSyncMessageType.SYNC_UPDATE:
            await self._from_peer(peer, message.payload, frame)
        else:  # step 2: what the client has that we lack, offline edits included
            changed = await self._from_peer(peer, message.payload, UPDATE_HEADER + frame[2:])
            for hook in self._hooks["synced"]:
                await hook(peer, changed)

    async def integrate(
        self, update: bytes, *, store: bool = True, server_change: bool = False
    ) -> bool:
        """Apply an update from another process and relay what it brought; returns whether it
        brought anything. `store`: also store it here, unless its sender has."""
        try:
            integrated = self._apply(update)
        except ProtocolError:
            self.log.exception("invalid update from another process")
            return False
        if integrated is None:
            return False  # nothing new, or waiting for what it builds on
        change = Change(integrated, server_change=server_change, remote=True)
        await self._relay(change, store=store)
        return True

    async def apply_change(self, change: Callable[[Doc], None]) -> bytes:
        """Make a change on the server (a REST edit, a restore) in one transaction, store it and
        relay it; returns the update (empty when nothing changed)."""
        self._integrated = None
        with self.doc.transaction():
            change(self.doc)
        if self._integrated in (None, EMPTY_UPDATE):
            return EMPTY_UPDATE
        await self._relay(Change(self._integrated, server_change=True))
        return self._integrated

    async def broadcast(self, frame: bytes, exclude: Peer | None = None) -> None:
        """Send a frame to every peer (but `exclude`); a failed send is logged, not raised."""
        # A copy: a peer may leave while we await another's send.
        peers = list(self._peers)
        metrics.frames_sent.inc(len(peers) - (exclude is not None))
        for peer in peers:
            if peer is not exclude:
                try:
                    await peer.send_frame(frame)
                except Exception:
                    self.log.exception("sending to a peer failed")

    async def publish(self, event: Event) -> None:
        """Send an event to the other processes that hold this document, if there are any."""
        if self.link.reaches_other_processes:
            await self.link.broadcast(event.message())

    async def handle_event(self, event: Event) -> None:
        """Hand an event from another process (or a REST view) to the features."""
        for hook in self._hooks["event"]:
            await hook(event)

    async def _from_peer(self, peer: Peer, update: bytes, frame: bytes) -> bool:
        """Check, apply, store and forward a peer's update; returns whether it changed
        anything."""
        if update == EMPTY_UPDATE:
            return False
        check_value_depth(update)  # before pycrdt decodes it, for a check or to apply it
        metrics.updates_received.inc()
        for guard in self._guards:
            if guard.refuses(peer, update):
                await guard.refused(peer, update)
                return False
        integrated = self._apply(update)
        if integrated is None:
            return False  # nothing new (a repeat, or a step 2 that only restates deletions)
        await self._relay(Change(integrated, peer=peer), frame if integrated == update else None)
        return True

    def _apply(self, update: bytes) -> bytes | None:
        """Apply an update to the Doc; returns the update of what it integrated (None if
        nothing). Raises ProtocolError if pycrdt rejects it, leaving the Doc unchanged."""
        check_entry_count(update)
        self._integrated = None
        try:
            self.doc.apply_update(update)
        except ValueError as error:
            raise ProtocolError(f"invalid update: {error}") from None
        except BaseException as error:
            if not _is_rust_panic(error):
                raise
            raise ProtocolError("invalid update") from None
        return self._integrated

    def _note_change(self, event) -> None:
        self._integrated = event.update

    async def _relay(self, change: Change, frame: bytes | None = None, store: bool = True) -> None:
        """The one way out for an integrated change: the store, every other peer here, then
        the features. `frame`, when given, already carries exactly `change.update`."""
        if store:
            self.writer.append(change.update)
        await self.broadcast(frame or create_update_message(change.update), exclude=change.peer)
        for hook in self._hooks["integrated"]:
            await hook(change)

    def _diff(self, state_vector: bytes) -> bytes:
        check_entry_count(state_vector)
        try:
            return self.doc.get_update(state_vector)
        except ValueError:
            raise ProtocolError("invalid state vector") from None

    async def _stored(self) -> None:
        for hook in self._hooks["stored"]:
            await hook()
