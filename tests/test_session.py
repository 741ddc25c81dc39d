"""The session core: greeting, the one apply-and-relay path, and how it calls the features."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from pycrdt import Text, create_update_message, read_message

from documents.realtime.features import Change, Feature
from documents.realtime.protocol import (
    EMPTY_UPDATE,
    MessageTooLarge,
    ProtocolError,
    create_sync_step1_message,
    create_sync_step2_message,
    feature_message,
)
from tests.session_fakes import RecordingPeer, fake_session, text_update

UPDATE = b"\x00\x02"


class Recorder(Feature):
    """Notes every hook call, in order, in the session-wide list `calls`."""

    calls: list = []

    def __init__(self, session) -> None:
        super().__init__(session)
        self.calls = Recorder.calls

    async def start(self) -> None:
        self.calls.append((type(self).__name__, "start"))

    async def stop(self) -> None:
        self.calls.append((type(self).__name__, "stop"))

    async def peer_joined(self, peer) -> None:
        self.calls.append(("joined", peer))

    async def peer_left(self, peer) -> None:
        self.calls.append(("left", peer))

    async def integrated(self, change: Change) -> None:
        self.calls.append(("integrated", change))

    async def synced(self, peer, changed: bool) -> None:
        self.calls.append(("synced", changed))

    async def event(self, event) -> None:
        self.calls.append(("event", event))


class Second(Recorder):
    pass


class RefuseAll(Feature):
    def __init__(self, session) -> None:
        super().__init__(session)
        self.refused_updates: list[bytes] = []

    def refuses(self, peer, update: bytes) -> bool:
        return True

    async def refused(self, peer, update: bytes) -> None:
        self.refused_updates.append(update)


class Pings(Feature):
    """Owns message type 42, frames of at most 16 bytes; answers each with a pong."""

    def __init__(self, session) -> None:
        super().__init__(session)
        self.frames: list[bytes] = []

    def message_limits(self):
        return {42: 16}

    async def received(self, peer, frame: bytes) -> None:
        self.frames.append(frame)
        await peer.send_frame(feature_message(42, b"pong"))


@pytest.fixture(autouse=True)
def fresh_calls():
    Recorder.calls = []
    yield


def updates_sent(peer: RecordingPeer) -> list[bytes]:
    return [read_message(frame[2:]) for frame in peer.sent if frame[:2] == UPDATE]


async def test_a_joiner_is_greeted_with_the_state_vector_then_by_the_features():
    session = fake_session([Recorder])
    peer = RecordingPeer()
    await session.join(peer)
    assert peer.sent == [create_sync_step1_message(session.doc.get_state())]
    assert Recorder.calls == [("joined", peer)]


async def test_an_update_is_stored_forwarded_as_received_and_shown_to_the_features():
    session = fake_session([Recorder])
    author, reader = RecordingPeer(), RecordingPeer()
    await session.join(author)
    await session.join(reader)
    update = text_update("hello")
    frame = create_update_message(update)

    await session.receive(author, frame)

    assert str(session.doc.get("content", type=Text)) == "hello"
    assert session.writer.appended == [update]
    assert reader.sent[-1] is frame
    assert updates_sent(author) == []
    assert Recorder.calls[-1] == ("integrated", Change(update, peer=author))


async def test_a_repeated_update_changes_nothing_and_reaches_nobody():
    session = fake_session([Recorder])
    author, reader = RecordingPeer(), RecordingPeer()
    await session.join(author)
    await session.join(reader)
    frame = create_update_message(text_update("once"))
    await session.receive(author, frame)
    await session.receive(author, frame)
    await session.receive(author, create_update_message(EMPTY_UPDATE))
    assert len(session.writer.appended) == 1
    assert len(updates_sent(reader)) == 1
    assert [call for call in Recorder.calls if call[0] == "integrated"][1:] == []


async def test_a_refused_update_is_not_applied_stored_or_relayed_and_later_features_are_not_asked():
    session = fake_session([RefuseAll, Recorder])
    author, reader = RecordingPeer(), RecordingPeer()
    await session.join(author)
    await session.join(reader)
    update = text_update("no")

    await session.receive(author, create_update_message(update))

    assert session.feature(RefuseAll).refused_updates == [update]
    assert str(session.doc.get("content", type=Text)) == ""
    assert session.writer.appended == []
    assert updates_sent(reader) == []
    assert not [call for call in Recorder.calls if call[0] == "integrated"]


async def test_an_invalid_update_raises_and_leaves_the_document_as_it_was():
    session = fake_session([Recorder])
    peer = RecordingPeer()
    await session.join(peer)
    with pytest.raises(ProtocolError):
        await session.receive(peer, create_update_message(b"\x01\x01\xff\xff\xff\x00"))
    assert session.doc.get_update() == fake_session([]).doc.get_update()
    assert session.writer.appended == []


async def test_step1_is_answered_with_what_the_peer_lacks_and_step2_reports_to_the_features():
    session = fake_session([Recorder])
    peer = RecordingPeer()
    await session.join(peer)
    await session.integrate(text_update("server text"))

    await session.receive(peer, create_sync_step1_message(b"\x00"))
    assert peer.sent[-1] == create_sync_step2_message(session.doc.get_update())

    client = fake_session([]).doc
    client.get("content", type=Text).insert(0, "offline ")
    await session.receive(peer, create_sync_step2_message(EMPTY_UPDATE))
    assert Recorder.calls[-1] == ("synced", False)
    await session.receive(peer, create_sync_step2_message(client.get_update()))
    assert Recorder.calls[-1] == ("synced", True)
    assert "offline" in str(session.doc.get("content", type=Text))


async def test_an_update_from_another_process_reaches_every_peer_and_is_stored_unless_it_was():
    session = fake_session([Recorder])
    peer = RecordingPeer()
    await session.join(peer)
    first, second = text_update("a"), text_update("b")

    assert await session.integrate(first)
    assert await session.integrate(second, store=False)
    assert not await session.integrate(second)

    assert updates_sent(peer) == [first, second]
    assert session.writer.appended == [first]
    integrated = [call[1] for call in Recorder.calls if call[0] == "integrated"]
    assert integrated == [Change(first, remote=True), Change(second, remote=True)]


async def test_an_invalid_update_from_another_process_is_logged_and_dropped(caplog):
    session = fake_session([Recorder])
    assert not await session.integrate(b"\x01\x01\xff\xff\xff\x00")
    assert "invalid update from another process" in caplog.text
    assert session.writer.appended == []


async def test_a_server_change_is_stored_and_reaches_every_peer():
    session = fake_session([Recorder])
    peer = RecordingPeer()
    await session.join(peer)

    update = await session.apply_change(lambda doc: doc.get("content", type=Text).insert(0, "x"))

    assert updates_sent(peer) == [update]
    assert session.writer.appended == [update]
    assert Recorder.calls[-1] == ("integrated", Change(update, server_change=True))


async def test_a_server_change_that_changes_nothing_is_not_relayed():
    session = fake_session([Recorder])
    peer = RecordingPeer()
    await session.join(peer)
    assert await session.apply_change(lambda doc: None) == EMPTY_UPDATE
    assert updates_sent(peer) == []
    assert not [call for call in Recorder.calls if call[0] == "integrated"]


async def test_a_features_message_type_goes_to_it_within_its_size_limit():
    session = fake_session([Pings])
    peer = RecordingPeer()
    await session.join(peer)
    frame = feature_message(42, b"ping")

    await session.receive(peer, frame)
    assert session.feature(Pings).frames == [frame]
    assert peer.sent[-1] == feature_message(42, b"pong")

    with pytest.raises(MessageTooLarge):
        await session.receive(peer, feature_message(42, b"x" * 15))
    assert session.feature(Pings).frames == [frame]


@pytest.mark.parametrize("frame", [feature_message(43, b"ping"), feature_message(100, b"{}"), b""])
async def test_a_type_no_feature_owns_is_refused_as_before(frame):
    session = fake_session([Pings])
    peer = RecordingPeer()
    await session.join(peer)
    with pytest.raises(ProtocolError):
        await session.receive(peer, frame)


async def test_presence_without_a_presence_feature_is_ignored():
    session = fake_session([])
    peer = RecordingPeer()
    await session.join(peer)
    await session.receive(peer, b"\x03")
    await session.receive(peer, b"\x01\x01\x00")
    assert len(peer.sent) == 1  # the greeting


@pytest.mark.parametrize("message_type", [0, 100, 128, 300])
def test_a_feature_may_not_own_sync_notices_or_wide_types(message_type):
    class Greedy(Feature):
        def message_limits(self):
            return {message_type: 10}

    with pytest.raises(ImproperlyConfigured):
        fake_session([Greedy])


def test_two_features_may_not_own_one_type():
    class OtherPings(Pings):
        pass

    with pytest.raises(ImproperlyConfigured, match="taken"):
        fake_session([Pings, OtherPings])


async def test_features_start_in_order_stop_in_reverse_and_see_peers_leave_once():
    session = fake_session([Recorder, Second])
    await session.start()
    peer = RecordingPeer()
    await session.join(peer)
    await session.leave(peer)
    await session.leave(peer)
    await session.stop()
    assert Recorder.calls == [
        ("Recorder", "start"),
        ("Second", "start"),
        ("joined", peer),
        ("joined", peer),
        ("left", peer),
        ("left", peer),
        ("Second", "stop"),
        ("Recorder", "stop"),
    ]
    assert session.peers == []


async def test_events_reach_every_feature_and_a_feature_is_found_by_class():
    session = fake_session([Recorder, Second])
    await session.handle_event("an event")
    assert Recorder.calls == [("event", "an event"), ("event", "an event")]
    assert type(session.feature(Second)) is Second
    with pytest.raises(LookupError):
        session.feature(Pings)


def test_only_overridden_hooks_are_called():
    session = fake_session([Pings, Recorder])
    assert [hook.__self__ for hook in session._hooks["integrated"]] == [session.feature(Recorder)]
    assert session._guards == []
