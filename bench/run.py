"""The project's own benchmark (issue 7): drives the y-websocket endpoint with pycrdt clients.

    .venv/bin/python bench/run.py [--scenarios b,c,e,f,g,many,log100k,sweep] [--reps N]
        [--json out.json] [--sweep-clients 2,5,10,20,40] [--plot sweep.svg]

Every run of a scenario gets a freshly started server (a new SQLite database in a temporary
directory, a user, daphne on a free port), so its CPU time and peak memory (VmHWM) belong to that
run. It prints `CONVERGED yes|no` after each run, then one table (medians over the runs when
`--reps` > 1, with the range), and writes every figure to `--json`. Exit code 0 only if every run
converged, lost nothing and saw no error. Servers are stopped on exit, Ctrl-C included.

Scenarios:
  b        1 room × 20 clients × 100 edits @ 10 Hz, then a late joiner
  c        50 rooms × 4 clients × 50 edits @ 5 Hz
  e        a 1 MiB document from 16,384 64-byte inserts at random positions, then the cold sync
           of 5 fresh clients (median) and the server's peak RSS
  f        b with an awareness (cursor) update after every edit
  g        80 clients opening 20 new rooms at the same instant (connections failed must be 0)
  many     2,000 sockets on one process: 100 rooms × 20 clients, 0.5 Hz each, ~24 s
  log100k  the first join of a document whose log holds 100,000 uncompacted updates
  sweep    1 room × N clients × 40 edits @ 10 Hz for each N of --sweep-clients, each N on a
           server of its own (runs named sweep-N); --plot draws its chart (bench/plot.py)
"""

import argparse
import contextlib
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.plot import markdown_table, sweep_points, write_plot  # noqa: E402
from bench.procstat import load_average, machine_busy_seconds  # noqa: E402
from bench.scenarios import (  # noqa: E402
    SCENARIOS,
    SWEEP,
    SWEEP_CLIENTS,
    Options,
    Outcome,
    Scenario,
    sweep_scenarios,
)
from bench.server import BenchServer  # noqa: E402
from bench.stats import median  # noqa: E402

DEFAULT_SCENARIOS = "b,c,e,f,g,many,log100k,sweep"


class ScenarioTimeout(Exception):
    """A scenario ran past its hard time limit."""


@contextlib.contextmanager
def hard_deadline(seconds: float) -> Iterator[None]:
    """Raise ScenarioTimeout in the main thread if the block runs longer than `seconds`: the
    last line of defence, under each phase's own timeouts."""

    def expire(signum: int, frame: object) -> None:
        raise ScenarioTimeout(f"hard limit of {seconds:.0f} s reached")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_scenario(scenario: Scenario, options: Options, rep: int = 1) -> Outcome:
    """One run of a scenario on a server of its own; never raises (a failure is an Outcome)."""
    started = time.monotonic()
    problems: dict[str, Any] = {}
    stop: dict[str, Any] = {}
    before_start = None
    if scenario.prepare is not None:
        prepare = scenario.prepare

        def before_start(server: BenchServer) -> None:
            prepare(server, options)

    try:
        with BenchServer(
            scenario.server_env, before_start=before_start, daphne_args=options.daphne_args
        ) as server:
            load_before, busy_before = load_average(), machine_busy_seconds()
            profile = contextlib.nullcontext()
            if options.profile_dir is not None:
                profile = server.profiled(options.profile_dir / f"{scenario.name}-{rep}.json")
            try:
                with hard_deadline(scenario.timeout_s), profile:
                    outcome = scenario.run(server, options)
            finally:
                busy = machine_busy_seconds() - busy_before
                stop = server.stop()
                problems = server.log_problems()
                if options.keep_logs is not None:
                    server.keep_log(options.keep_logs, f"{scenario.name}-{rep}.log")
            # Harness and server share the machine with whatever else runs: show how busy it was.
            outcome.metrics["machine CPU busy s, all processes"] = round(busy, 1)
            outcome.metrics["load average at start"] = load_before
    except Exception as error:  # ScenarioTimeout, a server that did not start, ...
        outcome = Outcome("", {}, converged=False, lost=0, ok=False, errors=[repr(error)])
    outcome.scenario = scenario.name
    if problems:
        outcome.metrics["server log ERROR / WARNING lines"] = (
            f"{problems['errors']} / {problems['warnings']}"
        )
        outcome.details["server_log"] = problems
        if problems["errors"] or problems["tracebacks"]:
            outcome.ok = False
    if stop.get("ignored_sigterm"):
        outcome.errors.append("the server ignored SIGTERM for 15 s and was killed")
        outcome.ok = False
    outcome.details["server_stop"] = stop
    outcome.details["wall_s"] = round(time.monotonic() - started, 1)
    outcome.metrics["converged"] = "yes" if outcome.converged else "no"
    return outcome


