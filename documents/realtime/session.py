"""DocumentSession: the live copy of one document in this process, shared by all its sockets."""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from channels.db import database_sync_to_async
from pycrdt import Doc, create_awareness_message, create_update_message

from documents import metrics
from documents.access import Role, role_on
from documents.people import presence_user
from documents.realtime.close_codes import CloseCode
from documents.realtime.events import (
    AccessChanged,
    AwarenessUpdate,
    CrdtUpdate,
    DocumentDeleted,
    DocumentRenamed,
    RefusalsChanged,
    SyncStep1,
    SyncStep2,
    UnknownEvent,
    parse_event,
)
from documents.realtime.link import ProcessLink
from documents.realtime.nesting import check_value_depth
from documents.realtime.presence_rules import ClientOwners, stamp_state
from documents.realtime.protocol import (
    EMPTY_UPDATE,
    AwarenessEntry,
    MessageType,
    ProtocolError,
    YSyncMessageType,
    awareness_message,
    check_entry_count,
    create_sync_step1_message,
    create_sync_step2_message,
    decode_awareness,
    decode_message,
    encode_awareness,
    notice_message,
)
from documents.realtime.refusals import RefusalOverflow, Refusals
from documents.realtime.storage import save_refusals
from documents.realtime.store import UpdateWriter, in_store_thread

logger = logging.getLogger(__name__)

UPDATE_HEADER = bytes([MessageType.SYNC, YSyncMessageType.SYNC_UPDATE])

# Presence relayed from another process is dropped if not renewed for this long (clients renew
# every 15 s; a process that dies cannot send the removal).
REMOTE_PRESENCE_TIMEOUT_SECONDS = 30.0

# Authors are told "stored" once nobody has typed for SAVE_QUIET_SECONDS and, while people keep
# typing, at least every SAVE_CONFIRMATION_MAX_SECONDS: each confirmation costs a frame out and
# the client's answer back, which in a busy room would otherwise add a message per keystroke.
SAVE_QUIET_SECONDS = 0.3
SAVE_CONFIRMATION_MAX_SECONDS = 3.0

# A change made by the server (a REST edit, a restore) voids every editor's undo history: undoing
# a local edit that the change replaced would bring the replaced text back beside the new one.
HISTORY_NOTICE = notice_message({"type": "history"})


class Peer(Protocol):
    """One connected client, as the session sees it."""

    role: Role
    user: Any

    @property
    def read_only(self) -> bool:
        """Whether the peer's role forbids changing the document."""

    async def send_frame(self, frame: bytes) -> None:
        """Send one binary frame; must not raise if the socket is already closed."""

    async def close_with(self, code: int, reason: str) -> None:
        """Leave the session and close the socket with this code."""


def _is_rust_panic(error: BaseException) -> bool:
    # pyo3 turns a Rust panic into PanicException, which derives from BaseException.
    return type(error).__name__ == "PanicException"


