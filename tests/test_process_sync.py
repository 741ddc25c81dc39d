"""The process link as a session feature: what this process integrates goes to the others,
theirs is integrated here, anti-entropy asks for and answers what is missing, and with one
process nothing is sent. (With real processes and Redis: test_multiprocess.py.)"""

import logging

from pycrdt import Text, create_update_message

from documents.realtime.events import CrdtUpdate, SyncStep1, SyncStep2, parse_event
from documents.realtime.process_sync import ProcessSync
from tests.eventually import eventually
from tests.session_fakes import NullLink, RecordingLink, RecordingPeer, fake_session, text_update


async def test_what_a_peer_or_the_server_changes_goes_to_the_other_processes():
    link = RecordingLink()
    session = fake_session([ProcessSync], link=link)
    peer = RecordingPeer()
    await session.join(peer)
    typed = text_update("typed")
    await session.receive(peer, create_update_message(typed))
    server = await session.apply_change(lambda doc: doc.get("content", type=Text).insert(0, ">"))

    assert [parse_event(message) for message in link.broadcasts] == [
        CrdtUpdate(typed),
        CrdtUpdate(server, server_change=True),
    ]


async def test_what_another_process_sent_is_integrated_here_and_not_sent_back():
    link = RecordingLink()
    session = fake_session([ProcessSync], link=link)
    await session.start()
    update = text_update("from elsewhere")
    await link.handler(CrdtUpdate(update, stored=True).message())
    assert str(session.doc.get("content", type=Text)) == "from elsewhere"
    assert session.writer.appended == []  # its sender stored it
    assert [parse_event(message) for message in link.broadcasts] == [
        SyncStep1(b"\x00")  # the ask at start only
    ]
    await session.stop()
    assert link.stopped


async def test_anti_entropy_answers_with_what_the_asker_lacks_and_nothing_when_it_lacks_nothing():
    link = RecordingLink()
    session = fake_session([ProcessSync], link=link)
    await session.integrate(text_update("here"))
    await session.handle_event(SyncStep1(b"\x00", origin="other!1"))
    [(channel, message)] = link.sent_to
    assert channel == "other!1"
    assert parse_event(message) == SyncStep2(session.doc.get_update())
    await session.handle_event(SyncStep1(session.doc.get_state(), origin="other!1"))
    assert len(link.sent_to) == 1


async def test_an_answer_that_fills_a_gap_is_integrated_and_stored():
    session = fake_session([ProcessSync], link=RecordingLink())
    peer = RecordingPeer()
    await session.join(peer)
    missing = text_update("lost on the way")
    await session.handle_event(SyncStep2(missing))
    assert session.writer.appended == [missing]
    assert peer.sent[-1] == create_update_message(missing)


async def test_anti_entropy_asks_again_while_someone_edits_here(settings):
    settings.REALTIME = {**settings.REALTIME, "ANTI_ENTROPY_SECONDS": 0.02}
    link = RecordingLink()
    session = fake_session([ProcessSync], link=link)
    await session.start()
    await session.join(RecordingPeer())
    await eventually(lambda: len(link.broadcasts) >= 3, timeout=2)
    await session.stop()


async def test_an_unknown_message_is_logged_and_dropped(caplog):
    link = RecordingLink()
    session = fake_session([ProcessSync], link=link)
    await session.start()
    with caplog.at_level(logging.WARNING):
        await link.handler({"type": "no.such.event"})
    assert "unknown event 'no.such.event'" in caplog.text
    await session.stop()


async def test_with_one_process_nothing_is_sent():
    link = NullLink()
    session = fake_session([ProcessSync], link=link)
    await session.start()
    peer = RecordingPeer()
    await session.join(peer)
    await session.receive(peer, create_update_message(text_update("alone")))
    assert link.handler is not None  # REST views still reach it through the layer
    await session.stop()
