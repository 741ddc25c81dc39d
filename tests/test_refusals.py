"""Refusals: what a session refused is recognised in whatever update carries it later."""

import pytest
from pycrdt import Doc, Text

from documents.realtime import refusals as refusals_module
from documents.realtime.protocol import ProtocolError
from documents.realtime.refusals import RefusalOverflow, Refusals, inserting_clients


def text_of(doc: Doc) -> Text:
    return doc.get("content", type=Text)


@pytest.fixture
def server() -> Doc:
    doc = Doc()
    text_of(doc).insert(0, "hello world")
    return doc


def replica(of: Doc) -> Doc:
    doc = Doc()
    doc.apply_update(of.get_update())
    return doc


def change(doc: Doc, edit) -> bytes:
    before = doc.get_state()
    edit(text_of(doc))
    return doc.get_update(before)


def test_a_refused_insertion_is_refused_in_every_later_update_of_that_client(server):
    client = replica(server)
    refused = change(client, lambda text: text.insert(5, " REFUSED"))
    refusals = Refusals()
    assert refusals.record(refused, server)
    later = change(client, lambda text: text.insert(0, "later "))
    assert refusals.blocks(later, server)
    assert refusals.blocks(client.get_update(), server)  # a stock client's whole step 2
    assert not refusals.record(later, server)  # nothing new to remember


def test_other_clients_are_not_blocked(server):
    refusals = Refusals()
    refusals.record(change(replica(server), lambda text: text.insert(0, "x")), server)
    honest = replica(server)
    assert not refusals.blocks(change(honest, lambda text: text.insert(11, "!")), server)
    assert not refusals.blocks(honest.get_update(), server)


def test_a_refused_deletion_is_refused_until_someone_allowed_makes_it(server):
    viewer, editor = replica(server), replica(server)
    deletion = change(viewer, lambda text: text.__delitem__(slice(0, 6)))
    refusals = Refusals()
    assert refusals.record(deletion, server)
    assert inserting_clients(deletion) == {}
    assert refusals.blocks(viewer.get_update(), server)
    # An editor deletes the same text on its own: from then on the refusal is moot.
    server.apply_update(change(editor, lambda text: text.__delitem__(slice(0, 6))))
    assert not refusals.blocks(viewer.get_update(), server)
    assert not refusals


def test_inserting_clients_lists_each_client_with_its_first_clock(server):
    a, b = replica(server), replica(server)
    update_a = change(a, lambda text: text.insert(0, "aa"))
    change(a, lambda text: text.insert(0, "more"))
    update_b = change(b, lambda text: text.insert(0, "b"))
    merged = replica(server)
    merged.apply_update(a.get_update())
    merged.apply_update(update_b)
    found = inserting_clients(merged.get_update(server.get_state()))
    assert found == {a.client_id: 0, b.client_id: 0}
    assert inserting_clients(update_a) == {a.client_id: 0}


def test_json_round_trip_and_merge(server):
    refusals = Refusals()
    refusals.record(change(replica(server), lambda text: text.insert(0, "x")), server)
    refusals.record(change(replica(server), lambda text: text.__delitem__(slice(1, 3))), server)
    copy = Refusals.from_json(refusals.to_json())
    assert copy == refusals
    copy.merge(refusals.to_json())
    assert copy == refusals


def test_past_the_bound_nothing_is_recorded(server, monkeypatch):
    monkeypatch.setattr(refusals_module, "MAX_REFUSED_CLIENTS", 1)
    refusals = Refusals()
    refusals.record(change(replica(server), lambda text: text.insert(0, "x")), server)
    with pytest.raises(RefusalOverflow):
        refusals.record(change(replica(server), lambda text: text.insert(0, "y")), server)
    assert len(refusals.insertions_from) == 1


def test_a_malformed_update_is_a_protocol_error(server):
    with pytest.raises(ProtocolError):
        Refusals().record(b"\x01\x05\xff", server)
    refusals = Refusals()
    refusals.record(change(replica(server), lambda text: text.insert(0, "x")), server)
    with pytest.raises(ProtocolError):
        refusals.blocks(b"\x01\x05\xff", server)
