"""`azfn-profile tune`: the search, the side-by-side comparison and the write-back.

What `tune` measures follows the profile when one is given: its `concurrency` is the
load, its plan's vCPUs are the cores the workers are pinned to (when this machine has
that many), its plan's memory bounds the processes. The winner is compared with the
rules' point and the platform's default by medians of measurements taken in turns; it
is written into the profile only when it beats both by more than the machine's noise.
The default is what an app without the settings gets on the profile's plan: one
process with the host's 1000 threads, or, on Consumption, Elastic Premium and Flex,
one specialised placeholder process with min(32, cores + 4) (facts.unset_thread_pools).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from azfn_profile import facts
from azfn_profile.lab.app import check_function
from azfn_profile.lab.bench import (
    Interrupted,
    lab_environment,
    ms_cell,
    pick_cores,
    table,
)
from azfn_profile.lab.dispatch import Point, Settings, run_point
from azfn_profile.lab.tune import GRID_SIZE, MAX_PROCESSES, Comparison, Search
from azfn_profile.rules._trace import whole_cores

if TYPE_CHECKING:
    from azfn_profile.lab.write_back import Edit

DEFAULT_CONCURRENCY = 64
MemoryPolicy = Literal["larger", "measured"]
EXIT_OK, EXIT_NOT_WRITTEN = 0, 1
_Compared = dict[tuple[int, int], Comparison]


@dataclass(frozen=True)
class TuneRequest:
    app: Path
    function: str
    profile_path: Path | None
    slo: float | None
    write: bool
    concurrency: int | None  # None: the profile's, else DEFAULT_CONCURRENCY
    duration: float
    warmup: float
    cores: int | None  # None: the plan's vCPUs when this machine has them
    latency_ms: float
    body: bytes
    memory: MemoryPolicy = "larger"
    python: Path | None = None  # the app's interpreter
    force: bool = False  # write a process count lower than one sized for other code
    worker_dir: Path | None = None  # the real worker (grpc_host.py)
    specialize: bool = False


@dataclass(frozen=True)
class _Plan:
    """What the profile says about the instance the result is for."""

    rules: tuple[int, int] | None = None
    memory_limit_mb: float | None = None
    declared_memory_mb: int | None = None
    concurrency: int | None = None
    vcpus: float | None = None
    sku: str = ""
    flex: bool = False
    family: str | None = None
    blocked: tuple[str, ...] = ()  # async functions the rules sized as blocking
    processes_declared: bool = False  # the profile sets the process count itself

    def default(self) -> tuple[tuple[int, int], str]:
        """The settings an app without them runs on this plan, and the row's name."""
        if self.family is None or self.vcpus is None:
            return (1, facts.HOST_DEFAULT_THREADS), "host default"
        pools = facts.unset_thread_pools(self.family, whole_cores(self.vcpus), 1)
        name = (
            "host default"
            if pools[0] == facts.HOST_DEFAULT_THREADS
            else "placeholder default"
        )
        return (1, pools[0]), name


def run_tune(
    request: TuneRequest, today: date, say: Callable[[str], None]
) -> tuple[str, int]:
    """Search, compare, maybe write; the report and the exit code."""
    plan = _read_profile(request.profile_path, today)
    check_function(request.app, request.function, request.python)
    measured: list[Point] = []  # every measurement, in order
    try:
        search, compared, keys, notes = _measure(request, plan, say, measured)
    except KeyboardInterrupt:  # Ctrl-C: keep what was measured, write nothing
        raise Interrupted(
            table(measured) if measured else "",
            f"interrupted: {len(measured)} measurement(s) taken; nothing written",
        ) from None
    if compared is None:
        return _nothing_meets(search, request), EXIT_NOT_WRITTEN
    return _report(request, plan, search, compared, keys, notes, today)


