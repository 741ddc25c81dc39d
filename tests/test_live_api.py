"""REST changes reach live editors: content edits, restores, access changes, deletion, and the
"stored" confirmation editors use to show "All changes saved"."""

import asyncio

import pytest
from pycrdt import Decoder, Doc, XmlFragment, create_update_message, read_message
from rest_framework.test import APIClient

from documents.models import Membership
from documents.realtime.save_confirmations import (
    SAVE_CONFIRMATION_MAX_SECONDS,
    SAVE_QUIET_SECONDS,
)
from tests.conftest import async_db
from tests.wsclients import Closed, connected

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_registry")]


def api_for(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


async def call(client: APIClient, method: str, url: str, body=None):
    return await async_db(getattr(client, method))(url, body, format="json")


def paragraphs(fragment: XmlFragment) -> list[str]:
    return ["".join(str(child) for child in block.children) for block in fragment.children]


@pytest.fixture
def owner_setup(user, make_document, token_for):
    document = make_document(user)
    return document, token_for(user)


async def test_rest_put_reaches_a_connected_client(owner_setup):
    document, token = owner_setup
    async with connected(document.id, token) as client:
        response = await call(
            api_for(token), "put", f"/api/documents/{document.id}/content",
            {"format": "markdown", "content": "# Title\n\nBody text"},
        )  # fmt: skip
        assert response.status_code == 200, response.content
        await client.wait_for(lambda: paragraphs(client.fragment) == ["Title", "Body text"], 2)
        assert client.fragment.children[0].tag == "heading"


async def test_rest_put_and_concurrent_typing_both_survive(owner_setup):
    document, token = owner_setup
    async with connected(document.id, token) as client:
        await client.append_paragraph("first paragraph")
        await client.append_paragraph("second paragraph")
        await client.roundtrip()

        # The client types into paragraph 2 while REST rewrites paragraph 1: concurrently in the
        # CRDT sense, each made without having seen the other.
        before = client.doc.get_state()
        text = client.fragment.children[1].children[0]
        text.insert(len(str(text)), " typed live")
        typed = client.doc.get_update(before)
        response = await call(
            api_for(token), "put", f"/api/documents/{document.id}/content",
            {"format": "text", "content": "FIRST paragraph\nsecond paragraph"},
        )  # fmt: skip
        assert response.status_code == 200
        await client.send_raw(create_update_message(typed))
        expected = ["FIRST paragraph", "second paragraph typed live"]
        await client.wait_for(lambda: paragraphs(client.fragment) == expected, 3)
        await client.roundtrip()

    text = await call(api_for(token), "get", f"/api/documents/{document.id}/content?format=text")
    assert text.json()["content"].split("\n") == expected


async def test_restore_reaches_a_connected_client(owner_setup):
    document, token = owner_setup
    api = api_for(token)
    async with connected(document.id, token) as client:
        await client.append_paragraph("original")
        await client.roundtrip()
        version = await call(api, "post", f"/api/documents/{document.id}/versions/", {"name": "v1"})
        assert version.status_code == 201

        def rewrite(doc: Doc) -> None:
            text = doc.get("default", type=XmlFragment).children[0].children[0]
            del text[0 : len(str(text))]
            text.insert(0, "changed")

        await client.edit(rewrite)
        await client.roundtrip()
        restore = await call(
            api, "post", f"/api/documents/{document.id}/versions/{version.json()['id']}/restore/"
        )
        assert restore.status_code == 200
        await client.wait_for(lambda: paragraphs(client.fragment) == ["original"], 2)
    listed = await call(api, "get", f"/api/documents/{document.id}/versions/")
    assert [v["name"] for v in listed.json()["results"]] == ["v1"]


async def test_removing_a_member_closes_their_socket_with_4403(
    user, make_user, make_document, token_for
):
    document = await async_db(make_document)(user)
    guest = await async_db(make_user)()
    await async_db(Membership.objects.create)(document=document, user=guest, role="editor")
    owner_token, guest_token = await async_db(token_for)(user), await async_db(token_for)(guest)
    async with connected(document.id, guest_token) as guest_client:
        response = await call(
            api_for(owner_token),
            "delete",
            f"/api/documents/{document.id}/members/{guest.username}/",
        )
        assert response.status_code == 204
        with pytest.raises(Closed) as closed:
            await guest_client.wait_for(lambda: False, 3)
        assert closed.value.code == 4403


async def test_demoting_a_member_makes_their_socket_read_only(
    user, make_user, make_document, token_for
):
    document = await async_db(make_document)(user)
    guest = await async_db(make_user)()
    await async_db(Membership.objects.create)(document=document, user=guest, role="editor")
    owner_token, guest_token = await async_db(token_for)(user), await async_db(token_for)(guest)
    async with (
        connected(document.id, owner_token) as owner_client,
        connected(document.id, guest_token) as guest_client,
    ):
        await guest_client.append_paragraph("while editor")
        await owner_client.wait_for(lambda: paragraphs(owner_client.fragment) == ["while editor"])
        response = await call(
            api_for(owner_token), "patch",
            f"/api/documents/{document.id}/members/{guest.username}/", {"role": "viewer"},
        )  # fmt: skip
        assert response.status_code == 200
        # The session has handled the access event once it tells the guest.
        await guest_client.wait_for(
            lambda: {"type": "role", "role": "viewer"} in guest_client.notices
        )
        await guest_client.append_paragraph("while viewer")
        await guest_client.roundtrip()
        # Viewers still receive live edits...
        await owner_client.append_paragraph("from owner")
        await guest_client.wait_for(lambda: "from owner" in paragraphs(guest_client.fragment))
        await owner_client.roundtrip()
        # ...but nothing they send is applied or stored.
        assert paragraphs(owner_client.fragment) == ["while editor", "from owner"]
    content = await call(
        api_for(owner_token), "get", f"/api/documents/{document.id}/content?format=text"
    )
    assert content.json()["content"] == "while editor\nfrom owner"


async def test_deleting_a_document_closes_open_sockets_with_4404(owner_setup):
    document, token = owner_setup
    async with connected(document.id, token) as client:
        response = await call(api_for(token), "delete", f"/api/documents/{document.id}/")
        assert response.status_code == 204
        with pytest.raises(Closed) as closed:
            await client.wait_for(lambda: False, 3)
        assert closed.value.code == 4404


def clock_of(state_vector: bytes, client_id: int) -> int:
    decoder = Decoder(state_vector)
    for _ in range(decoder.read_var_uint()):
        client, clock = decoder.read_var_uint(), decoder.read_var_uint()
        if client == client_id:
            return clock
    return 0


async def test_author_is_told_when_its_updates_are_stored(owner_setup):
    """After a batch with its updates is stored, the author gets a sync step 1 whose state
    vector covers them: what an editor needs to show "All changes saved" truthfully."""
    document, token = owner_setup
    async with connected(document.id, token) as client:
        client.frames.clear()
        await client.append_paragraph("save me")
        mine = client.doc.client_id
        local_clock = clock_of(client.doc.get_state(), mine)

        def confirmed() -> bool:
            step1s = [
                read_message(frame[2:]) for frame in client.frames if frame[:2] == b"\x00\x00"
            ]
            return any(clock_of(vector, mine) >= local_clock for vector in step1s)

        await client.wait_for(confirmed, 2)
    stored = await call(api_for(token), "get", f"/api/documents/{document.id}/content?format=text")
    assert stored.json()["content"] == "save me"


async def test_steady_typing_is_confirmed_rarely_and_a_pause_at_once(owner_setup):
    """Each confirmation costs a frame and the client's answer: a typist gets few while typing,
    and one covering everything typed soon after pausing."""
    document, token = owner_setup
    async with connected(document.id, token) as client:
        client.frames.clear()
        loop = asyncio.get_running_loop()
        started = loop.time()
        for index in range(40):  # 2 s of typing, one update every 50 ms
            await client.append_paragraph(f"line {index}")
            await asyncio.sleep(0.05)
        paused = loop.time()
        mine = client.doc.client_id
        local_clock = clock_of(client.doc.get_state(), mine)

        def clocks_confirmed() -> list[int]:
            """Confirmations of typing (not the one for the answer to the greeting)."""
            step1s = [
                read_message(frame[2:]) for frame in client.frames if frame[:2] == b"\x00\x00"
            ]
            return [clock for vector in step1s if (clock := clock_of(vector, mine)) > 0]

        # Stored within the group-commit interval, then confirmed once the room is quiet.
        await client.wait_for(lambda: local_clock in clocks_confirmed(), 3)
        assert loop.time() - paused < SAVE_QUIET_SECONDS + 1.0
        # The first store is confirmed at once, then at most one per interval, then the pause.
        typing = paused - started
        assert len(clocks_confirmed()) <= typing // SAVE_CONFIRMATION_MAX_SECONDS + 2


async def test_a_reconnect_with_nothing_new_is_confirmed_once(owner_setup):
    """An editor whose edits were stored before it reconnected gets one confirmation for its
    answer to the greeting, so it can show "saved"; later repeats get none (no ping-pong)."""
    document, token = owner_setup
    async with connected(document.id, token) as first:
        await first.append_paragraph("stored before the reconnect")
        await first.roundtrip()
        state = first.doc.get_update()
    async with connected(document.id, token, handshake=False) as again:
        again.doc.apply_update(state)
        await again.handshake()  # answers the greeting with a step 2 that changes nothing
        await again.wait_for(
            lambda: sum(frame[:2] == b"\x00\x00" for frame in again.frames) >= 2, 2
        )
        again.frames.clear()
        await again.send_raw(b"\x00\x01\x02\x00\x00")  # a later, empty step 2
        await again.roundtrip()
        assert [frame for frame in again.frames if frame[:2] == b"\x00\x00"] == []
