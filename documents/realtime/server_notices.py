"""ServerNotices: the feature that keeps open editors in step with what changed about the
document outside the socket, through server notices (protocol.notice_message).

- A role change reaches the peer at once (its editor locks or unlocks itself); a removed member
  is closed out with 4403, everyone with 4404 when the document is deleted.
- A rename reaches every editor's title.
- A change made by the server (a REST edit, a restore), here or in another process, voids every
  editor's undo history: undoing a local edit that the change replaced would bring the replaced
  text back beside the new one.
"""

from typing import TYPE_CHECKING

from channels.db import database_sync_to_async

from documents.access import role_on
from documents.realtime.close_codes import CloseCode
from documents.realtime.events import (
    AccessChanged,
    DocumentDeleted,
    DocumentRenamed,
    Event,
)
from documents.realtime.features import Change, Feature
from documents.realtime.protocol import notice_message

if TYPE_CHECKING:
    from documents.realtime.session import Peer

HISTORY_NOTICE = notice_message({"type": "history"})


class ServerNotices(Feature):
    async def integrated(self, change: Change) -> None:
        if change.server_change:
            await self.session.broadcast(HISTORY_NOTICE)

    async def role_changed(self, peer: "Peer") -> None:
        await peer.send_frame(notice_message({"type": "role", "role": peer.role.value}))

    async def event(self, event: Event) -> None:
        match event:
            case AccessChanged():
                await self._recheck_access()
            case DocumentRenamed():
                notice = notice_message({"type": "title", "title": event.title})
                await self.session.broadcast(notice)
            case DocumentDeleted():
                for peer in self.session.peers:
                    await peer.close_with(CloseCode.NOT_FOUND, "the document was deleted")

    async def _recheck_access(self) -> None:
        session = self.session
        for peer in session.peers:
            role = await database_sync_to_async(role_on)(peer.user, session.document_id)
            if role is None:
                await peer.close_with(
                    CloseCode.ACCESS_REMOVED, "your access to this document was removed"
                )
            elif role is not peer.role:
                await session.change_role(peer, role)
