"""A real daphne process: the largest PUT the content limits allow never stalls the sockets of
other documents, and one over the limits is refused at once."""

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tests.server import DaphneServer, SocketClient

pytestmark = pytest.mark.slow

ROUND_TRIP_LIMIT = 0.1  # seconds


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = DaphneServer(tmp_path_factory.mktemp("limits"))
    server.create_user("alice")
    server.start()
    yield server
    server.stop()


def put_content(server: DaphneServer, token: str, document_id: str, format: str, content: str):
    """PUT the content; returns (status, decoded body)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/api/documents/{document_id}/content",
        method="PUT",
        data=json.dumps({"format": format, "content": content}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


async def round_trips_while(watcher: SocketClient, work) -> tuple[list[float], object]:
    """Run `work()` in a thread; meanwhile measure the watcher's round trips (sync step 1 to
    step 2) back to back. Returns their durations and what `work` returned."""
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(value=work()))
    thread.start()
    durations = []
    while thread.is_alive():
        started = time.perf_counter()
        await watcher.roundtrip(timeout=30)
        durations.append(time.perf_counter() - started)
        await asyncio.sleep(0.005)
    thread.join()
    return durations, result["value"]


def largest_allowed_text(word: str) -> str:
    # One paragraph and one text node a line: the shape that costs the event loop most a node.
    return "\n".join([word] * (settings.CONTENT["MAX_NODES"] // 2))


async def test_the_largest_allowed_put_keeps_other_documents_sockets_responsive(server):
    token = server.token("alice")
    other, target = server.create_document(token), server.create_document(token)
    watcher = await SocketClient.connect(server.ws_url, other, token)
    editor = await SocketClient.connect(server.ws_url, target, token)  # the target is live
    await watcher.handshake()
    await editor.handshake()
    await watcher.append_paragraph("untouched")
    await watcher.roundtrip()

    for word in ("first", "second"):  # a new document, then every paragraph replaced
        content = largest_allowed_text(word)
        durations, (status, body) = await round_trips_while(
            watcher, lambda content=content: put_content(server, token, target, "text", content)
        )
        assert status == 200, body
        assert body["content"] == content
        assert len(durations) >= 3, "the PUT ended before the socket was measured"
        worst = max(durations)
        print(f"PUT of {len(content)} bytes: {len(durations)} round trips, worst {worst:.3f} s")
        assert worst < ROUND_TRIP_LIMIT, f"a round trip took {worst:.3f} s during the PUT"
        await editor.wait_for(lambda word=word: _paragraph_texts(editor)[-1:] == [word], 10)
        assert len(_paragraph_texts(editor)) == settings.CONTENT["MAX_NODES"] // 2

    assert _paragraph_texts(watcher) == ["untouched"]
    await watcher.close()
    await editor.close()


async def test_a_put_over_the_limits_is_refused_at_once_and_changes_nothing(server):
    token = server.token("alice")
    other, target = server.create_document(token), server.create_document(token)
    assert put_content(server, token, target, "text", "kept")[0] == 200
    watcher = await SocketClient.connect(server.ws_url, other, token)
    await watcher.handshake()

    too_many = "\n".join(["line"] * settings.CONTENT["MAX_NODES"])
    durations, (status, body) = await round_trips_while(
        watcher, lambda: put_content(server, token, target, "text", too_many)
    )

    assert status == 413
    assert body == {"detail": f"The content has more than {settings.CONTENT['MAX_NODES']} "
                    "nodes, the limit."}  # fmt: skip
    assert max(durations) < ROUND_TRIP_LIMIT
    assert server.request("GET", f"/api/documents/{target}/content?format=text", token=token) == {
        "format": "text",
        "content": "kept",
    }
    await watcher.close()


def _paragraph_texts(client: SocketClient) -> list[str]:
    return ["".join(str(child) for child in block.children) for block in client.fragment.children]
