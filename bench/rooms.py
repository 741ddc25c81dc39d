"""Rooms of editing clients in this process: connect them, let them type at a fixed rate, wait
for every insert to reach every other client, and check that each room converged.
"""

import asyncio
import contextlib
import gc
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.client import BenchClient, Ledger, clock, markers_in
from bench.stats import percentile, to_ms


@dataclass(frozen=True)
class Workload:
    """What the clients of each room do.

    Every client makes `edits` inserts at `rate_hz`, on an absolute schedule with a random
    phase (no drift, no lockstep), plus an awareness update after each insert if `awareness`.
    Clients connect in two waves (each room's first client, then the rest) unless `burst`
    opens them all at the same instant; `connect_batch` caps how many of a wave connect at once.
    """

    clients_per_room: int
    edits: int
    rate_hz: float
    awareness: bool = False
    burst: bool = False
    connect_timeout_s: float = 20.0
    drain_timeout_s: float = 10.0
    max_send_s: float = 90.0
    late_joiner: bool = True
    connect_batch: int | None = None


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Keep Python's cyclic collector from pausing the event loop while latencies are measured
    (a full pass over the bookkeeping takes milliseconds and would show up as latency)."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


class RoomLoad:
    """The clients of several rooms (one document each), driven together in this process."""

    def __init__(self, urls: list[str], workload: Workload, first_number: int = 0) -> None:
        self.workload = workload
        self.ledger = Ledger()
        per_room = workload.clients_per_room
        self.rooms = [
            [
                BenchClient(url, first_number + room * per_room + i, self.ledger)
                for i in range(per_room)
            ]
            for room, url in enumerate(urls)
        ]
        self.connect_failures: list[str] = []
        self.connect_all_s: float | None = None
        self.all_sent = False
        self.send_phase_s: float | None = None
        self.lost = 0
        self.receipts_at_check = 0
        self.rooms_converged = 0
        self.late_join: dict[str, Any] = {}

    @property
    def clients(self) -> list[BenchClient]:
        return [client for room in self.rooms for client in room]

    def connected_in(self, room: list[BenchClient]) -> list[BenchClient]:
        return [client for client in room if client.connected]

    async def connect(self) -> None:
        """Connect every client (in waves, or all at once) and wait for their sync."""
        if self.workload.burst:
            waves = [self.clients]
        else:
            waves = [[room[0] for room in self.rooms], [c for room in self.rooms for c in room[1:]]]
        batch = self.workload.connect_batch
        if batch:
            waves = [wave[i : i + batch] for wave in waves for i in range(0, len(wave), batch)]
        started = clock()
        for wave in waves:
            results = await asyncio.gather(
                *(client.connect(self.workload.connect_timeout_s) for client in wave),
                return_exceptions=True,
            )
            for client, result in zip(wave, results, strict=True):
                if isinstance(result, BaseException):
                    self.connect_failures.append(f"client {client.number}: {result!r}")
                    with contextlib.suppress(Exception):
                        await client.close()
        self.connect_all_s = clock() - started

    async def exercise(self, start_at: float | None = None) -> None:
        """Edit, drain, check convergence, then time a late joiner. `start_at` (a `clock()`
        time) lets several processes start together; by default the edits start at once."""
        with no_cyclic_gc():
            await self._edit(clock() + 0.2 if start_at is None else start_at)
            await self._drain()
        self._check()
        if self.workload.late_joiner:
            await self._late_join()

    async def close(self) -> None:
        """Close every client."""
        await asyncio.gather(*(client.close() for client in self.clients), return_exceptions=True)

    def expected_receipts(self) -> int:
        """Inserts × the other connected clients of their room."""
        total = 0
        for room in self.rooms:
            connected = self.connected_in(room)
            total += sum(client.sent for client in connected) * (len(connected) - 1)
        return total

    def report(self) -> dict[str, Any]:
        """Everything measured, as plain data (it crosses process boundaries)."""
        ledger = self.ledger
        sync = [client.sync_s for client in self.clients if client.sync_s is not None]
        span = None
        if ledger.first_send is not None and ledger.last_receipt is not None:
            span = ledger.last_receipt - ledger.first_send
        return {
            "clients": len(self.clients),
            "connect_failed": len(self.connect_failures),
            "connect_failures": self.connect_failures[:10],
            "connect_all_s": self.connect_all_s,
            "sync_s": sync,
            "sent": len(ledger.sent_at),
            "all_sent": self.all_sent,
            "send_phase_s": self.send_phase_s,
            "expected_receipts": self.expected_receipts(),
            # At the convergence check, like `lost`; `latencies_s` also holds later arrivals.
            "receipts": self.receipts_at_check,
            "latencies_s": ledger.latencies,
            "awareness_sent": len(ledger.awareness_sent_at),
            "step1_received": ledger.step1_received,
            "awareness_latencies_s": ledger.awareness_latencies,
            "span_s": span,
            "lost": self.lost,
            "rooms": len(self.rooms),
            "rooms_converged": self.rooms_converged,
            "late_join": self.late_join,
            "errors": ledger.errors,
        }

    # -- phases ------------------------------------------------------------------------------

    async def _edit(self, start_at: float) -> None:
        stop_at = start_at + self.workload.max_send_s
        connected = [client for client in self.clients if client.connected]
        done = await asyncio.gather(
            *(self._type(client, start_at, stop_at) for client in connected),
            return_exceptions=True,
        )
        for client, result in zip(connected, done, strict=True):
            if isinstance(result, BaseException):
                self.ledger.error(f"client {client.number}: sending failed: {result!r}")
        self.all_sent = bool(connected) and all(result is True for result in done)
        self.send_phase_s = clock() - start_at

    async def _type(self, client: BenchClient, start_at: float, stop_at: float) -> bool:
        period = 1.0 / self.workload.rate_hz
        phase = random.random() * period
        for seq in range(self.workload.edits):
            delay = start_at + phase + seq * period - clock()
            if delay > 0:
                await asyncio.sleep(delay)
            if clock() > stop_at:
                return False
            await client.insert_marker(seq)
            if self.workload.awareness:
                await client.announce_cursor()
        return True

    async def _drain(self) -> None:
        self.ledger.expect(self.expected_receipts())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ledger.complete.wait(), self.workload.drain_timeout_s)
        if self.workload.awareness:  # awareness has no "lost" count: give it a moment too
            await asyncio.sleep(0.1)

    def _check(self) -> None:
        """Lost inserts per client, and per room: equal texts holding each insert exactly once."""
        self.lost = 0
        self.rooms_converged = 0
        self.receipts_at_check = len(self.ledger.latencies)
        for room in self.rooms:
            connected = self.connected_in(room)
            if not connected:
                continue
            sent = {(c.number, seq) for c in connected for seq in range(c.sent)}
            for client in connected:
                own = {(client.number, seq) for seq in range(client.sent)}
                self.lost += len((sent - own) - client.received)
            texts = [str(client.text) for client in connected]
            same = all(text == texts[0] for text in texts)
            if same and sorted(markers_in(texts[0])) == sorted(sent):
                self.rooms_converged += 1

    async def _late_join(self) -> None:
        """A fresh client joins the first room; it must receive exactly the room's text."""
        connected = self.connected_in(self.rooms[0])
        if not connected:
            self.late_join = {"ok": False, "error": "no client connected in the first room"}
            return
        joiner = BenchClient(connected[0].url, -1, self.ledger, measure=False)
        try:
            seconds = await joiner.connect(self.workload.connect_timeout_s)
            text = str(joiner.text)
            self.late_join = {
                "sync_ms": to_ms(seconds),
                "ok": text == str(connected[0].text),
                "chars": len(text),
                "step2_bytes": joiner.step2_bytes,
            }
        except Exception as error:
            self.late_join = {"ok": False, "error": repr(error)}
        finally:
            await joiner.close()


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of a `RoomLoad.report()` (or of several merged)."""
    latencies = report["latencies_s"]
    span = report["span_s"]
    return {
        "connect+sync p50 ms": to_ms(percentile(report["sync_s"], 50)),
        "connect+sync p99 ms": to_ms(percentile(report["sync_s"], 99)),
        "fan-out p50 ms": to_ms(percentile(latencies, 50)),
        "fan-out p95 ms": to_ms(percentile(latencies, 95)),
        "fan-out p99 ms": to_ms(percentile(latencies, 99)),
        "fan-out max ms": to_ms(max(latencies) if latencies else None),
        "throughput deliveries/s": round(len(latencies) / span, 1) if span else None,
    }
