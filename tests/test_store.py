"""The asynchronous side of persistence: batching (group commit), compaction, retries."""

import asyncio

import pytest
from pycrdt import Text

from documents.models import DocumentUpdate
from documents.realtime import storage, store
from documents.realtime.storage import append_updates, load_doc
from documents.realtime.store import UpdateWriter
from tests.conftest import async_db
from tests.eventually import eventually
from tests.text_updates import text_updates


@pytest.mark.django_db(transaction=True)
async def test_writer_batches_updates(user, make_document):
    document = await async_db(make_document)(user)
    writer = UpdateWriter(document.id, interval=0.05, max_batch=1000, compact_threshold=10**6)
    writer.start()
    updates, expected = text_updates(50)
    for update in updates:
        writer.append(update)
    await eventually(lambda: writer.pending == 0)
    # Fifty updates arrived within one interval: one transaction, one row.
    assert await async_db(DocumentUpdate.objects.filter(document=document).count)() == 1
    doc, _ = await async_db(load_doc)(document.id)
    assert str(doc.get("content", type=Text)) == expected
    await writer.stop()


@pytest.mark.django_db(transaction=True)
async def test_busy_documents_share_one_transaction(user, make_document, monkeypatch):
    documents = [await async_db(make_document)(user, f"Doc {i}") for i in range(3)]
    groups = []
    real_append = storage.append_batches

    def recording_append(batches):
        groups.append(sorted(str(document_id) for document_id, _ in batches))
        return real_append(batches)

    monkeypatch.setattr(storage, "append_batches", recording_append)
    interval = 0.2
    writers = [
        UpdateWriter(document.id, interval=interval, max_batch=1000, compact_threshold=10**6)
        for document in documents
    ]
    # Start just after a tick of the writers' shared clock, then append 10 ms apart.
    await asyncio.sleep(interval - asyncio.get_running_loop().time() % interval + 0.01)
    for writer, update in zip(writers, text_updates(3)[0], strict=True):
        writer.start()
        writer.append(update)
        await asyncio.sleep(0.01)
    await asyncio.sleep(2 * interval)
    assert groups == [sorted(str(document.id) for document in documents)]
    for writer in writers:
        assert writer.pending == 0
        await writer.stop()


@pytest.mark.django_db(transaction=True)
async def test_a_deleted_document_does_not_fail_the_others_in_its_group(user, make_document):
    kept, deleted = [await async_db(make_document)(user, title) for title in ("Kept", "Gone")]
    await async_db(deleted.delete)()
    group = store.GroupCommit()
    update = text_updates(1)[0][0]
    outcomes = await asyncio.gather(
        group.write(kept.id, [update]), group.write(deleted.id, [update]), return_exceptions=True
    )
    assert outcomes[0] is None
    assert isinstance(outcomes[1], storage.DocumentGone)
    assert await async_db(DocumentUpdate.objects.filter(document=kept).count)() == 1


@pytest.mark.django_db(transaction=True)
async def test_writer_writes_a_full_batch_at_once(user, make_document):
    document = await async_db(make_document)(user)
    writer = UpdateWriter(document.id, interval=60, max_batch=5, compact_threshold=10**6)
    writer.start()
    for update in text_updates(5)[0]:
        writer.append(update)
    await eventually(lambda: writer.pending == 0)
    await writer.stop()


@pytest.mark.django_db(transaction=True)
async def test_writer_compacts_past_the_threshold(user, make_document):
    document = await async_db(make_document)(user)
    writer = UpdateWriter(document.id, interval=0.01, max_batch=1, compact_threshold=5)
    updates, expected = text_updates(12)
    for update in updates:
        writer.append(update)
        await writer.flush()
    rows = await async_db(DocumentUpdate.objects.filter(document=document).count)()
    assert rows < 5
    doc, _ = await async_db(load_doc)(document.id)
    assert str(doc.get("content", type=Text)) == expected


