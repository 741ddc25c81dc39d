"""Which way each socket's frames go: written directly (direct_send.py) or through plain ASGI.

The choice is made once per socket, when it opens (`socket_for`): never before the start-up
check has turned the direct path on (startup.py), and never for a socket whose daphne objects
are not as expected. Such a socket uses plain ASGI, unbounded, for its whole life, as does one
whose direct path fails later (`fell_back`): no frame decides on its own.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from documents import metrics
from documents.realtime.daphne_adapter.direct_send import DirectSocket

logger = logging.getLogger(__name__)

# daphne's Server.handle_reply once the start-up check has turned the direct path on: the
# `send` daphne gives each connection is functools.partial(server.handle_reply, protocol).
_handle_reply: Callable | None = None
_told: set[str] = set()


def turn_on(handle_reply: Callable) -> None:
    """Give sockets whose `send` is `handle_reply`'s partial a direct path (startup.py)."""
    global _handle_reply
    _handle_reply = handle_reply


def socket_for(send: Any, max_queued_bytes: int) -> DirectSocket | None:
    """The direct socket behind an ASGI `send`, made once for an open socket; None, and plain
    ASGI for the socket's whole life, if the direct path is off, `send` is not daphne's (the
    test communicator, another server, a middleware that wraps `send`), or this socket's daphne
    objects lack what the direct path uses."""
    handle_reply = _handle_reply
    if handle_reply is None:
        metrics.socket_send_paths.inc("asgi")
        return None
    if not (
        isinstance(send, functools.partial)
        and len(send.args) == 1
        and getattr(send.func, "__func__", None) is handle_reply
    ):
        metrics.socket_send_paths.inc("asgi")
        _tell_once("foreign send", "a socket's send is not daphne's: it uses plain ASGI")
        return None
    try:
        direct = DirectSocket(send.args[0], max_queued_bytes)
    except Exception:
        metrics.socket_send_paths.inc("asgi")
        fell_back("opening")
        return None
    metrics.socket_send_paths.inc("direct" if direct.writes_directly else "bounded")
    return direct


def fell_back(when: str) -> None:
    """Record that a socket's direct path failed (`when`: opening, or sending) and that the
    socket uses plain ASGI from now on; the first failure is logged with its traceback."""
    metrics.direct_send_failures.inc()
    if "failure" in _told:
        logger.debug("direct send failed while %s: plain ASGI for this socket", when)
    else:
        _told.add("failure")
        logger.warning(
            "direct send failed while %s: plain ASGI for this socket (later failures are only "
            "counted, in collab_direct_send_failures_total)",
            when,
            exc_info=True,
        )


def _tell_once(key: str, message: str) -> None:
    if key not in _told:
        _told.add(key)
        logger.info(message)
