"""The per-process registry of loaded document sessions.

A document is loaded on its first checkout (once, however many sockets arrive at the same
moment), stays loaded while anything holds it, and is flushed and unloaded when nothing has held
it for the grace period. A reconnect within the grace period finds the session still loaded.
"""

import asyncio
import logging
from uuid import UUID

from django.conf import settings

from documents import metrics
from documents.realtime.document_log import DocumentLog
from documents.realtime.link import ProcessLink
from documents.realtime.people import PeopleLink
from documents.realtime.session import DocumentSession
from documents.realtime.storage import load_doc
from documents.realtime.store import UpdateWriter, in_store_thread

logger = logging.getLogger(__name__)

# A log found past the compaction threshold at load is compacted this long after the load: the
# compaction reads and builds the document again on the store thread, holding the GIL in pycrdt
# meanwhile, which delayed the sync of the joiners that waited for the load (100,000 rows: the
# first join 5 to 25 ms, the next ones twice as long).
COMPACT_AFTER_LOAD_SECONDS = 1.0


async def load_session(document_id: UUID) -> DocumentSession:
    """Build a session from the database: snapshot + log, a started writer, started features."""
    options = settings.REALTIME
    # Subscribed before loading: an update published meanwhile is either in what we load or
    # delivered to the link (both is fine: a CRDT applies an update once).
    link = ProcessLink(document_id)
    await link.start()
    try:
        doc, log_length = await in_store_thread(load_doc)(document_id)
    except BaseException:
        await link.stop()
        raise
    writer = UpdateWriter(
        document_id,
        interval=options["PERSIST_INTERVAL_SECONDS"],
        max_batch=options["PERSIST_MAX_BATCH"],
        compact_threshold=options["COMPACT_THRESHOLD"],
        log_length=log_length,
    )
    session = DocumentSession(document_id, doc, writer, link)
    writer.start()
    try:
        await session.start()
    except BaseException:
        await session.stop()
        raise
    writer.compact_soon(COMPACT_AFTER_LOAD_SECONDS)
    return session


class RegistryFull(Exception):
    """This process holds as many documents as it may (REALTIME["MAX_LOADED_DOCUMENTS"])."""


class SessionRegistry:
    """Loaded sessions of this process, with hold counts and unload timers."""

    def __init__(self) -> None:
        self._sessions: dict[UUID, DocumentSession] = {}
        self._loading: dict[UUID, asyncio.Future[DocumentSession]] = {}
        self._holds: dict[UUID, int] = {}
        self._unload_timers: dict[UUID, asyncio.TimerHandle] = {}
        # Open while any session is loaded: people's sockets are all in sessions.
        self.people = PeopleLink(self._sessions.values)

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, document_id: UUID) -> DocumentSession | None:
        """The loaded session of a document, if any (no hold is taken)."""
        return self._sessions.get(document_id)

    async def checkout(self, document_id: UUID) -> DocumentSession:
        """The document's session, loading it if needed, with a hold that keeps it loaded until
        the matching `checkin`. Raises whatever the load raised; a failed load leaves nothing."""
        session = self._sessions.get(document_id)
        if session is None:
            loading = self._loading.get(document_id)
            if loading is None:
                loaded = len(self._sessions) + len(self._loading)
                if loaded >= settings.REALTIME["MAX_LOADED_DOCUMENTS"]:
                    raise RegistryFull(f"{loaded} documents are loaded")
                loading = asyncio.ensure_future(self._load(document_id))
                self._loading[document_id] = loading
            # Shielded: one joiner giving up must not cancel the load the others wait for.
            session = await asyncio.shield(loading)
        self._holds[document_id] = self._holds.get(document_id, 0) + 1
        timer = self._unload_timers.pop(document_id, None)
        if timer is not None:
            timer.cancel()
        return session

    async def checkin(self, session: DocumentSession) -> None:
        """Release a hold. The last one flushes pending updates at once (so a shutdown loses
        nothing) and starts the grace period after which the session is unloaded."""
        document_id = session.document_id
        holds = self._holds.get(document_id, 0) - 1
        if holds > 0:
            self._holds[document_id] = holds
            return
        self._holds.pop(document_id, None)
        await session.writer.flush()
        if self._sessions.get(document_id) is session and not self._holds.get(document_id):
            self._schedule_unload(session)

    async def flush_all(self) -> None:
        """Store every session's pending updates now (server shutdown)."""
        await asyncio.gather(*(session.writer.flush() for session in list(self._sessions.values())))

    async def unload_all(self) -> None:
        """Flush and unload every session (shutdown, tests)."""
        for timer in self._unload_timers.values():
            timer.cancel()
        self._unload_timers.clear()
        sessions = list(self._sessions.values())
        self._sessions.clear()
        self._holds.clear()
        for session in sessions:
            await session.stop()
        await self.people.stop()

    async def _load(self, document_id: UUID) -> DocumentSession:
        try:
            session = await load_session(document_id)
            await self.people.start()
            self._sessions[document_id] = session
            # Unloaded after the grace period unless someone holds it by then (a joiner that
            # was cancelled while waiting must not leave it loaded for ever).
            self._schedule_unload(session)
            return session
        finally:
            del self._loading[document_id]

    def _schedule_unload(self, session: DocumentSession) -> None:
        loop = asyncio.get_running_loop()
        previous = self._unload_timers.pop(session.document_id, None)
        if previous is not None:
            previous.cancel()
        self._unload_timers[session.document_id] = loop.call_later(
            settings.REALTIME["SESSION_GRACE_SECONDS"],
            lambda: asyncio.ensure_future(self._unload(session)),
        )

    async def _unload(self, session: DocumentSession) -> None:
        document_id = session.document_id
        self._unload_timers.pop(document_id, None)
        await session.writer.flush()  # retries until stored
        # A checkout during the flush keeps the session; it is the same object, still loaded.
        if self._holds.get(document_id) or self._sessions.get(document_id) is not session:
            return
        del self._sessions[document_id]
        await session.stop()
        DocumentLog(logger, document_id).info("unloaded")
        if not self._sessions and not self._loading:
            await self.people.stop()


registry = SessionRegistry()

metrics.Gauge("collab_loaded_documents", "Documents loaded in this process.", lambda: len(registry))
