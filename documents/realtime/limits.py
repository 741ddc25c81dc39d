"""Limits on what one client may cost a process."""

import time
from collections import Counter


class RateLimit:
    """A token bucket: on average `rate` messages a second, in bursts of up to `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._updated = time.monotonic()

    def allow(self) -> bool:
        """Take one token; False when the bucket is empty."""
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class SocketQuota:
    """How many sockets each user holds open in this process, against a maximum."""

    def __init__(self) -> None:
        self._open: Counter = Counter()

    def acquire(self, user_id: object, maximum: int) -> bool:
        if self._open[user_id] >= maximum:
            return False
        self._open[user_id] += 1
        return True

    def release(self, user_id: object) -> None:
        self._open[user_id] -= 1
        if self._open[user_id] <= 0:
            del self._open[user_id]


socket_quota = SocketQuota()
