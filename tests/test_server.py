"""Real daphne processes over TCP: restarts, shutdown flush, kill -9, and a stock Node client."""

import asyncio
import json
import signal
import subprocess

import pytest

from tests.node_client import scripted_node_client
from tests.server import ROOT, DaphneServer, SocketClient
from tests.yclient import Closed

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path, database):
    server = DaphneServer(tmp_path, database)
    server.start()
    yield server
    server.stop()


async def test_document_survives_a_restart(server):
    token = server.token("alice")
    document_id = server.create_document(token)
    a = await SocketClient.connect(server.ws_url, document_id, token)
    b = await SocketClient.connect(server.ws_url, document_id, token)
    await a.handshake()
    await b.handshake()
    await a.insert(0, "alpha ")
    await b.wait_for(lambda: b.text == "alpha ")
    await b.insert(6, "beta")
    await a.wait_for(lambda: a.text == "alpha beta")
    await a.close()
    await b.close()

    server.stop()
    server.start()

    fresh = await SocketClient.connect(server.ws_url, document_id, token)
    await fresh.handshake()
    assert fresh.text == "alpha beta"
    await fresh.close()


@pytest.fixture
def slow_writer_server(tmp_path, database):
    """Group commit every 60 s: whatever is stored sooner was stored by a flush."""
    server = DaphneServer(tmp_path, database, REALTIME_PERSIST_INTERVAL_SECONDS="60")
    server.start()
    yield server
    server.stop()


async def test_shutdown_flushes_pending_updates(slow_writer_server):
    server = slow_writer_server
    token = server.token("alice")
    document_id = server.create_document(token)
    client = await SocketClient.connect(server.ws_url, document_id, token)
    await client.handshake()
    await client.insert(0, "written just before SIGTERM")
    await client.roundtrip()  # the server has applied it

    server.stop(signal.SIGTERM)  # the client is still connected
    server.start()

    fresh = await SocketClient.connect(server.ws_url, document_id, token)
    await fresh.handshake()
    assert fresh.text == "written just before SIGTERM"
    await fresh.close()


async def test_after_kill_9_a_reconnecting_client_restores_its_edits(slow_writer_server):
    """The server dies before storing; the author's reconnect re-sends what it lacks, once."""
    server = slow_writer_server
    token = server.token("alice")
    document_id = server.create_document(token)
    author = await SocketClient.connect(server.ws_url, document_id, token)
    await author.handshake()
    await author.insert(0, "unsaved edit")
    await author.roundtrip()

    server.stop(signal.SIGKILL)
    server.start()

    await author.reconnect(server.ws_url, document_id, token)
    fresh = await SocketClient.connect(server.ws_url, document_id, token)
    await fresh.handshake()
    await fresh.wait_for(lambda: fresh.text == "unsaved edit")
    await author.close()
    await fresh.close()