class DocumentSession:
    """One pycrdt Doc and the presence of everyone editing it.

    Updates from a peer are applied to the Doc, forwarded as received to the other peers (no
    re-encoding), and queued in the writer. Presence (awareness) is relayed to every peer,
    the sender included: the stock client relies on that echo to keep a lone socket alive.
    Once the writer has stored a peer's updates, the peer gets a sync step 1 with the stored
    state vector: a standard message that lets an editor show "saved" truthfully.
    """

    def __init__(
        self,
        document_id: UUID,
        doc: Doc,
        writer: UpdateWriter,
        link: ProcessLink,
        *,
        anti_entropy_interval: float = 3.0,
        refusals: Refusals | None = None,
    ) -> None:
        self.document_id = document_id
        self.doc = doc
        self.writer = writer
        self.link = link
        self.anti_entropy_interval = anti_entropy_interval
        self.repairs = 0  # anti-entropy answers that brought something new
        writer.on_stored = self._confirm_stored
        self._peers: dict[Peer, set[int]] = {}  # peer -> awareness client ids it controls
        self._presence: dict[int, AwarenessEntry] = {}
        self._client_owners = ClientOwners()  # see presence_rules.py
        self._presence_users: dict[Peer, dict] = {}  # the `user` field others see of each
        self._remote_presence_seen: dict[int, float] = {}  # client id -> last renewal
        self._unconfirmed_authors: set[Peer] = set()
        self._answered: set[Peer] = set()  # peers whose answer to our greeting has come
        self.refusals = refusals or Refusals()
        self._refusals_saved: asyncio.Task | None = None
        self._told_of_refusal: set[Peer] = set()
        self._last_confirmation = float("-inf")  # time.monotonic() of the last one
        self._last_change = float("-inf")  # ... and of the last update from a peer
        self._confirmation_timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task | None = None
        # The Doc emits a transaction event only when an update changes something, with the
        # update of what it integrated: that tells new updates from repeats (a state vector
        # comparison misses pure deletions, and a stock client's every step 2 repeats the whole
        # delete set), and includes what an earlier update left pending for want of its causal
        # predecessors, which only now fit in.
        self._integrated: bytes | None = None
        self._change_subscription = doc.observe(self._note_change)

    async def start(self) -> None:
        """Take events from the link and, with other processes, start anti-entropy: ask them
        now, and every few seconds while someone edits here, for what this copy lacks."""
        assert self._task is None, "DocumentSession.start() was called twice"
        await self.link.set_handler(self.handle_event)
        if self.link.reaches_other_processes:
            await self._ask_for_missing()
            self._task = asyncio.create_task(self._keep_in_sync(), name=f"sync {self.document_id}")

    async def stop(self) -> None:
        """Stop the anti-entropy task and the link, then store what is pending."""
        self.doc.unobserve(self._change_subscription)
        if self._confirmation_timer is not None:
            self._confirmation_timer.cancel()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.link.stop()
        if self._refusals_saved is not None:
            await asyncio.gather(self._refusals_saved, return_exceptions=True)
        await self.writer.stop()
        # Break the session <-> writer cycle (the link drops its handler when it stops), so that
        # refcounting frees the Doc now: the cyclic collector does not see its Rust memory and,
        # in an idle process, may not run for a long time.
        self.writer.on_stored = None

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
        self._presence_users.pop(peer, None)
        self._unconfirmed_authors.discard(peer)
        self._answered.discard(peer)
        self._told_of_refusal.discard(peer)
        if not controlled:
            return
        removed = [
            AwarenessEntry(client_id, entry.clock, b"null")
            for client_id in controlled
            if (entry := self._presence.pop(client_id, None)) is not None
        ]
        if removed:
            await self._broadcast_presence(encode_awareness(removed), peer.user.pk)

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
                changed = await self._update(peer, message.payload, UPDATE_HEADER + frame[2:])
                if peer not in self._answered:
                    # The answer to our greeting: confirm it even if it brought nothing new, so
                    # that an editor whose last edits were stored before a reconnect can say
                    # "saved". Only once per connection: a stock client answers every step 1,
                    # our confirmations included, with a step 2.
                    self._answered.add(peer)
                    if not changed:
                        await self._confirm(peer)
        elif message.type is MessageType.AWARENESS:
            await self._awareness(peer, message.payload)
        elif message.type is MessageType.QUERY_AWARENESS and self._presence:
            await peer.send_frame(awareness_message(list(self._presence.values())))
        # Auth messages only ever travel from server to client; one from a client is ignored.

    def apply_update(self, update: bytes) -> bytes | None:
        """Apply an update to the Doc and queue what it integrated for storage; returns that
        (None if nothing). Raises ProtocolError if pycrdt rejects it, leaving the Doc
        unchanged."""
        check_entry_count(update)
        try:
            integrated = self._integrate(update)
        except ValueError as error:
            raise ProtocolError(f"invalid update: {error}") from None
        except BaseException as error:
            if not _is_rust_panic(error):
                raise
            raise ProtocolError("invalid update") from None
        if integrated is not None:
            self.writer.append(integrated)
        return integrated

    def _integrate(self, update: bytes) -> bytes | None:
        """Apply an update to the Doc; returns the update of what it integrated, None if
        nothing (see _note_change)."""
        self._integrated = None
        self.doc.apply_update(update)
        return self._integrated

    def _note_change(self, event) -> None:
        self._integrated = event.update

    async def apply_change(self, change: Callable[[Doc], None]) -> bytes:
        """Make a change on the server (a REST edit, a restore) in one transaction, store it and
        send it to every peer; returns the update (empty when nothing changed)."""
        before = self.doc.get_state()
        with self.doc.transaction():
            change(self.doc)
        update = self.doc.get_update(before)
        if update != EMPTY_UPDATE:
            self.writer.append(update)
            await self._broadcast(create_update_message(update))
            await self._broadcast(HISTORY_NOTICE)
            if self.link.reaches_other_processes:
                await self.link.broadcast(CrdtUpdate(update, server_change=True).message())
        return update

    async def apply_remote(self, update: bytes, *, store: bool) -> bool:
        """Apply an update from another process and send it to our peers if it brought
        anything new; returns whether it did.

        Updates relayed by another process are stored here too (`store`): if that process
        dies before its next batch, the author's reconnect here re-sends nothing we already
        hold, so our copy must be durable. Duplicates cost space, never correctness, and
        compaction folds them away.
        """
        try:
            integrated = self._integrate(update)
        except ValueError:
            logger.exception(
                "document %s: invalid update from another process",
                self.document_id,
                extra={"document": str(self.document_id)},
            )
            return False
        if integrated is None:
            return False  # nothing new, or waiting for what it builds on
        if store:
            self.writer.append(integrated)
        await self._broadcast(create_update_message(integrated))
        return True

    async def handle_event(self, message: dict) -> None:
        """An event from the channel layer (see documents/realtime/link.py and events.py)."""
        try:
            event = parse_event(message)
        except UnknownEvent as error:
            logger.warning(
                "document %s: %s",
                self.document_id,
                error,
                extra={"document": str(self.document_id)},
            )
            return
        match event:
            case CrdtUpdate():
                changed = await self.apply_remote(event.update, store=not event.stored)
                if changed and event.server_change:
                    await self._broadcast(HISTORY_NOTICE)
            case RefusalsChanged():
                self.refusals.merge(event.refusals)
            case DocumentRenamed():
                await self._broadcast(notice_message({"type": "title", "title": event.title}))
            case AwarenessUpdate():
                await self._remote_awareness(event.update, event.user)
            case SyncStep1():
                missing = self.doc.get_update(event.state)
                if missing != EMPTY_UPDATE:
                    await self.link.send_to(event.origin, SyncStep2(missing).message())
            case SyncStep2():
                if await self.apply_remote(event.update, store=True):
                    self.repairs += 1
                    metrics.anti_entropy_repairs.inc()
                    logger.info(
                        "document %s: anti-entropy repaired a gap",
                        self.document_id,
                        extra={"document": str(self.document_id)},
                    )
            case AccessChanged():
                await self._recheck_access()
            case DocumentDeleted():
                for peer in self.peers:
                    await peer.close_with(CloseCode.NOT_FOUND, "the document was deleted")

    async def _recheck_access(self) -> None:
        """Follow role changes at once: a removed member is closed out, and a peer whose role
        changed is told so (the editor locks or unlocks itself)."""
        for peer in self.peers:
            role = await database_sync_to_async(role_on)(peer.user, self.document_id)
            if role is None:
                await peer.close_with(
                    CloseCode.ACCESS_REMOVED, "your access to this document was removed"
                )
            elif role is not peer.role:
                peer.role = role
                self._told_of_refusal.discard(peer)  # what it sends next is judged anew
                await peer.send_frame(notice_message({"type": "role", "role": role.value}))

    async def _confirm_stored(self) -> None:
        """Called when nothing is pending: tell the authors of what was stored, now if it is due
        (see SAVE_QUIET_SECONDS), else by a timer."""
        if not self._unconfirmed_authors or self._confirmation_timer is not None:
            return
        now = time.monotonic()
        due = min(
            self._last_change + SAVE_QUIET_SECONDS,
            self._last_confirmation + SAVE_CONFIRMATION_MAX_SECONDS,
        )
        if due > now:
            self._confirmation_timer = asyncio.get_running_loop().call_later(
                due - now, lambda: asyncio.ensure_future(self._confirm_when_due())
            )
            return
        self._last_confirmation = now
        authors, self._unconfirmed_authors = self._unconfirmed_authors, set()
        # Nothing is pending, so the Doc's state vector is exactly what is stored.
        frame = create_sync_step1_message(self.doc.get_state())
        for peer in authors:
            await peer.send_frame(frame)

    async def _confirm_when_due(self) -> None:
        self._confirmation_timer = None
        if not self.writer.pending:  # else the write under way confirms when it is done
            await self._confirm_stored()

    def _diff(self, state_vector: bytes) -> bytes:
        check_entry_count(state_vector)
        try:
            return self.doc.get_update(state_vector)
        except ValueError:
            raise ProtocolError("invalid state vector") from None

    async def _confirm(self, peer: Peer) -> None:
        if self.writer.pending:
            self._unconfirmed_authors.add(peer)  # confirmed once the batch is stored
        else:
            await peer.send_frame(create_sync_step1_message(self.doc.get_state()))

    async def _update(self, peer: Peer, update: bytes, frame: bytes) -> bool:
        """Apply, store and forward a peer's update; returns whether it changed anything."""
        if update == EMPTY_UPDATE:
            return False
        check_value_depth(update)  # before pycrdt decodes it, for refusals or to apply it
        metrics.updates_received.inc()
        if peer.read_only or (self.refusals and self.refusals.blocks(update, self.doc)):
            await self._refuse(peer, update)
            return False
        integrated = self.apply_update(update)
        if integrated is None:
            return False  # nothing new (a repeat, or a step 2 that only restates deletions)
        self._unconfirmed_authors.add(peer)
        self._last_change = time.monotonic()
        if integrated != update:  # it brought less, or more (see _note_change)
            frame = create_update_message(integrated)
        await self._broadcast(frame, exclude=peer)
        if self.link.reaches_other_processes:  # with one process, not even the message is built
            await self.link.broadcast(CrdtUpdate(integrated).message())
        return True

    async def _refuse(self, peer: Peer, update: bytes) -> None:
        """Drop a peer's update for good (see refusals.py) and tell the peer, once per
        connection, that its changes were not saved."""
        logger.info(
            "document %s: refused an update (%s)",
            self.document_id,
            "read-only peer" if peer.read_only else "it builds on refused changes",
            extra={"document": str(self.document_id)},
        )
        try:
            if self.refusals.record(update, self.doc):
                await self._keep_refusals()
        except RefusalOverflow:
            await peer.close_with(CloseCode.TOO_MANY, "too many refused changes")
            return
        if peer in self._told_of_refusal:
            return
        self._told_of_refusal.add(peer)
        if peer.read_only:
            notice = {"type": "role", "role": peer.role.value, "refused": True}
        else:
            notice = {"type": "refused"}
        await peer.send_frame(notice_message(notice))

    async def _keep_refusals(self) -> None:
        """Store the refusals (they must outlive this session) and tell the other processes."""
        refusals = self.refusals.to_json()
        previous = self._refusals_saved

        async def save() -> None:
            if previous is not None:
                await asyncio.gather(previous, return_exceptions=True)  # in order
            await in_store_thread(save_refusals)(self.document_id, refusals)

        self._refusals_saved = asyncio.create_task(save(), name=f"refusals {self.document_id}")
        if self.link.reaches_other_processes:
            await self.link.broadcast(RefusalsChanged(refusals).message())

    async def _awareness(self, peer: Peer, payload: bytes) -> None:
        """Apply and relay the entries of a peer's awareness update that are its own to set
        (see presence_rules.py), each with the server's `user` field."""
        entries = decode_awareness(payload)
        controlled = self._peers.get(peer)
        if controlled is None:
            return
        user = peer.user.pk
        # Other users' entries (stock clients echo every state they hear) are dropped unread.
        mine = [
            entry
            for entry in self._newer(entries)
            if self._client_owners.may_speak_for(entry.client_id, user)
        ]
        if not mine:
            return
        user_field = self._presence_users.get(peer)
        if user_field is None:
            user_field = self._presence_users[peer] = presence_user(peer.user)
        # Every state is checked before anything changes.
        accepted = [
            AwarenessEntry(entry.client_id, entry.clock, stamp_state(entry.state, user_field))
            for entry in mine
        ]
        for entry in accepted:
            self._client_owners.claim(entry.client_id, user)
            if entry.client_id not in controlled:
                self._take_over(peer, entry.client_id)
            self._remote_presence_seen.pop(entry.client_id, None)
            if entry.removed:
                self._presence.pop(entry.client_id, None)
                controlled.discard(entry.client_id)
            else:
                self._presence[entry.client_id] = entry
                controlled.add(entry.client_id)
        await self._broadcast_presence(encode_awareness(accepted), user)

    def _take_over(self, peer: Peer, client_id: int) -> None:
        """A client id moves to `peer` from another socket of the same user (a reconnect)."""
        for other, controlled in self._peers.items():
            if other is not peer:
                controlled.discard(client_id)

    async def _remote_awareness(self, payload: bytes, user: object) -> None:
        now = time.monotonic()
        accepted = []
        for entry in self._newer(decode_awareness(payload)):
            if not self._client_owners.claim(entry.client_id, user):
                continue
            if entry.removed:
                self._presence.pop(entry.client_id, None)
                self._remote_presence_seen.pop(entry.client_id, None)
            else:
                self._presence[entry.client_id] = entry
                self._remote_presence_seen[entry.client_id] = now
            accepted.append(entry)
        if accepted:
            await self._broadcast(awareness_message(accepted))

    def _newer(self, entries: list[AwarenessEntry]) -> list[AwarenessEntry]:
        """The entries that win over what we hold, by y-protocols' rule: a newer clock wins;
        at the same clock, only a removal does."""
        winners = []
        for entry in entries:
            current = self._presence.get(entry.client_id)
            if (
                current is None
                or current.clock < entry.clock
                or (current.clock == entry.clock and entry.removed)
            ):
                winners.append(entry)
        return winners

    async def _broadcast_presence(self, payload: bytes, user: object) -> None:
        await self._broadcast(create_awareness_message(payload))
        if self.link.reaches_other_processes:
            await self.link.broadcast(AwarenessUpdate(payload, user).message())

    async def _ask_for_missing(self) -> None:
        await self.link.broadcast(SyncStep1(self.doc.get_state()).message())

    async def _keep_in_sync(self) -> None:
        while True:
            await asyncio.sleep(self.anti_entropy_interval)
            try:
                if self._peers:
                    await self._ask_for_missing()
                await self._drop_stale_remote_presence()
            except Exception:
                logger.exception(
                    "document %s: anti-entropy round failed",
                    self.document_id,
                    extra={"document": str(self.document_id)},
                )

    async def _drop_stale_remote_presence(self) -> None:
        deadline = time.monotonic() - REMOTE_PRESENCE_TIMEOUT_SECONDS
        stale = [cid for cid, seen in self._remote_presence_seen.items() if seen < deadline]
        removed = []
        for client_id in stale:
            del self._remote_presence_seen[client_id]
            if (entry := self._presence.pop(client_id, None)) is not None:
                removed.append(AwarenessEntry(client_id, entry.clock, b"null"))
        if removed:
            await self._broadcast(awareness_message(removed))

    async def _broadcast(self, frame: bytes, exclude: Peer | None = None) -> None:
        # A copy: a peer may leave while we await another's send.
        peers = list(self._peers)
        metrics.frames_sent.inc(len(peers) - (exclude is not None))
        for peer in peers:
            if peer is not exclude:
                try:
                    await peer.send_frame(frame)
                except Exception:
                    logger.exception(
                        "document %s: sending to a peer failed",
                        self.document_id,
                        extra={"document": str(self.document_id)},
                    )
