"""Persistence of CRDT documents: load (snapshot + log), append in batches, compact.

The functions at the top are synchronous database work, to run off the event loop; `UpdateWriter`
is the asynchronous group-commit buffer that a session feeds one update at a time.
"""

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

from channels.db import DatabaseSyncToAsync
from django.db import transaction
from django.utils import timezone
from pycrdt import Doc, get_update, merge_updates

from documents import metrics
from documents.models import Document, DocumentUpdate
from documents.realtime.protocol import EMPTY_UPDATE

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


class DocumentGone(Exception):
    """The document was deleted while updates for it were still pending."""


def build_doc(updates: Iterable[bytes]) -> Doc:
    """A pycrdt document holding every update, in order (a CRDT accepts any order anyway)."""
    doc = Doc()
    # One transaction for all: Yrs then cleans up once instead of after every update (a third
    # faster for a long log of small updates). The updates go to pycrdt's Rust binding directly:
    # pycrdt has no public call for many updates, and the Python that Doc.apply_update wraps
    # around it (transaction lookup, context manager, checks) costs about as much as Yrs applying
    # a keystroke, some 70 ms of a 100,000-row log. Tests hold this to what Doc.apply_update does.
    with doc.transaction() as txn:
        binding, rust_txn = doc._doc, txn._txn
        for update in updates:
            if update:
                binding.apply_update(rust_txn, update)
    return doc


def fold_updates(updates: list[bytes]) -> bytes:
    """One update equivalent to all of `updates`.

    Applying them to a document and encoding it is fast, but Yrs leaves out what it could not
    integrate yet (structs whose causal predecessors are missing, deletions of unknown items),
    so whatever an update still holds beyond the document's state is merged back in.
    """
    doc = build_doc(updates)
    state = doc.get_state()
    leftovers = [
        diff for update in updates if update and (diff := get_update(update, state)) != EMPTY_UPDATE
    ]
    encoded = doc.get_update()
    return merge_updates(encoded, *leftovers) if leftovers else encoded


def load_updates(document_id: UUID) -> list[bytes]:
    """The document's snapshot followed by its log, oldest first; raises Document.DoesNotExist."""
    with transaction.atomic():
        snapshot = Document.objects.values_list("snapshot", flat=True).get(pk=document_id)
        log = DocumentUpdate.objects.filter(document_id=document_id).order_by("id")
        # Streamed and not copied: a queryset made into a list holds every row at once, fetched
        # 100 at a time, and sqlite3 and psycopg 3 return bytes already (100,000 rows: 70 ms
        # down to 48 on SQLite, 97 to 57 on PostgreSQL).
        return [bytes(snapshot), *log.values_list("data", flat=True).iterator()]


def load_doc(document_id: UUID) -> tuple[Doc, int]:
    """The document as a pycrdt Doc, and how many log rows it was built from."""
    updates = load_updates(document_id)
    return build_doc(updates), len(updates) - 1


def load_refusals(document_id: UUID) -> dict:
    """The document's refused changes (see refusals.py), as stored."""
    found = Document.objects.filter(pk=document_id).values_list("refused_changes", flat=True)
    return found.first() or {}


def save_refusals(document_id: UUID, refusals: dict) -> None:
    Document.objects.filter(pk=document_id).update(refused_changes=refusals)


def append_batches(batches: list[tuple[UUID, list[bytes]]]) -> set[UUID]:
    """Append each document's batch to its log as one row, all in one transaction. Returns the
    documents that no longer exist: their batches are dropped."""
    wanted = {document_id for document_id, _ in batches}
    with transaction.atomic():
        present = set(Document.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        Document.objects.filter(pk__in=present).update(updated=timezone.now())
        DocumentUpdate.objects.bulk_create(
            DocumentUpdate(document_id=document_id, data=_merged(updates))
            for document_id, updates in batches
            if document_id in present
        )
    return wanted - present


def _merged(updates: list[bytes]) -> bytes:
    return updates[0] if len(updates) == 1 else merge_updates(*updates)


def append_updates(document_id: UUID, updates: list[bytes]) -> None:
    """Append a batch of updates to one document's log as one row, in one transaction."""
    if append_batches([(document_id, updates)]):
        raise DocumentGone(str(document_id))


def change_stored(document_id: UUID, change: Callable[[Doc], None]) -> bytes:
    """Make a change to a document that no session holds: load it, change it in one pycrdt
    transaction, append the resulting update. Returns the update (empty if nothing changed)."""
    with transaction.atomic():
        if not Document.objects.select_for_update().filter(pk=document_id).exists():
            raise DocumentGone(str(document_id))
        doc = build_doc(load_updates(document_id))
        before = doc.get_state()
        with doc.transaction():
            change(doc)
        update = doc.get_update(before)
        if update != EMPTY_UPDATE:
            append_updates(document_id, [update])
    return update


def compact(document_id: UUID) -> int:
    """Fold the log into the snapshot and return how many rows were folded.

    The document row is locked, so two compactions of one document run one after the other.
    Exactly the rows read are deleted: a row that another process appends meanwhile stays in the
    log for the next compaction, whatever id it got.
    """
    with transaction.atomic():
        snapshot = (
            Document.objects.select_for_update()
            .values_list("snapshot", flat=True)
            .filter(pk=document_id)
            .first()
        )
        if snapshot is None:
            return 0
        rows = list(
            DocumentUpdate.objects.filter(document_id=document_id)
            .order_by("id")
            .values_list("id", "data")
        )
        if not rows:
            return 0
        folded = fold_updates([bytes(snapshot), *(bytes(data) for _, data in rows)])
        Document.objects.filter(pk=document_id).update(snapshot=folded)
        DocumentUpdate.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
    return len(rows)


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
                    gone = await in_store_thread(append_batches)(
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
                        future.set_exception(DocumentGone(str(document_id)))
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
                logger.error(
                    "document %s: shutting down with %d updates not stored",
                    self.document_id,
                    len(self._pending),
                    extra={"document": str(self.document_id)},
                )
            raise

    async def _write_pending(self) -> None:
        async with self._write_lock:
            while self._pending:
                batch = self._pending[: self.max_batch]
                started = time.perf_counter()
                try:
                    await group_commit().write(self.document_id, batch)
                except DocumentGone:
                    logger.warning(
                        "document %s was deleted; dropping %d pending updates",
                        self.document_id,
                        len(self._pending),
                        extra={"document": str(self.document_id)},
                    )
                    self._pending.clear()
                    break
                except Exception:
                    self.failures += 1
                    metrics.persist_failures.inc()
                    delay = min(0.1 * 2 ** min(self.failures, 6), MAX_RETRY_DELAY_SECONDS)
                    logger.exception(
                        "document %s: storing %d updates failed (attempt %d); retrying in %.1fs",
                        self.document_id,
                        len(batch),
                        self.failures,
                        delay,
                        extra={"document": str(self.document_id)},
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
            folded = await in_store_thread(compact)(self.document_id)
        except Exception:
            # The log is intact; compaction is retried after the next batch.
            logger.exception(
                "document %s: compaction failed",
                self.document_id,
                extra={"document": str(self.document_id)},
            )
            return
        self.log_length = max(self.log_length - folded, 0)
        logger.info(
            "document %s: compacted %d log rows",
            self.document_id,
            folded,
            extra={"document": str(self.document_id)},
        )

    async def _run(self) -> None:
        while True:
            await self._has_pending.wait()
            until_tick = self.interval - asyncio.get_running_loop().time() % self.interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._batch_full.wait(), until_tick)
            await self.flush()
