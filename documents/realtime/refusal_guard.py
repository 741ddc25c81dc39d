"""RefusalGuard: the feature that keeps what a peer may not write out of the document for good.

A read-only peer's update is refused, and so is any update that builds on refused changes
(refusals.py says which those are). The refusals are recorded, stored with the document and
shared with the other processes, so that a refused change never lands later: not after the peer
is promoted, not after an unload, not through another process. The peer is told once per
connection and role, in a server notice, that its changes were not saved.
"""

import asyncio
from typing import TYPE_CHECKING

from documents.realtime.close_codes import CloseCode
from documents.realtime.events import Event, RefusalsChanged
from documents.realtime.features import Feature
from documents.realtime.protocol import notice_message
from documents.realtime.refusals import RefusalOverflow, Refusals
from documents.realtime.storage import load_refusals, save_refusals
from documents.realtime.store import in_store_thread

if TYPE_CHECKING:
    from documents.realtime.session import Peer


class RefusalGuard(Feature):
    def __init__(self, session) -> None:
        super().__init__(session)
        self.refusals = Refusals()
        self._saved: asyncio.Task | None = None
        self._told: set[Peer] = set()  # peers told of a refusal since their last role change

    async def start(self) -> None:
        stored = await in_store_thread(load_refusals)(self.session.document_id)
        self.refusals = Refusals.from_json(stored)

    async def stop(self) -> None:
        if self._saved is not None:
            await asyncio.gather(self._saved, return_exceptions=True)

    async def peer_left(self, peer: "Peer") -> None:
        self._told.discard(peer)

    async def role_changed(self, peer: "Peer") -> None:
        self._told.discard(peer)  # what it sends next is judged and told anew

    def refuses(self, peer: "Peer", update: bytes) -> bool:
        if peer.read_only:
            return True
        return bool(self.refusals) and self.refusals.blocks(update, self.session.doc)

    async def refused(self, peer: "Peer", update: bytes) -> None:
        session = self.session
        why = "read-only peer" if peer.read_only else "it builds on refused changes"
        self.log.info("refused an update (%s)", why)
        try:
            if self.refusals.record(update, session.doc):
                await self._keep()
        except RefusalOverflow:
            await peer.close_with(CloseCode.TOO_MANY, "too many refused changes")
            return
        if peer in self._told:
            return
        self._told.add(peer)
        if peer.read_only:
            notice = {"type": "role", "role": peer.role.value, "refused": True}
        else:
            notice = {"type": "refused"}
        await peer.send_frame(notice_message(notice))

    async def event(self, event: Event) -> None:
        if isinstance(event, RefusalsChanged):
            self.refusals.merge(event.refusals)

    async def _keep(self) -> None:
        """Store the refusals (they must outlive this session) and tell the other processes."""
        refusals = self.refusals.to_json()
        previous = self._saved
        document_id = self.session.document_id

        async def save() -> None:
            if previous is not None:
                await asyncio.gather(previous, return_exceptions=True)  # in order
            await in_store_thread(save_refusals)(document_id, refusals)

        self._saved = asyncio.create_task(save(), name=f"refusals {document_id}")
        await self.session.publish(RefusalsChanged(refusals))
