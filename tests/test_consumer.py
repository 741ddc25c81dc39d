"""The WebSocket endpoint, driven by pycrdt clients through channels' WebsocketCommunicator."""

import asyncio
import contextlib

import pytest
from channels.layers import get_channel_layer
from pycrdt import Text, create_update_message

from documents.models import DocumentUpdate
from documents.people import presence_user
from documents.realtime.registry import registry
from tests.conftest import async_db
from tests.eventually import eventually
from tests.wsclients import Closed, communicator, connected, expect_close

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_registry")]


@pytest.fixture
def doc_and_token(user, make_document, token_for):
    return make_document(user), token_for(user)


async def test_two_clients_converge(doc_and_token):
    document, token = doc_and_token
    async with connected(document.id, token) as a, connected(document.id, token) as b:
        await a.insert(0, "hello ")
        await b.wait_for(lambda: b.text == "hello ")
        await b.insert(6, "world")
        await a.wait_for(lambda: a.text == "hello world")
        assert b.text == "hello world"


async def test_concurrent_inserts_at_the_same_position_converge(doc_and_token):
    document, token = doc_and_token
    async with connected(document.id, token) as a, connected(document.id, token) as b:
        await asyncio.gather(a.insert(0, "AAA"), b.insert(0, "BBB"))
        await a.wait_for(lambda: len(a.text) == 6)
        await b.wait_for(lambda: len(b.text) == 6)
        assert a.text == b.text
        assert sorted(a.text) == sorted("AAABBB")


async def test_late_joiner_gets_everything(doc_and_token):
    document, token = doc_and_token
    async with connected(document.id, token) as a:
        for i in range(20):
            await a.insert(len(a.text), f"<{i}>")
        await a.roundtrip()
        async with connected(document.id, token) as late:
            assert late.text == a.text
            assert "<19>" in late.text


async def test_xml_fragment_is_relayed(doc_and_token):
    document, token = doc_and_token
    async with connected(document.id, token) as a, connected(document.id, token) as b:
        await a.append_paragraph("Tiptap paragraph")
        await b.wait_for(lambda: "Tiptap paragraph" in str(b.fragment))
        assert str(b.fragment) == "<paragraph>Tiptap paragraph</paragraph>"


async def test_offline_edits_in_step2_reach_others(doc_and_token):
    """A client answers the server's step 1 with what it typed offline; others receive it."""
    document, token = doc_and_token
    async with connected(document.id, token) as a:
        async with connected(document.id, token, handshake=False) as offline:
            offline.doc.get("content", type=Text).insert(0, "typed offline")
            await offline.handshake()  # answers the server's step 1 with a step 2
            await a.wait_for(lambda: a.text == "typed offline")


async def test_updates_are_stored(doc_and_token, settings):
    document, token = doc_and_token
    async with connected(document.id, token) as a:
        await a.insert(0, "persist me")
        await a.roundtrip()
    # The last socket leaving flushes at once.
    rows = await async_db(DocumentUpdate.objects.filter(document=document).count)()
    assert rows >= 1


async def test_presence_appears_and_is_removed_on_disconnect(doc_and_token):
    document, token = doc_and_token
    async with connected(document.id, token) as a:
        async with connected(document.id, token) as b:
            await b.set_presence(4242, 1, {"user": {"name": "Bob"}})
            await a.wait_for(lambda: 4242 in a.presence())
            # The sender gets its own presence back: the stock client needs it as keepalive.
            await b.wait_for(lambda: 4242 in b.presence())
            async with connected(document.id, token) as c:
                # A new joiner receives the current states at once, with the server's `user`.
                await c.wait_for(
                    lambda: c.presence().get(4242) == {"user": presence_user(document.owner)}
                )
        await a.wait_for(lambda: 4242 not in a.presence())


async def test_query_awareness_returns_states(doc_and_token):
    document, token = doc_and_token
    async with connected(document.id, token) as a, connected(document.id, token) as b:
        await a.set_presence(77, 1, {"user": {"name": "Ann"}})
        await b.wait_for(lambda: 77 in b.presence())
        b.frames.clear()
        await b.send_raw(b"\x03")
        await b.wait_for(lambda: any(frame[0] == 1 for frame in b.frames))


async def test_anonymous_is_refused_with_4401(user, make_document):
    document = await async_db(make_document)(user)
    comm = communicator(f"/ws/documents/{document.id}")
    assert (await comm.connect())[0]
    assert await expect_close(comm) == 4401


async def test_bad_token_is_refused_with_4401(user, make_document):
    document = await async_db(make_document)(user)
    comm = communicator(f"/ws/documents/{document.id}?token=not-a-token")
    await comm.connect()
    assert await expect_close(comm) == 4401


