"""/healthz: is this process able to serve? (database and channel layer reachable)"""

import asyncio

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse

CHECK_TIMEOUT_SECONDS = 3.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "health.ping"})
    await layer.receive(channel)


async def healthz(request: HttpRequest) -> JsonResponse:
    """200 with each check "ok", or 503 naming what failed."""
    checks = {
        "database": database_sync_to_async(_check_database)(),
        "channel_layer": _check_channel_layer(),
    }
    results = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
            results[name] = "ok"
        except Exception as error:
            results[name] = f"error: {type(error).__name__}: {error}"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **results}, status=200 if healthy else 503
    )
