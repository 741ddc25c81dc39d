"""SaveConfirmations: the feature that tells an editor its changes are stored.

Once the writer has stored a peer's updates, the peer gets a sync step 1 with the stored state
vector: a standard message (a stock client answers it and carries on) that lets our editor show
"saved" truthfully, since it can compare that vector with its own.

Authors are told once nobody has typed for SAVE_QUIET_SECONDS and, while people keep typing, at
least every SAVE_CONFIRMATION_MAX_SECONDS: each confirmation costs a frame out and the client's
answer back, which in a busy room would otherwise add a message per keystroke.
"""

import asyncio
import time
from typing import TYPE_CHECKING

from documents.realtime.features import Change, Feature
from documents.realtime.protocol import create_sync_step1_message

if TYPE_CHECKING:
    from documents.realtime.session import Peer

SAVE_QUIET_SECONDS = 0.3
SAVE_CONFIRMATION_MAX_SECONDS = 3.0


class SaveConfirmations(Feature):
    def __init__(self, session) -> None:
        super().__init__(session)
        self._unconfirmed: set[Peer] = set()  # authors of what is not confirmed yet
        self._answered: set[Peer] = set()  # peers whose answer to our greeting has come
        self._last_confirmation = float("-inf")  # time.monotonic() of the last one
        self._last_change = float("-inf")  # ... and of the last update from a peer
        self._timer: asyncio.TimerHandle | None = None

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    async def peer_left(self, peer: "Peer") -> None:
        self._unconfirmed.discard(peer)
        self._answered.discard(peer)

    async def integrated(self, change: Change) -> None:
        if change.peer is None:
            return
        self._unconfirmed.add(change.peer)
        self._last_change = time.monotonic()
        if not self.session.writer.pending:  # stored already, while the change was relayed
            await self.stored()

    async def synced(self, peer: "Peer", changed: bool) -> None:
        if peer in self._answered:
            return
        # The answer to our greeting: confirm it even if it brought nothing new, so that an
        # editor whose last edits were stored before a reconnect can say "saved". Only once per
        # connection: a stock client answers every step 1, our confirmations included.
        self._answered.add(peer)
        if changed:
            return  # confirmed with the rest once stored
        if self.session.writer.pending:
            self._unconfirmed.add(peer)  # confirmed once the batch is stored
        else:
            await peer.send_frame(create_sync_step1_message(self.session.doc.get_state()))

    async def stored(self) -> None:
        """Nothing is pending: tell the authors of what was stored, now if it is due, else by
        a timer."""
        if not self._unconfirmed or self._timer is not None:
            return
        now = time.monotonic()
        due = min(
            self._last_change + SAVE_QUIET_SECONDS,
            self._last_confirmation + SAVE_CONFIRMATION_MAX_SECONDS,
        )
        if due > now:
            self._timer = asyncio.get_running_loop().call_later(
                due - now, lambda: asyncio.ensure_future(self._confirm_when_due())
            )
            return
        self._last_confirmation = now
        authors, self._unconfirmed = self._unconfirmed, set()
        # Nothing is pending, so the Doc's state vector is exactly what is stored.
        frame = create_sync_step1_message(self.session.doc.get_state())
        for peer in authors:
            await peer.send_frame(frame)

    async def _confirm_when_due(self) -> None:
        self._timer = None
        if not self.session.writer.pending:  # else the write under way confirms when it is done
            await self.stored()
