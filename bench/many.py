"""Scenario `many`: 2,000 sockets on one server process (100 rooms × 20 clients, 0.5 Hz each).

One Python process cannot receive ~19,000 frames a second and still time them honestly, so the
rooms are split across worker processes (whole rooms per worker: a room's senders and
receivers share a process, and latencies one clock). The parent creates the documents, waits
until every worker has connected its clients, samples the server, and gives all workers the
same start time; `time.perf_counter` is CLOCK_MONOTONIC on Linux, one clock for every process.
"""

import asyncio
import contextlib
import multiprocessing
import time
from multiprocessing.connection import Connection
from typing import Any

from bench.procstat import ProcSample, own_cpu_seconds
from bench.rooms import RoomLoad, Workload
from bench.scenarios import Outcome, room_outcome
from bench.server import BenchServer

ROOMS = 100
CLIENTS_PER_ROOM = 20
RATE_HZ = 0.5
CONNECT_TIMEOUT_S = 90.0
REPORT_TIMEOUT_S = 120.0


def workload_for(seconds: float) -> Workload:
    """0.5 Hz per client for about `seconds` of edits."""
    return Workload(
        clients_per_room=CLIENTS_PER_ROOM,
        edits=max(1, round(seconds * RATE_HZ)),
        rate_hz=RATE_HZ,
        connect_timeout_s=60,
        drain_timeout_s=20,
        max_send_s=seconds + 30,
        connect_batch=100,
    )


def worker_main(pipe: Connection, urls: list[str], workload: Workload, first_number: int) -> None:
    """A worker process: connect its rooms' clients, wait for the start time, run, report."""
    asyncio.run(_worker(pipe, urls, workload, first_number))


async def _worker(pipe: Connection, urls: list[str], workload: Workload, first: int) -> None:
    load = RoomLoad(urls, workload, first_number=first)
    cpu_share: float | None = None  # of one core, during edits and drain
    try:
        await load.connect()
        pipe.send(("connected", len(load.connect_failures)))
        start_at = await asyncio.to_thread(pipe.recv)
        cpu_before, started = own_cpu_seconds(), time.perf_counter()
        await load.exercise(start_at)
        cpu_share = (own_cpu_seconds() - cpu_before) / (time.perf_counter() - started)
    finally:
        await load.close()
        report = load.report()
        report["harness_cpu_s"] = own_cpu_seconds()
        report["exercise_cpu_share"] = cpu_share
        pipe.send(("report", report))


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One report for all workers: lists joined, counts added, the first room's late joiner."""
    merged: dict[str, Any] = {"late_join": reports[0]["late_join"] if reports else {}}
    for key in ("latencies_s", "sync_s", "awareness_latencies_s", "errors", "connect_failures"):
        merged[key] = [item for report in reports for item in report[key]]
    for key in ("clients", "connect_failed", "sent", "expected_receipts", "receipts", "lost",
                "rooms", "rooms_converged", "awareness_sent", "step1_received"):  # fmt: skip
        merged[key] = sum(report[key] for report in reports)
    merged["all_sent"] = bool(reports) and all(report["all_sent"] for report in reports)
    spans = [report["span_s"] for report in reports if report["span_s"]]
    merged["span_s"] = max(spans) if spans else None
    phases = [report["send_phase_s"] for report in reports if report["send_phase_s"]]
    merged["send_phase_s"] = max(phases) if phases else None
    connects = [report["connect_all_s"] for report in reports if report["connect_all_s"]]
    merged["connect_all_s"] = max(connects) if connects else None
    late_joins = [report["late_join"] for report in reports]
    merged["late_join"] = {
        **merged["late_join"],
        "ok": bool(late_joins) and all(late.get("ok") for late in late_joins),
        "all": late_joins,
    }
    return merged


def _busiest(reports: list[dict[str, Any]]) -> float | None:
    """The highest CPU share (in %) of a worker during edits and drain: near 100, the
    harness itself would be the bottleneck."""
    shares = [r["exercise_cpu_share"] for r in reports if r.get("exercise_cpu_share") is not None]
    return round(max(shares) * 100, 1) if shares else None


def _receive(pipe: Connection, kind: str, timeout_s: float) -> Any:
    if not pipe.poll(timeout_s):
        raise TimeoutError(f"a worker sent no {kind!r} within {timeout_s:.0f} s")
    got, value = pipe.recv()
    if got != kind:
        raise RuntimeError(f"a worker sent {got!r}, expected {kind!r}")
    return value


def run_many(server: BenchServer, workers: int, seconds: float) -> Outcome:
    """Run the scenario with `workers` client processes."""
    workload = workload_for(seconds)
    urls = [server.ws_url(document) for document in server.create_documents(ROOMS)]
    context = multiprocessing.get_context("spawn")
    processes: list[multiprocessing.process.BaseProcess] = []
    pipes: list[Connection] = []
    errors: list[str] = []
    reports: list[dict[str, Any]] = []
    harness_before = own_cpu_seconds()
    at_start = before = server.sample()
    try:
        for index in range(workers):
            rooms = list(range(index, ROOMS, workers))
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=worker_main,
                args=(child_end, [urls[r] for r in rooms], workload, index * 100_000),
                name=f"bench-many-{index}",
                daemon=True,
            )
            process.start()
            processes.append(process)
            pipes.append(parent_end)
        for pipe in pipes:
            _receive(pipe, "connected", CONNECT_TIMEOUT_S)
        before = server.sample()
        start_at = time.perf_counter() + 0.5
        for pipe in pipes:
            pipe.send(start_at)
        for pipe in pipes:
            reports.append(_receive(pipe, "report", seconds + REPORT_TIMEOUT_S))
    except (TimeoutError, RuntimeError, EOFError, OSError) as error:
        errors.append(repr(error))
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        for pipe in pipes:
            with contextlib.suppress(OSError):
                pipe.close()
    after = server.sample()
    harness_cpu = own_cpu_seconds() - harness_before
    harness_cpu += sum(report["harness_cpu_s"] for report in reports)
    if not reports:
        return Outcome("", {"workers": workers}, False, 0, False, errors)
    report = merge_reports(reports)
    if len(reports) < workers:
        errors.append(f"only {len(reports)} of {workers} workers reported")
    # CPU per delivered update over the edit phase only (connecting 2,000 sockets is reported
    # apart); memory from the very start.
    edit_phase_start = ProcSample(before.cpu_s, at_start.rss_mib, at_start.peak_rss_mib)
    outcome = room_outcome(report, workload, edit_phase_start, after, harness_cpu, errors)
    outcome.converged = outcome.converged and len(reports) == workers
    outcome.ok = outcome.ok and len(reports) == workers
    outcome.metrics = {
        "workers (client processes)": workers,
        "edits per client": workload.edits,
        **outcome.metrics,
        "server CPU s while connecting": round(before.cpu_s - at_start.cpu_s, 2),
        "harness: busiest worker's CPU share %": _busiest(reports),
        "client-side errors": len(report["errors"]) + len(report["connect_failures"]),
    }
    outcome.details["send_phase_s"] = report["send_phase_s"]
    return outcome
