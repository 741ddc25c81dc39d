"""The refusal guard as a session feature: what a read-only peer sends, and what builds on refused
changes, never reaches the document; refusals are kept, shared and told once per role. (The
record itself is tested in test_refusals.py, the whole story through sockets in
test_notices.py.)"""

import pytest
from pycrdt import Doc, Text, create_update_message

from documents.access import Role
from documents.realtime import refusal_guard
from documents.realtime.close_codes import CloseCode
from documents.realtime.events import RefusalsChanged
from documents.realtime.refusal_guard import RefusalGuard
from documents.realtime.refusals import RefusalOverflow, Refusals
from tests.session_fakes import FakeUser, RecordingLink, RecordingPeer, fake_session, notices

# The store thread checks its database connection around each call, faked or not.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def saved(monkeypatch) -> list[dict]:
    """What the guard stores, in order (instead of the database)."""
    kept: list[dict] = []
    monkeypatch.setattr(refusal_guard, "save_refusals", lambda _, refusals: kept.append(refusals))
    return kept


def typed_on(doc: Doc, text: str) -> bytes:
    before = doc.get_state()
    doc.get("content", type=Text).insert(len(str(doc.get("content", type=Text))), text)
    return doc.get_update(before)


async def test_a_viewers_update_is_refused_recorded_stored_and_told_once(saved):
    session = fake_session([RefusalGuard])
    viewer = RecordingPeer(FakeUser(2, "bob"), Role.VIEWER)
    await session.join(viewer)
    local = Doc()

    await session.receive(viewer, create_update_message(typed_on(local, "no")))
    await session.receive(viewer, create_update_message(typed_on(local, " again")))
    guard = session.feature(RefusalGuard)
    await session.stop()  # waits for the stores

    assert str(session.doc.get("content", type=Text)) == ""
    assert notices(viewer) == [{"type": "role", "role": "viewer", "refused": True}]
    assert saved and saved[-1] == guard.refusals.to_json()


async def test_what_builds_on_refused_changes_is_refused_after_a_promotion_and_told_anew(saved):
    session = fake_session([RefusalGuard])
    bob = RecordingPeer(FakeUser(2, "bob"), Role.VIEWER)
    await session.join(bob)
    local = Doc()
    await session.receive(bob, create_update_message(typed_on(local, "typed while viewer")))

    await session.change_role(bob, Role.EDITOR)
    await session.receive(bob, create_update_message(typed_on(local, ", then more")))

    assert str(session.doc.get("content", type=Text)) == ""
    assert notices(bob)[-1] == {"type": "refused"}
    fresh = Doc()
    await session.receive(bob, create_update_message(typed_on(fresh, "new")))
    assert str(session.doc.get("content", type=Text)) == "new"


async def test_refusals_go_to_other_processes_and_theirs_are_merged(saved):
    link = RecordingLink()
    session = fake_session([RefusalGuard], link=link)
    viewer = RecordingPeer(role=Role.VIEWER)
    await session.join(viewer)
    await session.receive(viewer, create_update_message(typed_on(Doc(), "x")))
    [published] = link.broadcasts
    assert published["type"] == RefusalsChanged.NAME

    other = fake_session([RefusalGuard])
    await other.handle_event(RefusalsChanged(published["refusals"]))
    assert other.feature(RefusalGuard).refusals.to_json() == published["refusals"]


async def test_the_refusals_are_loaded_when_the_session_starts(monkeypatch):
    record = Refusals()
    record.record(typed_on(Doc(), "old"), Doc())
    monkeypatch.setattr(refusal_guard, "load_refusals", lambda _: record.to_json())
    session = fake_session([RefusalGuard])
    await session.start()
    assert session.feature(RefusalGuard).refusals.to_json() == record.to_json()


async def test_too_many_refusals_close_the_peer(monkeypatch, saved):
    def overflow(self, update, doc):
        raise RefusalOverflow

    monkeypatch.setattr(Refusals, "record", overflow)
    session = fake_session([RefusalGuard])
    viewer = RecordingPeer(role=Role.VIEWER)
    await session.join(viewer)
    await session.receive(viewer, create_update_message(typed_on(Doc(), "x")))
    assert viewer.closed_with == CloseCode.TOO_MANY
    assert notices(viewer) == []
