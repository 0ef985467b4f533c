"""Run a grid of (processes, threads) points and present the results."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from azfn_profile import facts
from azfn_profile.lab.app import LabError, check_function
from azfn_profile.lab.dispatch import Point, Settings, run_point
from azfn_profile.lab.upstream import upstream
from azfn_profile.overhead import estimate, short

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class Interrupted(Exception):
    """Ctrl-C while measuring: the output for the points measured before it (the
    table so far, or the JSON records), and a line saying how far the run got."""

    def __init__(self, output: str, note: str) -> None:
        super().__init__(note)
        self.output = output


def usable_cores() -> int:
    """The CPUs this process may run on: its affinity where the platform has one."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def pick_cores(count: int | None) -> list[int] | None:
    """The first `count` CPUs this process may use (None: all of them)."""
    if count is None:
        return None
    available = (
        sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    )
    if not available:
        raise LabError("--cores needs a platform with CPU affinity (Linux)")
    if not 1 <= count <= len(available):
        raise LabError(
            f"--cores {count}: this machine lets the lab use {len(available)}"
        )
    return available[:count]


@contextmanager
def lab_environment(latency_ms: float) -> Iterator[dict[str, str]]:
    """Start the loopback upstream; the workers find it in UPSTREAM_URL."""
    with upstream(latency_ms / 1000) as url:
        yield {"UPSTREAM_URL": url}


def run_grid(
    settings: Settings,
    grid: Sequence[tuple[int, int]],
    report: Callable[[int, int, int, Point | None], None],
) -> list[Point]:
    check_function(settings.app, settings.function, settings.python)
    points = []
    for index, (processes, threads) in enumerate(grid, start=1):
        report(index, processes, threads, None)
        point = run_point(settings, processes, threads)
        report(index, processes, threads, point)
        points.append(point)
    return points