@pytest.mark.django_db(transaction=True)
async def test_failed_writes_are_retried_and_nothing_is_lost(user, make_document, monkeypatch):
    document = await async_db(make_document)(user)
    real_append = storage.append_batches
    failures = []

    def flaky_append(batches):
        if len(failures) < 2:
            failures.append(1)
            raise RuntimeError("database is down")
        return real_append(batches)

    monkeypatch.setattr(storage, "append_batches", flaky_append)
    writer = UpdateWriter(document.id, interval=0.01, max_batch=100, compact_threshold=10**6)
    updates, expected = text_updates(10)
    for update in updates:
        writer.append(update)
    await writer.flush()
    assert len(failures) == 2
    assert writer.pending == 0
    doc, _ = await async_db(load_doc)(document.id)
    assert str(doc.get("content", type=Text)) == expected


@pytest.mark.django_db(transaction=True)
async def test_updates_for_a_deleted_document_are_dropped(user, make_document):
    document = await async_db(make_document)(user)
    writer = UpdateWriter(document.id, interval=0.01, max_batch=100, compact_threshold=10**6)
    writer.append(text_updates(1)[0][0])
    await async_db(document.delete)()
    await asyncio.wait_for(writer.flush(), 5)
    assert writer.pending == 0


@pytest.mark.django_db(transaction=True)
async def test_a_long_log_found_at_load_is_compacted_in_the_background(user, make_document):
    document = await async_db(make_document)(user)
    updates, expected = text_updates(30)
    for update in updates:  # thirty rows: no process compacted them (it crashed, say)
        await async_db(append_updates)(document.id, [update])
    doc, log_length = await async_db(load_doc)(document.id)
    assert log_length == 30
    writer = UpdateWriter(
        document.id, interval=0.01, max_batch=100, compact_threshold=10, log_length=log_length
    )
    writer.compact_soon()
    await writer.stop()
    assert await async_db(DocumentUpdate.objects.filter(document=document).count)() == 0
    doc, _ = await async_db(load_doc)(document.id)
    assert str(doc.get("content", type=Text)) == expected


@pytest.mark.django_db(transaction=True)
async def test_a_compaction_soon_waits_for_its_delay_and_is_not_lost(user, make_document):
    """Compacting a long log found at load waits (the joiners are served first); stopping the
    writer before it started still compacts."""
    document = await async_db(make_document)(user)
    updates, expected = text_updates(30)
    for update in updates:
        await async_db(append_updates)(document.id, [update])
    writer = UpdateWriter(
        document.id, interval=0.01, max_batch=100, compact_threshold=10, log_length=30
    )
    rows = async_db(DocumentUpdate.objects.filter(document=document).count)

    writer.compact_soon(0.3)
    await asyncio.sleep(0.15)
    assert await rows() == 30
    await writer.stop()

    assert await rows() == 0
    assert writer.log_length == 0
    doc, _ = await async_db(load_doc)(document.id)
    assert str(doc.get("content", type=Text)) == expected


@pytest.mark.django_db(transaction=True)
async def test_writes_before_a_delayed_compaction_leave_the_compaction_to_it(
    user, make_document, monkeypatch
):
    """Until the delay is over the log is not compacted, whatever is written meanwhile; then it
    is, once, and writes compact past the threshold again."""
    document = await async_db(make_document)(user)
    updates, expected = text_updates(17)
    for update in updates[:10]:
        await async_db(append_updates)(document.id, [update])
    compactions = []
    real_compact = storage.compact

    def counting_compact(document_id):
        compactions.append(document_id)
        return real_compact(document_id)

    monkeypatch.setattr(storage, "compact", counting_compact)
    writer = UpdateWriter(
        document.id, interval=0.01, max_batch=100, compact_threshold=5, log_length=10
    )
    writer.start()
    writer.compact_soon(0.5)
    for update in updates[10:12]:
        writer.append(update)
        await writer.flush()  # past the threshold, but a compaction is scheduled
    assert compactions == []
    # The compaction was called and has finished.
    await eventually(lambda: compactions == [document.id] and writer.log_length == 0)

    for update in updates[12:]:  # five more rows: the threshold again
        writer.append(update)
        await writer.flush()
    await writer.stop()
    assert len(compactions) == 2
    doc, log_length = await async_db(load_doc)(document.id)
    assert log_length == 0
    assert str(doc.get("content", type=Text)) == expected
