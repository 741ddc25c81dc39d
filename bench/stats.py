"""Small statistics helpers: percentiles and unit conversions."""

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def to_ms(seconds: float | None, digits: int = 2) -> float | None:
    """Seconds as milliseconds, rounded; None stays None."""
    return None if seconds is None else round(seconds * 1000, digits)


def latency_summary(seconds: Sequence[float], prefix: str) -> dict[str, float | None]:
    """p50, p95, p99 and max of latencies, in ms, under keys `<prefix> p50 ms` etc."""
    return {
        f"{prefix} p50 ms": to_ms(percentile(seconds, 50)),
        f"{prefix} p95 ms": to_ms(percentile(seconds, 95)),
        f"{prefix} p99 ms": to_ms(percentile(seconds, 99)),
        f"{prefix} max ms": to_ms(max(seconds) if seconds else None),
    }


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return statistics.median(values) if values else None
