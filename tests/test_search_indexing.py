"""The search index's session feature: a live document is indexed from what is stored, once per
quiet spell rather than once per write, and when its session stops."""

import asyncio

import pytest

from documents.search import indexing
from documents.search.indexing import SearchIndexing
from tests.eventually import eventually
from tests.session_fakes import fake_session

# The store thread checks its database connection around each call, faked or not.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def indexed(monkeypatch, settings) -> list:
    settings.REALTIME = {**settings.REALTIME, "SEARCH_INDEX_SECONDS": 0.05}
    calls: list = []
    monkeypatch.setattr(indexing, "index_document", calls.append)
    return calls


async def test_many_writes_are_indexed_once_after_the_delay(indexed):
    session = fake_session([SearchIndexing])
    for _ in range(20):
        await session.writer.on_stored()
    assert indexed == []
    await eventually(lambda: indexed == [session.document_id], timeout=2)
    await asyncio.sleep(0.15)
    assert indexed == [session.document_id]


async def test_a_write_while_indexing_is_indexed_again(indexed, monkeypatch):
    session = fake_session([SearchIndexing])
    feature = session.feature(SearchIndexing)
    started = asyncio.Event()

    async def slow_index() -> None:
        started.set()
        feature._dirty = False
        indexed.append(session.document_id)
        await asyncio.sleep(0.1)

    monkeypatch.setattr(feature, "_index", slow_index)
    await session.writer.on_stored()
    await asyncio.wait_for(started.wait(), 2)
    await session.writer.on_stored()  # stored again meanwhile
    await eventually(lambda: len(indexed) == 2, timeout=2)


async def test_stopping_indexes_what_was_stored_since_and_nothing_otherwise(indexed):
    quiet = fake_session([SearchIndexing])
    await quiet.stop()
    assert indexed == []
    busy = fake_session([SearchIndexing])
    await busy.writer.on_stored()
    await busy.stop()
    assert indexed == [busy.document_id]
    await asyncio.sleep(0.1)
    assert indexed == [busy.document_id]  # the timer went with the session


async def test_a_failed_indexing_is_logged_and_tried_again_after_the_next_write(
    monkeypatch, settings, caplog
):
    settings.REALTIME = {**settings.REALTIME, "SEARCH_INDEX_SECONDS": 0.01}
    attempts: list = []

    def fail(document_id) -> None:
        attempts.append(document_id)
        raise RuntimeError("database down")

    monkeypatch.setattr(indexing, "index_document", fail)
    session = fake_session([SearchIndexing])
    await session.writer.on_stored()
    await eventually(lambda: "indexing for search failed" in caplog.text, timeout=2)
    await session.writer.on_stored()
    await eventually(lambda: len(attempts) == 2, timeout=2)


async def test_an_indexing_under_way_when_the_session_stops_schedules_nothing_more(
    indexed, monkeypatch
):
    session = fake_session([SearchIndexing])
    feature = session.feature(SearchIndexing)
    started = asyncio.Event()
    original = feature._index

    async def slow_index() -> None:
        started.set()
        await asyncio.sleep(0.05)
        await original()

    monkeypatch.setattr(feature, "_index", slow_index)
    await session.writer.on_stored()
    await asyncio.wait_for(started.wait(), 2)
    feature._dirty = True  # stored again while it indexes
    await feature.stop()
    runs = len(indexed)
    await asyncio.sleep(0.2)
    assert len(indexed) == runs  # no timer outlived the session
    assert feature._timer is None
