"""What the Python worker's own per-invocation CPU does to throughput.

Each invocation costs its worker process `overhead` ms of CPU beyond the function's
(facts.WORKER_OVERHEAD_MS), and a process runs Python on one core at a time, so one
process completes at most 1 / (cpu + overhead) calls per second, however short the
function, and an instance at most min(cores, processes) times that. The lab's worker
spends less than the real one, so a throughput the lab measures on short work is an
upper bound; `estimate` says what the real worker would reach instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from azfn_profile import facts


def per_process_ceiling(cpu_ms: float, overhead_ms: float) -> float:
    """Calls per second one worker process can complete: 1 / (cpu + overhead)."""
    return 1000.0 / (max(0.0, cpu_ms) + overhead_ms)


def short(call_ms: float | None, per_process_rate: float | None = None) -> bool:
    """Whether the worker's overhead weighs on this work (facts.SHORT_WORK_*)."""
    return (call_ms is not None and call_ms < facts.SHORT_WORK_MS) or (
        per_process_rate is not None and per_process_rate > facts.SHORT_WORK_RATE
    )


@dataclass(frozen=True)
class Estimate:
    """A measured throughput and what the real worker would reach in its place."""

    measured: float  # calls/s
    real: float  # calls/s
    overhead_ms: float
    bound: str  # "cores" or "latency": what limits the estimate ("" when nothing)

    @property
    def drop(self) -> float:
        """The fraction of the measured throughput the overhead takes away."""
        return 0.0 if self.measured <= 0 else 1.0 - self.real / self.measured


def estimate(
    throughput: float,
    processes: int,
    cores: float,
    cpu_ms: float,
    overhead_ms: float,
    in_flight: int | None = None,
) -> Estimate:
    """The throughput with `overhead_ms` more worker CPU per invocation.

    Two bounds, the lower wins:
    - cores: the processes together run Python on min(cores, processes) cores, and
      each call now costs cpu + overhead of it: r' <= min(cores, p) / (cpu + o);
    - latency (closed loop, `in_flight` calls kept waiting): each call takes the
      overhead longer, and by Little's law r' = n / (n / r + o).
    `cpu_ms` is the CPU per invocation measured; the measured rate is never raised.
    """
    if throughput <= 0 or processes <= 0:
        return Estimate(throughput, throughput, overhead_ms, "")
    real, bound = throughput, ""
    by_cores = min(cores, processes) * per_process_ceiling(cpu_ms, overhead_ms)
    if by_cores < real:
        real, bound = by_cores, "cores"
    if in_flight:
        by_latency = in_flight / (in_flight / throughput + overhead_ms / 1000)
        if by_latency < real:
            real, bound = by_latency, "latency"
    return Estimate(throughput, real, overhead_ms, bound)


__all__ = ["Estimate", "estimate", "per_process_ceiling", "short"]
