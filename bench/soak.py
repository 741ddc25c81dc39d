"""Soak: many sockets typing into many documents for minutes, then everyone leaves.

    .venv/bin/python -m bench.soak --sockets 200 --documents 50 --seconds 120

It starts its own daphne (bench/server.py: fresh SQLite database, one user), connects the
sockets as rooms of the benchmark's own clients (bench/rooms.py, bench/client.py), lets every
socket insert at `--rate` Hz while short visits (join, sync, leave) come and go, waits for every
insert to reach every other client of its room, checks convergence, closes every socket and
waits for the idle unload (REALTIME_SESSION_GRACE_SECONDS, `--grace`). It prints the figures:
errors, inserts sent and received, lost, loaded documents and open sockets from /metrics before,
during and after, and the server's RSS at the start, its peak, after everyone left and after the
unload. Exit code 0 only if nothing was lost or failed and the server went back to idle.
tests/test_soak.py runs a short form of it.
"""

import argparse
import asyncio
import json
import random
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.client import BenchClient, Ledger
from bench.rooms import RoomLoad, Workload
from bench.server import BenchServer

SAMPLE_EVERY_S = 1.0
SETTLE_TIMEOUT_S = 30.0  # for the server to see every socket closed, and to unload


@dataclass(frozen=True)
class SoakPlan:
    """What to run: `sockets` split evenly over `documents`, typing for `seconds`."""

    sockets: int = 200
    documents: int = 50
    seconds: float = 120.0
    rate_hz: float = 1.0  # inserts per socket per second
    grace_s: float = 2.0  # the server's idle-unload delay
    visits_per_s: float = 2.0  # short-lived sockets: join, sync, leave

    @property
    def workload(self) -> Workload:
        if self.sockets % self.documents:
            raise ValueError("--sockets must be a multiple of --documents")
        return Workload(
            clients_per_room=self.sockets // self.documents,
            edits=max(1, round(self.seconds * self.rate_hz)),
            rate_hz=self.rate_hz,
            connect_timeout_s=60,
            drain_timeout_s=30,
            max_send_s=self.seconds + 60,
            connect_batch=50,
        )


@dataclass
class Gauges:
    """Loaded documents, open sockets and RSS (MiB) at one moment."""

    loaded_documents: float
    open_sockets: float
    rss_mib: float


@dataclass
class SoakFigures:
    """What a soak measured; `ok` is its verdict."""

    plan: SoakPlan
    errors: list[str] = field(default_factory=list)
    connect_failed: int = 0
    sent: int = 0
    received: int = 0
    expected: int = 0
    lost: int = 0
    rooms_converged: int = 0
    late_joiner_ok: bool = False
    visits: int = 0
    before: Gauges | None = None
    during_max: Gauges | None = None  # the highest of each, sampled every second
    after_leave: Gauges | None = None
    after_unload: Gauges | None = None
    peak_rss_mib: float = 0.0  # VmHWM: the peak since daphne started
    server_log: dict[str, int] = field(default_factory=dict)
    seconds_total: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            not self.errors
            and self.connect_failed == 0
            and self.lost == 0
            and self.received == self.expected
            and self.rooms_converged == self.plan.documents
            and self.late_joiner_ok
            and self.after_unload is not None
            and self.after_unload.loaded_documents == 0
            and self.after_unload.open_sockets == 0
        )

    def render(self) -> str:
        gauges = {
            "before": self.before,
            "during (max)": self.during_max,
            "everyone left": self.after_leave,
            "after unload": self.after_unload,
        }
        lines = [
            f"soak: {self.plan.sockets} sockets, {self.plan.documents} documents, "
            f"{self.plan.seconds:.0f} s at {self.plan.rate_hz} Hz, grace {self.plan.grace_s} s, "
            f"{self.seconds_total:.0f} s in all",
            f"  verdict: {'ok' if self.ok else 'FAILED'}",
            f"  errors: {len(self.errors)}  connections failed: {self.connect_failed}  "
            f"server log: {self.server_log}",
            f"  inserts sent: {self.sent}  deliveries: {self.received} of {self.expected}  "
            f"lost: {self.lost}",
            f"  rooms converged: {self.rooms_converged} / {self.plan.documents}  "
            f"late joiner ok: {self.late_joiner_ok}  visits: {self.visits}",
            "  moment           loaded docs  open sockets  RSS MiB",
        ]
        for name, gauge in gauges.items():
            if gauge is not None:
                lines.append(
                    f"  {name:<16} {gauge.loaded_documents:>11.0f}  {gauge.open_sockets:>12.0f}  "
                    f"{gauge.rss_mib:>7.1f}"
                )
        lines.append(f"  RSS peak (VmHWM): {self.peak_rss_mib:.1f} MiB")
        lines.extend(f"  error: {error}" for error in self.errors[:20])
        return "\n".join(lines)


def read_gauges(server: BenchServer) -> Gauges:
    """The server's /metrics gauges and its RSS now."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/metrics",
        headers={"Authorization": f"Bearer {server.metrics_token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    values = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    return Gauges(
        loaded_documents=float(values["collab_loaded_documents"]),
        open_sockets=float(values["collab_open_sockets"]),
        rss_mib=server.sample().rss_mib,
    )


def highest(a: Gauges | None, b: Gauges) -> Gauges:
    """Each gauge's higher value."""
    if a is None:
        return b
    return Gauges(*(max(x, y) for x, y in zip(asdict(a).values(), asdict(b).values(), strict=True)))


