"""The seam of a document session: features plug into it through the hooks of `Feature`.

A session (session.py) keeps the Doc, its peers and the one path by which an update is applied,
stored and relayed. Everything else a live document does is a feature beside it: presence,
save confirmations, refused changes, the server's notices, the link to other processes. Each
is a `Feature` subclass that overrides only the hooks it needs; the session calls just those.

A new feature is a module with such a class, named in `settings.REALTIME["FEATURES"]` (dotted
paths); it needs no change to the session. What a feature can do:

- refuse a peer's update before it is applied (`refuses`, then `refused`);
- observe what the Doc integrated and from whom (`integrated`);
- own a message type on the socket with its own size limit (`message_limits`, `received`),
  and send its own messages (`protocol.feature_message`, `session.broadcast`);
- react to events from other processes (`event`) and publish its own (`session.publish`);
- follow peers (`peer_joined`, `peer_left`, `role_changed`), storage (`stored`) and sync
  (`synced`).

Hooks run in the order of `feature_classes()`: the built-in features, then the configured
ones, then the process link, which starts last so that events waiting for the session are
handed to features that are all started.
"""

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from documents.access import Role
from documents.realtime.document_log import DocumentLog
from documents.realtime.protocol import NOTICE_MESSAGE_TYPE

if TYPE_CHECKING:
    from documents.realtime.events import Event
    from documents.realtime.session import DocumentSession

BUILT_IN_FEATURES = (
    "documents.realtime.refusal_guard.RefusalGuard",
    "documents.realtime.presence.Presence",
    "documents.realtime.save_confirmations.SaveConfirmations",
    "documents.realtime.server_notices.ServerNotices",
    "documents.search.indexing.SearchIndexing",
    "documents.comments.feed.CommentsFeed",
)
PROCESS_LINK_FEATURE = "documents.realtime.process_sync.ProcessSync"


class Peer(Protocol):
    """One connected client, as the session sees it."""

    role: Role
    user: Any

    @property
    def read_only(self) -> bool:
        """Whether the peer's role forbids changing the document."""

    async def send_frame(self, frame: bytes) -> None:
        """Send one binary frame; must not raise if the socket is already closed."""

    async def close_with(self, code: int, reason: str) -> None:
        """Leave the session and close the socket with this code."""


@dataclass(frozen=True, slots=True)
class Change:
    """What the Doc integrated, and where it came from.

    `update` is what the transaction integrated (it may be more than what arrived: an update
    that was pending for want of its predecessors fits in with it). `peer` is the socket here
    that sent it; None for the server's own changes and for updates from other processes
    (`remote`). `server_change`: made by the server (a REST edit, a restore), here or in
    another process."""

    update: bytes
    peer: Peer | None = None
    server_change: bool = False
    remote: bool = False


class Feature:
    """One part of what a live document does, plugged into its session. Every hook is optional:
    the session calls only the ones a subclass overrides."""

    def __init__(self, session: "DocumentSession") -> None:
        self.session = session
        self.log = DocumentLog(logging.getLogger(type(self).__module__), session.document_id)

    def message_limits(self) -> Mapping[int, int]:
        """The message types (the frame's first byte, 1 to 127) this feature handles, each with
        the largest frame it accepts; a larger one closes the socket with 4413."""
        return {}

    async def start(self) -> None:
        """Before the session serves anyone: load what the feature keeps, start its timers."""

    async def stop(self) -> None:
        """The session is unloading: stop timers, finish writes."""

    async def peer_joined(self, peer: Peer) -> None:
        """A peer joined, after the session's greeting (its state vector)."""

    async def peer_left(self, peer: Peer) -> None:
        """A peer left; forget it."""

    async def role_changed(self, peer: Peer) -> None:
        """A peer's role changed (`peer.role` is the new one)."""

    def refuses(self, peer: Peer, update: bytes) -> bool:
        """Whether this peer's update must not be applied (checked on every update: keep it
        cheap). If so, `refused` follows on this feature and no other feature is asked."""
        return False

    async def refused(self, peer: Peer, update: bytes) -> None:
        """This feature refused the update: record it, tell the peer."""

    async def integrated(self, change: Change) -> None:
        """The Doc integrated a change (already stored and relayed to the peers here)."""

    async def synced(self, peer: Peer, changed: bool) -> None:
        """A peer's sync step 2 (what it had that we lacked) was handled; `changed` says
        whether it brought anything new."""

    async def stored(self) -> None:
        """The writer has stored everything that was pending."""

    async def received(self, peer: Peer, frame: bytes) -> None:
        """A frame of one of this feature's message types; raise ProtocolError if malformed
        (the socket closes with 4400)."""

    async def event(self, event: "Event") -> None:
        """An event from another process, or from a REST view (events.py)."""


HOOKS = ("peer_joined", "peer_left", "role_changed", "integrated", "synced", "stored", "event")


def overrides(feature: Feature, hook: str) -> bool:
    """Whether the feature's class defines the hook itself rather than inheriting the no-op."""
    return getattr(type(feature), hook) is not getattr(Feature, hook)


def hooks_of(features: Sequence[Feature]) -> dict[str, list[Callable]]:
    """For each hook, the bound methods of the features that override it, in order."""
    return {
        hook: [getattr(feature, hook) for feature in features if overrides(feature, hook)]
        for hook in HOOKS
    }


def message_routes(features: Sequence[Feature]) -> dict[bytes, tuple[Callable, int]]:
    """The features' message types (a frame's first byte) with their handler and size limit.
    Sync (0) is the session's, and the notice type only travels from the server."""
    routes: dict[bytes, tuple[Callable, int]] = {}
    for feature in features:
        for message_type, limit in feature.message_limits().items():
            name = type(feature).__name__
            if not 0 < message_type < 128 or message_type == NOTICE_MESSAGE_TYPE:
                raise ImproperlyConfigured(f"{name} cannot own message type {message_type}")
            key = bytes((message_type,))
            if key in routes:
                raise ImproperlyConfigured(f"{name} wants message type {message_type}, taken")
            routes[key] = (feature.received, limit)
    return routes


@cache
def _configured(paths: tuple[str, ...]) -> tuple[type[Feature], ...]:
    return tuple(import_string(path) for path in paths)


def feature_classes() -> tuple[type[Feature], ...]:
    """The features every session is built with, in hook order."""
    configured = tuple(settings.REALTIME.get("FEATURES", ()))
    return _configured((*BUILT_IN_FEATURES, *configured, PROCESS_LINK_FEATURE))
