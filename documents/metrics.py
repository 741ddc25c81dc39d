"""Process metrics in the Prometheus text format, served at /metrics to a scraper that holds
the metrics token.

Plain counters rather than a client library: the per-update path increments them, and an
attribute increment costs nanoseconds where a locked counter costs a microsecond.
"""

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

_metrics: list["_Metric"] = []


class _Metric:
    kind = ""

    def __init__(self, name: str, help_text: str) -> None:
        self.name = name
        self.help_text = help_text
        _metrics.append(self)

    def samples(self) -> list[str]:
        raise NotImplementedError

    def render(self) -> str:
        lines = [f"# HELP {self.name} {self.help_text}", f"# TYPE {self.name} {self.kind}"]
        return "\n".join(lines + self.samples())


class Counter(_Metric):
    """A number that only goes up."""

    kind = "counter"

    def __init__(self, name: str, help_text: str) -> None:
        super().__init__(name, help_text)
        self.value = 0

    def inc(self, amount: int = 1) -> None:
        self.value += amount

    def samples(self) -> list[str]:
        return [f"{self.name} {self.value}"]


class LabelledCounter(_Metric):
    """Counters told apart by one label (e.g. close code)."""

    kind = "counter"

    def __init__(self, name: str, help_text: str, label: str) -> None:
        super().__init__(name, help_text)
        self.label = label
        self.values: dict[str, int] = {}

    def inc(self, label_value: object, amount: int = 1) -> None:
        key = str(label_value)
        self.values[key] = self.values.get(key, 0) + amount

    def samples(self) -> list[str]:
        return [
            f'{self.name}{{{self.label}="{value}"}} {count}'
            for value, count in sorted(self.values.items())
        ]


class Gauge(_Metric):
    """A value read when metrics are collected."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        super().__init__(name, help_text)
        self.read = read

    def samples(self) -> list[str]:
        return [f"{self.name} {self.read()}"]


class Histogram(_Metric):
    """Observations counted into cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(self, name: str, help_text: str, buckets: tuple[float, ...]) -> None:
        super().__init__(name, help_text)
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.total = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.total += value
        self.count += 1
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[index] += 1

    def samples(self) -> list[str]:
        lines = [
            f'{self.name}_bucket{{le="{bound}"}} {count}'
            for bound, count in zip(self.buckets, self.counts, strict=True)
        ]
        return [
            *lines,
            f'{self.name}_bucket{{le="+Inf"}} {self.count}',
            f"{self.name}_sum {self.total}",
            f"{self.name}_count {self.count}",
        ]


def render() -> str:
    return "\n".join(metric.render() for metric in _metrics) + "\n"


def _bearer_token(request: HttpRequest) -> str:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: this process's metrics (each process has its own; scrape them all), for
    a scraper with `Authorization: Bearer <METRICS_TOKEN>`. Without METRICS_TOKEN there is
    no such page (404); a missing or wrong token is a 401."""
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404("metrics are off")
    # Constant time: how much of a guess matched must not show in the answer's timing.
    if not secrets.compare_digest(_bearer_token(request).encode(), expected.encode()):
        return HttpResponse(status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return HttpResponse(render(), content_type="text/plain; version=0.0.4; charset=utf-8")


opened_sockets = Counter("collab_sockets_opened_total", "WebSockets accepted.")
closed_sockets = LabelledCounter("collab_sockets_closed_total", "WebSockets closed.", "code")
open_sockets = Gauge(
    "collab_open_sockets",
    "WebSockets open now.",
    lambda: opened_sockets.value - sum(closed_sockets.values.values()),
)
socket_send_paths = LabelledCounter(
    "collab_socket_send_paths_total",
    "WebSockets opened, by how frames are sent to them: direct (written onto daphne's socket),"
    " bounded (through ASGI, queue bounded: TLS, compression, or closing as it opened),"
    " asgi (plain ASGI, unbounded).",
    "path",
)
direct_send_failures = Counter(
    "collab_direct_send_failures_total",
    "WebSockets whose direct path failed, opening or later; they use plain ASGI from then on.",
)
direct_socket_asgi_messages = Counter(
    "collab_direct_socket_asgi_messages_total",
    "Messages that sockets writing directly sent through ASGI instead, counted as they close.",
)
updates_received = Counter("collab_updates_received_total", "Document updates from clients.")
frames_sent = Counter("collab_frames_broadcast_total", "Frames sent to sockets by sessions.")
persist_batch_size = Histogram(
    "collab_persist_batch_updates", "Updates per stored batch.", (1, 2, 5, 10, 20, 50, 100, 500)
)
persist_seconds = Histogram(
    "collab_persist_seconds",
    "Time to store one batch.",
    (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
persist_failures = Counter("collab_persist_failures_total", "Failed batch writes (retried).")
anti_entropy_repairs = Counter(
    "collab_anti_entropy_repairs_total", "Gaps between processes healed by anti-entropy."
)
