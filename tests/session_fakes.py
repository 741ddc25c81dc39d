"""Stand-ins for a session's peers, writer and link, for tests that drive a DocumentSession or
one of its features directly."""

import json
import uuid
from dataclasses import dataclass

from pycrdt import Doc, Text, read_message

from documents.access import Role
from documents.realtime.session import DocumentSession


@dataclass(frozen=True)
class FakeUser:
    """As much of an account as a session looks at."""

    pk: int = 1
    username: str = "alice"

    def get_full_name(self) -> str:
        return ""

    def get_username(self) -> str:
        return self.username


class RecordingPeer:
    """A peer that keeps every frame sent to it and how it was closed."""

    def __init__(self, user: FakeUser | None = None, role: Role = Role.EDITOR) -> None:
        self.user = user or FakeUser()
        self.role = role
        self.sent: list[bytes] = []
        self.closed_with: int | None = None

    @property
    def read_only(self) -> bool:
        return not self.role.can_edit

    async def send_frame(self, frame: bytes) -> None:
        self.sent.append(frame)

    async def close_with(self, code: int, reason: str) -> None:
        self.closed_with = code


class NullWriter:
    """A writer that stores nothing and keeps what it was given; `pending` is what a test sets."""

    pending = 0
    on_stored = None

    def __init__(self) -> None:
        self.appended: list[bytes] = []

    def append(self, update: bytes) -> None:
        self.appended.append(update)

    async def flush(self) -> None:
        pass

    async def stop(self) -> None:
        pass


class NullLink:
    """A link to no other process."""

    reaches_other_processes = False
    channel_name = "this.process"

    def __init__(self) -> None:
        self.handler = None
        self.stopped = False

    async def set_handler(self, handler) -> None:
        self.handler = handler

    async def stop(self) -> None:
        self.stopped = True


class RecordingLink(NullLink):
    """A link to other processes that keeps what it was asked to send."""

    reaches_other_processes = True

    def __init__(self) -> None:
        super().__init__()
        self.broadcasts: list[dict] = []
        self.sent_to: list[tuple[str, dict]] = []

    async def broadcast(self, message: dict) -> None:
        self.broadcasts.append(message)

    async def send_to(self, channel: str, message: dict) -> None:
        self.sent_to.append((channel, message))


def fake_session(features=None, *, doc=None, link=None, writer=None):
    """A session on a fresh document with fake writer and link; `features` as
    DocumentSession takes them (None: those of the settings)."""
    return DocumentSession(
        uuid.uuid4(),
        doc or Doc(),
        writer or NullWriter(),
        link or NullLink(),
        features=features,
    )


async def joined(session: DocumentSession, *users: FakeUser) -> list[RecordingPeer]:
    """A peer for each user, joined to the session in that order."""
    peers = [RecordingPeer(user) for user in users]
    for peer in peers:
        await session.join(peer)
    return peers


def notices(peer: RecordingPeer) -> list[dict]:
    """The server notices (type 100) sent to the peer, decoded."""
    return [json.loads(read_message(frame[1:])) for frame in peer.sent if frame[0] == 100]


def text_update(text: str, index: int = 0, doc=None) -> bytes:
    """An update inserting `text` into the `content` text of a copy of `doc` (a new Doc)."""
    copy = Doc()
    if doc is not None:
        copy.apply_update(doc.get_update())
    before = copy.get_state()
    copy.get("content", type=Text).insert(index, text)
    return copy.get_update(before)
