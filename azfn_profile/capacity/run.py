"""`azfn-profile capacity`: the instances a load needs on the profile's plan (and,
with --compare, on every plan that can host it), and what they cost a month.

The command line parses options and prints; this reads the profile, the call time
(measured beats declared), the prices, answers for each plan and formats the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from azfn_profile.capacity import report
from azfn_profile.capacity.inputs import from_bench, read_prices
from azfn_profile.capacity.model import (
    Answer,
    CallTime,
    answer,
    cheapest_first,
    declared,
    label,
)
from azfn_profile.capacity.plans import Candidate, candidates
from azfn_profile.capacity.prices import Prices, for_region, shipped
from azfn_profile.errors import AzfnProfileError, InputError, Problem
from azfn_profile.loader import LoadedProfile, load_profile, resolved
from azfn_profile.spec import AppSpec


class UsageError(AzfnProfileError):
    """The command line lacks what the answer needs."""


@dataclass(frozen=True)
class CapacityRequest:
    profile: Path
    rps: float | None = None
    p95_ms: float | None = None
    call_ms: float | None = None
    bench: Path | None = None
    compare: bool = False
    fmt: str = "text"
    plot: Path | None = None
    prices: Path | None = None
    region: str | None = None
    force: bool = False


@dataclass(frozen=True)
class Result:
    answers: list[Answer]
    skipped: list[Candidate]
    notes: list[str]


def run_capacity(
    request: CapacityRequest, today: date, say: Callable[[str], None]
) -> str:
    loaded = load_profile(request.profile, today=today)
    ready = prepare(request, loaded, today)
    result = answer_all(ready, ready.rps)
    if request.plot is not None:
        title = f"{loaded.profile.name}: monthly cost against load"
        report.plot(ready, result, title, request.plot, force=request.force)
        say(f"wrote {request.plot}")
    return report.render(result, request.fmt, request.compare)


@dataclass(frozen=True)
class Prepared:
    """Everything but the load: read, resolved and priced once (a plot answers at
    many loads)."""

    spec: AppSpec
    rps: float
    p95_ms: float | None
    call: CallTime
    prices: Prices
    notes: list[str]
    candidates: list[Candidate]


def prepare(request: CapacityRequest, loaded: LoadedProfile, today: date) -> Prepared:
    spec = resolved(loaded)
    load = spec.load
    rate = request.rps or (load.rps if load else None)
    if rate is None:
        raise UsageError(
            "capacity needs the load: give --rps N or declare load: {rps: N} in "
            f"{loaded.display}"
        )
    p95_ms = request.p95_ms or (load.p95_ms if load else None)
    call = call_time(request, spec, loaded.display)
    prices, notes = pick_prices(request, spec.location)
    found = candidates(loaded.profile, loaded.code, today) if request.compare else []
    return Prepared(spec, rate, p95_ms, call, prices, notes, found)


def answer_all(ready: Prepared, rps: float) -> Result:
    """The profile's plan first, then the compared plans, cheapest first."""
    p95 = _s(ready.p95_ms)
    mine = answer(
        label(ready.spec) + " (profile)", ready.spec, ready.call, rps, p95, ready.prices
    )
    others = [
        answer(
            c.label,
            c.spec,
            ready.call,
            rps,
            p95,
            ready.prices,
            notes=[f"compared without {k}" for k in c.dropped],
        )
        for c in ready.candidates
        if c.spec is not None
    ]
    skipped = [c for c in ready.candidates if c.spec is None]
    return Result([mine, *cheapest_first(others)], skipped, ready.notes)


def _s(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000


def call_time(request: CapacityRequest, spec: AppSpec, display: str) -> CallTime:
    """Measured (--from-bench) beats declared (--call-ms, then load.call_ms)."""
    if request.bench is not None:
        return from_bench(request.bench, str(request.bench))
    if request.call_ms is not None:
        return declared(spec, request.call_ms, "declared: --call-ms")
    if spec.load is not None and spec.load.call_ms is not None:
        return declared(spec, spec.load.call_ms, f"declared: load.call_ms in {display}")
    raise UsageError(
        "capacity needs the time one call takes: give --call-ms MS, --from-bench "
        f"FILE (a `bench --json` result), or declare load.call_ms in {display}"
    )


def pick_prices(
    request: CapacityRequest, location: str | None
) -> tuple[Prices, list[str]]:
    tables: Sequence[Prices]
    if request.prices is not None:
        tables = read_prices(request.prices, str(request.prices))
    else:
        tables = shipped()
    if request.region is not None and not request.region.strip():
        raise UsageError("--region is empty: give a region name, e.g. westeurope")
    want = (request.region if request.region is not None else location or "").casefold()
    found = for_region(tables, want)
    if found is not None:
        return found, []
    if request.region is not None or (request.prices is not None and len(tables) > 1):
        regions = ", ".join(t.region for t in tables)
        where = str(request.prices) if request.prices else "the shipped price table"
        raise InputError(
            [Problem(where, f"no prices for region '{want}'; it has: {regions}")]
        )
    table = tables[0]
    notes = []
    if want and want != table.region:
        notes.append(
            f"prices are {table.region}'s (the table has no {want} prices; give "
            "--prices with an export of the Retail Prices API for your region)"
        )
    return table, notes
