"""Every event that travels between processes on a document's channel-layer group (link.py).

Each event is a small frozen dataclass; `message()` gives the dict the channel layer carries
(its `type` is the event's NAME) and `parse_event` turns a received dict back into the event,
the way protocol.py is the one definition of the WebSocket's wire format. Nothing else spells
an event's name or keys.
"""

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class CrdtUpdate:
    """What a session integrated, or a change the server made (a REST edit, a restore).

    `stored`: already in the database, else each process that integrates it stores it too.
    `server_change`: made by the server, so that editors void their undo history."""

    NAME: ClassVar[str] = "crdt.update"
    update: bytes
    stored: bool = False
    server_change: bool = False

    def message(self) -> dict:
        return {
            "type": self.NAME,
            "update": self.update,
            "stored": self.stored,
            "server_change": self.server_change,
        }


@dataclass(frozen=True, slots=True)
class AwarenessUpdate:
    """Presence entries a session accepted, with the user whose socket set them."""

    NAME: ClassVar[str] = "awareness"
    update: bytes
    user: object

    def message(self) -> dict:
        return {"type": self.NAME, "update": self.update, "user": self.user}


@dataclass(frozen=True, slots=True)
class SyncStep1:
    """Anti-entropy: a process's state vector, asking the others for what it lacks; `origin`
    is the asking process's channel (the link stamps it)."""

    NAME: ClassVar[str] = "sync.step1"
    state: bytes
    origin: str = ""

    def message(self) -> dict:
        return {"type": self.NAME, "state": self.state}


@dataclass(frozen=True, slots=True)
class SyncStep2:
    """The answer to a SyncStep1: what the asker lacked."""

    NAME: ClassVar[str] = "sync.step2"
    update: bytes

    def message(self) -> dict:
        return {"type": self.NAME, "update": self.update}


@dataclass(frozen=True, slots=True)
class RefusalsChanged:
    """A session's refusal record (refusals.py, in its JSON form) after it grew."""

    NAME: ClassVar[str] = "refusals"
    refusals: dict

    def message(self) -> dict:
        return {"type": self.NAME, "refusals": self.refusals}


@dataclass(frozen=True, slots=True)
class DocumentRenamed:
    NAME: ClassVar[str] = "document.renamed"
    title: str

    def message(self) -> dict:
        return {"type": self.NAME, "title": self.title}


@dataclass(frozen=True, slots=True)
class AccessChanged:
    """Memberships changed: sessions re-check the roles of their sockets."""

    NAME: ClassVar[str] = "access.changed"

    def message(self) -> dict:
        return {"type": self.NAME}


@dataclass(frozen=True, slots=True)
class DocumentDeleted:
    NAME: ClassVar[str] = "document.deleted"

    def message(self) -> dict:
        return {"type": self.NAME}


Event = (
    CrdtUpdate
    | AwarenessUpdate
    | SyncStep1
    | SyncStep2
    | RefusalsChanged
    | DocumentRenamed
    | AccessChanged
    | DocumentDeleted
)


class UnknownEvent(ValueError):
    """A message that is none of the events above, or lacks what its event needs."""


def parse_event(message: dict) -> Event:
    """The event a channel-layer message carries; raises UnknownEvent otherwise."""
    try:
        match message["type"]:
            case CrdtUpdate.NAME:
                return CrdtUpdate(
                    message["update"],
                    stored=message.get("stored", False),
                    server_change=message.get("server_change", False),
                )
            case AwarenessUpdate.NAME:
                return AwarenessUpdate(message["update"], message.get("user"))
            case SyncStep1.NAME:
                return SyncStep1(message["state"], message.get("origin", ""))
            case SyncStep2.NAME:
                return SyncStep2(message["update"])
            case RefusalsChanged.NAME:
                return RefusalsChanged(message["refusals"])
            case DocumentRenamed.NAME:
                return DocumentRenamed(message["title"])
            case AccessChanged.NAME:
                return AccessChanged()
            case DocumentDeleted.NAME:
                return DocumentDeleted()
    except KeyError as missing:
        raise UnknownEvent(f"{message.get('type')!r} without {missing}") from None
    raise UnknownEvent(f"unknown event {message.get('type')!r}")
