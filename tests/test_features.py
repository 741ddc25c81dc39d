"""The seam, used the way a new feature would use it: two tiny features configured in
settings.REALTIME["FEATURES"], with no change to the session, driven through the real consumer.

- `Reactions` owns a message type of its own (emoji reactions, at most 32 bytes a frame),
  shows each one to every socket, and takes reactions from other processes through an event
  of its own.
- `SmallEdits` refuses any update over 64 bytes from a peer (as the suggestion mode will refuse
  what is not a suggestion) and keeps who wrote what was integrated (as authorship will).
"""

from dataclasses import dataclass
from typing import ClassVar

import pytest
from pycrdt import Text

from documents.realtime.close_codes import CloseCode
from documents.realtime.events import Event, event
from documents.realtime.features import Change, Feature, feature_classes
from documents.realtime.link import publish
from documents.realtime.protocol import ProtocolError, feature_message, read_feature_message
from documents.realtime.registry import registry
from tests.wsclients import Closed, connected

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_registry")]

REACTION = 120


@event
@dataclass(frozen=True, slots=True)
class ReactionSent(Event):
    NAME: ClassVar[str] = "example.reaction"
    emoji: str


class Reactions(Feature):
    def message_limits(self):
        return {REACTION: 32}

    async def received(self, peer, frame: bytes) -> None:
        try:
            emoji = read_feature_message(frame).decode()
        except UnicodeDecodeError:
            raise ProtocolError("a reaction is text") from None
        await self.session.broadcast(feature_message(REACTION, emoji.encode()))
        await self.session.publish(ReactionSent(emoji))

    async def event(self, event: Event) -> None:
        if isinstance(event, ReactionSent):
            await self.session.broadcast(feature_message(REACTION, event.emoji.encode()))


class SmallEdits(Feature):
    def __init__(self, session) -> None:
        super().__init__(session)
        self.authors: list[tuple[str, bytes]] = []

    def refuses(self, peer, update: bytes) -> bool:
        return len(update) > 64

    async def refused(self, peer, update: bytes) -> None:
        await peer.send_frame(feature_message(REACTION, "✋".encode()))

    async def integrated(self, change: Change) -> None:
        if change.peer is not None:
            self.authors.append((change.peer.user.username, change.update))


@pytest.fixture
def with_examples(settings):
    settings.REALTIME = {
        **settings.REALTIME,
        "FEATURES": ["tests.test_features.Reactions", "tests.test_features.SmallEdits"],
    }


@pytest.fixture
def editors(user, make_user, make_document, token_for):
    from documents.models import Membership

    document = make_document(user)
    guest = make_user()
    Membership.objects.create(document=document, user=guest, role="editor")
    return document, token_for(user), token_for(guest), user, guest


def reactions(client) -> list[str]:
    return [read_feature_message(frame).decode() for frame in client.frames if frame[0] == REACTION]


def test_configured_features_come_after_the_built_in_ones_and_before_the_process_link(
    with_examples,
):
    names = [cls.__name__ for cls in feature_classes()]
    assert names[-3:] == ["Reactions", "SmallEdits", "ProcessSync"]
    assert "Presence" in names and "SaveConfirmations" in names


@pytest.mark.usefixtures("with_examples")
async def test_a_features_own_message_reaches_every_socket_and_an_event_from_elsewhere_too(
    editors,
):
    document, owner_token, guest_token, *_ = editors
    async with (
        connected(document.id, owner_token) as alice,
        connected(document.id, guest_token) as bob,
    ):
        await alice.send_raw(feature_message(REACTION, "🎉".encode()))
        await bob.wait_for(lambda: reactions(bob) == ["🎉"])
        await alice.wait_for(lambda: reactions(alice) == ["🎉"])

        await publish(document.id, ReactionSent("👍").message())  # as another process would
        await bob.wait_for(lambda: reactions(bob) == ["🎉", "👍"])


@pytest.mark.usefixtures("with_examples")
async def test_a_feature_refuses_an_update_and_sees_who_wrote_what_it_let_through(editors):
    document, owner_token, guest_token, owner, guest = editors
    async with (
        connected(document.id, owner_token) as alice,
        connected(document.id, guest_token) as bob,
    ):
        small = await bob.insert(0, "hi")
        await alice.wait_for(lambda: alice.text == "hi")
        await bob.edit(lambda doc: doc.get("content", type=Text).insert(2, "x" * 200))
        await bob.wait_for(lambda: reactions(bob) == ["✋"])
        await alice.roundtrip()
        await bob.roundtrip()
        assert alice.text == "hi"
        session = registry.get(document.id)
        assert str(session.doc.get("content", type=Text)) == "hi"
        assert session.feature(SmallEdits).authors == [(guest.username, small)]


@pytest.mark.usefixtures("with_examples")
@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (feature_message(REACTION, b"x" * 40), CloseCode.TOO_LARGE),
        (feature_message(REACTION, b"\xff\xfe"), CloseCode.MALFORMED),
        (bytes([REACTION, 9, 1]), CloseCode.MALFORMED),  # declares 9 bytes, carries 1
        (feature_message(REACTION + 1, b"x"), CloseCode.MALFORMED),  # a type nobody owns
    ],
    ids=["oversized", "not-text", "truncated", "unowned"],
)
async def test_a_hostile_frame_of_a_features_type_closes_only_its_sender(editors, frame, code):
    document, owner_token, guest_token, *_ = editors
    async with (
        connected(document.id, owner_token) as alice,
        connected(document.id, guest_token) as bob,
    ):
        await bob.send_raw(frame)
        with pytest.raises(Closed) as closed:
            await bob.wait_for(lambda: False, 3)
        assert closed.value.code == code
        await alice.insert(0, "still here")
        await alice.roundtrip()
        assert reactions(alice) == []
        assert str(registry.get(document.id).doc.get("content", type=Text)) == "still here"


async def test_without_the_setting_the_type_is_refused_as_any_unknown_type(editors):
    document, owner_token, *_ = editors
    async with connected(document.id, owner_token) as alice:
        await alice.send_raw(feature_message(REACTION, "🎉".encode()))
        with pytest.raises(Closed) as closed:
            await alice.wait_for(lambda: False, 3)
        assert closed.value.code == CloseCode.MALFORMED
