"""Lets daphne send the large messages a big document needs, without accepting large frames.

daphne caps WebSocket messages at 1 MiB by default, and autobahn applies that cap to what the
server sends too; its command line is often not ours to change (a benchmark, a platform's start
command). The sync step 2 of a document over about 1 MiB is larger than that, so such a document
could never be opened: the message cap is raised. The frame cap, which autobahn checks on
incoming frames only, as soon as their header arrives, stays near the consumer's own limit
(REALTIME["MAX_MESSAGE_BYTES"], 4413 beyond it): a client cannot make the server buffer a huge
frame before the consumer sees it.
"""

import sys

from django.conf import settings

OUTGOING_LIMIT_BYTES = 64 * 1024 * 1024


def allow_large_messages(limit: int = OUTGOING_LIMIT_BYTES) -> bool:
    """Raise the running daphne server's message limit to at least `limit` and set its incoming
    frame limit to twice the consumer's message limit; returns whether daphne is the server.
    Must run before the server starts listening (asgi.py)."""
    daphne_server = sys.modules.get("daphne.server")
    if daphne_server is None:
        return False
    server_class = daphne_server.Server
    original_run = server_class.run
    if getattr(original_run, "raises_message_limits", False):
        return True

    def run(self) -> None:
        self.websocket_max_message_size = max(self.websocket_max_message_size, limit)
        # Twice: frames a little over the consumer's limit still reach it and get its 4413.
        self.websocket_max_frame_size = 2 * settings.REALTIME["MAX_MESSAGE_BYTES"]
        original_run(self)

    run.raises_message_limits = True
    server_class.run = run
    return True
