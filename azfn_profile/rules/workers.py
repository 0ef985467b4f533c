"""Worker rules: processes per instance and threads per process."""

from __future__ import annotations

from typing import Protocol

from azfn_profile import catalog, facts, guidance
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


def processes(profile: Profile, placement: Placement, trace: Trace) -> int | None:
    """p = min(10, c, fit); None on Flex, which rejects the setting."""
    if placement.flex:
        return None
    c = whole_cores(placement.cores)
    per_process = profile.workload.memory_per_process_mb
    fit = memory_fit(placement.memory_mb, per_process)
    wanted = min(facts.MAX_WORKER_PROCESSES, c)
    value = min(wanted, fit)
    inputs = {
        "cores": placement.cores,
        "c": c,
        "memory_mb": placement.memory_mb,
        "memory_per_process_mb": per_process,
        "fit": fit,
        "max": facts.MAX_WORKER_PROCESSES,
    }
    trace.record(
        facts.PROCESS_COUNT, value, "workers.processes", inputs, guidance.PROCESSES
    )
    if fit < wanted and profile.workload.kind in ("cpu", "mixed"):
        roomier = _roomier_sku(placement, per_process)
        trace.record(
            facts.PROCESS_COUNT,
            value,
            "workers.memory-limits-processes",
            {**inputs, "suggested_sku": roomier},
            guidance.PROCESSES_MEMORY,
            level="warning",
            note=_memory_note(placement, wanted, fit, roomier),
        )
    return value


def _roomier_sku(placement: Placement, per_process_mb: int) -> str | None:
    """The smallest SKU of the same family, at least as many cores, that fits."""
    family = [
        p
        for s in catalog.skus().values()
        if s.family == placement.sku.family
        for p in placements(s)
    ]
    family.sort(key=lambda p: (p.cores, p.memory_mb))
    for candidate in family:
        if candidate.cores >= placement.cores and fits(candidate, per_process_mb):
            return candidate.sku.name
    return None


def _memory_note(
    placement: Placement, wanted: int, fit: int, roomier: str | None
) -> str:
    head = (
        f"memory, not cores, limits processes: {placement.sku.name} has "
        f"{placement.memory_mb} MB, room for {fit} worker process(es), but its cores "
        f"call for {wanted}"
    )
    if roomier:
        return f"{head}; {roomier} would fit one per core"
    return (
        f"{head}; no {placement.sku.family} SKU fits one per core, so lower "
        "workload.memory_per_process_mb"
    )


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
        value, rule, why = 1, "workers.threads.cpu", guidance.THREADS_CPU
    elif workload.kind == "mixed":
        share = workload.io_share if workload.io_share is not None else 0.5
        value = max(1, round_half_up((c + 4) * share))
        if workload.style == "sync" and workload.concurrency is not None:
            # Each invocation waiting on I/O holds a pool thread: a pool smaller than
            # the waits in flight queues work while the cores idle (measured by the lab
            # on examples/apps/mixed: see README, "The rules").
            value = max(value, ceil_share(share, workload.concurrency, process_count))
            inputs.update(concurrency=workload.concurrency, processes=process_count)
        rule, why = "workers.threads.mixed", guidance.THREADS_MIXED
        inputs["io_share"] = share
    elif workload.style == "async":
        value, rule, why = c + 4, "workers.threads.io-async", guidance.THREADS_ASYNC
    else:
        value = c + 4
        if workload.concurrency is not None:
            value = max(value, ceil_div(workload.concurrency, process_count))
        inputs.update(concurrency=workload.concurrency, processes=process_count)
        rule, why = "workers.threads.io", guidance.THREADS_IO
    return trace.record(facts.THREAD_COUNT, value, rule, inputs, why)


class WorkloadLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def style(self) -> str: ...
    @property
    def concurrency(self) -> int | None: ...


def capacity(workload: WorkloadLike, process_count: int, thread_count: int) -> int:
    """C: invocations one instance can run at once with these worker settings."""
    if workload.kind == "cpu":
        return process_count
    if workload.style == "async":
        if workload.concurrency is not None:
            return process_count * ceil_div(workload.concurrency, process_count)
        return process_count * facts.FLEX_ASYNC_DEFAULT_CONCURRENCY
    return process_count * thread_count


__all__ = ["capacity", "processes", "threads", "wanted_processes"]
