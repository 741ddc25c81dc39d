"""Waiting for an eventual fact, with a deadline, instead of sleeping a fixed time."""

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any


async def eventually(check: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:
    """Call `check` (it may be async) until it returns something true; returns that. Fails with
    the last value once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s (last: {value!r})")
        await asyncio.sleep(interval)
