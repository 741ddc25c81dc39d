"""Server notices as a session feature: role changes, renames, deletion and the end of undo
history after a server change. (Through real sockets and the REST API: test_notices.py.)"""

import pytest
from pycrdt import Text

from documents.access import Role
from documents.realtime import server_notices
from documents.realtime.close_codes import CloseCode
from documents.realtime.events import AccessChanged, DocumentDeleted, DocumentRenamed
from documents.realtime.server_notices import ServerNotices
from tests.session_fakes import FakeUser, fake_session, joined, notices, text_update

# Role checks go through database_sync_to_async, which checks its connection, faked or not.
pytestmark = pytest.mark.django_db(transaction=True)

ALICE, BOB, CAROL = FakeUser(1, "alice"), FakeUser(2, "bob"), FakeUser(3, "carol")


async def test_a_server_change_ends_everyones_undo_history_and_an_edit_does_not():
    session = fake_session([ServerNotices])
    alice, bob = await joined(session, ALICE, BOB)
    await session.apply_change(lambda doc: doc.get("content", type=Text).insert(0, "restored"))
    assert notices(alice) == notices(bob) == [{"type": "history"}]
    await session.integrate(text_update("typed elsewhere"))
    assert notices(alice) == [{"type": "history"}]
    await session.integrate(text_update("a REST edit elsewhere"), server_change=True)
    assert notices(alice) == [{"type": "history"}] * 2


async def test_access_changes_reach_each_peer_by_its_new_role(monkeypatch):
    roles = {ALICE.pk: Role.OWNER, BOB.pk: Role.VIEWER, CAROL.pk: None}
    monkeypatch.setattr(server_notices, "role_on", lambda user, _: roles[user.pk])
    session = fake_session([ServerNotices])
    alice, bob, carol = await joined(session, ALICE, BOB, CAROL)
    alice.role = Role.OWNER

    await session.handle_event(AccessChanged())

    assert notices(alice) == []  # unchanged
    assert (bob.role, notices(bob)) == (Role.VIEWER, [{"type": "role", "role": "viewer"}])
    assert carol.closed_with == CloseCode.ACCESS_REMOVED


async def test_a_rename_reaches_every_title_and_a_deletion_closes_everyone():
    session = fake_session([ServerNotices])
    alice, bob = await joined(session, ALICE, BOB)
    await session.handle_event(DocumentRenamed("Plans"))
    assert notices(alice) == notices(bob) == [{"type": "title", "title": "Plans"}]
    await session.handle_event(DocumentDeleted())
    assert alice.closed_with == bob.closed_with == CloseCode.NOT_FOUND