def _measure(
    request: TuneRequest,
    plan: _Plan,
    say: Callable[[str], None],
    measured: list[Point],
) -> tuple[Search, _Compared | None, list[tuple[int, int]], str]:
    """The search, then the winner, the rules' point and the default compared
    (None when nothing met the constraints), those points, and the load's notes."""
    concurrency, load_note = _load(request, plan)
    cores, cores_note = _cores(request, plan)
    with lab_environment(request.latency_ms) as env:
        settings = Settings(
            request.app,
            request.function,
            concurrency,
            request.duration,
            request.warmup,
            cores,
            request.body,
            env,
            python=request.python,
            worker_dir=request.worker_dir,
            specialize=request.specialize,
        )
        search = Search(
            _Progress(settings, say, measured),
            request.slo,
            plan.memory_limit_mb,
            1 if plan.flex else MAX_PROCESSES,
            declared_memory_mb=float(plan.declared_memory_mb or 0)
            if request.memory == "larger"
            else 0.0,
        )
        progress = search.evaluate
        assert isinstance(progress, _Progress)
        progress.total = search.budget() + 2 * 3  # + the default and rules, thrice
        say(f"tune: {load_note}; {cores_note}")
        winner = search.run()
        if not search.ok(winner):
            return search, None, [], ""
        keys = [
            (winner.processes, winner.threads),
            *([plan.rules] if plan.rules else []),
            plan.default()[0],
        ]
        compared = search.compare(keys)
    return search, compared, keys, f"{load_note}; {cores_note}"


def _read_profile(path: Path | None, today: date) -> _Plan:
    if path is None:
        return _Plan()
    from azfn_profile.engine import load_profile
    from azfn_profile.rules import resolve
    from azfn_profile.rules.settings import override_int

    loaded = load_profile(path, today=today)
    profile = loaded.profile
    spec = resolve(profile, loaded.code)
    declared = (
        profile.workload.memory_per_process_mb
        if "memory_per_process_mb" in profile.workload.model_fields_set
        else None
    )
    return _Plan(
        rules=(spec.processes or 1, spec.threads or 1),
        memory_limit_mb=0.8 * spec.plan.memory_mb,
        declared_memory_mb=declared,
        concurrency=profile.workload.concurrency,
        vcpus=spec.plan.cores,
        sku=spec.plan.sku,
        flex=spec.plan.family == "flex",
        family=spec.plan.family,
        blocked=tuple(f.name for f in loaded.code.blocking_async)
        if loaded.code is not None
        else (),
        processes_declared=override_int(profile, facts.PROCESS_COUNT) is not None,
    )


def _load(request: TuneRequest, plan: _Plan) -> tuple[int, str]:
    if request.concurrency is not None:
        return request.concurrency, f"load {request.concurrency} in flight"
    if plan.concurrency is not None:
        return plan.concurrency, (
            f"load {plan.concurrency} in flight (the profile's concurrency)"
        )
    return DEFAULT_CONCURRENCY, (
        f"load {DEFAULT_CONCURRENCY} in flight (no concurrency in the profile: "
        "declare workload.concurrency or pass --concurrency)"
    )


def _cores(request: TuneRequest, plan: _Plan) -> tuple[list[int] | None, str]:
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    if request.cores is not None:
        return pick_cores(request.cores), f"{request.cores} core(s) pinned"
    if plan.vcpus is None:
        return None, f"all {available or 'available'} cores of this machine"
    want = whole_cores(plan.vcpus)
    if 0 < want <= available:
        return pick_cores(
            want
        ), f"{want} core(s) pinned ({plan.sku}: {plan.vcpus:g} vCPU)"
    return None, (
        f"{plan.sku} has {plan.vcpus:g} vCPU but this machine lets the lab use "
        f"{available}: the result is for this machine, not for {plan.sku}"
    )


class _Progress:
    """Measures one point and says `[i/N]`, elapsed time and an estimate of the rest."""

    def __init__(
        self, settings: Settings, say: Callable[[str], None], measured: list[Point]
    ) -> None:
        self.settings, self.say, self.measured = settings, say, measured
        self.total, self.done, self.started = 0, 0, time.monotonic()

    def __call__(self, processes: int, threads: int) -> Point:
        self.done += 1
        elapsed = time.monotonic() - self.started
        total = max(self.total, self.done)
        left = (
            elapsed / (self.done - 1) * (total - self.done + 1) if self.done > 1 else 0
        )
        estimate = f", at most ~{_clock(left)} left" if self.done > 1 else ""
        self.say(
            f"[{self.done}/{total}] processes={processes} threads={threads}: "
            f"measuring (elapsed {_clock(elapsed)}{estimate})"
        )
        point = run_point(self.settings, processes, threads)
        self.measured.append(point)
        self.say(
            f"  {point.throughput:.1f} inv/s, p95 {point.p95_ms:.0f} ms, "
            f"rss {point.rss_mb:.0f} MB"
        )
        return point


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _nothing_meets(search: Search, request: TuneRequest) -> str:
    best = min(search.seen.values(), key=lambda p: p.p95_ms)
    why = (
        f"no setting met --slo-p95 {request.slo:g} ms"
        if request.slo is not None
        else "no setting met the constraints (memory, errors)"
    )
    return (
        f"{why}: the lowest p95 measured was {best.p95_ms:.0f} ms at "
        f"processes={best.processes} threads={best.threads} "
        f"({best.throughput:.1f} inv/s, {best.errors} error(s)); nothing written\n"
    )


