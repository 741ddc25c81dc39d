"""Presence: the feature that keeps who is here and where their cursors are (y-protocols
awareness).

The awareness table holds one entry per client id. A peer's entries are relayed to every peer,
the sender included (the stock client relies on that echo to keep a lone socket alive), and
to the other processes; a peer's entries go at once when it leaves. Only entries a peer may
set are taken, each with the server's `user` field (presence_rules.py). Entries relayed by
another process expire unless renewed: a process that dies cannot send their removal.
"""

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings

from documents.people import presence_user
from documents.realtime.events import AwarenessUpdate, Event
from documents.realtime.features import Feature
from documents.realtime.presence_rules import ClientOwners, stamp_state
from documents.realtime.protocol import (
    AwarenessEntry,
    MessageType,
    awareness_message,
    create_awareness_message,
    decode_awareness,
    decode_message,
    encode_awareness,
)

if TYPE_CHECKING:
    from documents.realtime.session import Peer

# Presence relayed from another process is dropped if not renewed for this long (clients renew
# every 15 s), checked this often.
REMOTE_PRESENCE_TIMEOUT_SECONDS = 30.0
REMOTE_PRESENCE_CHECK_SECONDS = 3.0


class Presence(Feature):
    def __init__(self, session) -> None:
        super().__init__(session)
        self.entries: dict[int, AwarenessEntry] = {}  # the awareness table, by client id
        self._controlled: dict[Peer, set[int]] = {}  # peer -> client ids it set
        self._owners = ClientOwners()
        self._users: dict[Peer, dict] = {}  # the `user` field others see of each peer
        self._remote_seen: dict[int, float] = {}  # remote client id -> time of its last renewal
        self._expiry: asyncio.Task | None = None

    def message_limits(self) -> Mapping[int, int]:
        limit = settings.REALTIME["MAX_PRESENCE_BYTES"]
        return {MessageType.AWARENESS: limit, MessageType.QUERY_AWARENESS: limit}

    async def start(self) -> None:
        if self.session.link.reaches_other_processes:
            name = f"presence expiry {self.session.document_id}"
            self._expiry = asyncio.create_task(self._expire_remote_entries(), name=name)

    async def stop(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            await asyncio.gather(self._expiry, return_exceptions=True)

    async def peer_joined(self, peer: "Peer") -> None:
        self._controlled[peer] = set()
        if self.entries:
            await peer.send_frame(awareness_message(list(self.entries.values())))

    async def peer_left(self, peer: "Peer") -> None:
        """Remove, at once, the presence of the clients the peer set."""
        controlled = self._controlled.pop(peer, set())
        self._users.pop(peer, None)
        removed = [
            AwarenessEntry(client_id, entry.clock, b"null")
            for client_id in controlled
            if (entry := self.entries.pop(client_id, None)) is not None
        ]
        if removed:
            await self._relay(encode_awareness(removed), peer.user.pk)

    async def received(self, peer: "Peer", frame: bytes) -> None:
        message = decode_message(frame)
        if message.type is MessageType.AWARENESS:
            await self._update_from(peer, message.payload)
        elif self.entries:  # a query: the whole table
            await peer.send_frame(awareness_message(list(self.entries.values())))

    async def event(self, event: Event) -> None:
        if isinstance(event, AwarenessUpdate):
            await self._update_from_process(event.update, event.user)

    async def _update_from(self, peer: "Peer", payload: bytes) -> None:
        """Apply and relay the entries of a peer's awareness update that are its own to set
        (see presence_rules.py), each with the server's `user` field."""
        entries = decode_awareness(payload)
        controlled = self._controlled.get(peer)
        if controlled is None:
            return
        user = peer.user.pk
        # Other users' entries (stock clients echo every state they hear) are dropped unread.
        mine = [
            entry
            for entry in self._newer(entries)
            if self._owners.may_speak_for(entry.client_id, user)
        ]
        if not mine:
            return
        user_field = self._users.get(peer)
        if user_field is None:
            user_field = self._users[peer] = presence_user(peer.user)
        # Every state is checked before anything changes.
        accepted = [
            AwarenessEntry(entry.client_id, entry.clock, stamp_state(entry.state, user_field))
            for entry in mine
        ]
        for entry in accepted:
            self._owners.claim(entry.client_id, user)
            if entry.client_id not in controlled:
                self._take_over(peer, entry.client_id)
            self._remote_seen.pop(entry.client_id, None)
            if entry.removed:
                self.entries.pop(entry.client_id, None)
                controlled.discard(entry.client_id)
            else:
                self.entries[entry.client_id] = entry
                controlled.add(entry.client_id)
        await self._relay(encode_awareness(accepted), user)

    def _take_over(self, peer: "Peer", client_id: int) -> None:
        """A client id moves to `peer` from another socket of the same user (a reconnect)."""
        for other, controlled in self._controlled.items():
            if other is not peer:
                controlled.discard(client_id)

    async def _update_from_process(self, payload: bytes, user: object) -> None:
        now = time.monotonic()
        accepted = []
        for entry in self._newer(decode_awareness(payload)):
            if not self._owners.claim(entry.client_id, user):
                continue
            if entry.removed:
                self.entries.pop(entry.client_id, None)
                self._remote_seen.pop(entry.client_id, None)
            else:
                self.entries[entry.client_id] = entry
                self._remote_seen[entry.client_id] = now
            accepted.append(entry)
        if accepted:
            await self.session.broadcast(awareness_message(accepted))

    def _newer(self, entries: list[AwarenessEntry]) -> list[AwarenessEntry]:
        """The entries that win over what we hold, by y-protocols' rule: a newer clock wins;
        at the same clock, only a removal does."""
        winners = []
        for entry in entries:
            current = self.entries.get(entry.client_id)
            if (
                current is None
                or current.clock < entry.clock
                or (current.clock == entry.clock and entry.removed)
            ):
                winners.append(entry)
        return winners

    async def _relay(self, payload: bytes, user: object) -> None:
        await self.session.broadcast(create_awareness_message(payload))
        if self.session.link.reaches_other_processes:
            await self.session.publish(AwarenessUpdate(payload, user))

    async def _expire_remote_entries(self) -> None:
        while True:
            await asyncio.sleep(REMOTE_PRESENCE_CHECK_SECONDS)
            try:
                await self.drop_stale_remote_entries(time.monotonic())
            except Exception:
                self.log.exception("expiring remote presence failed")

    async def drop_stale_remote_entries(self, now: float) -> None:
        """Remove the entries from other processes not renewed for the timeout, as of `now`."""
        deadline = now - REMOTE_PRESENCE_TIMEOUT_SECONDS
        stale = [cid for cid, seen in self._remote_seen.items() if seen < deadline]
        removed = []
        for client_id in stale:
            del self._remote_seen[client_id]
            if (entry := self.entries.pop(client_id, None)) is not None:
                removed.append(AwarenessEntry(client_id, entry.clock, b"null"))
        if removed:
            await self.session.broadcast(awareness_message(removed))
