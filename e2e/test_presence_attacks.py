"""A viewer's forged presence, sent over a raw socket, as two editors' browsers see it: no fake
avatar under someone else's name, no colour that fetches the attacker's URL, and both editors
stay connected and keep editing after a clock no browser could decode."""

import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from pycrdt import create_awareness_message, write_message, write_var_uint
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from e2e.conftest import SYNC_MS, EditorPage

ATTACKER_CLIENT = 4242


def _presence(client_id: int, clock: int, state: dict | None) -> bytes:
    entry = write_var_uint(client_id) + write_var_uint(clock)
    return create_awareness_message(
        write_var_uint(1) + entry + write_message(json.dumps(state).encode())
    )


@pytest.fixture
def tracker() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server that records every request: the attacker's way of learning who looks."""
    hits: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/who-is-here", hits
    httpd.shutdown()


def _client_id(page: EditorPage) -> int:
    return page.page.evaluate("() => window.docsEditor.collab.doc.clientID")


def test_forged_presence_from_a_viewer_changes_nothing_editors_see(
    server, browsers, users, tracker
):
    track_url, hits = tracker
    alice, carol, mallory = users(), users(), users()
    document = server.create_document(alice, "Watched")
    server.share(document, alice, carol)
    server.share(document, alice, mallory, role="viewer")
    a = browsers.editor(alice, document)
    c = browsers.editor(carol, document)
    alice_avatar = c.page.locator(f'#presence .presence-avatar[data-name="{alice.name}"]')
    expect(alice_avatar).to_have_count(1)
    victim = _client_id(a)

    url = server.url.replace("http", "ws") + f"/ws/documents/{document}?token={mallory.token}"
    mallory_avatar = c.page.locator(f'#presence .presence-avatar[data-name="{mallory.name}"]')
    with connect(url, max_size=None) as attacker:
        forged_user = {"name": alice.name, "color": f"url({track_url})"}
        attacker.send(_presence(ATTACKER_CLIENT, 1, {"user": forged_user, "cursor": None}))
        attacker.send(_presence(victim, 10**6, None))
        attacker.send(_presence(victim, 10**6 + 1, {"user": {"name": "Someone else"}}))
        # The attacker shows up under its own name and the server's colour; Alice is intact.
        expect(mallory_avatar).to_have_count(1)
        colour = mallory_avatar.evaluate("(element) => element.style.backgroundColor")
        assert colour.startswith("rgb("), colour
        expect(alice_avatar).to_have_count(1)
        expect(c.page.locator('#presence [data-name="Someone else"]')).to_have_count(0)
        # A clock no browser can decode: refused at the attacker's socket, never relayed.
        attacker.send(_presence(victim, 2**56 - 1, {"user": forged_user}))
        with pytest.raises(ConnectionClosed):
            while True:
                attacker.recv(timeout=SYNC_MS / 1000)
    assert attacker.close_code == 4400
    expect(mallory_avatar).to_have_count(0)

    # Both editors are still connected, and an edit still goes from one to the other.
    a.click_end()
    a.type("after the attack")
    c.wait_contains("after the attack")
    for page in (a, c):
        page.wait_online()
        expect(page.banner).to_be_hidden()
    expect(alice_avatar).to_have_count(1)
    assert hits == []