def verdict_line(outcome: Outcome, rep: int, reps: int) -> str:
    """The per-run line: CONVERGED yes|no, lost inserts, errors."""
    return (
        f"{outcome.scenario} (run {rep}/{reps}): CONVERGED {'yes' if outcome.converged else 'no'}"
        f"  lost={outcome.lost}  errors={len(outcome.errors)}  ok={'yes' if outcome.ok else 'no'}"
        f"  [{outcome.details.get('wall_s', '?')} s]"
    )


# -- the table ----------------------------------------------------------------------------------


def format_value(value: Any) -> str:
    """Numbers with sensible precision; None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:.0f}"
        if abs(value) >= 100:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def aggregate(values: list[Any]) -> str:
    """One cell for several runs: the median (and range) of numbers; for other values, the
    value if all runs agree, else each run's value."""
    if len(values) == 1:
        return format_value(values[0])
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(values):
        middle = median(numbers)
        return f"{format_value(middle)} ({format_value(min(numbers))}–{format_value(max(numbers))})"
    distinct = {format_value(v) for v in values}
    if len(distinct) == 1:
        return f"{distinct.pop()} ({len(values)}/{len(values)})"
    return " | ".join(format_value(v) for v in values)


def table_rows(outcomes: list[Outcome], scenarios: list[Scenario]) -> list[tuple[str, str, str]]:
    """(scenario, metric, value) rows: a title row per scenario, then its metrics."""
    rows: list[tuple[str, str, str]] = []
    for scenario in scenarios:
        runs = [outcome for outcome in outcomes if outcome.scenario == scenario.name]
        if not runs:
            continue
        suffix = f" (median of {len(runs)}, range)" if len(runs) > 1 else ""
        rows.append((scenario.name, scenario.title + suffix, ""))
        metrics: list[str] = []
        for run in runs:
            metrics += [metric for metric in run.metrics if metric not in metrics]
        for metric in metrics:
            rows.append(("", metric, aggregate([run.metrics.get(metric) for run in runs])))
    return rows


def render_table(rows: list[tuple[str, str, str]]) -> str:
    """A Markdown table, aligned for the terminal."""
    header = ("scenario", "metric", "value")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]

    def line(cells: tuple[str, str, str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), separator, *(line(row) for row in rows)])


