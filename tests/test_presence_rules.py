"""Presence is bound to who sent it: client ids belong to the user who introduced them, the
`user` field is the server's, and numbers a browser cannot decode are refused at the sender."""

import json
from contextlib import AsyncExitStack

import pytest
from pycrdt import write_message, write_var_uint

from documents.access import Role
from documents.models import Membership
from documents.people import presence_user, user_color
from documents.realtime.presence_rules import (
    MAX_STATE_DEPTH,
    ClientOwners,
    stamp_state,
)
from documents.realtime.protocol import MAX_SAFE_INTEGER, ProtocolError, decode_awareness
from tests.node_client import scripted_node_client
from tests.server import DaphneServer, SocketClient
from tests.wsclients import Closed, connected

SERVER_USER = {"name": "Alice", "color": "#123456"}
CURSOR = {
    "anchor": {"type": {"client": 1, "clock": 0}, "tname": None, "item": {"client": 2, "clock": 5}},
    "head": {"type": {"client": 1, "clock": 0}, "item": None, "assoc": -1},
}


def stamped(state: object) -> dict:
    return json.loads(stamp_state(json.dumps(state).encode(), SERVER_USER))


def test_the_user_field_is_the_servers():
    state = {"user": {"name": "Mallory", "color": "url(https://evil.example/track)"}, "x": 1}
    assert stamped(state) == {"user": SERVER_USER, "x": 1}
    assert stamped({}) == {"user": SERVER_USER}


def test_a_cursor_of_relative_positions_is_kept():
    assert stamped({"cursor": CURSOR})["cursor"] == CURSOR
    assert stamped({"cursor": None})["cursor"] is None


def test_what_is_relayed_is_always_utf8():
    state = stamp_state(b'{"lone": "\\ud800", "name": "J\xc3\xa9r\xc3\xb4me"}', SERVER_USER)
    assert state.decode("utf-8") and json.loads(state)["name"] == "J\u00e9r\u00f4me"


@pytest.mark.parametrize(
    "cursor",
    [
        {"anchor": None, "head": None},
        {"anchor": {"type": {"client": "1", "clock": 0}}, "head": {}},
        {"anchor": {"item": {"client": 2**53, "clock": 0}}, "head": {}},
        {"anchor": {"evil": 1}, "head": {}},
        {"anchor": 3, "head": 5},
        "here",
    ],
)
def test_a_cursor_no_editor_can_draw_is_relayed_as_null(cursor):
    assert stamped({"cursor": cursor, "x": 1}) == {"cursor": None, "x": 1, "user": SERVER_USER}


def test_a_removal_stays_a_removal():
    assert stamp_state(b"null", SERVER_USER) == b"null"


