"""`init --measure`: one short lab run of the app, for what the code cannot show.

One worker process, one thread, one invocation at a time, against the lab's loopback
upstream: the worker's peak RSS is its memory per process, and CPU seconds over the
invocations' wall time give the share of time spent computing (the rest waits on I/O).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

from azfn_profile.init.draft import Measured

DURATION_S, WARMUP_S, LATENCY_MS = 3.0, 0.5, 50.0


def measure_app(
    app: Path,
    function: str,
    say: Callable[[str], None],
    *,
    python: Path | None = None,
) -> Measured:
    """Measure `function` in the lab, run by `python` (the app's interpreter;
    default: this one)."""
    from azfn_profile.extras import require

    require("lab", "azfn-profile init --measure")
    from azfn_profile.lab.bench import lab_environment
    from azfn_profile.lab.dispatch import Settings, run_point

    started = time.monotonic()
    say(
        f"init: measuring {function} for {DURATION_S + WARMUP_S:g} s (1 process, 1 "
        f"thread, one invocation at a time, upstream latency {LATENCY_MS:g} ms)"
    )
    with lab_environment(LATENCY_MS) as env:
        settings = Settings(
            app, function, 1, DURATION_S, WARMUP_S, None, b"{}", env, python=python
        )
        point = run_point(settings, 1, 1)
    if point.total == 0 or point.busy_s <= 0:
        from azfn_profile.init.draft import DraftError

        raise DraftError(f"{function}: no invocation completed in the measuring run")
    cpu_share = min(1.0, point.cpu_s / point.busy_s)
    io_share = round(min(0.95, max(0.05, 1 - cpu_share)), 2)
    return Measured(
        memory_mb=max(16, math.ceil(point.rss_mb)),
        io_share=io_share,
        seconds=time.monotonic() - started,
        invocations=point.total,
        function=function,
    )