def _report(
    request: TuneRequest,
    plan: _Plan,
    search: Search,
    compared: dict[tuple[int, int], Comparison],
    keys: list[tuple[int, int]],
    notes: str,
    today: date,
) -> tuple[str, int]:
    default_name = plan.default()[1]
    labels = ["tuned", *(["rules"] if plan.rules else []), default_name]
    tuned = compared[keys[0]]
    noise = max(c.spread for c in compared.values())
    lines = [f"{'':19}  PROCESSES  THREADS   INV/S  P95_MS  CALL_MS  RSS_MB  VS_TUNED"]
    for label, key in zip(labels, keys, strict=True):
        p = compared[key].median
        ratio = p.throughput / tuned.median.throughput if tuned.median.throughput else 0
        lines.append(
            f"{label:19}  {p.processes:9}  {p.threads:7}  {p.throughput:6.1f}  "
            f"{p.p95_ms:6.0f}  {ms_cell(p.call_ms):>7}  {p.rss_mb:6.0f}  {ratio:8.2f}"
        )
    lines += [
        (
            f"medians of {tuned.count} measurements per row, taken in turns; noise "
            f"(largest spread of one row's measurements): {noise:.0%}"
        ),
        notes,
        _default_note(plan, default_name),
        (
            f"searched {len(search.seen)} of {GRID_SIZE} grid points "
            f"({search.measurements} measurements)"
        ),
    ]
    rivals = [
        (label, compared[k]) for label, k in zip(labels[1:], keys[1:], strict=True)
    ]
    short = [
        label
        for label, c in rivals
        if tuned.median.throughput <= (1 + noise) * c.median.throughput
        and (label != "rules" or keys[1] != keys[0])
    ]
    from azfn_profile.lab.bench import async_blocking_signature

    signature = async_blocking_signature(
        list(search.seen.values()), request.latency_ms, request.app
    )
    if signature:
        lines.append(f"note: {signature}")
    from azfn_profile.lab.bench import (
        overhead_note,
        real_worker_note,
        usable_cores,
        worker_python,
    )

    if request.worker_dir is not None:
        lines.append(f"note: {real_worker_note(tuned.median, request.worker_dir)}")
    else:
        pinned, _ = _cores(request, plan)
        shortness = overhead_note(
            tuned.median,
            len(pinned) if pinned else usable_cores(),
            worker_python(request.python),
        )
        if shortness:
            lines.append(f"note: {shortness}")
    same_as_rules = plan.rules is not None and keys[0] == plan.rules
    memory = _memory(request, plan, tuned.median)
    if memory is not None:
        lines.append(memory[1])
    if not request.write or request.profile_path is None:
        if short:
            lines.append(_not_better(short, noise))
        return "\n".join(lines) + "\n", EXIT_OK
    if same_as_rules:
        lines.append("not written: the tuned point is the rules' own; nothing to add")
        return "\n".join(lines) + "\n", EXIT_NOT_WRITTEN
    if short:
        lines.append(_not_better(short, noise) + "; not written")
        return "\n".join(lines) + "\n", EXIT_NOT_WRITTEN
    from azfn_profile.errors import InputError, Problem
    from azfn_profile.files import Unreadable, read_bytes
    from azfn_profile.lab.write_back import edit_profile, write_profile
    from azfn_profile.yamlload import MAX_BYTES

    winner = tuned.median
    path = request.profile_path
    try:
        blob = read_bytes(path, MAX_BYTES)
    except Unreadable as exc:
        raise InputError([Problem(str(path), exc.message)]) from None
    processes: int | None = None if plan.flex else winner.processes
    warning = _lowers_blocking_processes(request, plan, winner.processes)
    held = bool(warning) and not request.force
    if warning:
        lines.append(warning)
    if held:
        processes = None
    text, edits = edit_profile(
        blob,
        processes=processes,
        threads=winner.threads,
        memory_mb=memory[0] if memory else None,
        display=str(path),
    )
    if plan.flex:
        lines.append(
            f"left app_settings.{facts.PROCESS_COUNT} unset (Flex Consumption "
            "rejects it; tune searched threads only)"
        )
    elif held:
        lines.append(
            f"left app_settings.{facts.PROCESS_COUNT} at the rules' "
            f"{plan.rules[0] if plan.rules else '?'}"
        )
    lines += [_edit_line(edit, plan) for edit in edits]
    if not any(edit.changed for edit in edits):
        lines.append(f"not written: {path} already holds these values")
        return "\n".join(lines) + "\n", EXIT_NOT_WRITTEN
    write_profile(path, text, today)
    lines.append(f"wrote {path}; every other key left as it was")
    return "\n".join(lines) + "\n", EXIT_OK


