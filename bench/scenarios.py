"""The scenarios (named as in issue 7). Each one gets a freshly started server of its own and
returns an `Outcome`: the table rows, convergence, lost inserts, errors and the details.
"""

import asyncio
import json
import random
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bench.client import BenchClient, Ledger, clock
from bench.procstat import ProcSample, own_cpu_seconds
from bench.rooms import RoomLoad, Workload, summarize
from bench.server import ROOT, USERNAME, BenchServer
from bench.stats import median, percentile, to_ms


@dataclass
class Outcome:
    """One run of one scenario."""

    scenario: str
    metrics: dict[str, Any]  # the table rows, in order
    converged: bool
    lost: int
    ok: bool = True
    errors: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A named scenario: how to start its server and how to run it against that server."""

    name: str
    title: str
    run: Callable[[BenchServer, "Options"], Outcome]
    timeout_s: float
    server_env: dict[str, str] = field(default_factory=dict)
    # Runs after the user exists and before the server starts (to seed the database).
    prepare: Callable[[BenchServer, "Options"], None] | None = None


@dataclass
class Options:
    """Command-line settings that scenarios read."""

    many_workers: int = 2
    many_seconds: float = 24.0
    log_updates: int = 100_000
    daphne_args: list[str] = field(default_factory=list)
    keep_logs: Path | None = None
    profile_dir: Path | None = None
    seed: dict[str, Any] = field(default_factory=dict)


def run_async[T](coroutine: Coroutine[Any, Any, T], timeout_s: float) -> T:
    """Run a coroutine on a fresh event loop, cancelled after `timeout_s`."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout_s))


def server_rows(
    before: ProcSample, after: ProcSample, deliveries: int | None, harness_cpu_s: float
) -> dict[str, Any]:
    """Server CPU (and per delivered update), memory, and the harness's own CPU."""
    cpu = after.cpu_s - before.cpu_s
    rows: dict[str, Any] = {"server CPU s": round(cpu, 2)}
    if deliveries is not None:
        rows["server CPU µs per delivered update"] = (
            round(cpu / deliveries * 1e6, 1) if deliveries else None
        )
    rows["server RSS start MiB"] = round(before.rss_mib, 1)
    rows["server RSS peak MiB (VmHWM)"] = round(after.peak_rss_mib, 1)
    rows["harness CPU s"] = round(harness_cpu_s, 2)
    return rows


# -- room scenarios: b, c, f, g ---------------------------------------------------------------


def room_scenario(server: BenchServer, rooms: int, workload: Workload, timeout_s: float) -> Outcome:
    """Create `rooms` documents, run the workload in them, and check convergence."""
    urls = [server.ws_url(document) for document in server.create_documents(rooms)]
    load = RoomLoad(urls, workload)
    before, harness_before = server.sample(), own_cpu_seconds()
    errors: list[str] = []

    async def drive() -> None:
        try:
            await load.connect()
            await load.exercise()
        finally:
            await load.close()

    try:
        run_async(drive(), timeout_s)
    except TimeoutError:
        errors.append(f"timed out after {timeout_s:.0f} s")
    except Exception as error:
        errors.append(repr(error))
    after, harness_cpu = server.sample(), own_cpu_seconds() - harness_before
    return room_outcome(load.report(), workload, before, after, harness_cpu, errors)


