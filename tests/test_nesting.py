"""Deeply nested values in updates are refused before pycrdt decodes them (yrs would overflow
the native stack and kill the process); every kind of honest content passes."""

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText, write_var_uint

from documents.realtime.nesting import MAX_VALUE_DEPTH, _UpdateWalker, check_value_depth
from documents.realtime.protocol import ProtocolError
from documents.realtime.registry import registry
from tests.conftest import async_db
from tests.server import ROOT, DaphneServer, SocketClient
from tests.wsclients import Closed, connected

ARRAY, OBJECT, INTEGER = b"\x75", b"\x76", b"\x7d"


def map_entry_update(value: bytes, client: int = 7) -> bytes:
    """An update that sets root map "m", key "x", to one lib0 value (encoded by hand)."""
    # Info 0x28: content "any", a map key, no origins; the parent is the root type "m".
    item = b"\x28" + write_var_uint(1) + b"\x01m" + b"\x01x" + write_var_uint(1) + value
    return write_var_uint(1) + write_var_uint(1) + write_var_uint(client) + b"\x00" + item + b"\x00"


def nested_arrays(depth: int) -> bytes:
    return (ARRAY + b"\x01") * depth + INTEGER + b"\x01"


def nested_objects(depth: int) -> bytes:
    return (OBJECT + b"\x01\x01k") * depth + INTEGER + b"\x01"


@pytest.mark.parametrize("nested", [nested_arrays, nested_objects])
def test_values_deeper_than_the_limit_are_refused(nested):
    with pytest.raises(ProtocolError, match=f"deeper than {MAX_VALUE_DEPTH}"):
        check_value_depth(map_entry_update(nested(MAX_VALUE_DEPTH + 1)))
    with pytest.raises(ProtocolError):
        check_value_depth(map_entry_update(nested(30_000)))


@pytest.mark.parametrize("nested", [nested_arrays, nested_objects])
def test_values_as_deep_as_the_limit_pass_and_pycrdt_agrees(nested):
    update = map_entry_update(nested(MAX_VALUE_DEPTH))
    check_value_depth(update)
    doc = Doc()
    doc.apply_update(update)
    value = doc.get("m", type=Map)["x"]
    for _ in range(MAX_VALUE_DEPTH):
        value = value[0] if isinstance(value, list) else value["k"]
    assert value == 1


@pytest.mark.parametrize(
    "update",
    [
        map_entry_update(nested_arrays(70))[:-5],  # cut short
        map_entry_update(nested_arrays(70)) + b"\x00",  # trailing bytes
        map_entry_update(ARRAY * 70 + b"\x80" * 12),  # an endless var-uint
        map_entry_update(ARRAY + write_var_uint(2**40) + ARRAY * 70),  # a count that lies
        map_entry_update(b"\x01" + ARRAY * 70),  # an unknown value tag
        map_entry_update(ARRAY * 70).replace(b"\x28", b"\x2b", 1),  # unknown content kind 11
    ],
)
def test_updates_the_walk_cannot_read_are_refused(update):
    with pytest.raises(ProtocolError):
        check_value_depth(update)


def test_every_kind_of_content_stock_yjs_writes_passes():
    script = ROOT / "tests/interop/varied_updates.mjs"
    lines = subprocess.run(
        ["node", str(script)], capture_output=True, text=True, check=True, timeout=30
    ).stdout.split()
    updates = [bytes.fromhex(line) for line in lines]
    assert len(updates) > 5
    # Most hold enough 'u' and 'v' bytes that counting cannot clear them: they are walked.
    assert (
        sum(update.count(ARRAY) + update.count(OBJECT) >= MAX_VALUE_DEPTH for update in updates) > 3
    )
    for update in updates:
        _UpdateWalker(update).walk()
        check_value_depth(update)
        Doc().apply_update(update)  # pycrdt reads them too


values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False)
    | st.text(alphabet="uvUV{[x", max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(value=values, words=st.text(alphabet="uv \u00e9\u4e2d", min_size=1, max_size=200))
def test_what_pycrdt_writes_is_walked_whole(value, words):
    doc = Doc()
    doc.get("map", type=Map)["value"] = value
    doc.get("array", type=Array).extend([value, words])
    text = doc.get("text", type=Text)
    text.insert(0, words, {"bold": True, "link": {"href": "https://u.v"}})
    fragment = doc.get("default", type=XmlFragment)
    element = fragment.children.append(XmlElement("paragraph", {"align": "uv"}))
    element.children.append(XmlText(words))
    state = doc.get_state()
    text.insert(0, "uvuv")
    del text[1:3]
    for update in (doc.get_update(), doc.get_update(state)):
        _UpdateWalker(update).walk()  # the full walk, whatever the byte counts say


# Through the consumer, and against a real daphne process (where yrs would have crashed).


@pytest.mark.django_db(transaction=True)
async def test_a_deeply_nested_update_closes_only_its_sender(
    user, make_document, token_for, clean_registry
):
    document = await async_db(make_document)(user)
    token = await async_db(token_for)(user)
    async with connected(document.id, token) as editor, connected(document.id, token) as attacker:
        session = registry.get(document.id)
        content = session.doc.get_update()
        await attacker.send_raw(b"\x00\x02" + _message(map_entry_update(nested_arrays(30_000))))
        with pytest.raises(Closed) as closed:
            await attacker.wait_for(lambda: False)
        assert closed.value.code == 4400
        assert session.doc.get_update() == content
        await editor.insert(0, "still here")
        await editor.roundtrip()
        assert str(session.doc.get("content", type=Text)) == "still here"


def _message(payload: bytes) -> bytes:
    return write_var_uint(len(payload)) + payload


@pytest.mark.slow
async def test_a_deeply_nested_update_does_not_kill_the_server(tmp_path):
    server = DaphneServer(tmp_path)
    server.create_user("alice")
    server.start()
    try:
        token = server.token("alice")
        document_id = server.create_document(token)
        editor = await SocketClient.connect(server.ws_url, document_id, token)
        await editor.handshake()
        for nested in (nested_arrays, nested_objects):
            attacker = await SocketClient.connect(server.ws_url, document_id, token)
            await attacker.handshake()
            await attacker.send_raw(b"\x00\x02" + _message(map_entry_update(nested(30_000))))
            with pytest.raises(Closed) as closed:
                await attacker.wait_for(lambda: False)
            assert closed.value.code == 4400
        assert server.process.poll() is None
        await editor.insert(0, "still here")
        reader = await SocketClient.connect(server.ws_url, document_id, token)
        await reader.handshake()
        await reader.wait_for(lambda: reader.text == "still here")
        await editor.close()
        await reader.close()
    finally:
        server.stop()
