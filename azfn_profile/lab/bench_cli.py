"""`azfn-profile bench`: measure a grid of worker settings and say what it shows.

The command line parses options and prints; this runs the grid (progress through
`say`), formats the table or JSON, and gathers the notes the measurements support
(the first error, the signature of an async function that blocks its event loop)
and the heatmap.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from azfn_profile.lab.bench import (
    Interrupted,
    async_blocking_signature,
    heatmap,
    lab_environment,
    overhead_note,
    pick_cores,
    real_worker_note,
    run_grid,
    table,
    usable_cores,
    worker_python,
)
from azfn_profile.lab.dispatch import Point, Settings

DEFAULT_CONCURRENCY = 64


@dataclass(frozen=True)
class BenchRequest:
    app: Path
    function: str
    processes: list[int]
    threads: list[int]
    concurrency: int | None  # None: DEFAULT_CONCURRENCY
    duration: float
    warmup: float
    cores: int | None
    latency_ms: float
    body: bytes
    python: Path | None = None  # the app's interpreter
    rate: float | None = None  # open loop: invocations per second
    as_json: bool = False
    plot: Path | None = None
    worker_dir: Path | None = None  # the real worker (grpc_host.py)
    specialize: bool = False


def run_bench(request: BenchRequest, say: Callable[[str], None]) -> str:
    """Measure every (processes, threads) point; the table (or JSON) to print."""
    grid = [(p, t) for p in request.processes for t in request.threads]
    points: list[Point] = []  # in the order measured

    def progress(i: int, p: int, t: int, point: Point | None) -> None:
        head = f"[{i}/{len(grid)}] processes={p} threads={t}: "
        if point is None:
            say(head + f"measuring {request.warmup + request.duration:.0f} s ...")
        else:
            points.append(point)
            say(
                head
                + f"{point.throughput:.1f} inv/s, p95 {point.p95_ms:.0f} ms"
                + (f", {point.errors} error(s)" if point.errors else "")
            )

    try:
        with lab_environment(request.latency_ms) as env:
            settings = Settings(
                request.app,
                request.function,
                request.concurrency or DEFAULT_CONCURRENCY,
                request.duration,
                request.warmup,
                pick_cores(request.cores),
                request.body,
                env,
                request.rate,
                request.python,
                request.worker_dir,
                request.specialize,
            )
            run_grid(settings, grid, progress)
    except KeyboardInterrupt:  # Ctrl-C: keep what was measured
        raise Interrupted(
            _output(points, request.as_json),
            f"interrupted: {len(points)} of {len(grid)} point(s) measured",
        ) from None
    first = next((p.first_error for p in points if p.first_error), None)
    if first:
        say(f"first error: {first}")
    signature = async_blocking_signature(points, request.latency_ms, request.app)
    if signature:
        say(f"note: {signature}")
    cores_used = len(settings.cores) if settings.cores else usable_cores()
    best = max(points, key=lambda p: p.throughput, default=None)
    if best is not None and request.worker_dir is not None:
        say(f"note: {real_worker_note(best, request.worker_dir)}")
    elif best is not None:
        shortness = overhead_note(best, cores_used, worker_python(request.python))
        if shortness:
            say(f"note: {shortness}")
    if request.plot is not None:
        title = (
            f"{request.app.name}:{request.function} throughput (invocations/s)\n"
            f"{points[0].load}, {cores_used} core(s), "
            f"{request.latency_ms:g} ms upstream"
        )
        heatmap(points, request.plot, title)
        say(f"wrote {request.plot}")
    return _output(points, request.as_json)


def _output(points: list[Point], as_json: bool) -> str:
    """The table or the JSON records (nothing for no point)."""
    if as_json:
        return json.dumps([p.record() for p in points], indent=2) + "\n"
    return table(points) if points else ""
