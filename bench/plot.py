"""The sweep scenario as a chart and a table, from the JSON that `bench/run.py --json` writes.

    .venv/bin/python bench/plot.py bench/results/sweep.json --svg bench/results/sweep.svg

Draws fan-out latency (p50, p95, p99) and server CPU per delivered update against the number of
clients in the room, as a hand-written SVG (no plotting library), and prints the same figures as
a Markdown table. With `--reps` > 1 each point is the median of its runs.
"""

import argparse
import json
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from statistics import median
from typing import Any
from xml.sax.saxutils import escape, quoteattr

SWEEP_PREFIX = "sweep-"  # run.py names the sweep's runs sweep-<clients> (bench/scenarios.py)
WIDTH = 760
LEFT, RIGHT = 84, 28  # room for the y tick labels and axis title; a little air on the right
FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
INK, MUTED, GRID = "#1f2328", "#59636e", "#e6e8eb"
# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. Values are
# printed for the outer lines only (p95 lies between them and would overprint them).
LATENCY_SERIES = [
    ("p50", "#0072B2", "below"),
    ("p95", "#E69F00", None),
    ("p99", "#D55E00", "above"),
]
CPU_COLOUR = "#009E73"


@dataclass(frozen=True)
class SweepPoint:
    """The figures of one client count (medians when it ran more than once)."""

    clients: int
    runs: int
    deliveries: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    cpu_us: float | None
    lost: int
    converged: int  # runs that converged
    send_s: float | None  # longer than planned: the harness fell behind its own schedule
    load: float | None


# -- figures ------------------------------------------------------------------------------------


def _median(values: Iterable[Any]) -> float | None:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return median(numbers) if numbers else None


