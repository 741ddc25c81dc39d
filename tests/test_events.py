"""The channel-layer events: every one survives its message form, and anything else is refused."""

from dataclasses import dataclass
from typing import ClassVar

import pytest

from documents.realtime.events import (
    AccessChanged,
    AwarenessUpdate,
    CrdtUpdate,
    DocumentDeleted,
    DocumentRenamed,
    Event,
    RefusalsChanged,
    SyncStep1,
    SyncStep2,
    UnknownEvent,
    event,
    parse_event,
)

EVENTS = [
    CrdtUpdate(b"\x01\x02"),
    CrdtUpdate(b"\x01", stored=True, server_change=True),
    AwarenessUpdate(b"\x00", user=7),
    SyncStep1(b"\x00"),
    SyncStep2(b"\x00\x00"),
    RefusalsChanged({"insertions_from": {}, "deletions": {}}),
    DocumentRenamed("New title"),
    AccessChanged(),
    DocumentDeleted(),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: type(event).__name__)
def test_every_event_survives_its_message(event):
    message = event.message()
    assert message["type"] == event.NAME
    assert parse_event(message) == event


def test_the_link_stamps_who_asks_for_a_sync():
    message = SyncStep1(b"\x00").message() | {"origin": "specific.channel!abc"}
    assert parse_event(message) == SyncStep1(b"\x00", origin="specific.channel!abc")


def test_names_are_unique():
    assert len({type(event).NAME for event in EVENTS}) == len({type(event) for event in EVENTS})


@pytest.mark.parametrize(
    "message",
    [{"type": "no.such.event"}, {"type": "crdt.update"}, {"type": "document.renamed"}, {}],
)
def test_unknown_or_incomplete_messages_are_refused(message):
    with pytest.raises(UnknownEvent):
        parse_event(message)


def test_a_feature_defines_an_event_of_its_own_and_names_stay_unique():
    @event
    @dataclass(frozen=True, slots=True)
    class ThreadChanged(Event):
        NAME: ClassVar[str] = "test.thread_changed"
        thread: int
        resolved: bool = False

    assert parse_event(ThreadChanged(7).message()) == ThreadChanged(7)
    assert parse_event({"type": "test.thread_changed", "thread": 8, "resolved": True}) == (
        ThreadChanged(8, resolved=True)
    )
    with pytest.raises(UnknownEvent):
        parse_event({"type": "test.thread_changed"})

    with pytest.raises(ValueError, match="two events"):

        @event
        @dataclass(frozen=True, slots=True)
        class Impostor(Event):
            NAME: ClassVar[str] = "crdt.update"
