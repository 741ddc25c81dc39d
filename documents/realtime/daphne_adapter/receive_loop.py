"""The consumer's receive loop: a plain one in place of Channels' own, while Channels' own sets up
nothing more than it does.

Channels' `AsyncConsumer.__call__` stores the scope and `send`, makes a channel-layer channel,
and then wraps every receive in a task and an `asyncio.wait` (await_many_dispatch), per frame.
The document consumer has no channel of its own (each document is subscribed once per process,
link.py), so a plain loop that stores the same and awaits `receive` directly does the same work
for less. It relies on Channels' internals, so it is checked like daphne's: if Channels' own
`__call__` assigns anything the plain loop does not, Channels' own loop runs instead, with no
channel layer.
"""

import dis
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from channels.consumer import AsyncConsumer

# What Channels' own loop assigns to a consumer, and the plain loop too (the last two only with
# a channel layer, which the plain loop never has).
ASSIGNED = frozenset({"scope", "channel_layer", "base_send", "channel_name", "channel_receive"})
# A channel-layer alias that names no configured layer: Channels' loop then makes no channel.
NO_CHANNEL_LAYER = "no channel layer"

Loop = Callable[[Any, dict, Callable, Callable], Awaitable[None]]


def assigned_attributes(function: Callable) -> frozenset[str]:
    """The attribute names `function`'s own code assigns (`x.name = ...`)."""
    code = inspect.unwrap(function).__code__
    return frozenset(
        instruction.argval
        for instruction in dis.get_instructions(code)
        if instruction.opname == "STORE_ATTR"
    )


def unsupported() -> str | None:
    """Why the plain loop cannot stand in for Channels' own, or None if it can."""
    try:
        extra = assigned_attributes(AsyncConsumer.__call__) - ASSIGNED
    except (AttributeError, TypeError) as error:
        return f"Channels' AsyncConsumer.__call__ cannot be read ({error})"
    if extra:
        return f"Channels' AsyncConsumer.__call__ also sets {', '.join(sorted(extra))}"
    return None


async def plain_loop(consumer: Any, scope: dict, receive: Callable, send: Callable) -> None:
    """Dispatch what `receive` returns until a handler raises StopConsumer (which the caller
    catches), as Channels' loop does for a consumer with no channel layer."""
    consumer.scope = scope
    consumer.channel_layer = None
    consumer.base_send = send
    while True:
        await consumer.dispatch(await receive())


async def channels_loop(consumer: Any, scope: dict, receive: Callable, send: Callable) -> None:
    """Channels' own loop, with no channel layer."""
    consumer.channel_layer_alias = NO_CHANNEL_LAYER
    await AsyncConsumer.__call__(consumer, scope, receive, send)


# Chosen once, when this module is first imported (the consumer imports it).
reason_for_channels_loop = unsupported()
run: Loop = channels_loop if reason_for_channels_loop else plain_loop