def room_outcome(
    report: dict[str, Any],
    workload: Workload,
    before: ProcSample,
    after: ProcSample,
    harness_cpu_s: float,
    errors: list[str],
) -> Outcome:
    """The table rows and verdict of a room workload's report."""
    late = report["late_join"]
    # Converged: in every room, the clients that connected hold the same text with each of their
    # inserts exactly once, and so does the late joiner. Failed connections fail the run (ok).
    converged = report["rooms_converged"] == report["rooms"] and (
        not workload.late_joiner or late.get("ok") is True
    )
    metrics: dict[str, Any] = {
        "clients": report["clients"],
        "connections failed": report["connect_failed"],
        **summarize(report),
        "inserts sent": report["sent"],
        "deliveries / expected": f"{report['receipts']} / {report['expected_receipts']}",
        "lost": report["lost"],
        # The server sends a step 1 when it has stored a client's updates; clients answer it.
        "step-1 messages from the server": report["step1_received"],
    }
    if workload.awareness:
        awareness = report["awareness_latencies_s"]
        metrics["awareness p50 ms"] = to_ms(percentile(awareness, 50))
        metrics["awareness p99 ms"] = to_ms(percentile(awareness, 99))
        metrics["awareness deliveries"] = len(awareness)
    if workload.late_joiner:
        metrics["late joiner sync ms"] = late.get("sync_ms")
    metrics.update(server_rows(before, after, report["receipts"], harness_cpu_s))
    metrics["rooms converged"] = f"{report['rooms_converged']} / {report['rooms']}"
    all_errors = errors + report["connect_failures"] + report["errors"]
    details = {k: v for k, v in report.items() if not k.endswith("_s") or k == "connect_all_s"}
    details["latency_ms"] = latency_details(report["latencies_s"])
    details["sync_ms"] = latency_details(report["sync_s"])
    if workload.awareness:
        details["awareness_ms"] = latency_details(report["awareness_latencies_s"])
    details["send_phase_s"] = report["send_phase_s"]
    return Outcome(
        scenario="",
        metrics=metrics,
        converged=converged,
        lost=report["lost"],
        ok=converged and report["lost"] == 0 and report["all_sent"] and not all_errors,
        errors=all_errors,
        details=details,
    )


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def latency_details(seconds: list[float]) -> dict[str, Any]:
    """Percentiles of a latency list, in ms, for the JSON."""
    points = (50, 90, 95, 99, 99.9)
    summary: dict[str, Any] = {f"p{p}": to_ms(percentile(seconds, p), 3) for p in points}
    summary["max"] = to_ms(max(seconds), 3) if seconds else None
    summary["count"] = len(seconds)
    return summary


def scenario_b(server: BenchServer, options: Options) -> Outcome:
    """1 room × 20 clients × 100 edits @ 10 Hz, then a late joiner."""
    return room_scenario(server, 1, Workload(clients_per_room=20, edits=100, rate_hz=10), 120)


def scenario_c(server: BenchServer, options: Options) -> Outcome:
    """50 rooms × 4 clients × 50 edits @ 5 Hz."""
    return room_scenario(server, 50, Workload(clients_per_room=4, edits=50, rate_hz=5), 120)


def scenario_f(server: BenchServer, options: Options) -> Outcome:
    """b with an awareness (cursor) update after every edit."""
    workload = Workload(clients_per_room=20, edits=100, rate_hz=10, awareness=True)
    return room_scenario(server, 1, workload, 120)


def scenario_g(server: BenchServer, options: Options) -> Outcome:
    """80 clients opening 20 new rooms at the same instant, then 10 edits @ 5 Hz each."""
    workload = Workload(clients_per_room=4, edits=10, rate_hz=5, burst=True, connect_timeout_s=5)
    return room_scenario(server, 20, workload, 60)


# -- e: a 1 MiB document, then cold syncs -------------------------------------------------------

# The writer sends its 16,384 updates as fast as it can, far above the per-socket message rate
# limit (REALTIME_MAX_MESSAGES_PER_SECOND, 4429): building the document is the harness's set-up,
# not what is measured, so the limit is lifted for this scenario.
PRELOAD_SCENARIO_ENV = {
    "REALTIME_MAX_MESSAGES_PER_SECOND": "1000000",
    "REALTIME_MESSAGE_BURST": "1000000",
}
PRELOAD_UPDATES = 16_384
PRELOAD_CHUNK = 64
COLD_SYNCS = 5


def preload_chunk(i: int) -> str:
    """64 ASCII characters, numbered."""
    return (f"{i:06d} " + "lorem ipsum dolor sit amet " * 3)[:PRELOAD_CHUNK]