async def test_token_of_a_deactivated_user_is_refused_with_4401(user, make_document, token_for):
    document = await async_db(make_document)(user)
    token = await async_db(token_for)(user)
    user.is_active = False
    await async_db(user.save)()
    comm = communicator(f"/ws/documents/{document.id}?token={token}")
    await comm.connect()
    assert await expect_close(comm) == 4401


async def test_foreign_document_is_refused_with_4404(make_user, make_document, token_for):
    owner, stranger = await async_db(make_user)(), await async_db(make_user)()
    document = await async_db(make_document)(owner)
    comm = communicator(f"/ws/documents/{document.id}?token={await async_db(token_for)(stranger)}")
    await comm.connect()
    assert await expect_close(comm) == 4404


@pytest.mark.parametrize(
    "path", ["/ws/documents/00000000-0000-0000-0000-000000000000", "/ws/documents/not-a-uuid"]
)
async def test_unknown_document_is_refused_with_4404(user, token_for, path):
    comm = communicator(f"{path}?token={await async_db(token_for)(user)}")
    await comm.connect()
    assert await expect_close(comm) == 4404


MALFORMED = {
    "garbage": b"\xde\xad\xbe\xef",
    "unknown type": b"\x07\x00",
    "truncated var-uint": b"\x00\x02\xff\xff",
    "absurd length": b"\x00\x02\xff\xff\xff\xff\x0f",
    "invalid update": create_update_message(b"\xff\xff\xff\xff\x01"),
    "bad awareness json": b"\x01\x07\x01\x01\x01\x03{x}",
    "empty": b"",
}


