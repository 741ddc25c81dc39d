"""The channel-layer link between the processes that serve one document.

Each process subscribes once per loaded document (not once per socket) to the group
`document.<id>`. REST views and other processes publish events there: access changes, deletion
and, with several processes, CRDT updates.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from documents.realtime.document_log import DocumentLog
from documents.realtime.events import Event

logger = logging.getLogger(__name__)

Handler = Callable[[dict], Awaitable[None]]


def group_name(document_id: UUID) -> str:
    return f"document.{document_id.hex}"


async def publish(document_id: UUID, message: dict) -> None:
    """Send an event to every process that has the document loaded."""
    await _group_send(group_name(document_id), message)


def publish_to_group(group: str, message: dict) -> None:
    """Send a message to every process subscribed to `group`, from synchronous code."""
    async_to_sync(_group_send)(group, message)


async def _group_send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(group, message)


def publish_from_sync(document_id: UUID, message: dict) -> None:
    """`publish` for synchronous code (views, signal handlers)."""
    async_to_sync(publish)(document_id, message)


def publish_after_commit(document_id: UUID, event: Event) -> None:
    """Tell every process's sessions of the document of `event`, once the database transaction
    that made it commits (at once outside a transaction)."""
    transaction.on_commit(lambda: publish_from_sync(document_id, event.message()))


class GroupLink:
    """This process's subscription to one channel-layer group, with a task that hands each
    message to the handler. A failing handler is logged; the link keeps running. Messages that
    arrive before `set_handler` are kept and then replayed in order."""

    def __init__(self, group: str, log: logging.LoggerAdapter) -> None:
        self.group = group
        self.log = log
        self.channel_name: str | None = None
        self._handler: Handler | None = None
        self._early: list[dict] = []
        self._layer = get_channel_layer()
        self._task: asyncio.Task | None = None

    async def set_handler(self, handler: Handler) -> None:
        self._handler = handler
        early, self._early = self._early, []
        for message in early:
            await self._dispatch(message)

    async def start(self) -> None:
        assert self._task is None, "start() was called twice"
        if self._layer is None:
            return
        self.channel_name = await self._layer.new_channel()
        await self._layer.group_add(self.group, self.channel_name)
        self._task = asyncio.create_task(self._receive(), name=f"link {self.group}")

    async def stop(self) -> None:
        self._handler = None  # it may hold a session: a cycle otherwise
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        await self._layer.group_discard(self.group, self.channel_name)

    async def _receive(self) -> None:
        while True:
            message = await self._layer.receive(self.channel_name)
            if message.get("origin") == self.channel_name:
                continue  # our own broadcast
            if self._handler is None:
                self._early.append(message)
            else:
                await self._dispatch(message)

    async def _dispatch(self, message: dict) -> None:
        try:
            await self._handler(message)
        except Exception:
            self.log.exception("handling %r failed", message)


class ProcessLink(GroupLink):
    """This process's subscription to one document's group. It starts before the document is
    loaded, so that nothing published during the load is missed."""

    def __init__(self, document_id: UUID) -> None:
        super().__init__(group_name(document_id), DocumentLog(logger, document_id))
        self.document_id = document_id
        # False for the in-memory layer: this process is then the only one.
        self.reaches_other_processes = self._layer is not None and not isinstance(
            self._layer, InMemoryChannelLayer
        )

    async def broadcast(self, message: dict) -> None:
        """Send to the other processes that hold the document (stamped with our channel, so
        that we can ignore our own message when it comes back)."""
        if self.reaches_other_processes:
            message["origin"] = self.channel_name
            await self._layer.group_send(self.group, message)

    async def send_to(self, channel: str, message: dict) -> None:
        """Send to one process (an answer to its anti-entropy request)."""
        message["origin"] = self.channel_name
        await self._layer.send(channel, message)
