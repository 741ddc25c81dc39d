"""Flush every loaded document when the server shuts down.

Daphne cancels its application instances at shutdown, but its own shutdown hook can fail before
it waits for them (it raises KeyError on a connection whose application already finished, as
after any HTTP request), so the consumers' own flushes cannot be relied on. This hook runs on
Twisted's reactor, which daphne runs, before it stops.
"""

import asyncio
import logging
import sys

from documents.realtime.registry import registry

logger = logging.getLogger(__name__)


async def _flush_before_exit() -> None:
    sessions = len(registry)
    await registry.flush_all()
    logger.info("shutdown: flushed %d loaded documents", sessions)


def install() -> None:
    """Hook the flush into the shutdown of the reactor daphne installed (startup.py checks
    that there is one).

    Only an already-installed reactor is used: importing `twisted.internet.reactor` here would
    install one in processes that are not daphne.
    """
    reactor = sys.modules["twisted.internet.reactor"]
    from twisted.internet.defer import Deferred

    def flush():
        return Deferred.fromFuture(asyncio.ensure_future(_flush_before_exit()))

    reactor.addSystemEventTrigger("before", "shutdown", flush)