def _lowers_blocking_processes(
    request: TuneRequest, plan: _Plan, processes: int
) -> str:
    """A warning when the measured process count would lower the one the rules chose
    for the whole app because other functions block their event loops ("" if not)."""
    if plan.flex or plan.rules is None or plan.processes_declared:
        return ""
    others = [name for name in plan.blocked if name != request.function]
    if not others or processes >= plan.rules[0]:
        return ""
    where = ", ".join(others)
    if request.force:
        return (
            f"warning: writing {facts.PROCESS_COUNT} {processes} below the rules' "
            f"{plan.rules[0]}, which were sized for async functions that block "
            f"({where}) (--force)"
        )
    return (
        f"warning: not writing {facts.PROCESS_COUNT} {processes}: the rules chose "
        f"{plan.rules[0]} for the whole app because async functions that block "
        f"({where}) need a process per invocation; {request.function} alone does not "
        "measure them (pass --force to write it anyway)"
    )


def _edit_line(edit: Edit, plan: _Plan) -> str:
    if not edit.changed:
        if edit.path.startswith("workload."):
            return f"left {edit.path} as declared ({edit.after})"
        return f"left {edit.path} at {edit.after} (already the profile's)"
    if edit.before is not None:
        was = f"{edit.before} in the profile"
    elif edit.path.endswith(facts.PROCESS_COUNT) and plan.rules:
        was = f"the rules' {plan.rules[0]}"
    elif edit.path.endswith(facts.THREAD_COUNT) and plan.rules:
        was = f"the rules' {plan.rules[1]}"
    else:
        was = "not declared"
    return f"wrote {edit.path}: {edit.after} (was: {was})"


def _default_note(plan: _Plan, name: str) -> str:
    where = f"on {plan.sku}" if plan.sku else "without a profile"
    if name == "placeholder default":
        return (
            f"{name} {where}: the first worker process, specialised from a "
            "placeholder, rebuilds its pool with min(32, cores + 4) when "
            "PYTHON_THREADPOOL_THREAD_COUNT is unset"
        )
    return (
        f"{name} {where}: a worker process the host starts gets "
        f"{facts.HOST_DEFAULT_THREADS} threads when PYTHON_THREADPOOL_THREAD_COUNT "
        "is unset (Dedicated plans; on Consumption, Elastic Premium and Flex the "
        "first process gets min(32, cores + 4))"
    )


def _not_better(labels: list[str], noise: float) -> str:
    return (
        f"the tuned point is not better than the {' and the '.join(labels)} by more "
        f"than the noise ({noise:.0%})"
    )


def _memory(request: TuneRequest, plan: _Plan, winner: Point) -> tuple[int, str] | None:
    """The memory per process to write, and a line saying how it was chosen."""
    measured = max(16, math.ceil(winner.rss_mb))
    if request.profile_path is None:
        return None
    declared = plan.declared_memory_mb
    if declared is None:
        return measured, f"memory per process: measured {measured} MB (none declared)"
    if request.memory == "measured":
        return measured, (
            f"memory per process: declared {declared} MB, measured {measured} MB; "
            "using the measurement (--memory measured)"
        )
    kept = max(declared, measured)
    return kept, (
        f"memory per process: declared {declared} MB, measured {measured} MB; "
        f"keeping the larger, {kept} MB (--memory measured uses the measurement)"
    )
