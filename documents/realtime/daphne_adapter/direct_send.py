"""Broadcast frames straight onto daphne's sockets.

Every ASGI `websocket.send` under daphne goes through daphne, autobahn (which builds the frame
and formats a debug line whether or not debug logging is on) and Twisted (which registers the
socket with the event loop, waits a loop turn, writes, and unregisters it). Writing directly
took a third off the server's CPU per relayed keystroke (bench scenario b: 56 to 37 µs).

A `DirectSocket` writes a binary message the way an asyncio transport does: the frame is built
once per message (a server frame is never masked), and written to the socket at once when
nothing is queued before it. Whatever it cannot take (a socket that is not open, a TLS or
compressed connection, a full kernel buffer) goes through the ASGI path or Twisted's own buffer,
in order.

It also bounds what waits there. Both paths end in the transport's buffer (Twisted's, behind
the kernel's), which grows without limit for a client that stops reading: before each message
the bytes already queued are counted, and past the socket's bound `send` raises
`SendBacklogFull`, for the caller to drop the socket (`abort`). One message larger than the bound
(a large document's sync step 2) is let through to an otherwise empty queue, and its remainder
is not held against the messages that follow it.

Whether a socket has one is decided once, when it opens (send_paths.py).
"""

import struct
from typing import Any

from documents import metrics

OPCODE_BINARY_FIN = 0x82

# A broadcast sends one message to many sockets in a row: its frame is built once and kept
# here, by identity, while the same bytes object is being sent; sockets that queue it share
# that one copy. Relayed messages are at most a client's message limit (1 MiB by default);
# larger ones (a document's step 2) go to one socket and are not kept.
_CACHE_LIMIT_BYTES = 1024 * 1024
_cached_message: bytes | None = None
_cached_frame = b""

# How many transports a protocol's may sit on before Twisted's TCP connection (one under TLS).
_MAX_TRANSPORT_LAYERS = 4


def binary_frame(message: bytes) -> bytes:
    """`message` as one unmasked, final, binary WebSocket frame (RFC 6455 section 5.2)."""
    global _cached_message, _cached_frame
    if message is _cached_message:
        return _cached_frame
    size = len(message)
    if size < 126:
        header = bytes((OPCODE_BINARY_FIN, size))
    elif size < 1 << 16:
        header = struct.pack("!BBH", OPCODE_BINARY_FIN, 126, size)
    else:
        header = struct.pack("!BBQ", OPCODE_BINARY_FIN, 127, size)
    frame = header + message
    if size <= _CACHE_LIMIT_BYTES:
        _cached_message, _cached_frame = message, frame
    return frame


class SendBacklogFull(Exception):
    """More is queued for a socket than its bound allows: its client is not reading."""

    def __init__(self, queued: int) -> None:
        super().__init__(f"{queued} bytes queued")
        self.queued = queued


def _buffering_transport(transport: Any) -> Any:
    """The transport that buffers: Twisted's TCP connection, below its TLS layer if any."""
    for _ in range(_MAX_TRANSPORT_LAYERS):
        if hasattr(transport, "_tempDataLen"):
            return transport
        transport = transport.transport
    raise LookupError("no Twisted TCP connection below the socket's transport")


def _require(owner: Any, *names: str) -> None:
    missing = [name for name in names if not hasattr(owner, name)]
    if missing:
        raise AttributeError(f"{type(owner).__qualname__} has no {', '.join(missing)}")


class DirectSocket:
    """Writes binary messages to one open daphne WebSocket connection without the ASGI round,
    and bounds what is queued for it."""

    def __init__(self, protocol: Any, max_queued_bytes: int) -> None:
        self.protocol = protocol
        self.max_queued_bytes = max_queued_bytes
        # What may be queued before a message: the bound, or more while the remainder of one
        # larger message may still be in the queue.
        self._allowed_backlog = max_queued_bytes
        self._transport = transport = protocol.transport
        self._state_open = protocol.STATE_OPEN
        self._buffering = _buffering_transport(transport)
        # Fixed once the socket is open (made after the handshake): TLS is written by Twisted's
        # TLS layer, and a compressed socket's frames are compressed by autobahn; their
        # messages all go through ASGI.
        self.writes_directly = (
            protocol.state == self._state_open
            and protocol._perMessageCompress is None
            and getattr(transport, "TLS", True) is False
            and transport is self._buffering
        )
        # Everything the bound and the writes use, checked once: a socket that lacks any of it
        # fails here, while it can still use plain ASGI, not at some later frame.
        _require(protocol, "state", "send_queue")
        _require(protocol.trafficStats, "outgoingWebSocketMessages")
        _require(transport, "abortConnection")
        _require(self._buffering, "dataBuffer", "offset", "_tempDataBuffer", "_tempDataLen")
        if self.writes_directly:
            _require(transport, "connected", "disconnecting", "write", "socket")
            _require(transport.socket, "send")

    def send(self, message: bytes) -> bool:
        """Write `message` as one binary frame; False if this socket cannot take it directly
        (the caller then sends it through ASGI). Raises SendBacklogFull, whichever the path,
        if the socket's queue is past its bound."""
        protocol = self.protocol
        transport = self._transport
        if (
            not self.writes_directly
            or protocol.state != self._state_open
            or protocol.send_queue  # autobahn's own queue: keep order behind it
            or not transport.connected  # a closing socket is closed by Twisted
            or transport.disconnecting
        ):
            self._admit(len(message))
            return False
        frame = binary_frame(message)
        if transport.dataBuffer or transport._tempDataLen:
            self._admit(len(frame))
            transport.write(frame)  # behind what Twisted has queued
            return True
        try:
            sent = transport.socket.send(frame)
        except OSError:
            # A full buffer (EAGAIN) or a broken connection: Twisted's own write meets the
            # latter again and closes the connection the usual way.
            sent = 0
        if sent < len(frame):
            self._admit(len(frame) - sent)
            transport.write(frame[sent:])
        return True

    def queued_bytes(self) -> int:
        """Bytes written to this socket that the kernel has not taken yet: autobahn's queue
        and Twisted's buffer."""
        twisted = self._buffering
        autobahn = sum(len(data) for data, _ in self.protocol.send_queue)
        return len(twisted.dataBuffer) - twisted.offset + twisted._tempDataLen + autobahn

    def abort(self) -> None:
        """Drop the connection now, and what is queued for it: a close frame would wait behind
        all of that."""
        self._transport.abortConnection()
        # Twisted keeps its buffer until the connection object goes, which takes a while after
        # the connection is lost: free it now.
        twisted = self._buffering
        twisted.dataBuffer, twisted.offset = b"", 0
        twisted._tempDataBuffer, twisted._tempDataLen = [], 0
        self.protocol.send_queue.clear()

    def closed(self) -> None:
        """Count, as the socket closes, the messages it sent through ASGI although it writes
        directly (behind autobahn's own queue, or while closing): under daphne, few or none."""
        if self.writes_directly:
            sent = self.protocol.trafficStats.outgoingWebSocketMessages
            metrics.direct_socket_asgi_messages.inc(sent)

    def _admit(self, size: int) -> None:
        """Raise SendBacklogFull if the queue is past the bound; else note that `size` more
        bytes are about to join it."""
        queued = self.queued_bytes()
        if queued > self._allowed_backlog:
            raise SendBacklogFull(queued)
        if size > self.max_queued_bytes:
            self._allowed_backlog = self.max_queued_bytes + size
        elif queued <= self.max_queued_bytes:
            self._allowed_backlog = self.max_queued_bytes
