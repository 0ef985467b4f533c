"""`azfn-profile tune`: the search, the comparison table and the write-back."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

from azfn_profile.lab.app import find_function
from azfn_profile.lab.bench import lab_environment, pick_cores
from azfn_profile.lab.dispatch import Point, Settings, run_point
from azfn_profile.lab.tune import GRID_SIZE, MAX_PROCESSES, Search

AZURE_DEFAULT = (1, 1000)  # one process; the v4 host injects 1000 threads when unset


def run_tune(
    app: Path,
    function: str,
    profile_path: Path | None,
    slo: float | None,
    write: bool,
    concurrency: int,
    duration: float,
    warmup: float,
    cores: int | None,
    latency_ms: float,
    body: bytes,
    today: date,
    say: Callable[[str], None],
) -> str:
    rules: tuple[int, int] | None = None
    memory_limit, max_processes, flex = None, MAX_PROCESSES, False
    if profile_path is not None:
        from azfn_profile.engine import resolve_file

        spec = resolve_file(profile_path, today=today)
        flex = spec.plan.family == "flex"
        rules = (spec.processes or 1, spec.threads or 1)
        memory_limit = 0.8 * spec.plan.memory_mb
        max_processes = 1 if flex else MAX_PROCESSES
    find_function(app, function)
    with lab_environment(latency_ms) as env:
        settings = Settings(
            app, function, concurrency, duration, warmup, pick_cores(cores), body, env
        )

        def evaluate(processes: int, threads: int) -> Point:
            say(f"measuring processes={processes} threads={threads} ...")
            point = run_point(settings, processes, threads)
            say(
                f"  {point.throughput:.1f} inv/s, p95 {point.p95_ms:.0f} ms, "
                f"rss {point.rss_mb:.0f} MB"
            )
            return point

        search = Search(evaluate, slo, memory_limit, max_processes)
        winner = search.run()
        searched, measured = len(search.seen), search.measurements
        default = search.point(*AZURE_DEFAULT)
        rules_point = search.point(*rules) if rules else None
    rows = [("tuned", winner), ("azure default", default)]
    if rules_point is not None:
        rows.insert(1, ("rules", rules_point))
    lines = [f"{'':14}  PROCESSES  THREADS   INV/S  P95_MS  RSS_MB  VS_TUNED"]
    for label, p in rows:
        ratio = p.throughput / winner.throughput if winner.throughput else 0.0
        lines.append(
            f"{label:14}  {p.processes:9}  {p.threads:7}  {p.throughput:6.1f}  "
            f"{p.p95_ms:6.0f}  {p.rss_mb:6.0f}  {ratio:8.2f}"
        )
    lines.append(
        f"searched {searched} of {GRID_SIZE} grid points "
        f"({measured} measurements: the finalists twice more)"
    )
    if write and profile_path is not None:
        from azfn_profile.lab.write_back import updated_profile, write_profile

        text = updated_profile(
            profile_path.read_text("utf-8"),
            processes=None if flex else winner.processes,
            threads=winner.threads,
            memory_mb=winner.rss_mb,
        )
        write_profile(profile_path, text, today)
        lines.append(
            f"wrote processes={winner.processes} threads={winner.threads} "
            f"memory_per_process_mb={max(16, math.ceil(winner.rss_mb))} "
            f"to {profile_path}"
        )
    return "\n".join(lines) + "\n"
