"""The server's own notices on the socket: role changes, refused changes, renames, and server
changes that void the editors' undo history; and that refused changes never land later."""

import time

import pytest
from pycrdt import create_sync_message, write_message

from documents.models import Membership
from documents.realtime.registry import registry
from tests.test_live_api import api_for, call, paragraphs
from tests.wsclients import Closed, connected

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_registry")]


@pytest.fixture
def shared(user, make_user, make_document, token_for):
    """A document of `user`'s, shared with a guest as editor: (document, owner token, guest,
    guest token)."""
    document = make_document(user)
    guest = make_user()
    Membership.objects.create(document=document, user=guest, role="editor")
    return document, token_for(user), guest, token_for(guest)


async def set_role(owner_token: str, document, guest, role: str) -> None:
    response = await call(
        api_for(owner_token), "patch",
        f"/api/documents/{document.id}/members/{guest.username}/", {"role": role},
    )  # fmt: skip
    assert response.status_code == 200, response.content


async def stored_text(token: str, document) -> str:
    response = await call(
        api_for(token), "get", f"/api/documents/{document.id}/content?format=text"
    )
    return response.json()["content"]


async def test_a_demoted_and_promoted_editor_is_told_within_a_second(shared):
    document, owner_token, guest, guest_token = shared
    async with connected(document.id, guest_token) as client:
        started = time.monotonic()
        await set_role(owner_token, document, guest, "viewer")
        await client.wait_for(lambda: {"type": "role", "role": "viewer"} in client.notices, 1.0)
        assert time.monotonic() - started < 1.0
        await set_role(owner_token, document, guest, "editor")
        await client.wait_for(lambda: client.notices[-1] == {"type": "role", "role": "editor"}, 1)
        # A change that leaves the role as it was says nothing.
        await set_role(owner_token, document, guest, "editor")
        await client.pump_for(0.3)
        assert len(client.notices) == 2


async def test_refused_changes_are_reported_once_and_never_land_after_a_promotion(shared):
    document, owner_token, guest, guest_token = shared
    async with (
        connected(document.id, owner_token) as owner,
        connected(document.id, guest_token) as client,
    ):
        await client.append_paragraph("kept")
        await owner.wait_for(lambda: paragraphs(owner.fragment) == ["kept"])
        await set_role(owner_token, document, guest, "viewer")
        await client.wait_for(lambda: client.notices == [{"type": "role", "role": "viewer"}])

        await client.append_paragraph("refused one")
        await client.append_paragraph("refused two")
        # ...and a deletion of the owner's text, refused too.
        await client.edit(
            lambda doc: client.fragment.children[0].children[0].__delitem__(slice(0, 2))
        )
        await client.wait_for(lambda: len(client.notices) == 2)
        assert client.notices[1] == {"type": "role", "role": "viewer", "refused": True}

        await set_role(owner_token, document, guest, "editor")
        await client.wait_for(lambda: client.notices[-1] == {"type": "role", "role": "editor"})
        # A stock client answers every step 1 with all it holds: the refused changes again.
        await client.send_raw(create_sync_message(owner.doc))
        await client.append_paragraph("after the promotion")
        await client.wait_for(lambda: client.notices[-1] == {"type": "refused"})
        await owner.append_paragraph("from the owner")
        await client.wait_for(lambda: "from the owner" in paragraphs(client.fragment))
        await owner.roundtrip()
        assert paragraphs(owner.fragment) == ["kept", "from the owner"]
    assert await stored_text(owner_token, document) == "kept\nfrom the owner"


async def test_a_refused_client_that_reconnects_is_refused_again(shared):
    document, owner_token, guest, guest_token = shared
    async with connected(document.id, guest_token) as first:
        await set_role(owner_token, document, guest, "viewer")
        await first.wait_for(lambda: first.notices != [])
        await first.append_paragraph("typed while a viewer")
        await first.wait_for(lambda: len(first.notices) == 2)
        offline_copy = first.doc.get_update()
    await registry.unload_all()  # what was refused is remembered in the database
    await set_role(owner_token, document, guest, "editor")
    async with connected(document.id, guest_token, handshake=False) as second:
        second.doc.apply_update(offline_copy)
        await second.handshake()
        await second.wait_for(lambda: second.notices == [{"type": "refused"}])
    assert await stored_text(owner_token, document) == ""


async def test_a_rename_reaches_open_editors(shared):
    document, owner_token, _guest, guest_token = shared
    async with connected(document.id, guest_token) as client:
        response = await call(
            api_for(owner_token), "patch", f"/api/documents/{document.id}/", {"title": "New name"}
        )
        assert response.status_code == 200
        await client.wait_for(lambda: {"type": "title", "title": "New name"} in client.notices, 1)


async def test_rest_edits_and_restores_void_the_editors_undo_history(shared):
    document, owner_token, _guest, guest_token = shared
    api = api_for(owner_token)
    url = f"/api/documents/{document.id}"
    async with connected(document.id, guest_token) as client:
        await client.append_paragraph("Hello world")
        await client.roundtrip()
        version = await call(api, "post", f"{url}/versions/", {"name": "v1"})
        await call(api, "put", f"{url}/content", {"format": "text", "content": "Replaced"})
        await client.wait_for(lambda: client.notices == [{"type": "history"}])
        await call(api, "post", f"{url}/versions/{version.json()['id']}/restore/")
        await client.wait_for(lambda: len(client.notices) == 2)
        await client.wait_for(lambda: paragraphs(client.fragment) == ["Hello world"])


async def test_a_client_that_sends_a_notice_is_refused_and_others_are_untouched(shared):
    document, owner_token, _guest, guest_token = shared
    async with (
        connected(document.id, owner_token) as owner,
        connected(document.id, guest_token) as forger,
    ):
        await owner.append_paragraph("kept")
        await forger.wait_for(lambda: paragraphs(forger.fragment) == ["kept"])
        # A forged "you are an owner now" notice: notices only travel from the server.
        await forger.send_raw(bytes([100]) + write_message(b'{"type":"role","role":"owner"}'))
        with pytest.raises(Closed) as closed:
            await forger.wait_for(lambda: False, 3)
        assert closed.value.code == 4400
        await owner.append_paragraph("still editing")
        await owner.roundtrip()
        assert owner.notices == []
    assert await stored_text(owner_token, document) == "kept\nstill editing"


@pytest.fixture
def asker_token(make_user, token_for) -> str:
    return token_for(make_user())


async def test_new_notifications_reach_their_recipients_open_editor_only(shared, asker_token):
    document, owner_token, guest, guest_token = shared
    async with (
        connected(document.id, owner_token) as owner,
        connected(document.id, guest_token) as other,
    ):
        response = await call(
            api_for(asker_token), "post", f"/api/documents/{document.id}/access/request/"
        )
        assert response.status_code == 202
        await owner.wait_for(lambda: {"type": "notifications"} in owner.notices, 1)
        await other.pump_for(0.3)
        assert {"type": "notifications"} not in other.notices