def sweep_runs(report: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """The report's sweep runs by client count (read from the scenario name, `sweep-<n>`, so
    that a run that failed before measuring anything still counts)."""
    by_clients: dict[int, list[dict[str, Any]]] = {}
    for run in report.get("runs", []):
        count = run["scenario"].removeprefix(SWEEP_PREFIX)
        if run["scenario"].startswith(SWEEP_PREFIX) and count.isdigit():
            by_clients.setdefault(int(count), []).append(run)
    return dict(sorted(by_clients.items()))


def sweep_point(clients: int, runs: list[dict[str, Any]]) -> SweepPoint:
    """The figures of the runs of one client count."""

    def metric(name: str) -> float | None:
        return _median(run["metrics"].get(name) for run in runs)

    return SweepPoint(
        clients=clients,
        runs=len(runs),
        deliveries=_median(run["details"].get("receipts") for run in runs),
        p50_ms=metric("fan-out p50 ms"),
        p95_ms=metric("fan-out p95 ms"),
        p99_ms=metric("fan-out p99 ms"),
        cpu_us=metric("server CPU µs per delivered update"),
        lost=sum(run["lost"] for run in runs),
        converged=sum(1 for run in runs if run["converged"]),
        send_s=_median(run["details"].get("send_phase_s") for run in runs),
        load=metric("load average at start"),
    )


def sweep_points(report: dict[str, Any]) -> list[SweepPoint]:
    """One point per client count, in increasing order."""
    return [sweep_point(clients, runs) for clients, runs in sweep_runs(report).items()]


def _cell(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if value >= 100 or digits == 0 else f"{value:.{digits}f}"


def markdown_table(points: list[SweepPoint]) -> str:
    """The sweep's figures as a Markdown table."""
    lines = [
        "| clients | deliveries | fan-out p50 ms | p95 ms | p99 ms "
        "| server CPU µs / delivery | lost | converged | send phase s | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for point in points:
        converged = "yes" if point.converged == point.runs else f"{point.converged}/{point.runs}"
        cells = [
            str(point.clients),
            _cell(point.deliveries, 0),
            _cell(point.p50_ms),
            _cell(point.p95_ms),
            _cell(point.p99_ms),
            _cell(point.cpu_us),
            str(point.lost),
            "no" if point.converged == 0 else converged,
            _cell(point.send_s),
            _cell(point.load),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- scales and ticks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """Maps data values in [low, high] to pixels in [start, end] on a logarithmic scale: client
    counts grow geometrically, and latency spans decades once the room saturates."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = math.log10(self.high) - math.log10(self.low)
        fraction = (math.log10(value) - math.log10(self.low)) / span if span else 0.5
        return self.start + fraction * (self.end - self.start)


def log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks from the last one at or below `low` to the first one at or above `high`."""
    exponents = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    candidates = [mantissa * 10.0**exponent for exponent in exponents for mantissa in (1, 2, 5)]
    first = max(tick for tick in candidates if tick <= low)
    last = min(tick for tick in candidates if tick >= high)
    return [tick for tick in candidates if first <= tick <= last]


def number(value: float) -> str:
    """A tick label: no trailing zeros, thousands with a thin separator."""
    if value >= 1000:
        return f"{value:,.0f}".replace(",", "\u2009")
    return f"{value:g}"


# -- SVG ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One line of a chart."""

    label: str
    colour: str
    points: list[tuple[float, float]]  # (clients, value)
    # Print each value beside its dot ("above" or "below"): tooltips do not show in a README.
    values: str | None = None


def text(x: float, y: float, content: str, size: int = 13, **attributes: str) -> str:
    """A <text> element; `text_anchor="end"` becomes `text-anchor="end"`."""
    attributes.setdefault("fill", INK)
    extra = "".join(f" {key.replace('_', '-')}={quoteattr(v)}" for key, v in attributes.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{extra}>{escape(content)}</text>'


def short(value: float) -> str:
    """A value printed beside its dot: three figures at most."""
    if value >= 100:
        return number(round(value))
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def polyline(series: Series, x: Scale, y: Scale) -> list[str]:
    """The series' line, a dot at each point, and each point's value (as a tooltip too)."""
    coordinates = [(x(cx), y(cy)) for cx, cy in series.points]
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in coordinates)
    elements = [
        f'<polyline points="{path}" fill="none" stroke="{series.colour}" stroke-width="2.5"'
        ' stroke-linejoin="round"/>'
    ]
    for (cx, cy), (px, py) in zip(series.points, coordinates, strict=True):
        elements.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{series.colour}" stroke="white"'
            f' stroke-width="1.5"><title>{escape(series.label)}: {cy:g} at {cx:g} clients'
            "</title></circle>"
        )
        if series.values is not None:
            dy = -10 if series.values == "above" else 20
            # A white outline keeps the value legible where it crosses a line or the grid.
            halo = {"stroke": "white", "stroke_width": "3", "paint_order": "stroke"}
            label = text(
                px, py + dy, short(cy), 12, text_anchor="middle", fill=series.colour, **halo
            )
            elements.append(label)
    return elements


def panel(
    top: float,
    height: float,
    x: Scale,
    x_ticks: list[float],
    y_ticks: list[float],
    y_label: str,
    series: list[Series],
) -> list[str]:
    """A chart with a logarithmic y axis: grid, ticks and labels on both axes, a y-axis title,
    then the series."""
    bottom = top + height
    y = Scale(y_ticks[0], y_ticks[-1], bottom, top)
    elements = []
    for tick in y_ticks:
        py = y(tick)
        elements.append(
            f'<line x1="{x.start:.1f}" x2="{x.end:.1f}" y1="{py:.1f}" y2="{py:.1f}"'
            f' stroke="{GRID}"/>'
        )
        elements.append(text(x.start - 8, py + 4.5, number(tick), text_anchor="end", fill=MUTED))
    for tick in x_ticks:
        px = x(tick)
        elements.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{GRID}"/>'
        )
        elements.append(text(px, bottom + 20, number(tick), text_anchor="middle", fill=MUTED))
    elements.append(
        f'<line x1="{x.start:.1f}" x2="{x.end:.1f}" y1="{bottom:.1f}" y2="{bottom:.1f}"'
        f' stroke="{MUTED}"/>'
    )
    middle = top + height / 2
    elements.append(
        text(22, middle, y_label, text_anchor="middle", transform=f"rotate(-90 22 {middle:.1f})")
    )
    for one in series:
        elements += polyline(one, x, y)
    return elements


def legend(x: float, y: float, series: list[Series]) -> list[str]:
    """Swatches and labels in a row, starting at (x, y)."""
    elements = []
    for one in series:
        elements.append(
            f'<line x1="{x:.1f}" x2="{x + 26:.1f}" y1="{y:.1f}" y2="{y:.1f}"'
            f' stroke="{one.colour}" stroke-width="2.5"/>'
        )
        elements.append(f'<circle cx="{x + 13:.1f}" cy="{y:.1f}" r="4" fill="{one.colour}"/>')
        elements.append(text(x + 32, y + 4.5, one.label))
        x += 40 + 8 * len(one.label)
    return elements


def subtitle_lines(report: dict[str, Any]) -> list[str]:
    """What ran, and when, where and on which commit."""
    groups = list(sweep_runs(report).values())
    details = [run["details"] for runs in groups for run in runs]
    workloads = [detail["workload"] for detail in details if "workload" in detail]
    what = "1 room"
    if workloads:  # absent only if every run failed before it measured anything
        rate, edits = workloads[0]["rate_hz"], workloads[0]["edits"]
        what += f", each client types at {rate:g} Hz for {edits / rate:g} s"
    what += "; a fresh server per point; harness and server share the machine"
    reps = max(len(runs) for runs in groups)
    if reps > 1:
        what += f"; median of {reps} runs"
    machine = report.get("machine", {})
    # "Linux-6.1.0-13-amd64-x86_64-with-glibc2.36" → "Linux x86_64": the JSON has the rest.
    platform = str(machine.get("platform", "?")).split("-with-")[0].split("-")
    started = datetime.fromisoformat(report["started"]).strftime("%Y-%m-%d %H:%M %Z")
    where = f"{started} · {machine.get('cpus', '?')} CPUs, {platform[0]} {platform[-1]}"
    loads = [point.load for point in sweep_points(report) if point.load is not None]
    if loads:  # the machine is shared: say how busy it was
        where += f" · load average {min(loads):.1f}–{max(loads):.1f} at the start of each point"
    versions = report.get("versions", {})
    names = {"python": "Python", "pycrdt": "pycrdt", "daphne": "daphne"}
    software = ", ".join(f"{names[key]} {versions[key]}" for key in names if key in versions)
    git = report.get("git", {})
    commit = f"commit {(git.get('commit') or '?')[:7]}"
    if git.get("dirty"):
        commit += " with local changes"
    return [what, where, f"{software} · {commit}"]


def ticks_for(series: list[Series]) -> list[float]:
    """Log ticks that span every value of the series, with room for the printed values."""
    values = [value for one in series for _, value in one.points] or [1.0]
    return log_ticks(min(values) / 1.5, max(values) * 1.5)


def render_svg(report: dict[str, Any]) -> str:
    """The sweep chart: latency percentiles on top, server CPU per delivery below."""
    points = sweep_points(report)
    if not points:
        raise ValueError("the report holds no sweep run (bench/run.py --scenarios sweep)")
    clients = [float(point.clients) for point in points]
    x = Scale(min(clients) / 1.25, max(clients) * 1.25, LEFT, WIDTH - RIGHT)

    def series(label: str, colour: str, values: list[float | None], at: str | None) -> Series:
        # A log axis has no room for zero or a missing figure: such points are left out.
        pairs = [(c, v) for c, v in zip(clients, values, strict=True) if v is not None and v > 0]
        return Series(label, colour, pairs, at)

    latency = [
        series(f"fan-out {name}", colour, [getattr(p, f"{name}_ms") for p in points], at)
        for name, colour, at in LATENCY_SERIES
    ]
    cpu_label = "server CPU µs per delivered update"
    cpu = series(cpu_label, CPU_COLOUR, [p.cpu_us for p in points], "above")

    title = "Fan-out latency and server CPU vs clients in one room"
    elements = [
        f'<rect width="{WIDTH}" height="100%" fill="white"/>',
        text(LEFT, 32, title, 19, font_weight="600"),
    ]
    y = 54.0  # a cursor down the image
    for line in subtitle_lines(report):
        elements.append(text(LEFT, y, line, 12, fill=MUTED))
        y += 18
    latency_label = "fan-out latency, ms (log scale)"
    elements += legend(LEFT, y + 14, latency)
    elements += panel(y + 30, 280, x, clients, ticks_for(latency), latency_label, latency)
    y += 30 + 280 + 62
    elements += legend(LEFT, y, [cpu])
    elements += panel(y + 16, 170, x, clients, ticks_for([cpu]), "CPU µs / delivery (log)", [cpu])
    y += 16 + 170 + 46
    x_label = "clients in the room (log scale)"
    elements.append(text((LEFT + WIDTH - RIGHT) / 2, y, x_label, 14, text_anchor="middle"))
    height = round(y + 18)
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}"'
            f' viewBox="0 0 {WIDTH} {height}" font-family="{FONT}">',
            *(f"  {element}" for element in elements),
            "</svg>",
            "",
        ]
    )


def write_plot(report: dict[str, Any], output: Path) -> None:
    """Write the sweep chart of a report to `output`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_svg(report))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the JSON of bench/run.py --json")
    parser.add_argument("--svg", type=Path, help="write the chart here")
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    points = sweep_points(report)
    if not points:
        parser.error(f"{args.report} holds no sweep run (bench/run.py --scenarios sweep)")
    print(markdown_table(points))
    if args.svg:
        write_plot(report, args.svg)
        print(f"wrote {args.svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
