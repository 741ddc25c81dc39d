"""Broadcast frames straight onto daphne's sockets.

Every ASGI `websocket.send` under daphne goes through daphne, autobahn (which builds the frame
and formats a debug line whether or not debug logging is on) and Twisted (which registers the
socket with the event loop, waits a loop turn, writes, and unregisters it). Writing directly
took a third off the server's CPU per relayed keystroke (bench scenario b: 56 to 37 µs).

A `DirectSocket` writes a binary message the way an asyncio transport does: the frame is built
once per message (a server frame is never masked), and written to the socket at once when
nothing is queued before it. Whatever it cannot take (a socket that is not open, a TLS or
compressed connection, a full kernel buffer, an unknown server) goes through the ASGI path or
Twisted's own buffer, in order.

It also bounds what waits there. Both paths end in the transport's buffer (Twisted's, behind
the kernel's), which grows without limit for a client that stops reading: before each message
the bytes already queued are counted, and past the socket's bound `send` raises
`SendBacklogFull`, for the caller to drop the socket (`abort`). One message larger than the bound
(a large document's sync step 2) is let through to an otherwise empty queue, and its remainder
is not held against the messages that follow it.
"""

import functools
import struct
from typing import Any

OPCODE_BINARY_FIN = 0x82

# A broadcast sends one message to many sockets in a row: its frame is built once and kept
# here, by identity, while the same bytes object is being sent; sockets that queue it share
# that one copy. Relayed messages are at most a client's message limit (1 MiB by default);
# larger ones (a document's step 2) go to one socket and are not kept.
_CACHE_LIMIT_BYTES = 1024 * 1024
_cached_message: bytes | None = None
_cached_frame = b""


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


class DirectSocket:
    """Writes binary messages to one daphne WebSocket connection without the ASGI round, and
    bounds what is queued for it."""

    def __init__(self, protocol: Any, max_queued_bytes: int) -> None:
        self.protocol = protocol
        self.max_queued_bytes = max_queued_bytes
        # What may be queued before a message: the bound, or more while the remainder of one
        # larger message may still be in the queue.
        self._allowed_backlog = max_queued_bytes
        # The transport that buffers: under TLS, the TCP connection below Twisted's TLS layer.
        self._buffering = protocol.transport
        while not hasattr(self._buffering, "_tempDataLen"):
            self._buffering = self._buffering.transport

    @classmethod
    def for_send(cls, send: Any, max_queued_bytes: int) -> "DirectSocket | None":
        """The direct socket behind an ASGI `send` callable, if daphne made it, else None.

        daphne passes `functools.partial(server.handle_reply, protocol)`; anything else (the
        test communicator, another server, a middleware that wraps `send`) gets None.
        """
        if not isinstance(send, functools.partial) or len(send.args) != 1:
            return None
        protocol = send.args[0]
        owner = getattr(send.func, "__self__", None)
        if type(owner).__module__ != "daphne.server" or not hasattr(protocol, "send_queue"):
            return None
        return cls(protocol, max_queued_bytes)

    def send(self, message: bytes) -> bool:
        """Write `message` as one binary frame; False if this socket cannot take it directly
        (the caller then sends it through ASGI). Raises SendBacklogFull, whichever the path,
        if the socket's queue is past its bound."""
        protocol = self.protocol
        transport = protocol.transport
        if (
            protocol.state != protocol.STATE_OPEN
            or protocol.send_queue  # autobahn's own queue: keep order behind it
            or protocol._perMessageCompress is not None
            # TLS is written by Twisted's TLS layer; a closing socket by Twisted
            or getattr(transport, "TLS", True)
            or not transport.connected
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
        self.protocol.transport.abortConnection()
        # Twisted keeps its buffer until the connection object goes, which takes a while after
        # the connection is lost: free it now.
        twisted = self._buffering
        twisted.dataBuffer, twisted.offset = b"", 0
        twisted._tempDataBuffer, twisted._tempDataLen = [], 0
        self.protocol.send_queue.clear()

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
