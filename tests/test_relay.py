"""What a session relays and stores when an update builds on one it has not seen yet.

Updates from other processes arrive in no global order: one typed after another may come first.
The Doc keeps it pending until its predecessor arrives; the update that completes it must then
reach the peers and the store together with what it unblocked.
"""

import uuid

from pycrdt import Doc, Text, create_update_message, read_message

from documents.realtime.session import DocumentSession
from tests.session_fakes import NullLink, NullWriter, RecordingPeer


def two_updates_in_a_row() -> tuple[bytes, bytes]:
    """An insert, then an insert by another client right after it (its causal successor)."""
    first, second = Doc(), Doc()
    first.get("content", type=Text).insert(0, "first ")
    before = first.get_update()
    second.apply_update(before)
    state = second.get_state()
    second.get("content", type=Text).insert(6, "second")
    return before, second.get_update(state)


def text_of(updates: list[bytes]) -> str:
    doc = Doc()
    for update in updates:
        doc.apply_update(update)
    return str(doc.get("content", type=Text))


def relayed(peer: RecordingPeer) -> list[bytes]:
    """The updates inside the update messages sent to the peer."""
    return [read_message(frame[2:]) for frame in peer.sent if frame[:2] == b"\x00\x02"]


async def test_a_remote_update_that_completes_a_pending_one_relays_and_stores_both():
    first, second = two_updates_in_a_row()
    session = DocumentSession(uuid.uuid4(), Doc(), NullWriter(), NullLink())
    peer = RecordingPeer()
    await session.join(peer)

    assert not await session.integrate(second)  # pending: nothing to relay yet
    assert await session.integrate(first)

    assert text_of(relayed(peer)) == "first second"
    assert text_of(session.writer.appended) == "first second"


async def test_a_peer_update_that_completes_a_pending_one_relays_both_to_the_others():
    first, second = two_updates_in_a_row()
    session = DocumentSession(uuid.uuid4(), Doc(), NullWriter(), NullLink())
    author, reader = RecordingPeer(), RecordingPeer()
    await session.join(author)
    await session.join(reader)

    await session.integrate(second)
    await session.receive(author, create_update_message(first))

    assert text_of(relayed(reader)) == "first second"
    assert text_of(session.writer.appended) == "first second"


async def test_an_ordinary_update_is_forwarded_as_received():
    first, _ = two_updates_in_a_row()
    session = DocumentSession(uuid.uuid4(), Doc(), NullWriter(), NullLink())
    author, reader = RecordingPeer(), RecordingPeer()
    await session.join(author)
    await session.join(reader)
    frame = create_update_message(first)

    await session.receive(author, frame)

    assert frame in reader.sent
    assert session.writer.appended == [first]