async def test_stock_node_yjs_client_edits_with_a_python_client(server):
    token = server.token("alice")
    document_id = server.create_document(token)
    python_client = await SocketClient.connect(server.ws_url, document_id, token)
    await python_client.handshake()
    await python_client.append_paragraph("from python")
    await python_client.roundtrip()

    node = await asyncio.create_subprocess_exec(
        "node", str(ROOT / "tests/interop/yjs_client.mjs"),
        "--url", server.ws_url, "--room", document_id, "--token", token,
        "--paragraph", "from node", "--expect", "from python", "--timeout", "15",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    await python_client.wait_for(lambda: "from node" in str(python_client.fragment), 15)
    stdout, stderr = await asyncio.wait_for(node.communicate(), 20)
    assert node.returncode == 0, stderr.decode()
    result = json.loads(stdout)
    assert result["ok"]
    assert result["text"].split("\n") == ["from python", "from node"]
    assert str(python_client.fragment) == (
        "<paragraph>from python</paragraph><paragraph>from node</paragraph>"
    )
    await python_client.close()


async def test_node_client_is_refused_without_a_token(server):
    token = server.token("alice")
    document_id = server.create_document(token)
    node = await asyncio.create_subprocess_exec(
        "node", str(ROOT / "tests/interop/yjs_client.mjs"),
        "--url", server.ws_url, "--room", document_id, "--timeout", "10",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    stdout, _ = await asyncio.wait_for(node.communicate(), 15)
    assert node.returncode == 2
    assert json.loads(stdout)["closeCode"] == 4401


async def test_close_codes_reach_clients_over_tcp(server):
    """Refusals and malformed frames arrive as close codes through daphne, not as 1011."""
    token = server.token("alice")
    document_id = server.create_document(token)
    stranger_doc = "00000000-0000-0000-0000-000000000000"
    for doc, key, expected in [(document_id, "bad-token", 4401), (stranger_doc, token, 4404)]:
        client = await SocketClient.connect(server.ws_url, doc, key)
        with pytest.raises(Closed) as closed:
            await client.wait_for(lambda: False, 5)
        assert closed.value.code == expected
    client = await SocketClient.connect(server.ws_url, document_id, token)
    await client.handshake()
    await client.send_raw(b"\x09garbage")
    with pytest.raises(Closed) as closed:
        await client.wait_for(lambda: False, 5)
    assert closed.value.code == 4400


def test_static_files_are_served_in_production_mode(server):
    """daphne serves no static files itself; the ASGI app does, with DJANGO_DEBUG=0."""
    import urllib.request

    url = f"http://127.0.0.1:{server.port}/static/documents/app.css"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert b"{" in response.read()


async def test_a_document_larger_than_daphnes_default_message_limit_opens(server):
    """daphne caps messages at 1 MiB by default, outgoing too; a 1.5 MB document's step 2 is
    larger, and must still reach a client."""
    token = server.token("alice")
    document_id = server.create_document(token)
    writer = await SocketClient.connect(server.ws_url, document_id, token)
    await writer.handshake()
    chunk = "x" * 500_000
    for index in range(3):  # three frames under the incoming limit
        await writer.insert(len(writer.text), f"{index}{chunk}")
        # One chunk in flight at most: the writer answers the server's "stored" step 1 with a
        # step 2 of what that state lacks, which must stay under the incoming limit too.
        await writer.roundtrip()
    reader = await SocketClient.connect(server.ws_url, document_id, token)
    await reader.handshake(timeout=20)
    assert len(reader.text) == 3 * 500_001
    await writer.close()
    await reader.close()


async def test_a_demoted_stock_node_client_never_gets_its_refused_edits_stored(server):
    server.create_user("bob")
    alice, bob = server.token("alice"), server.token("bob")
    document_id = server.create_document(alice)
    members = f"/api/documents/{document_id}/members/"
    server.request("POST", members, {"username": "bob", "role": "editor"}, alice)
    owner = await SocketClient.connect(server.ws_url, document_id, alice)
    await owner.handshake()

    async def set_role(role: str) -> None:
        server.request("PATCH", f"{members}bob/", {"role": role}, alice)
        # Bob's second socket joined after the Node client: once it hears of the change, the
        # Node client's socket has been re-checked too.
        await watcher.wait_for(lambda: watcher.notices[-1:] == [{"type": "role", "role": role}])

    async with scripted_node_client(server.ws_url, document_id, bob) as node:
        await node.command("sync")
        watcher = await SocketClient.connect(server.ws_url, document_id, bob)
        await watcher.handshake()
        await node.command("paragraph", text="kept")
        await owner.wait_for(lambda: "kept" in str(owner.fragment))
        await set_role("viewer")
        await node.command("paragraph", text="refused")
        await set_role("editor")
        await node.command("reconnect")  # the provider sends everything it holds again
        await node.command("paragraph", text="after the promotion")
        await owner.append_paragraph("from alice")
        await owner.roundtrip()
        await watcher.wait_for(lambda: "from alice" in str(watcher.fragment))
        assert str(owner.fragment) == "<paragraph>kept</paragraph><paragraph>from alice</paragraph>"
        content = server.request(
            "GET", f"/api/documents/{document_id}/content?format=text", None, alice
        )
        assert content["content"] == "kept\nfrom alice"
        await node.finish()
    await watcher.close()
    await owner.close()
