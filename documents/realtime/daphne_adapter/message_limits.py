"""Lets daphne send the large messages a big document needs, while incoming messages keep the
consumer's limit, fragments included, and no limit the operator passed to daphne is lowered.

daphne caps WebSocket messages at 1 MiB by default, and autobahn applies that cap to what the
server sends too; its command line is often not ours to change (a benchmark, a platform's start
command). The sync step 2 of a document over about 1 MiB is larger than that, so such a document
could never be opened: the message cap is raised. Incoming messages are bounded by the
consumer's own limit (REALTIME["MAX_MESSAGE_BYTES"]) instead, summed over their fragments as
each fragment's header arrives (bounded_protocol.py, 4413 beyond it): a client cannot make the
server buffer a large message, in one frame or in many, before it is refused.

Never lowering the operator's limits (`--websocket-max-message-size`, `--websocket-max-frame-size`)
means: nothing that daphne, as the operator started it, and the consumer would both let through
is refused here, in either direction.
- Outgoing, autobahn's message limit is the largest of the operator's, 64 MiB and the
  consumer's limit; an operator's 0 (no limit) stays 0.
- Incoming, the bound over fragments is the consumer's limit, which the consumer applies to
  every message on any server anyway; autobahn's own message limit, at least as large, never
  takes a message first (it would drop the connection without a close code).
- daphne's frame limit is lifted: a frame is part of a message, and the message bound refuses
  it at its header, with 4413 rather than autobahn's silent drop.
So an operator who raises daphne's limits gets them (a 100 MiB limit lets a 100 MiB step 2 go
out), and incoming messages are bounded by REALTIME_MAX_MESSAGE_BYTES under daphne as under any
server: a smaller daphne limit does not shrink it either.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings

OUTGOING_LIMIT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class MessageLimits:
    """The WebSocket message limits in force under daphne, in bytes."""

    outgoing: int  # autobahn's message limit (it applies to both directions); 0: none
    incoming: int  # the bound over an incoming message's fragments (4413 beyond it)


def limits_for(operator_limit: int, consumer_limit: int) -> MessageLimits:
    """The limits for daphne's message limit `operator_limit` (0: none) and the consumer's."""
    if operator_limit == 0:
        return MessageLimits(outgoing=0, incoming=consumer_limit)
    outgoing = max(operator_limit, OUTGOING_LIMIT_BYTES, consumer_limit)
    return MessageLimits(outgoing=outgoing, incoming=consumer_limit)


def apply(server: Any) -> MessageLimits:
    """Set the limits on a daphne `Server` whose `run` has not built its WebSocket factory
    yet, and make that factory's protocol the bounded one; returns the limits."""
    from daphne import ws_protocol

    from documents.realtime.daphne_adapter.bounded_protocol import BoundedWebSocketProtocol

    limits = limits_for(server.websocket_max_message_size, settings.REALTIME["MAX_MESSAGE_BYTES"])
    server.websocket_max_message_size = limits.outgoing
    # No frame limit of autobahn's own: it would drop a frame without a close code, where the
    # bounded protocol refuses any frame over the message limit with 4413.
    server.websocket_max_frame_size = 0
    BoundedWebSocketProtocol.max_incoming_message_bytes = limits.incoming
    ws_protocol.WebSocketFactory.protocol = BoundedWebSocketProtocol
    return limits


def in_force(server: Any) -> MessageLimits | None:
    """The limits a running daphne `Server`'s WebSocket factory applies, read from it; None if
    its protocol is not the bounded one."""
    from documents.realtime.daphne_adapter.bounded_protocol import BoundedWebSocketProtocol

    factory = server.ws_factory
    if not issubclass(factory.protocol, BoundedWebSocketProtocol):
        return None
    return MessageLimits(factory.maxMessagePayloadSize, factory.protocol.max_incoming_message_bytes)
