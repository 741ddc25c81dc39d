"""Stand-ins for a session's peers, writer and link, for tests that drive a DocumentSession
directly."""

from documents.access import Role


class RecordingPeer:
    """A peer that keeps every frame sent to it."""

    role = Role.EDITOR
    user = None

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    @property
    def read_only(self) -> bool:
        return not self.role.can_edit

    async def send_frame(self, frame: bytes) -> None:
        self.sent.append(frame)

    async def close_with(self, code: int, reason: str) -> None:
        pass


class NullWriter:
    """A writer that stores nothing and keeps what it was given."""

    pending = 0
    on_stored = None

    def __init__(self) -> None:
        self.appended: list[bytes] = []

    def append(self, update: bytes) -> None:
        self.appended.append(update)


class NullLink:
    """A link to no other process."""

    reaches_other_processes = False

    async def broadcast(self, message: dict) -> None:
        pass
