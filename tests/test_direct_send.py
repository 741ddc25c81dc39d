"""Direct writes to daphne's sockets: the frame format, when they apply, and order under load."""

import asyncio
import functools

import pytest
import websockets
from autobahn.websocket.protocol import PreparedMessage
from pycrdt import Doc, Text, create_sync_message, create_update_message

from documents.realtime.daphne_adapter import send_paths
from documents.realtime.daphne_adapter.direct_send import binary_frame
from tests.server import DaphneServer


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70_000])
def test_binary_frame_is_what_autobahn_would_send(size):
    message = bytes(range(256)) * (size // 256) + bytes(size % 256)
    expected = PreparedMessage(message, isBinary=True, applyMask=False, doNotCompress=True)
    assert binary_frame(message) == expected.payloadHybi


def test_the_frame_kept_for_a_broadcast_is_only_reused_for_that_message():
    message = bytes([0, 2, 1, 97])
    assert binary_frame(message) is binary_frame(message)
    assert binary_frame(bytes([0, 2, 1, 98])) == b"\x82\x04\x00\x02\x01b"
    assert binary_frame(message) == b"\x82\x04\x00\x02\x01a"


async def _asgi_send(message: dict) -> None:
    pass


def test_only_daphnes_send_callable_is_written_to_directly(monkeypatch):
    from daphne.server import Server

    monkeypatch.setattr(send_paths, "_handle_reply", Server.handle_reply)
    assert send_paths.socket_for(_asgi_send, 1024) is None
    assert send_paths.socket_for(functools.partial(_asgi_send), 1024) is None
    assert send_paths.socket_for(functools.partial(print, object()), 1024) is None


@pytest.fixture
def server(tmp_path):
    server = DaphneServer(tmp_path)
    server.create_user("alice")
    server.start()
    yield server
    server.stop()


async def _open(server: DaphneServer, document_id: str, token: str, **options):
    return await websockets.connect(
        f"{server.ws_url}/{document_id}?token={token}", max_size=None, **options
    )


@pytest.mark.slow
async def test_a_reader_that_falls_behind_gets_every_update_in_order(server):
    """Twelve megabytes to a socket that does not read: the kernel buffers fill, the rest waits
    in Twisted's buffer, and the reader later gets every update once, in the order sent."""
    token = server.token("alice")
    document_id = server.create_document(token)
    # A tiny receive queue: the library stops reading the socket after a few frames.
    reader = await _open(server, document_id, token, max_queue=2)
    # A raw writer: a YClient would answer each "stored" step 1 with a step 2 of everything
    # since, which here would soon exceed the frame limit.
    writer = await _open(server, document_id, token)
    doc = Doc()
    text = doc.get("content", type=Text)
    sent = []
    for index in range(3000):
        before = doc.get_state()
        text.insert(0, f"{index:06d}" + "x" * 4090)
        sent.append(create_update_message(doc.get_update(before)))
        await writer.send(sent[-1])
    # A step 1 is answered after everything sent before it: then all updates were relayed.
    await writer.send(create_sync_message(doc))
    while (await asyncio.wait_for(writer.recv(), 60))[:2] != b"\x00\x01":
        pass

    received = []
    while len(received) < len(sent):
        frame = await asyncio.wait_for(reader.recv(), 30)
        if frame[:2] == b"\x00\x02":  # updates; the greeting and confirmations are step 1s
            received.append(frame)
    assert received == sent
    await reader.close()
    await writer.close()
