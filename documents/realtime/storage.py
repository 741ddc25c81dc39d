"""The stored form of a CRDT document: a snapshot plus an append-only log (`DocumentUpdate`).

Synchronous database work (load, append, change, compact) and the pycrdt folding it needs, to
run off the event loop: on the store thread (store.py) for the sessions, through
`database_sync_to_async` for live.py.
"""

from collections.abc import Callable, Iterable
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from pycrdt import Doc, get_update, merge_updates

from documents.models import Document, DocumentUpdate
from documents.realtime.protocol import EMPTY_UPDATE


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
    """Store the document's refused changes (see refusals.py)."""
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
