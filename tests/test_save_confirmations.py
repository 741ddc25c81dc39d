"""Save confirmations as a session feature: authors hear "stored" (a sync step 1 with the stored
state vector) once the writer has stored their changes, after a pause in typing or at most every
few seconds, and a reconnect that brings nothing is confirmed once."""

import asyncio

import pytest
from pycrdt import create_update_message

from documents.realtime import save_confirmations
from documents.realtime.protocol import (
    EMPTY_UPDATE,
    create_sync_step1_message,
    create_sync_step2_message,
)
from documents.realtime.save_confirmations import SaveConfirmations
from tests.eventually import eventually
from tests.session_fakes import NullWriter, RecordingPeer, fake_session, text_update


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(save_confirmations, "SAVE_QUIET_SECONDS", 0.05)
    monkeypatch.setattr(save_confirmations, "SAVE_CONFIRMATION_MAX_SECONDS", 0.5)


def confirmations(session, peer: RecordingPeer) -> int:
    return peer.sent.count(create_sync_step1_message(session.doc.get_state()))


async def typed(session, author: RecordingPeer, text: str) -> None:
    await session.receive(author, create_update_message(text_update(text, doc=session.doc)))


@pytest.mark.usefixtures("quick")
async def test_an_author_is_told_once_the_writer_has_stored_and_typing_paused():
    writer = NullWriter()
    session = fake_session([SaveConfirmations], writer=writer)
    author, reader = RecordingPeer(), RecordingPeer()
    await session.join(author)
    await session.join(reader)
    writer.pending = 1

    await typed(session, author, "hi")
    assert confirmations(session, author) == 0  # not stored yet

    writer.pending = 0
    await writer.on_stored()
    await eventually(lambda: confirmations(session, author) == 1, timeout=2)
    assert confirmations(session, reader) == 0  # it wrote nothing


@pytest.mark.usefixtures("quick")
async def test_a_change_stored_while_it_was_relayed_is_still_confirmed():
    session = fake_session([SaveConfirmations])  # pending stays 0: stored at once
    author = RecordingPeer()
    await session.join(author)
    await typed(session, author, "hi")
    await eventually(lambda: confirmations(session, author) == 1, timeout=2)


@pytest.mark.usefixtures("quick")
async def test_steady_typing_is_confirmed_at_most_every_few_seconds():
    writer = NullWriter()
    session = fake_session([SaveConfirmations], writer=writer)
    author = RecordingPeer()
    await session.join(author)
    loop = asyncio.get_running_loop()
    started = loop.time()
    sent = 0
    while loop.time() - started < 1.2:  # typing every 20 ms, each change stored at once
        await typed(session, author, str(sent))
        sent += 1
        await asyncio.sleep(0.02)
    stored_frames = [frame for frame in author.sent if frame[:2] == b"\x00\x00"]
    # At most one per 0.5 s and the first: never one per keystroke.
    assert 1 <= len(stored_frames) <= 4 < sent


async def test_the_answer_to_the_greeting_is_confirmed_once_even_if_it_brings_nothing():
    session = fake_session([SaveConfirmations])
    peer = RecordingPeer()
    await session.join(peer)
    await session.receive(peer, create_sync_step2_message(EMPTY_UPDATE))
    await session.receive(peer, create_sync_step2_message(EMPTY_UPDATE))
    assert confirmations(session, peer) == 2  # the greeting, then the one confirmation


async def test_an_answer_while_a_write_is_pending_waits_for_it():
    writer = NullWriter()
    session = fake_session([SaveConfirmations], writer=writer)
    peer = RecordingPeer()
    await session.join(peer)
    writer.pending = 1
    await session.receive(peer, create_sync_step2_message(EMPTY_UPDATE))
    assert confirmations(session, peer) == 1  # only the greeting
    writer.pending = 0
    await writer.on_stored()
    assert confirmations(session, peer) == 2


async def test_a_peer_that_left_is_not_confirmed_and_the_timer_stops_with_the_session(quick):
    writer = NullWriter()
    session = fake_session([SaveConfirmations], writer=writer)
    author = RecordingPeer()
    await session.join(author)
    await typed(session, author, "x")  # a timer is set: typing has not paused yet
    await session.leave(author)
    await session.stop()
    await asyncio.sleep(0.1)
    assert confirmations(session, author) == 1  # the greeting only