async def build_then_cold_sync(url: str, result: dict[str, Any]) -> None:
    """One writer builds the document from 64-byte inserts at random positions; a round trip
    proves the server applied them all; then fresh clients sync it one after another. Fills
    `result` as it goes, so a failure still leaves what was measured before it."""
    ledger = Ledger()
    result["errors"] = ledger.errors
    writer = BenchClient(url, 0, ledger, measure=False)
    await writer.connect(20)
    try:
        rng = random.Random(1024)
        started = clock()
        length = 0
        for i in range(PRELOAD_UPDATES):
            await writer.insert(rng.randint(0, length), preload_chunk(i))
            length += PRELOAD_CHUNK
            # send() rarely waits, so yield: the reader must answer the server's step 1
            # messages and its keep-alive pings (daphne drops a socket that does not pong
            # within 30 s).
            await asyncio.sleep(0)
        sent_s = clock() - started
        await writer.round_trip(120)
        result["build_s"] = clock() - started
        result["catch_up_s"] = result["build_s"] - sent_s
        expected = str(writer.text)
        result["chars"] = len(expected)
        result["content_ok"] = len(expected) == PRELOAD_UPDATES * PRELOAD_CHUNK
        for _ in range(COLD_SYNCS):
            reader = BenchClient(url, 1, ledger, measure=False)
            try:
                result["cold_s"].append(await reader.connect(30))
                result["content_ok"] &= str(reader.text) == expected
                result["step2_bytes"] = reader.step2_bytes
            finally:
                await reader.close()
    finally:
        await writer.close()


def scenario_e(server: BenchServer, options: Options) -> Outcome:
    """A 1 MiB document built from 16,384 updates, then the cold sync of 5 fresh clients."""
    url = server.ws_url(server.create_documents(1)[0])
    before, harness_before = server.sample(), own_cpu_seconds()
    errors: list[str] = []
    result: dict[str, Any] = {"cold_s": [], "content_ok": False, "errors": []}
    try:
        run_async(build_then_cold_sync(url, result), 240)
    except TimeoutError:
        errors.append("timed out after 240 s")
    except Exception as error:
        errors.append(repr(error))
    after, harness_cpu = server.sample(), own_cpu_seconds() - harness_before
    cold = result["cold_s"]
    metrics: dict[str, Any] = {
        "preload updates": PRELOAD_UPDATES,
        "build s": _rounded(result.get("build_s")),
        "  of which waiting for the server s": _rounded(result.get("catch_up_s")),
        "document chars": result.get("chars"),
        "step-2 bytes": result.get("step2_bytes"),
        "cold sync median ms (of 5)": to_ms(median(cold)),
        "cold sync max ms": to_ms(max(cold) if cold else None),
        **server_rows(before, after, None, harness_cpu),
        "content ok": "yes" if result["content_ok"] else "no",
    }
    errors += result["errors"]
    converged = bool(result["content_ok"]) and len(cold) == COLD_SYNCS
    details = {"cold_sync_ms": [to_ms(s) for s in cold], **metrics}
    return Outcome("", metrics, converged, 0, converged and not errors, errors, details)


# -- log100k: the first join of a document with a long log -------------------------------------

# The server runs with the default compaction threshold, as deployed: it compacts the log in the
# background after the load (registry.COMPACT_AFTER_LOAD_SECONDS), which the run waits for.
COMPACTED = r"compacted \d+ log rows"
COMPACTION_WAIT_S = 60


def seed_long_log(server: BenchServer, updates: int) -> dict[str, Any]:
    """Before the server starts: a document with `updates` log rows (bench/seed_log.py)."""
    expected = server.directory / "expected.txt"
    output = server.run_python(
        str(ROOT / "bench" / "seed_log.py"),
        "--updates", str(updates), "--owner", USERNAME, "--expected", str(expected),
        timeout=600,
    )  # fmt: skip
    seeded = json.loads(output.strip().splitlines()[-1])
    seeded["expected_path"] = str(expected)
    return seeded


def prepare_log100k(server: BenchServer, options: Options) -> None:
    """Seed the long log; the scenario reads what was seeded from `options.seed`."""
    options.seed = seed_long_log(server, options.log_updates)


async def timed_joins(url: str, expected: str, count: int) -> list[dict[str, Any]]:
    """`count` fresh clients join one after another; each is timed and its text checked."""
    ledger = Ledger()
    joins = []
    for i in range(count):
        client = BenchClient(url, i, ledger, measure=False)
        try:
            seconds = await client.connect(120)
            text = str(client.text)
            joins.append(
                {"ms": to_ms(seconds), "ok": text == expected, "step2_bytes": client.step2_bytes}
            )
        finally:
            await client.close()
    return joins


