"""The asynchronous side of persistence: the store thread, the group commit and the write
buffer of each document.

The database work itself is in storage.py; here it is run off the event loop, on one thread.
A session feeds its `UpdateWriter` one update at a time; the writers hand their batches to the
`GroupCommit` of the event loop, which writes those of the same moment in one transaction.
"""

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

from channels.db import DatabaseSyncToAsync

from documents import metrics
from documents.realtime import storage
from documents.realtime.document_log import DocumentLog

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 5.0
# At shutdown, how long a cancelled flush still waits for its write to finish.
SHUTDOWN_FLUSH_SECONDS = 10.0


# Loads, appends and compactions run on their own thread: off the event loop, in order, and
# apart from the thread that serves Django's synchronous code (a slow write never delays a
# sign-in). Not asgiref's thread-sensitive mode either: tasks that inherit its context from a
# caller in the middle of a synchronous call would refuse to run ("would deadlock").
_store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="document-store")


def in_store_thread(function: Callable) -> Callable[..., Awaitable]:
    """`function` as a coroutine function that runs on the store thread."""
    return DatabaseSyncToAsync(function, thread_sensitive=False, executor=_store_thread)


class GroupCommit:
    """Writes the batches that the documents of this process hand over in the same moment in
    one transaction, on the store thread.

    Every writer flushes on the same clock (see `UpdateWriter`), so a process with many busy
    documents commits once per interval rather than once per document per interval.
    """

    def __init__(self) -> None:
        self._queue: list[tuple[UUID, list[bytes], asyncio.Future[None]]] = []
        self._drainer: asyncio.Task | None = None

    async def write(self, document_id: UUID, updates: list[bytes]) -> None:
        """Store `updates` as one row of the document's log; raises DocumentGone if the
        document was deleted, or the database's error (nothing of the group was stored)."""
        future = asyncio.get_running_loop().create_future()
        self._queue.append((document_id, updates, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain(), name="group commit")
        await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                await asyncio.sleep(0)  # let the other writers of this moment join the group
                group, self._queue = self._queue, []
                try:
                    gone = await in_store_thread(storage.append_batches)(
                        [(document_id, updates) for document_id, updates, _ in group]
                    )
                except Exception as error:
                    for _, _, future in group:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for document_id, _, future in group:
                    if future.done():  # its writer was cancelled at shutdown
                        continue
                    if document_id in gone:
                        future.set_exception(storage.DocumentGone(str(document_id)))
                    else:
                        future.set_result(None)
        finally:
            self._drainer = None


# One group per event loop: tests run each in a loop of its own.
_group_commits: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommit] = (
    weakref.WeakKeyDictionary()
)


def group_commit() -> GroupCommit:
    """The group commit of the running event loop."""
    loop = asyncio.get_running_loop()
    group = _group_commits.get(loop)
    if group is None:
        group = _group_commits[loop] = GroupCommit()
    return group


class UpdateWriter:
    """The write buffer of one document: updates are appended at most `interval` seconds after
    they arrive, or as soon as `max_batch` are pending, as one log row per batch, off the event
    loop. Writers flush at the ticks of one clock, so that `GroupCommit` can put the batches of
    every busy document into one transaction.

    A failed write keeps its updates and is retried with back-off; nothing is dropped unless the
    document itself was deleted. The log is compacted once `compact_threshold` rows accumulate.
    """

    def __init__(
        self,
        document_id: UUID,
        *,
        interval: float,
        max_batch: int,
        compact_threshold: int,
        log_length: int = 0,
    ) -> None:
        self.document_id = document_id
        self.log = DocumentLog(logger, document_id)
        self.interval = interval
        self.max_batch = max_batch
        self.compact_threshold = compact_threshold
        self.log_length = log_length
        self.failures = 0
        # Called after a write leaves nothing pending: everything applied so far is stored.
        self.on_stored: Callable[[], Awaitable[None]] | None = None
        self._pending: list[bytes] = []
        self._has_pending = asyncio.Event()
        self._batch_full = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._compaction: asyncio.Task | None = None

    @property
    def pending(self) -> int:
        """How many updates are waiting to be written."""
        return len(self._pending)

    def start(self) -> None:
        """Start the background flush loop."""
        assert self._task is None, "UpdateWriter.start() was called twice"
        self._task = asyncio.create_task(self._run(), name=f"writer {self.document_id}")

    async def stop(self) -> None:
        """Write everything pending, then stop the loop."""
        await self.flush()
        if self._compaction is not None:
            await self._compaction
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def append(self, update: bytes) -> None:
        """Queue one update; it is written within one batch interval."""
        self._pending.append(update)
        self._has_pending.set()
        if len(self._pending) >= self.max_batch:
            self._batch_full.set()

    async def flush(self) -> None:
        """Write everything pending now, retrying until it is stored.

        Cancelling the caller (the server shutting down) does not cancel the write: the caller
        waits for it, up to `SHUTDOWN_FLUSH_SECONDS`, before the cancellation goes through.
        """
        task = asyncio.ensure_future(self._write_pending())
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            await asyncio.wait({task}, timeout=SHUTDOWN_FLUSH_SECONDS)
            if not task.done():
                self.log.error("shutting down with %d updates not stored", len(self._pending))
            raise

    async def _write_pending(self) -> None:
        async with self._write_lock:
            while self._pending:
                batch = self._pending[: self.max_batch]
                started = time.perf_counter()
                try:
                    await group_commit().write(self.document_id, batch)
                except storage.DocumentGone:
                    self.log.warning("deleted; dropping %d pending updates", len(self._pending))
                    self._pending.clear()
                    break
                except Exception:
                    self.failures += 1
                    metrics.persist_failures.inc()
                    delay = min(0.1 * 2 ** min(self.failures, 6), MAX_RETRY_DELAY_SECONDS)
                    self.log.exception(
                        "storing %d updates failed (attempt %d); retrying in %.1fs",
                        len(batch),
                        self.failures,
                        delay,
                    )
                    await asyncio.sleep(delay)
                    continue
                metrics.persist_seconds.observe(time.perf_counter() - started)
                metrics.persist_batch_size.observe(len(batch))
                self.failures = 0
                del self._pending[: len(batch)]
                self.log_length += 1
            self._has_pending.clear()
            self._batch_full.clear()
            if self.on_stored is not None:
                await self.on_stored()
            scheduled = self._compaction is not None and not self._compaction.done()
            if self.log_length >= self.compact_threshold and not scheduled:
                await self._compact()

    def compact_soon(self, delay: float = 0.0) -> None:
        """Compact in the background, `delay` seconds from now, if the log is past the threshold
        (a log that grew long while no process compacted it, found at load). Writes meanwhile
        leave the compaction to it."""
        if self.log_length >= self.compact_threshold and self._compaction is None:
            self._compaction = asyncio.create_task(self._compact_later(delay))

    async def _compact_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        async with self._write_lock:
            await self._compact()

    async def _compact(self) -> None:
        try:
            folded = await in_store_thread(storage.compact)(self.document_id)
        except Exception:
            # The log is intact; compaction is retried after the next batch.
            self.log.exception("compaction failed")
            return
        self.log_length = max(self.log_length - folded, 0)
        self.log.info("compacted %d log rows", folded)

    async def _run(self) -> None:
        while True:
            await self._has_pending.wait()
            until_tick = self.interval - asyncio.get_running_loop().time() % self.interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._batch_full.wait(), until_tick)
            await self.flush()
