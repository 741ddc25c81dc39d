"""/healthz: is this process able to serve? (database and channel layer reachable)

Public (load balancers and orchestrators ask it), so it answers up or down and nothing more;
what failed, and how, goes to the log.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse

CHECK_TIMEOUT_SECONDS = 3.0
logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "health.ping"})
    await layer.receive(channel)


async def healthz(request: HttpRequest) -> JsonResponse:
    """200 `{"status": "ok"}` when every check passes, else 503 `{"status": "unavailable"}`."""
    checks = {
        "database": database_sync_to_async(_check_database)(),
        "channel_layer": _check_channel_layer(),
    }
    healthy = True
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
        except Exception as error:
            healthy = False
            logger.warning("health check %s failed: %s: %s", name, type(error).__name__, error)
    if healthy:
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "unavailable"}, status=503)
