"""Presence as a session feature: the awareness table, who may set what, the echo to everyone,
removal on leave, remote entries and their expiry. (The hostile cases through the real consumer
are in test_presence_rules.py.)"""

import json
import time

import pytest
from pycrdt import read_message

from documents.people import presence_user
from documents.realtime.events import AwarenessUpdate
from documents.realtime.presence import REMOTE_PRESENCE_TIMEOUT_SECONDS, Presence
from documents.realtime.protocol import (
    AwarenessEntry,
    MessageTooLarge,
    awareness_message,
    decode_awareness,
    encode_awareness,
)
from tests.session_fakes import FakeUser, RecordingLink, RecordingPeer, fake_session, joined

ALICE, BOB = FakeUser(1, "alice"), FakeUser(2, "bob")


def presence_frame(client_id: int, clock: int, state: dict | None) -> bytes:
    return awareness_message([AwarenessEntry(client_id, clock, json.dumps(state).encode())])


def entries_sent(peer: RecordingPeer) -> list[AwarenessEntry]:
    return [
        entry
        for frame in peer.sent
        if frame[:1] == b"\x01"
        for entry in decode_awareness(read_message(frame[1:]))
    ]


async def test_a_state_is_echoed_to_everyone_with_the_servers_user_field():
    session = fake_session([Presence])
    alice, bob = await joined(session, ALICE, BOB)

    await session.receive(alice, presence_frame(11, 1, {"cursor": None, "user": {"name": "x"}}))

    expected = {"cursor": None, "user": presence_user(ALICE)}
    for peer in (alice, bob):
        [entry] = entries_sent(peer)
        assert (entry.client_id, json.loads(entry.state)) == (11, expected)
    assert session.feature(Presence).entries.keys() == {11}


async def test_a_joiner_gets_the_table_and_a_query_gets_it_again():
    session = fake_session([Presence])
    [alice] = await joined(session, ALICE)
    await session.receive(alice, presence_frame(11, 1, {}))
    [bob] = await joined(session, BOB)
    assert [entry.client_id for entry in entries_sent(bob)] == [11]
    await session.receive(bob, b"\x03")
    assert [entry.client_id for entry in entries_sent(bob)] == [11, 11]


async def test_another_users_client_and_older_clocks_are_dropped():
    session = fake_session([Presence])
    alice, bob = await joined(session, ALICE, BOB)
    await session.receive(alice, presence_frame(11, 5, {"v": 1}))
    await session.receive(bob, presence_frame(11, 9, {"v": "bob's"}))  # not his to set
    await session.receive(alice, presence_frame(11, 4, {"v": "old"}))
    assert json.loads(session.feature(Presence).entries[11].state)["v"] == 1
    assert len(entries_sent(bob)) == 1


async def test_leaving_removes_the_peers_clients_at_once_for_everyone():
    session = fake_session([Presence])
    alice, bob = await joined(session, ALICE, BOB)
    await session.receive(alice, presence_frame(11, 1, {}))
    await session.leave(alice)
    assert entries_sent(bob)[-1] == AwarenessEntry(11, 1, b"null")
    assert session.feature(Presence).entries == {}


async def test_a_second_socket_of_the_same_user_takes_its_client_over():
    session = fake_session([Presence])
    first, second, bob = await joined(session, ALICE, ALICE, BOB)
    await session.receive(first, presence_frame(11, 1, {}))
    await session.receive(second, presence_frame(11, 2, {"tab": "second"}))
    await session.leave(first)  # it no longer controls 11
    assert 11 in session.feature(Presence).entries
    await session.leave(second)
    assert entries_sent(bob)[-1] == AwarenessEntry(11, 2, b"null")


async def test_a_presence_frame_over_its_limit_is_refused_before_it_is_read(settings):
    settings.REALTIME = {**settings.REALTIME, "MAX_PRESENCE_BYTES": 100}
    session = fake_session([Presence])
    [alice] = await joined(session, ALICE)
    with pytest.raises(MessageTooLarge):
        await session.receive(alice, presence_frame(11, 1, {"big": "x" * 100}))
    assert session.feature(Presence).entries == {}


async def test_with_other_processes_entries_go_to_them_and_theirs_come_here_and_expire():
    link = RecordingLink()
    session = fake_session([Presence], link=link)
    [alice] = await joined(session, ALICE)
    await session.receive(alice, presence_frame(11, 1, {}))
    [published] = link.broadcasts
    assert published["type"] == AwarenessUpdate.NAME and published["user"] == ALICE.pk

    remote = encode_awareness([AwarenessEntry(22, 1, b'{"user":{"name":"carol"}}')])
    await session.handle_event(AwarenessUpdate(remote, user=3))
    presence = session.feature(Presence)
    assert presence.entries.keys() == {11, 22}
    assert entries_sent(alice)[-1].client_id == 22

    # A renewal keeps it; silence beyond the timeout removes it, and never a local entry.
    now = time.monotonic()
    await presence.drop_stale_remote_entries(now + REMOTE_PRESENCE_TIMEOUT_SECONDS / 2)
    assert presence.entries.keys() == {11, 22}
    await presence.drop_stale_remote_entries(now + REMOTE_PRESENCE_TIMEOUT_SECONDS + 1)
    assert presence.entries.keys() == {11}
    assert entries_sent(alice)[-1] == AwarenessEntry(22, 1, b"null")


async def test_another_process_cannot_set_a_client_owned_by_someone_else():
    session = fake_session([Presence], link=RecordingLink())
    [alice] = await joined(session, ALICE)
    await session.receive(alice, presence_frame(11, 1, {"mine": True}))
    forged = encode_awareness([AwarenessEntry(11, 7, b'{"mine":false}')])
    await session.handle_event(AwarenessUpdate(forged, user=BOB.pk))
    assert json.loads(session.feature(Presence).entries[11].state)["mine"] is True


async def test_expiry_runs_only_with_other_processes():
    alone = fake_session([Presence])
    await alone.start()
    assert alone.feature(Presence)._expiry is None
    linked = fake_session([Presence], link=RecordingLink())
    await linked.start()
    expiry = linked.feature(Presence)._expiry
    assert not expiry.done()
    await linked.stop()
    assert expiry.cancelled()
