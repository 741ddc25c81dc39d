"""Every event that travels between processes on a document's channel-layer group (link.py).

Each event is a small frozen dataclass deriving from `Event`, registered with `@event` under its
NAME: `message()` gives the dict the channel layer carries (its `type` is the NAME, the other
keys the fields) and `parse_event` turns a received dict back into the event, the way
protocol.py is the one definition of the WebSocket's wire format. Nothing else spells an event's
name or keys. A feature (features.py) defines its own events the same way, in its own module.
"""

from dataclasses import MISSING, dataclass, fields
from typing import ClassVar, Self

_EVENT_TYPES: dict[str, type["Event"]] = {}


class UnknownEvent(ValueError):
    """A message that is no registered event, or lacks what its event needs."""


class Event:
    """Base of the events; subclasses are frozen dataclasses with a NAME."""

    __slots__ = ()
    NAME: ClassVar[str]

    def message(self) -> dict:
        values = {field.name: getattr(self, field.name) for field in fields(self)}
        return {"type": self.NAME, **values}

    @classmethod
    def from_message(cls, message: dict) -> Self:
        values = {}
        for field in fields(cls):
            if field.name in message:
                values[field.name] = message[field.name]
            elif field.default is MISSING:
                raise UnknownEvent(f"{cls.NAME!r} without {field.name!r}")
        return cls(**values)


def event[E: type[Event]](cls: E) -> E:
    """Register an event class, so that `parse_event` knows its NAME."""
    if cls.NAME in _EVENT_TYPES:
        raise ValueError(f"two events are named {cls.NAME!r}")
    _EVENT_TYPES[cls.NAME] = cls
    return cls


def parse_event(message: dict) -> Event:
    """The event a channel-layer message carries; raises UnknownEvent otherwise."""
    event_type = _EVENT_TYPES.get(message.get("type"))
    if event_type is None:
        raise UnknownEvent(f"unknown event {message.get('type')!r}")
    return event_type.from_message(message)


@event
@dataclass(frozen=True, slots=True)
class CrdtUpdate(Event):
    """What a session integrated, or a change the server made (a REST edit, a restore).

    `stored`: already in the database, else each process that integrates it stores it too.
    `server_change`: made by the server, so that editors void their undo history."""

    NAME: ClassVar[str] = "crdt.update"
    update: bytes
    stored: bool = False
    server_change: bool = False


@event
@dataclass(frozen=True, slots=True)
class AwarenessUpdate(Event):
    """Presence entries a session accepted, with the user whose socket set them."""

    NAME: ClassVar[str] = "awareness"
    update: bytes
    user: object = None


@event
@dataclass(frozen=True, slots=True)
class SyncStep1(Event):
    """Anti-entropy: a process's state vector, asking the others for what it lacks; `origin`
    is the asking process's channel (the link stamps it on everything it sends)."""

    NAME: ClassVar[str] = "sync.step1"
    state: bytes
    origin: str = ""


@event
@dataclass(frozen=True, slots=True)
class SyncStep2(Event):
    """The answer to a SyncStep1: what the asker lacked."""

    NAME: ClassVar[str] = "sync.step2"
    update: bytes


@event
@dataclass(frozen=True, slots=True)
class RefusalsChanged(Event):
    """A session's refusal record (refusals.py, in its JSON form) after it grew."""

    NAME: ClassVar[str] = "refusals"
    refusals: dict


@event
@dataclass(frozen=True, slots=True)
class DocumentRenamed(Event):
    NAME: ClassVar[str] = "document.renamed"
    title: str


@event
@dataclass(frozen=True, slots=True)
class AccessChanged(Event):
    """Memberships changed: sessions re-check the roles of their sockets."""

    NAME: ClassVar[str] = "access.changed"


@event
@dataclass(frozen=True, slots=True)
class DocumentDeleted(Event):
    NAME: ClassVar[str] = "document.deleted"


@event
@dataclass(frozen=True, slots=True)
class NotificationsArrived(Event):
    """These users (by primary key) have new notifications: their open sockets are told, so
    that the bell shows them at once (people.py; it travels on the `people` group)."""

    NAME: ClassVar[str] = "notifications"
    recipients: list
