"""ProcessSync: the feature that keeps this process's copy of a document in step with the other
processes that serve it, over the channel-layer link (link.py, events.py).

It takes the link's messages and hands each event to the session's features. What the Doc
integrates here (from a peer, or a change the server made) goes to the other processes; what
they send is integrated here. Because the channel layer may drop messages, it also runs
anti-entropy: it asks the others for what this copy lacks when it starts and, while someone
edits here, every ANTI_ENTROPY_SECONDS.

With the in-memory channel layer there are no other processes: nothing is built or sent.
"""

import asyncio

from django.conf import settings

from documents import metrics
from documents.realtime.events import (
    CrdtUpdate,
    Event,
    SyncStep1,
    SyncStep2,
    UnknownEvent,
    parse_event,
)
from documents.realtime.features import Change, Feature
from documents.realtime.protocol import EMPTY_UPDATE


class ProcessSync(Feature):
    def __init__(self, session) -> None:
        super().__init__(session)
        self.interval = settings.REALTIME["ANTI_ENTROPY_SECONDS"]
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        link = self.session.link
        await link.set_handler(self._on_message)  # hands over what arrived during the load
        if link.reaches_other_processes:
            await self._ask_for_missing()
            name = f"sync {self.session.document_id}"
            self._task = asyncio.create_task(self._keep_in_sync(), name=name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.session.link.stop()

    async def integrated(self, change: Change) -> None:
        # With one process not even the event is built.
        if not change.remote and self.session.link.reaches_other_processes:
            event = CrdtUpdate(change.update, server_change=change.server_change)
            await self.session.link.broadcast(event.message())

    async def event(self, event: Event) -> None:
        session = self.session
        match event:
            case CrdtUpdate():
                await session.integrate(
                    event.update, store=not event.stored, server_change=event.server_change
                )
            case SyncStep1():
                missing = session.doc.get_update(event.state)
                if missing != EMPTY_UPDATE:
                    await session.link.send_to(event.origin, SyncStep2(missing).message())
            case SyncStep2():
                if await session.integrate(event.update):
                    metrics.anti_entropy_repairs.inc()
                    self.log.info("anti-entropy repaired a gap")

    async def _on_message(self, message: dict) -> None:
        try:
            event = parse_event(message)
        except UnknownEvent as error:
            self.log.warning("%s", error)
            return
        await self.session.handle_event(event)

    async def _ask_for_missing(self) -> None:
        await self.session.publish(SyncStep1(self.session.doc.get_state()))

    async def _keep_in_sync(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            if not self.session.peers:
                continue
            try:
                await self._ask_for_missing()
            except Exception:
                self.log.exception("anti-entropy round failed")