def scenario_log100k(server: BenchServer, options: Options) -> Outcome:
    """First join of a document whose log holds 100,000 updates not yet compacted."""
    seeded = options.seed
    expected = Path(seeded["expected_path"]).read_text()
    url = server.ws_url(seeded["document"])
    before, harness_before = server.sample(), own_cpu_seconds()
    errors: list[str] = []
    joins: list[dict[str, Any]] = []
    first_join_cpu = None
    try:
        joins = run_async(timed_joins(url, expected, 1), 150)
        first_join_cpu = server.sample().cpu_s - before.cpu_s
        joins += run_async(timed_joins(url, expected, 2), 150)
    except TimeoutError:
        errors.append("a join timed out")
    except Exception as error:
        errors.append(repr(error))
    after, harness_cpu = server.sample(), own_cpu_seconds() - harness_before
    content_ok = len(joins) == 3 and all(join["ok"] for join in joins)
    deadline = time.monotonic() + COMPACTION_WAIT_S
    while not server.log_count(COMPACTED) and time.monotonic() < deadline:
        time.sleep(0.1)
    compactions = server.log_count(COMPACTED)
    if not compactions:
        errors.append(f"the log was not compacted within {COMPACTION_WAIT_S} s of the joins")
    metrics: dict[str, Any] = {
        "log rows (not compacted)": seeded["rows"],
        "log bytes": seeded["log_bytes"],
        "document chars": seeded["chars"],
        "first join ms (load + sync)": joins[0]["ms"] if joins else None,
        "server CPU of first join s": None if first_join_cpu is None else round(first_join_cpu, 2),
        "next joins ms (loaded)": ", ".join(str(join["ms"]) for join in joins[1:]) or None,
        "step-2 bytes": joins[0]["step2_bytes"] if joins else None,
        **server_rows(before, after, None, harness_cpu),
        "compactions during run": compactions,
        "content ok": "yes" if content_ok else "no",
    }
    details = {"seed": seeded, "joins": joins}
    return Outcome("", metrics, content_ok, 0, content_ok and not errors, errors, details)


# -- sweep: one room with more and more clients ------------------------------------------------

SWEEP = "sweep"
SWEEP_CLIENTS = (2, 5, 10, 20, 40)
# 4 s of typing per point: with a fresh server each (about 10 s to migrate and start here), the
# default five points take about two minutes.
SWEEP_EDITS = 40
SWEEP_RATE_HZ = 10


def scenario_sweep(server: BenchServer, options: Options, *, clients: int) -> Outcome:
    """One point of the sweep: 1 room × `clients` clients typing at 10 Hz."""
    workload = Workload(clients_per_room=clients, edits=SWEEP_EDITS, rate_hz=SWEEP_RATE_HZ)
    outcome = room_scenario(server, 1, workload, 60)
    outcome.details["workload"] = asdict(workload)  # the plot's subtitle describes it
    return outcome


def sweep_scenarios(client_counts: Sequence[int]) -> list[Scenario]:
    """The sweep as one scenario per client count (`sweep-<n>`), each on a server of its own."""
    return [
        Scenario(
            f"{SWEEP}-{clients}",
            f"1 room × {clients} clients × {SWEEP_EDITS} edits @ {SWEEP_RATE_HZ} Hz",
            partial(scenario_sweep, clients=clients),
            90,
        )
        for clients in client_counts
    ]


def scenario_many(server: BenchServer, options: Options) -> Outcome:
    """2,000 sockets on one server process (see bench/many.py)."""
    from bench.many import run_many  # multiprocessing: imported only when used

    return run_many(server, workers=options.many_workers, seconds=options.many_seconds)


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario("b", "1 room × 20 clients × 100 edits @ 10 Hz", scenario_b, 150),
        Scenario("c", "50 rooms × 4 clients × 50 edits @ 5 Hz", scenario_c, 150),
        Scenario(
            "e",
            "1 MiB document from 16,384 random-position 64-byte inserts, then cold sync",
            scenario_e,
            300,
            server_env=PRELOAD_SCENARIO_ENV,
        ),
        Scenario("f", "b + an awareness update after every edit", scenario_f, 150),
        Scenario("g", "80 clients opening 20 new rooms at the same instant", scenario_g, 90),
        Scenario(
            "many",
            "2,000 sockets: 100 rooms × 20 clients, 0.5 Hz each",
            scenario_many,
            300,
        ),
        Scenario(
            "log100k",
            "first join of a document whose log holds 100,000 uncompacted updates",
            scenario_log100k,
            900,
            prepare=prepare_log100k,
        ),
    )
}