@pytest.mark.parametrize(
    "state",
    [
        b"[1, 2]",
        b'"a string"',
        b"42",
        b"{",
        b'{"a":' + b"[" * MAX_STATE_DEPTH + b"]" * MAX_STATE_DEPTH + b"}",
        b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
)
def test_unreadable_states_are_refused(state):
    with pytest.raises(ProtocolError):
        stamp_state(state, SERVER_USER)


def test_states_as_deep_as_allowed_pass():
    state: object = 1
    for _ in range(MAX_STATE_DEPTH - 1):
        state = [state]
    assert stamped({"a": state})["a"] == state


def _awareness_payload(client_id: int, clock: int) -> bytes:
    entry = write_var_uint(client_id) + write_var_uint(clock) + write_message(b"{}")
    return write_var_uint(1) + entry


@pytest.mark.parametrize(
    "client_id, clock",
    [(MAX_SAFE_INTEGER + 1, 1), (1, MAX_SAFE_INTEGER + 1), (1, 2**56 - 1), (2**56 - 1, 1)],
)
def test_numbers_a_browser_cannot_decode_are_refused(client_id, clock):
    with pytest.raises(ProtocolError, match="2\\^53"):
        decode_awareness(_awareness_payload(client_id, clock))
    assert decode_awareness(_awareness_payload(MAX_SAFE_INTEGER, MAX_SAFE_INTEGER))


def test_client_ids_belong_to_the_first_user():
    owners = ClientOwners(per_user=2)
    assert owners.claim(1, "alice")
    assert owners.claim(1, "alice")
    assert not owners.claim(1, "mallory")
    assert owners.claim(2, "alice")
    assert owners.claim(3, "alice")  # the oldest of alice's ids is forgotten
    assert owners.claim(1, "mallory")
    assert not owners.claim(3, "mallory")


# Through the consumer: an editor (alice, a stock-style client) and a viewer who attacks.

EDITOR_ID = 1001
ATTACKER_ID = 2002


@pytest.fixture
def people(user, make_user, make_document, token_for):
    viewer = make_user("mallory", first_name="Mallory", last_name="Viewer")
    document = make_document(user)
    Membership.objects.create(document=document, user=viewer, role=Role.VIEWER.value)
    return document, token_for(user), token_for(viewer), user, viewer


@pytest.mark.django_db(transaction=True)
async def test_a_viewer_cannot_remove_or_take_over_an_editors_presence(people, clean_registry):
    document, alice_token, mallory_token, alice, _ = people
    editor_state = {"user": {"name": "whatever"}, "cursor": None}
    async with (
        connected(document.id, alice_token) as editor,
        connected(document.id, alice_token) as watcher,
        connected(document.id, mallory_token) as attacker,
    ):
        await editor.set_presence(EDITOR_ID, 1, editor_state)
        expected = {"user": presence_user(alice), "cursor": None}
        await watcher.wait_for(lambda: watcher.presence().get(EDITOR_ID) == expected)
        await attacker.wait_for(lambda: EDITOR_ID in attacker.presence())
        # A removal, a forged state and a clock far ahead: all dropped, the socket stays.
        await attacker.set_presence(EDITOR_ID, 50, None)
        await attacker.set_presence(EDITOR_ID, 51, {"user": {"name": "Alice"}, "cursor": None})
        await attacker.set_presence(ATTACKER_ID, 1, {"marker": "after the forgeries"})
        await watcher.wait_for(lambda: ATTACKER_ID in watcher.presence())
        assert watcher.presence()[EDITOR_ID] == expected
        await editor.wait_for(lambda: editor.presence().get(EDITOR_ID) == expected)
        # The editor renews its state as usual and is relayed as usual.
        await editor.set_presence(EDITOR_ID, 2, {"cursor": None, "renewed": True})
        await watcher.wait_for(lambda: watcher.presence()[EDITOR_ID].get("renewed") is True)


@pytest.mark.django_db(transaction=True)
async def test_a_forged_name_and_colour_are_replaced_by_the_servers(people, clean_registry):
    document, alice_token, mallory_token, _, mallory = people
    forged = {"user": {"name": "Alice", "color": "url(http://127.0.0.1:9/who-is-here)"}}
    async with (
        connected(document.id, alice_token) as watcher,
        connected(document.id, mallory_token) as attacker,
    ):
        await attacker.set_presence(ATTACKER_ID, 1, forged)
        await watcher.wait_for(lambda: ATTACKER_ID in watcher.presence())
        assert watcher.presence()[ATTACKER_ID]["user"] == {
            "name": "Mallory Viewer",
            "color": user_color(mallory.pk),
        }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("clock", [2**56 - 1, MAX_SAFE_INTEGER + 1])
async def test_a_clock_out_of_range_closes_the_sender_only(people, clean_registry, clock):
    document, alice_token, mallory_token, _, _ = people
    async with (
        connected(document.id, alice_token) as editor,
        connected(document.id, alice_token) as watcher,
        connected(document.id, mallory_token) as attacker,
    ):
        await editor.set_presence(EDITOR_ID, 1, {"cursor": None})
        await attacker.wait_for(lambda: EDITOR_ID in attacker.presence())
        await attacker.set_presence(ATTACKER_ID, clock, {})
        with pytest.raises(Closed) as closed:
            await attacker.wait_for(lambda: False)
        assert closed.value.code == 4400
        # Nothing was relayed: the others' next messages are still accepted and converge.
        await editor.set_presence(EDITOR_ID, 2, {"cursor": None, "next": True})
        await editor.insert(0, "still editing")
        await watcher.wait_for(lambda: watcher.text == "still editing")
        await watcher.wait_for(lambda: watcher.presence()[EDITOR_ID].get("next") is True)
        assert ATTACKER_ID not in watcher.presence()
        assert all(frame.find(b"\xff" * 7) < 0 for frame in watcher.frames)


@pytest.mark.django_db(transaction=True)
async def test_a_second_socket_of_the_same_user_takes_over_its_own_client(people, clean_registry):
    document, alice_token, mallory_token, _, _ = people
    async with connected(document.id, mallory_token) as watcher:
        async with AsyncExitStack() as first_socket, AsyncExitStack() as second_socket:
            first = await first_socket.enter_async_context(connected(document.id, alice_token))
            await first.set_presence(EDITOR_ID, 1, {"cursor": None})
            await watcher.wait_for(lambda: EDITOR_ID in watcher.presence())
            second = await second_socket.enter_async_context(connected(document.id, alice_token))
            await second.set_presence(EDITOR_ID, 2, {"cursor": None, "tab": "second"})
            await watcher.wait_for(lambda: watcher.presence()[EDITOR_ID].get("tab") == "second")
            await first_socket.aclose()
            # The first socket leaving does not remove what the second now controls.
            await watcher.roundtrip()
            assert watcher.presence()[EDITOR_ID]["tab"] == "second"
        await watcher.wait_for(lambda: EDITOR_ID not in watcher.presence())


# Against a real daphne process, with a stock Node client (yjs + y-websocket) as the victim.


@pytest.fixture
def server(tmp_path):
    server = DaphneServer(tmp_path)
    for name in ("alice", "carol", "mallory"):
        server.create_user(name)
    server.start()
    yield server
    server.stop()


@pytest.mark.slow
async def test_a_viewers_forged_presence_leaves_a_stock_client_connected_and_intact(server):
    alice, carol, mallory = (server.token(name) for name in ("alice", "carol", "mallory"))
    document_id = server.create_document(alice)
    members = f"/api/documents/{document_id}/members/"
    server.request("POST", members, {"username": "carol", "role": "editor"}, alice)
    server.request("POST", members, {"username": "mallory", "role": "viewer"}, alice)
    watcher = await SocketClient.connect(server.ws_url, document_id, alice)
    attacker = await SocketClient.connect(server.ws_url, document_id, mallory)
    async with scripted_node_client(server.ws_url, document_id, carol) as node:
        victim = (await node.command("sync"))["client"]
        await node.command("presence", state={"user": {"name": "Carol", "color": "#00aa00"}})
        await watcher.handshake()
        await attacker.handshake()
        carol_seen = {"name": "carol", "color": user_color(2)}  # the second account made
        await watcher.wait_for(lambda: watcher.presence().get(victim, {}).get("user") == carol_seen)
        await attacker.wait_for(lambda: victim in attacker.presence())
        # Remove the victim, take over its state, then a clock no browser can decode.
        await attacker.set_presence(victim, 1000, None)
        await attacker.set_presence(victim, 1001, {"user": {"name": "Carol (fake)"}})
        await attacker.set_presence(victim, 2**56 - 1, {"user": {"name": "Carol (fake)"}})
        with pytest.raises(Closed) as closed:
            await attacker.wait_for(lambda: False)
        assert closed.value.code == 4400
        # The stock client keeps working: still connected, its edits and presence go through.
        await node.command("presence", state={"user": {"name": "Carol"}, "after": True})
        await node.command("paragraph", text="still here")
        await watcher.wait_for(lambda: "still here" in str(watcher.fragment))
        await watcher.wait_for(lambda: watcher.presence().get(victim, {}).get("after") is True)
        assert watcher.presence()[victim]["user"] == carol_seen
        report = await node.command("report")
        assert report["closes"] == []
        assert report["presence"][str(victim)] == {"user": {"name": "Carol"}, "after": True}
        await node.finish()
    await watcher.close()
