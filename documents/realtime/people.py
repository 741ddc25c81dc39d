"""Telling people on every socket they have open in this process, whatever the document: the
bell's news (NotificationsArrived) reaches a user who has any document open, not only the one
the notification is about.

Each process subscribes once to the channel-layer group `people`, while it holds at least one
session (the registry opens and closes the subscription), never once per socket. A message
names the users by primary key; the handler looks for their sockets among the loaded sessions.
"""

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from documents.realtime.events import Event, NotificationsArrived, UnknownEvent, parse_event
from documents.realtime.link import GroupLink, publish_to_group
from documents.realtime.protocol import notice_message

if TYPE_CHECKING:
    from documents.realtime.session import DocumentSession

logger = logging.getLogger(__name__)

PEOPLE_GROUP = "people"
NOTIFICATIONS_NOTICE = notice_message({"type": "notifications"})


def tell_after_commit(event: Event) -> None:
    """Publish `event` to every process's people link once the transaction commits."""
    transaction.on_commit(lambda: publish_to_group(PEOPLE_GROUP, event.message()))


class PeopleLink:
    """The process's subscription to the `people` group, open while `sessions` holds any."""

    def __init__(self, sessions: Callable[[], Iterable["DocumentSession"]]) -> None:
        self._sessions = sessions
        self._link: GroupLink | None = None

    @property
    def open(self) -> bool:
        return self._link is not None

    async def start(self) -> None:
        if self._link is not None:
            return
        self._link = GroupLink(PEOPLE_GROUP, logging.LoggerAdapter(logger))
        await self._link.start()
        await self._link.set_handler(self._handle)

    async def stop(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            await link.stop()

    async def _handle(self, message: dict) -> None:
        try:
            event = parse_event(message)
        except UnknownEvent:
            logger.warning("unknown message on the people link: %r", message.get("type"))
            return
        if isinstance(event, NotificationsArrived):
            recipients = set(event.recipients)
            for session in list(self._sessions()):
                for peer in session.peers:
                    if getattr(peer.user, "pk", None) in recipients:
                        await peer.send_frame(NOTIFICATIONS_NOTICE)