def table(points: Sequence[Point]) -> str:
    open_loop = any(p.rate is not None for p in points)
    head = (
        "PROCESSES",
        "THREADS",
        "SENT/S" if open_loop else "CONCURRENCY",
        "INV/S",
        "P50_MS",
        "P95_MS",
        "P99_MS",
        "CALL_MS",
        "CPU_MS",
        "ERRORS",
        "RSS_MB",
    )
    rows = [head] + [
        (
            str(p.processes),
            str(p.threads),
            f"{p.rate:g}" if p.rate is not None else str(p.concurrency),
            f"{p.throughput:.1f}",
            f"{p.p50_ms:.1f}",
            f"{p.p95_ms:.1f}",
            f"{p.p99_ms:.1f}",
            ms_cell(p.call_ms),
            ms_cell(p.cpu_ms),
            str(p.errors),
            f"{p.rss_mb:.1f}",
        )
        for p in points
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "".join(
        "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + "\n"
        for r in rows
    )


def ms_cell(value: float | None) -> str:
    """A time per invocation: three significant figures, '-' when none ran."""
    return "-" if value is None else f"{value:.3g}"


def heatmap(points: Sequence[Point], path: Path, title: str) -> None:
    """Write the throughput heatmap of `points` (PNG)."""
    import matplotlib.pyplot as plt

    fig = heatmap_figure(points, title)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def heatmap_figure(points: Sequence[Point], title: str) -> Figure:
    """Throughput over processes x threads; the best cell outlined and in bold, each
    label in black or white, whichever reads on its cell's colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    procs = sorted({p.processes for p in points})
    threads = sorted({p.threads for p in points})
    grid = [
        [
            next(
                (p.throughput for p in points if p.processes == pr and p.threads == t),
                float("nan"),
            )
            for t in threads
        ]
        for pr in procs
    ]
    fig, ax = plt.subplots(figsize=(1.2 * len(threads) + 3, 0.8 * len(procs) + 2))
    image = ax.imshow(grid, cmap="viridis", aspect="auto", origin="lower")
    ax.set_xticks(range(len(threads)), [str(t) for t in threads])
    ax.set_yticks(range(len(procs)), [str(p) for p in procs])
    ax.set_xlabel("threads per process")
    ax.set_ylabel("worker processes")
    best = max(
        (
            (i, j)
            for i, row in enumerate(grid)
            for j, v in enumerate(row)
            if not math.isnan(v)
        ),
        key=lambda ij: grid[ij[0]][ij[1]],
        default=None,
    )
    lo, hi = image.get_clim()
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if math.isnan(value):  # not measured
                continue
            r, g, b, _ = image.cmap(0.5 if hi == lo else (value - lo) / (hi - lo))
            ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
            weight = "bold" if (i, j) == best else "normal"
            ax.text(
                j,
                i,
                f"{value:.0f}",
                ha="center",
                va="center",
                color=ink,
                fontweight=weight,
            )
    if best is not None:
        from matplotlib.patches import Rectangle

        ax.add_patch(
            Rectangle(
                (best[1] - 0.5, best[0] - 0.5),
                1,
                1,
                fill=False,
                edgecolor="red",
                linewidth=2.5,
            )
        )
    fig.colorbar(image, label="invocations / s")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def async_blocking_signature(
    points: Sequence[Point], latency_ms: float, app: Path
) -> str | None:
    """A note when throughput follows processes / upstream latency and not threads:
    the measured shape of async functions that block their event loop."""
    if latency_ms <= 0:
        return None
    by_processes: dict[int, list[Point]] = {}
    for point in points:
        if point.errors == 0 and point.throughput > 0:
            by_processes.setdefault(point.processes, []).append(point)
    groups = [g for g in by_processes.values() if len({p.threads for p in g}) >= 2]
    if not groups or not any(max(p.threads for p in g) >= 4 for g in groups):
        return None
    per_loop = 1000 / latency_ms
    for group in groups:
        rates = sorted(p.throughput for p in group)
        expected = group[0].processes * per_loop
        if (
            rates[-1] > 1.25 * rates[0]
            or not 0.6 * expected <= rates[-1] <= 1.3 * expected
        ):
            return None
    return (
        f"throughput follows processes x {per_loop:.0f}/s (one invocation per "
        f"{latency_ms:g} ms upstream call per process) and not threads: the signature "
        "of async functions that make blocking calls; run azfn-profile check "
        f"{app} (AZFN401)"
    )


def worker_python(python: Path | None) -> str:
    """The Python version ("3.11") the workers run: the app's interpreter's, or this
    one's."""
    import sys

    if python is None:
        return f"{sys.version_info[0]}.{sys.version_info[1]}"
    from azfn_profile.lab.interpreter import version_of

    major, minor = version_of(python)
    return f"{major}.{minor}"


def overhead_note(point: Point, cores: float, python: str) -> str | None:
    """When `point` measured short work (a call under facts.SHORT_WORK_MS, or a
    process above facts.SHORT_WORK_RATE calls/s), say that its throughput is an upper
    bound and what the real Python worker's own CPU per invocation would bring it to
    (overhead.estimate)."""
    call_ms = point.call_ms
    if call_ms is None or point.throughput <= 0 or point.errors:
        return None
    per_process = point.throughput / point.processes
    if not short(call_ms, per_process):
        return None
    generation = facts.worker_generation(python)
    o = facts.WORKER_OVERHEAD_MS[generation]
    guess = estimate(
        point.throughput,
        point.processes,
        cores,
        point.cpu_ms or 0.0,
        o,
        None if point.rate is not None else point.concurrency,
    )
    head = (
        f"short work ({call_ms:.3g} ms a call, {per_process:,.0f}/s per process)"
        if call_ms < facts.SHORT_WORK_MS
        else f"a high call rate ({per_process:,.0f}/s per process, {call_ms:.3g} ms "
        "a call)"
    )
    what = (
        f"{head}: {point.throughput:,.0f} inv/s at processes={point.processes} "
        f"threads={point.threads} is an upper bound. The real Python "
        f"{'proxy worker' if generation == 'proxy' else 'worker'} (Python {python}) "
        f"spends about {o:g} ms more CPU per invocation than the lab (gRPC, "
        "hand-offs, a log line; docs/lab.md)"
    )
    if guess.drop < 0.005:
        return what + ", which these cores and calls absorb"
    why = (
        f"{min(cores, point.processes):g} core(s) at {(point.cpu_ms or 0) + o:.3g} "
        "ms of CPU a call"
        if guess.bound == "cores"
        else f"{point.concurrency} in flight, each {o:g} ms longer"
    )
    return what + f": expect about {guess.real:,.0f} inv/s (-{guess.drop:.0%}; {why})"


def real_worker_note(point: Point, worker_dir: Path) -> str:
    """What a point measured on the user's own worker says per invocation."""
    record = point.record()
    parts = [f"measured on the worker in {worker_dir}"]
    if record["cpu_ms"] is not None:
        parts.append(f"{record['cpu_ms']:.3g} ms of worker CPU per invocation")
    if record["host_cpu_ms"] is not None:
        parts.append(
            f"{record['host_cpu_ms']:.3g} ms in the lab's host (not the platform's; "
            "not counted)"
        )
    if record["round_trip_ms"] is not None:
        parts.append(f"{record['round_trip_ms']:.3g} ms round trip at the host")
    return ", ".join(parts)
