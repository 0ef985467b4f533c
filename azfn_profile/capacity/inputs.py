"""The user's files capacity reads: an export of the Azure Retail Prices API, and a
`bench --json` result as a measured call time.

A bench record holds one (processes, threads) point: `call_ms` and `cpu_ms` are one
invocation's mean wall and CPU time inside the worker, `rss_mb` the largest worker
process's peak memory. The point with the fewest threads, then the fewest processes,
is read: the one where calls wait least on each other, so its wall time is closest
to one call alone (the queueing model adds the waiting).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from azfn_profile.capacity.model import CallTime
from azfn_profile.capacity.prices import Prices, parse
from azfn_profile.errors import InputError, Problem


def read_json(path: Path, display: str) -> Any:
    """A user's JSON file through the bounded reader; a located error otherwise."""
    from azfn_profile.files import Unreadable, read_text
    from azfn_profile.sources.jsonc import JsonError, loads

    try:
        return loads(read_text(path))
    except Unreadable as exc:
        raise InputError([Problem(display, exc.message, exc.line, exc.col)]) from None
    except JsonError as exc:
        raise InputError(
            [Problem(display, f"not JSON: {exc.message}", exc.line, exc.col)]
        ) from None


def read_prices(path: Path, display: str) -> tuple[Prices, ...]:
    """A user's export of the Retail Prices API: one table per region found."""
    tables = tuple(parse(read_json(path, display), display))
    if not tables:
        raise InputError(
            [
                Problem(
                    display,
                    "no Consumption-type item of a Functions or App Service meter: "
                    "export https://prices.azure.com/api/retail/prices with "
                    "serviceName 'Functions' and 'Azure App Service' for your region",
                )
            ]
        )
    return tables


def from_bench(path: Path, display: str) -> CallTime:
    data = read_json(path, display)
    records = [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
    usable = [r for r in records if _usable(r)]
    if not usable:
        hosted = any(r.get("round_trip_ms") is not None for r in records)
        raise InputError(
            [
                Problem(
                    display,
                    "measured with --worker-dir: the real worker does not say how long "
                    "a call itself runs, only the host's round trip (run `azfn-profile "
                    "bench ... --json` without --worker-dir for call times)"
                    if hosted
                    else "not a `bench --json` result with call times: expected a list "
                    "of records with processes, threads, call_ms and cpu_ms (run "
                    "`azfn-profile bench ... --json` again)",
                )
            ]
        )
    best = min(usable, key=lambda r: (r["threads"], r["processes"]))
    wall, cpu = float(best["call_ms"]), float(best["cpu_ms"])
    share = min(1.0, cpu / wall)
    rss: Any = best.get("rss_mb")
    memory = float(rss) if _number(rss) and rss > 0 else None
    over = " (CPU time above the wall time: threads in native code; counted as 100 %)"
    return CallTime(
        wall / 1000,
        share,
        f"measured: {display} (processes={best['processes']}, "
        f"threads={best['threads']}: {wall:g} ms per call, {share:.0%} CPU)"
        + (over if cpu > wall else ""),
        measured=True,
        memory_mb=memory,
    )


def _number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4096


def _usable(record: dict[str, Any]) -> bool:
    """A point this reader trusts: whole, positive process and thread counts, a
    call time from 1 microsecond to an hour, CPU time from 0, memory absent or a
    size from 0."""
    rss = record.get("rss_mb")
    return (
        _count(record.get("processes"))
        and _count(record.get("threads"))
        and all(_number(record.get(k)) for k in ("call_ms", "cpu_ms"))
        and 0.001 <= record["call_ms"] <= 3_600_000
        and 0 <= record["cpu_ms"] <= 3_600_000 * 64
        and (rss is None or (_number(rss) and 0 <= rss < 10**9))
    )
