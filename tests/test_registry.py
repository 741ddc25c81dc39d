"""The session registry: load once, unload after the grace period, failed loads leave nothing."""

import asyncio

import pytest
from pycrdt import Doc, Text

from documents.models import DocumentUpdate
from documents.realtime import registry as registry_module
from documents.realtime.registry import SessionRegistry
from documents.realtime.storage import append_updates
from tests.conftest import async_db
from tests.eventually import eventually

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def registry(settings):
    settings.REALTIME = {**settings.REALTIME, "SESSION_GRACE_SECONDS": 0.2}
    registry = SessionRegistry()
    yield registry
    await registry.unload_all()


@pytest.fixture
def count_loads(monkeypatch):
    loads = []
    real_load = registry_module.load_doc

    def counting_load(document_id):
        loads.append(document_id)
        return real_load(document_id)

    monkeypatch.setattr(registry_module, "load_doc", counting_load)
    return loads


async def test_simultaneous_joins_load_the_document_once(
    registry, user, make_document, count_loads
):
    document = await async_db(make_document)(user)
    sessions = await asyncio.gather(*(registry.checkout(document.id) for _ in range(20)))
    assert len({id(session) for session in sessions}) == 1
    assert count_loads == [document.id]


async def test_session_is_unloaded_after_the_grace_period(registry, user, make_document):
    document = await async_db(make_document)(user)
    session = await registry.checkout(document.id)
    await registry.checkin(session)
    assert registry.get(document.id) is session
    await eventually(lambda: registry.get(document.id) is None)
    assert len(registry) == 0


async def test_rejoining_within_the_grace_period_keeps_the_session(
    registry, user, make_document, count_loads
):
    document = await async_db(make_document)(user)
    session = await registry.checkout(document.id)
    await registry.checkin(session)
    await asyncio.sleep(0.1)
    again = await registry.checkout(document.id)
    await asyncio.sleep(0.3)
    assert again is session
    assert registry.get(document.id) is session
    assert count_loads == [document.id]


async def test_a_failed_load_leaves_nothing_behind(registry, user, make_document, monkeypatch):
    document = await async_db(make_document)(user)

    def broken_load(document_id):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(registry_module, "load_doc", broken_load)
    results = await asyncio.gather(
        *(registry.checkout(document.id) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(result, RuntimeError) for result in results)
    assert len(registry) == 0

    monkeypatch.undo()
    session = await registry.checkout(document.id)
    assert registry.get(document.id) is session


async def test_a_joiner_cancelled_while_loading_does_not_leak_the_session(
    registry, user, make_document
):
    document = await async_db(make_document)(user)
    joiner = asyncio.ensure_future(registry.checkout(document.id))
    await asyncio.sleep(0)
    joiner.cancel()
    await asyncio.sleep(0.5)
    assert len(registry) == 0


async def test_last_checkin_flushes_pending_updates(registry, user, make_document):
    document = await async_db(make_document)(user)
    session = await registry.checkout(document.id)
    session.writer.interval = 60  # only the checkin's flush can store it
    source = Doc()
    source.get("content", type=Text).insert(0, "kept")
    await session.integrate(source.get_update())
    await registry.checkin(session)
    assert session.writer.pending == 0
    doc, _ = await async_db(registry_module.load_doc)(document.id)
    assert str(doc.get("content", type=Text)) == "kept"


async def test_a_long_log_is_compacted_after_the_first_join(
    registry, user, make_document, settings, monkeypatch
):
    """The compaction of a long log found at load waits until the joiners have been served."""
    settings.REALTIME = {**settings.REALTIME, "COMPACT_THRESHOLD": 10}
    monkeypatch.setattr(registry_module, "COMPACT_AFTER_LOAD_SECONDS", 0.5)
    document = await async_db(make_document)(user)
    source = Doc()
    text = source.get("content", type=Text)
    for index in range(30):
        before = source.get_state()
        text += f"word {index} "
        await async_db(append_updates)(document.id, [source.get_update(before)])
    rows = async_db(DocumentUpdate.objects.filter(document=document).count)

    session = await registry.checkout(document.id)
    assert str(session.doc.get("content", type=Text)) == str(text)
    assert await rows() == 30  # not yet: the joiner is served first

    await eventually(lambda: _is_zero(rows()))
    doc, log_length = await async_db(registry_module.load_doc)(document.id)
    assert log_length == 0
    assert str(doc.get("content", type=Text)) == str(text)


async def _is_zero(count) -> bool:
    return await count == 0
