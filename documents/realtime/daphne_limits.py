"""Lets daphne send the large messages a big document needs, while incoming messages keep the
consumer's limit, fragments included.

daphne caps WebSocket messages at 1 MiB by default, and autobahn applies that cap to what the
server sends too; its command line is often not ours to change (a benchmark, a platform's start
command). The sync step 2 of a document over about 1 MiB is larger than that, so such a document
could never be opened: the message cap is raised. Incoming messages are bounded by the
consumer's own limit (REALTIME["MAX_MESSAGE_BYTES"]) instead, summed over their fragments as
each fragment's header arrives (daphne_protocol.py, 4413 beyond it): a client cannot make the
server buffer a large message, in one frame or in many, before it is refused.
"""

import sys

from django.conf import settings

OUTGOING_LIMIT_BYTES = 64 * 1024 * 1024


def allow_large_messages(limit: int = OUTGOING_LIMIT_BYTES) -> bool:
    """Raise the running daphne server's message limit to at least `limit` for what it sends,
    and bound what it receives by the consumer's message limit; returns whether daphne is the
    server. Must run before the server starts listening (asgi.py)."""
    daphne_server = sys.modules.get("daphne.server")
    if daphne_server is None:
        return False
    server_class = daphne_server.Server
    original_run = server_class.run
    if getattr(original_run, "raises_message_limits", False):
        return True
    from daphne import ws_protocol

    from documents.realtime.daphne_protocol import BoundedWebSocketProtocol

    def run(self) -> None:
        self.websocket_max_message_size = max(self.websocket_max_message_size, limit)
        # No frame limit of autobahn's own: it would drop a frame without a close code, where
        # the bounded protocol refuses any frame over the message limit with 4413.
        self.websocket_max_frame_size = 0
        BoundedWebSocketProtocol.max_incoming_message_bytes = settings.REALTIME["MAX_MESSAGE_BYTES"]
        ws_protocol.WebSocketFactory.protocol = BoundedWebSocketProtocol
        original_run(self)

    run.raises_message_limits = True
    server_class.run = run
    return True