async def sample_while_running(server: BenchServer, figures: SoakFigures) -> None:
    """Keep the highest gauges seen, every SAMPLE_EVERY_S, until cancelled."""
    while True:
        gauges = await asyncio.to_thread(read_gauges, server)
        figures.during_max = highest(figures.during_max, gauges)
        await asyncio.sleep(SAMPLE_EVERY_S)


async def visit(urls: list[str], number: int, ledger: Ledger) -> None:
    """One short-lived socket: join a random document, sync, leave."""
    visitor = BenchClient(random.choice(urls), number, ledger, measure=False)
    try:
        await visitor.connect(timeout=30)
    finally:
        await visitor.close()


async def keep_visiting(urls: list[str], per_second: float, figures: SoakFigures) -> None:
    """Start a visit every 1/per_second s until cancelled; failures are errors."""
    ledger = Ledger()
    visits: set[asyncio.Task] = set()
    try:
        while True:
            figures.visits += 1
            task = asyncio.create_task(visit(urls, -figures.visits, ledger))
            visits.add(task)
            task.add_done_callback(visits.discard)
            task.add_done_callback(lambda done: _note_failed_visit(done, figures))
            await asyncio.sleep(1 / per_second)
    finally:
        await asyncio.gather(*visits, return_exceptions=True)
        figures.errors.extend(ledger.errors)


def _note_failed_visit(task: asyncio.Task, figures: SoakFigures) -> None:
    if not task.cancelled() and task.exception() is not None:
        figures.errors.append(f"visit failed: {task.exception()!r}")


async def wait_for_gauges(
    server: BenchServer, done: Callable[[Gauges], bool], timeout_s: float
) -> Gauges:
    """Poll /metrics until `done(gauges)` or the timeout; returns the last reading."""
    deadline = time.monotonic() + timeout_s
    while True:
        gauges = await asyncio.to_thread(read_gauges, server)
        if done(gauges) or time.monotonic() > deadline:
            return gauges
        await asyncio.sleep(0.2)


async def drive(server: BenchServer, urls: list[str], figures: SoakFigures) -> None:
    """Connect, type, check, leave; then wait for the server to unload everything."""
    plan = figures.plan
    load = RoomLoad(urls, plan.workload)
    sampling = asyncio.create_task(sample_while_running(server, figures))
    visiting: asyncio.Task | None = None
    try:
        await load.connect()
        visiting = asyncio.create_task(keep_visiting(urls, plan.visits_per_s, figures))
        await load.exercise()
    finally:
        for task in (visiting, sampling):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await load.close()
        record_load(load.report(), figures)
    figures.after_leave = await wait_for_gauges(
        server, lambda g: g.open_sockets == 0, SETTLE_TIMEOUT_S
    )
    figures.after_unload = await wait_for_gauges(
        server, lambda g: g.loaded_documents == 0, plan.grace_s + SETTLE_TIMEOUT_S
    )


def record_load(report: dict[str, Any], figures: SoakFigures) -> None:
    """Copy the rooms' report (bench/rooms.py) into the figures."""
    figures.connect_failed = report["connect_failed"]
    figures.errors.extend(report["connect_failures"] + report["errors"])
    figures.sent = report["sent"]
    figures.received = report["receipts"]
    figures.expected = report["expected_receipts"]
    figures.lost = report["lost"]
    figures.rooms_converged = report["rooms_converged"]
    figures.late_joiner_ok = report["late_join"].get("ok") is True


def run_soak(plan: SoakPlan) -> SoakFigures:
    """The whole soak against a daphne of its own; returns the figures."""
    started = time.monotonic()
    figures = SoakFigures(plan)
    env = {"REALTIME_SESSION_GRACE_SECONDS": str(plan.grace_s)}
    with BenchServer(extra_env=env) as server:
        urls = [server.ws_url(document) for document in server.create_documents(plan.documents)]
        figures.before = read_gauges(server)
        try:
            asyncio.run(drive(server, urls, figures))
        except Exception as error:
            figures.errors.append(f"the soak itself failed: {error!r}")
        figures.peak_rss_mib = server.sample().peak_rss_mib
        problems = server.log_problems()
        figures.server_log = {key: problems[key] for key in ("errors", "warnings", "tracebacks")}
        figures.errors.extend(problems["first_lines"] if problems["errors"] else [])
        figures.errors.extend(problems["traceback_texts"])
    figures.seconds_total = time.monotonic() - started
    return figures


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = SoakPlan()
    parser.add_argument("--sockets", type=int, default=defaults.sockets)
    parser.add_argument("--documents", type=int, default=defaults.documents)
    parser.add_argument("--seconds", type=float, default=defaults.seconds)
    parser.add_argument("--rate", type=float, default=defaults.rate_hz, help="inserts/s/socket")
    parser.add_argument("--grace", type=float, default=defaults.grace_s, help="idle unload, s")
    parser.add_argument("--visits", type=float, default=defaults.visits_per_s, help="per second")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = SoakPlan(args.sockets, args.documents, args.seconds, args.rate, args.grace, args.visits)
    figures = run_soak(plan)
    print(figures.render())
    if args.json:
        with open(args.json, "w") as output:
            json.dump(asdict(figures) | {"ok": figures.ok}, output, indent=2)
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
