"""Lets daphne send the large messages a big document needs.

daphne caps WebSocket messages at 1 MiB by default in both directions, and its command line is
often not ours to change (a benchmark, a platform's start command). The sync step 2 of a
document over about 1 MiB is larger than that, so such a document could never be opened. The
incoming limit the clients must respect is the consumer's own (REALTIME["MAX_MESSAGE_BYTES"]).
"""

import sys

OUTGOING_LIMIT_BYTES = 64 * 1024 * 1024


def allow_large_messages(limit: int = OUTGOING_LIMIT_BYTES) -> bool:
    """Raise the running daphne server's message and frame limits to at least `limit`; returns
    whether daphne is the server. Must run before the server starts listening (asgi.py)."""
    daphne_server = sys.modules.get("daphne.server")
    if daphne_server is None:
        return False
    server_class = daphne_server.Server
    original_run = server_class.run
    if getattr(original_run, "raises_message_limits", False):
        return True

    def run(self) -> None:
        self.websocket_max_message_size = max(self.websocket_max_message_size, limit)
        self.websocket_max_frame_size = max(self.websocket_max_frame_size, limit)
        original_run(self)

    run.raises_message_limits = True
    server_class.run = run
    return True