# -- the JSON -----------------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    """Versions, machine and commit, for the JSON."""
    versions = {"python": platform.python_version()}
    for package in ("pycrdt", "websockets", "Django", "channels", "daphne", "Twisted"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    commit = dirty = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout
        dirty = bool(status.strip())
    return {
        "versions": versions,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "git": {"commit": commit, "dirty": dirty},
    }


def build_report(
    started: datetime, interrupted: bool, rows: list[tuple[str, str, str]], outcomes: list[Outcome]
) -> dict[str, Any]:
    """Everything the JSON holds (and the plot reads)."""
    return {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": sys.argv,
        "interrupted": interrupted,
        **environment(),
        "table": [list(row) for row in rows],
        "runs": [asdict(outcome) for outcome in outcomes],
    }


# -- main ---------------------------------------------------------------------------------------


def client_counts(text: str) -> list[int]:
    """`--sweep-clients`: comma-separated client counts, each at least 2 (fan-out needs a
    receiver); sorted, duplicates dropped."""
    try:
        counts = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from error
    if not counts or counts[0] < 2:
        raise argparse.ArgumentTypeError("client counts must be at least 2")
    return counts


def expand(names: list[str], sweep_clients: list[int]) -> list[Scenario]:
    """The scenarios to run, in order; `sweep` stands for one scenario per client count."""
    scenarios: list[Scenario] = []
    for name in names:
        scenarios += sweep_scenarios(sweep_clients) if name == SWEEP else [SCENARIOS[name]]
    return scenarios


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("--scenarios", default=DEFAULT_SCENARIOS, help="comma-separated names")
    parser.add_argument("--reps", type=int, default=1, help="runs of each scenario")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument(
        "--many-workers",
        type=int,
        default=max(2, os.cpu_count() or 2),
        help="client processes for scenario many (default: the number of CPUs, at least 2)",
    )
    parser.add_argument(
        "--many-seconds", type=float, default=24.0, help="edit phase of scenario many"
    )
    parser.add_argument(
        "--log-updates", type=int, default=100_000, help="log rows seeded for log100k"
    )
    parser.add_argument(
        "--sweep-clients",
        type=client_counts,
        default=list(SWEEP_CLIENTS),
        help=f"client counts of scenario sweep (default: {','.join(map(str, SWEEP_CLIENTS))})",
    )
    parser.add_argument(
        "--plot", type=Path, help="after a sweep, draw its chart (SVG) to this file"
    )
    parser.add_argument(
        "--daphne-args",
        default="",
        help='extra daphne options, e.g. "--websocket-max-message-size 16777216" (default: '
        "none, the server runs as `make run` runs it)",
    )
    parser.add_argument("--keep-logs", type=Path, help="copy each server's output here")
    parser.add_argument(
        "--profile", type=Path, help="record each server with py-spy (speedscope files) here"
    )
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = [name for name in names if name not in SCENARIOS and name != SWEEP]
    if unknown:
        parser.error(f"unknown scenarios {unknown}; known: {', '.join([*SCENARIOS, SWEEP])}")
    if args.plot and SWEEP not in names:
        parser.error("--plot draws the sweep: add sweep to --scenarios")
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    args.scenario_list = expand(names, args.sweep_clients)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so that every server is stopped on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    options = Options(
        many_workers=args.many_workers,
        many_seconds=args.many_seconds,
        log_updates=args.log_updates,
        daphne_args=shlex.split(args.daphne_args),
        keep_logs=args.keep_logs,
        profile_dir=args.profile,
    )
    started = datetime.now(UTC)
    outcomes: list[Outcome] = []
    interrupted = False
    try:
        for scenario in args.scenario_list:
            for rep in range(1, args.reps + 1):
                print(f"running {scenario.name} (run {rep}/{args.reps}) ...", flush=True)
                outcome = run_scenario(scenario, options, rep)
                outcomes.append(outcome)
                print(verdict_line(outcome, rep, args.reps), flush=True)
                for error in outcome.errors[:5]:
                    print(f"    error: {error}", flush=True)
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted: reporting the runs that finished", flush=True)

    rows = table_rows(outcomes, args.scenario_list)
    print()
    print(render_table(rows) if rows else "no run finished")
    print()
    for outcome in outcomes:
        print(f"CONVERGED {'yes' if outcome.converged else 'no'}  {outcome.scenario}"
              f"  lost={outcome.lost}")  # fmt: skip
    # The plot reads the report as the JSON holds it: build it once, for either.
    report = json.loads(json.dumps(build_report(started, interrupted, rows, outcomes), default=str))
    points = sweep_points(report)
    if points:
        print()
        print(markdown_table(points))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))
        print(f"wrote {args.json}")
    if args.plot and points:
        write_plot(report, args.plot)
        print(f"wrote {args.plot}")
    all_ok = bool(outcomes) and all(outcome.ok for outcome in outcomes)
    return 130 if interrupted else (0 if all_ok else 1)


if __name__ == "__main__":
    sys.exit(main())