@pytest.mark.parametrize("frame", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_frame_closes_only_its_socket(doc_and_token, frame):
    document, token = doc_and_token
    async with connected(document.id, token) as a, connected(document.id, token) as bad:
        await a.insert(0, "safe")
        await bad.wait_for(lambda: bad.text == "safe")
        await bad.send_raw(frame)
        with pytest.raises(Closed) as closed:
            await bad.wait_for(lambda: False, 3)
        assert closed.value.code == 4400
        # The session and the other socket carry on; the document is unchanged.
        await a.insert(4, "!")
        await a.roundtrip()
        async with connected(document.id, token) as c:
            assert c.text == "safe!"


async def test_text_frame_closes_with_4400(doc_and_token):
    document, token = doc_and_token
    async with connected(document.id, token) as a:
        await a.communicator.send_to(text_data="hello")
        with pytest.raises(Closed) as closed:
            await a.wait_for(lambda: False, 3)
        assert closed.value.code == 4400


async def test_oversized_frame_closes_with_4413(doc_and_token, settings):
    settings.REALTIME = {**settings.REALTIME, "MAX_MESSAGE_BYTES": 1000}
    document, token = doc_and_token
    async with connected(document.id, token) as a, connected(document.id, token) as big:
        await big.insert(0, "x" * 2000)
        with pytest.raises(Closed) as closed:
            await big.wait_for(lambda: False, 3)
        assert closed.value.code == 4413
        await a.pump()
        assert a.text == ""


async def test_oversized_presence_closes_with_4413(doc_and_token, settings):
    """Presence is relayed to every socket: a huge one is refused before it is relayed."""
    settings.REALTIME = {**settings.REALTIME, "MAX_PRESENCE_BYTES": 1000}
    document, token = doc_and_token
    async with connected(document.id, token) as a, connected(document.id, token) as big:
        await big.set_presence(big.doc.client_id, 1, {"user": {"name": "ok"}})
        await a.wait_for(lambda: big.doc.client_id in a.presence())
        await big.set_presence(big.doc.client_id, 2, {"user": {"name": "x" * 2000}})
        with pytest.raises(Closed) as closed:
            await big.wait_for(lambda: False, 3)
        assert closed.value.code == 4413
        # Its presence is removed on the close, never replaced by the huge one.
        await a.wait_for(lambda: big.doc.client_id not in a.presence())


async def test_foreign_origin_is_refused_at_the_handshake(doc_and_token):
    document, token = doc_and_token
    comm = communicator(
        f"/ws/documents/{document.id}?token={token}", headers=[(b"origin", b"https://evil.test")]
    )
    connected_, _ = await comm.connect()
    assert not connected_


async def test_allowed_origin_with_token_is_accepted(doc_and_token):
    document, token = doc_and_token
    comm = communicator(
        f"/ws/documents/{document.id}?token={token}", headers=[(b"origin", b"http://localhost")]
    )
    assert (await comm.connect())[0]
    frame = await comm.receive_from()
    assert frame[:2] == b"\x00\x00"  # the server's sync step 1
    await comm.disconnect()


async def test_session_cookie_needs_an_origin(doc_and_token, user):
    """A cookie alone (no Origin: not a browser) does not authenticate; with Origin it does."""
    from django.test import Client

    document, _ = doc_and_token
    client = Client()
    await async_db(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    without_origin = communicator(f"/ws/documents/{document.id}", headers=[(b"cookie", cookie)])
    await without_origin.connect()
    assert await expect_close(without_origin) == 4401

    browser = communicator(
        f"/ws/documents/{document.id}",
        headers=[(b"cookie", cookie), (b"origin", b"http://127.0.0.1:8000")],
    )
    assert (await browser.connect())[0]
    assert (await browser.receive_from())[:2] == b"\x00\x00"
    await browser.disconnect()


async def test_a_repeated_step2_is_neither_stored_nor_forwarded(doc_and_token):
    """A stock client answers every server step 1 with a step 2 that restates its whole delete
    set; applying it changes nothing, so it must cost nothing (no row, no broadcast)."""
    document, token = doc_and_token
    async with connected(document.id, token) as a, connected(document.id, token) as b:
        await a.insert(0, "hello world")
        await a.edit(lambda doc: doc.get("content", type=Text).__delitem__(slice(0, 6)))
        await b.wait_for(lambda: b.text == "world")
        await a.roundtrip()
        writer = registry.get(document.id).writer
        await writer.flush()
        rows = await async_db(DocumentUpdate.objects.filter(document=document).count)()
        b.frames.clear()
        for _ in range(5):
            delete_set_only = a.doc.get_update(a.doc.get_state())
            assert delete_set_only != b"\x00\x00"
            await a.send_raw(b"\x00\x01" + bytes([len(delete_set_only)]) + delete_set_only)
        await a.roundtrip()
        await writer.flush()
        assert await async_db(DocumentUpdate.objects.filter(document=document).count)() == rows
        await b.pump()
        assert not [frame for frame in b.frames if frame[0] == 0]


async def test_metrics_count_sockets_updates_and_closes(doc_and_token):
    from documents import metrics

    document, token = doc_and_token
    opened, received = metrics.opened_sockets.value, metrics.updates_received.value
    closed_4400 = metrics.closed_sockets.values.get("4400", 0)
    async with connected(document.id, token) as a, connected(document.id, token) as b:
        await a.insert(0, "counted")
        await b.wait_for(lambda: b.text == "counted")
        await b.send_raw(b"\xff")
        with pytest.raises(Closed):
            await b.wait_for(lambda: False, 3)
        await b.communicator.send_input({"type": "websocket.disconnect", "code": 4400})
        await eventually(lambda: metrics.closed_sockets.values.get("4400", 0) == closed_4400 + 1)
    assert metrics.opened_sockets.value == opened + 2
    assert metrics.updates_received.value == received + 1
    assert "collab_open_sockets" in metrics.render()


async def test_a_flood_of_messages_closes_with_4429(doc_and_token, settings):
    settings.REALTIME = {**settings.REALTIME, "MAX_MESSAGES_PER_SECOND": 5, "MESSAGE_BURST": 10}
    document, token = doc_and_token
    async with connected(document.id, token) as a, connected(document.id, token) as flood:
        for _ in range(30):
            await flood.send_raw(b"\x03")  # query awareness: cheap, valid
        with pytest.raises(Closed) as closed:
            await flood.wait_for(lambda: False, 3)
        assert closed.value.code == 4429
        await a.insert(0, "still fine")
        await a.roundtrip()


async def test_sockets_per_user_are_limited(doc_and_token, settings):
    settings.REALTIME = {**settings.REALTIME, "MAX_SOCKETS_PER_USER": 2}
    document, token = doc_and_token
    async with connected(document.id, token), connected(document.id, token):
        third = communicator(f"/ws/documents/{document.id}?token={token}")
        await third.connect()
        assert await expect_close(third) == 4429
    # Closing sockets frees the quota.
    async with connected(document.id, token), connected(document.id, token):
        pass


async def test_loaded_documents_are_limited(user, make_document, token_for, settings):
    settings.REALTIME = {**settings.REALTIME, "MAX_LOADED_DOCUMENTS": 1}
    first = await async_db(make_document)(user)
    second = await async_db(make_document)(user)
    token = await async_db(token_for)(user)
    async with connected(first.id, token):
        comm = communicator(f"/ws/documents/{second.id}?token={token}")
        await comm.connect()
        assert await expect_close(comm) == 1013


async def test_sockets_take_no_channel_layer_channel_of_their_own(doc_and_token):
    """Documents are subscribed once per process; a channel per socket would cost a pending
    receive per socket for nothing."""
    document, token = doc_and_token
    layer = get_channel_layer()
    before = set(layer.channels)
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(5):
            await stack.enter_async_context(connected(document.id, token))
        # The document's own subscription and the process's people link (realtime/people.py).
        assert len(set(layer.channels) - before) <= 2
