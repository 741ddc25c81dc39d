"""daphne's WebSocket protocol with the consumer's message limit applied to incoming messages as
their fragments arrive.

autobahn has one message limit for both directions, and message_limits.py raises it to at least
64 MiB so that a large document's step 2 can go out. Incoming, autobahn would then assemble a
message of up to that size from fragments (continuation frames) before the consumer could refuse
it, and fail one beyond that by dropping the connection without a close code. Here each
fragment's declared length is added up at its header: once the sum passes the consumer's limit,
the socket is closed with 4413 (as the consumer closes a single frame over it) and what arrives
of the message from then on is discarded unread.

Imported only when daphne is the server (it imports daphne, hence Twisted).
"""

from daphne.ws_protocol import WebSocketProtocol

from documents.realtime.close_codes import CloseCode


class BoundedWebSocketProtocol(WebSocketProtocol):
    """Closes a socket with 4413 as soon as an incoming message, counted over its fragments,
    exceeds `max_incoming_message_bytes`."""

    max_incoming_message_bytes = 0  # set by message_limits before the server starts

    def onMessageFrameBegin(self, length: int) -> None:
        total = self.message_data_total_length + length
        if not self.failedByMe and total > self.max_incoming_message_bytes:
            self._refuse_oversized_message()
        # Then autobahn's bookkeeping; its own limits are not checked once we have failed.
        super().onMessageFrameBegin(length)

    def _refuse_oversized_message(self) -> None:
        # failedByMe makes autobahn discard the rest of this message as it arrives (see
        # onMessageFrameData); the fragments kept so far go now.
        self.failedByMe = True
        self.message_data = []
        # int(): autobahn refuses an IntEnum as a close code.
        self.sendClose(code=int(CloseCode.TOO_LARGE), reason="message too large")
