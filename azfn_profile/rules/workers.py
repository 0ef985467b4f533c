"""Worker rules: processes per instance and threads per process."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from azfn_profile import catalog, facts
from azfn_profile.overhead import per_process_ceiling, short
from azfn_profile.profile import Profile
from azfn_profile.rules._trace import (
    Trace,
    ceil_div,
    ceil_share,
    memory_fit,
    round_half_up,
    whole_cores,
)
from azfn_profile.rules.plan import Placement, fits, placements, wanted_processes

if TYPE_CHECKING:  # the code model loads only for profiles that name code
    from azfn_profile.code.model import FunctionInfo


def processes(
    profile: Profile,
    placement: Placement,
    trace: Trace,
    blocked: Sequence[FunctionInfo] = (),
) -> int | None:
    """p = min(10, c, fit), or min(10, fit) when async functions block their event
    loops; None on Flex, which rejects the setting."""
    if placement.flex:
        return None
    c = whole_cores(placement.cores)
    per_process = profile.workload.memory_per_process_mb
    fit = memory_fit(placement.memory_mb, per_process)
    inputs: dict[str, float | int | str | None] = {
        "cores": placement.cores,
        "c": c,
        "memory_mb": placement.memory_mb,
        "memory_per_process_mb": per_process,
        "fit": fit,
        "max": facts.MAX_WORKER_PROCESSES,
    }
    brief = short_work(profile)
    if brief is not None:
        inputs.update(brief[0])
    if blocked and brief is None:
        value = min(facts.MAX_WORKER_PROCESSES, fit)
        trace.record(
            facts.PROCESS_COUNT,
            value,
            "workers.processes.async-blocking",
            inputs,
            note=blocking_note(blocked),
        )
        return value
    value = min(facts.MAX_WORKER_PROCESSES, c, fit)
    note = ""
    if brief is not None:
        note = brief[1]
        if blocked:
            note += (
                "; processes beyond the cores would only add CPU to share, so the "
                f"blocking async functions get {value}, not one per wait "
                f"({blocking_note(blocked)})"
            )
    trace.record(
        facts.PROCESS_COUNT,
        value,
        "workers.processes.short-work" if brief is not None else "workers.processes",
        inputs,
        note=note,
    )
    return value


def short_work(
    profile: Profile,
) -> tuple[dict[str, float | int | str | None], str] | None:
    """When the declared call (`load.call_ms`) is short (overhead.short), the inputs
    and the note that say what bounds one worker process: its CPU per call, the
    function's and the worker's own (facts.WORKER_OVERHEAD_MS)."""
    load = profile.load
    if load is None or load.call_ms is None or not short(load.call_ms):
        return None
    workload = profile.workload
    share = 1.0 if workload.kind == "cpu" else 0.0
    if workload.kind == "mixed":
        share = 1.0 - (workload.io_share if workload.io_share is not None else 0.5)
    cpu_ms = load.call_ms * share
    o = facts.worker_overhead_ms(profile.python)
    ceiling = per_process_ceiling(cpu_ms, o)
    inputs: dict[str, float | int | str | None] = {
        "call_ms": load.call_ms,
        "cpu_ms": round(cpu_ms, 3),
        "worker_overhead_ms": o,
        "per_process_ceiling": round(ceiling, 1),
    }
    note = (
        f"short work ({load.call_ms:g} ms a call): each call also costs its process "
        f"the Python worker's {o:g} ms of CPU, so one process completes at most "
        f"1000 / ({cpu_ms:.3g} + {o:g}) = {ceiling:,.0f} calls/s; beyond that, "
        "more throughput takes more processes on more cores, not more threads"
    )
    return inputs, note


def blocking_note(blocked: Sequence[FunctionInfo]) -> str:
    """Which async function blocks, where, and on what (the first of them)."""
    f = blocked[0]
    served = ""
    if f.routes:  # a framework's route blocks the loop the function runs it on
        served = f", served by {f.name},"
        f = next(r for r in f.routes if r.blocks_event_loop)
    e = f.of("blocking")[0]
    more = f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else ""
    return (
        f"{f.label} ({f.file}:{f.line}){served} is async def but calls {e.call} at "
        f"{e.where()}{more}: sized as blocking work until the code is fixed (AZFN401)"
    )


def roomier_sku(family: str, cores: float, per_process_mb: int) -> str | None:
    """The smallest SKU of `family`, at least `cores` cores, that fits a worker
    process per core at `per_process_mb` each."""
    candidates = [
        p for s in catalog.skus().values() if s.family == family for p in placements(s)
    ]
    candidates.sort(key=lambda p: (p.cores, p.memory_mb))
    for candidate in candidates:
        if candidate.cores >= cores and fits(candidate, per_process_mb):
            return candidate.sku.name
    return None


def threads(
    profile: Profile, placement: Placement, process_count: int, trace: Trace
) -> int:
    """Threads per process, by workload kind (always explicit: the host's default is 1000)."""
    workload = profile.workload
    c = whole_cores(placement.cores)
    inputs: dict[str, float | int | str | None] = {
        "cores": placement.cores,
        "c": c,
        "kind": workload.kind,
    }
    if workload.kind == "cpu":
        value, rule = 1, "workers.threads.cpu"
    elif workload.kind == "mixed":
        share = workload.io_share if workload.io_share is not None else 0.5
        value = max(1, round_half_up((c + 4) * share))
        if workload.style == "sync" and workload.concurrency is not None:
            # Each invocation waiting on I/O holds a pool thread: a pool smaller than
            # the waits in flight queues work while the cores idle (measured by the lab
            # on examples/apps/mixed: see README, "The rules").
            value = max(value, ceil_share(share, workload.concurrency, process_count))
            inputs.update(concurrency=workload.concurrency, processes=process_count)
        rule = "workers.threads.mixed"
        inputs["io_share"] = share
    elif workload.style == "async":
        value, rule = c + 4, "workers.threads.io-async"
    else:
        value = c + 4
        if workload.concurrency is not None:
            value = max(value, ceil_div(workload.concurrency, process_count))
        inputs.update(concurrency=workload.concurrency, processes=process_count)
        rule = "workers.threads.io"
    family = placement.sku.family
    unset = facts.unset_thread_pools(family, c, process_count, profile.python)
    note = f"unset on {placement.sku.name}: {facts.describe_unset_pools(unset)}"
    if facts.proxy_worker(profile.python) and family in facts.PLACEHOLDER_FAMILIES:
        note += (
            f"; on Python {profile.python} the first worker process of a pre-warmed "
            f"instance keeps the placeholder's {facts.HOST_DEFAULT_THREADS} threads "
            "whatever this says (azure-functions-runtime up to "
            f"{facts.RUNTIME_LIBRARY_NEWEST} builds its pool before the app's settings "
            "arrive; AZFN117)"
        )
    return trace.record(facts.THREAD_COUNT, value, rule, inputs, note=note)


class WorkloadLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def style(self) -> str: ...
    @property
    def concurrency(self) -> int | None: ...


def capacity(
    workload: WorkloadLike,
    process_count: int,
    thread_count: int,
    async_default: int = facts.ASYNC_DEFAULT_CONCURRENCY,
    *,
    blocked: bool = False,
) -> int:
    """C: invocations one instance can run at once with these worker settings.

    Async work without a declared concurrency runs `async_default` tasks per process;
    async functions that block run one at a time per process (`blocked`).
    """
    if workload.kind == "cpu" or (blocked and workload.style == "async"):
        return process_count
    if workload.style == "async":
        if workload.concurrency is not None:
            return process_count * ceil_div(workload.concurrency, process_count)
        return process_count * async_default
    return process_count * thread_count


__all__ = [
    "capacity",
    "processes",
    "roomier_sku",
    "short_work",
    "threads",
    "wanted_processes",
]
