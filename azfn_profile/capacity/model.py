"""How many instances a load needs, and what they cost.

One instance is an M/M/c queue (capacity/queueing.py) whose `c` is the number of
calls it runs at once: the fleet's per-instance admission for the group that serves
the load (the workers' threads or event loop, and the trigger limits), lowered by
the CPU (each worker process runs Python on one core at a time, and each call costs
it the function's CPU and the worker's own, facts.WORKER_OVERHEAD_MS, so
`min(cores, processes) x call / (cpu + overhead)` calls keep the CPU busy; the
overhead bounds even calls that only wait). The load is split evenly over the
instances; the count is the fewest that keep every instance stable
and, when a p95 is asked for, within it. Limits are reported, never used to clip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from azfn_profile import facts
from azfn_profile.capacity import billing
from azfn_profile.capacity.prices import Prices
from azfn_profile.capacity.queueing import Queue, alone_p95, instances_needed, servers
from azfn_profile.fleet import Fleet, Group, Load, fleet
from azfn_profile.spec import AppSpec


@dataclass(frozen=True)
class CallTime:
    """One call's wall time, the share of it spent computing, and where they come
    from; a measured one also knows a worker process's memory."""

    seconds: float
    cpu_share: float | None  # None: not known; only the worker's overhead is CPU
    source: str
    measured: bool = False
    memory_mb: float | None = None  # one worker process (measured)


def declared(spec: AppSpec, call_ms: float, source: str) -> CallTime:
    """A declared call time; the CPU share follows the declared workload."""
    w = spec.workload
    share: float | None = None
    if w is not None and w.kind == "cpu":
        share = 1.0
    elif w is not None and w.kind == "mixed":
        share = 1.0 - (w.io_share if w.io_share is not None else 0.5)
    return CallTime(call_ms / 1000, share, source)


@dataclass(frozen=True)
class Instance:
    """What one instance of the serving group carries."""

    group: Group
    slots: int | None  # calls at once the settings admit (None: unbounded)
    cpu_slots: float | None  # calls at once the CPU keeps up with (None: no bound)
    servers: int | None  # the queue's c
    rps: float | None  # the most calls/s one instance carries (None: unbounded)
    limit: int | None  # the most instances the group can run
    limit_from: str
    seconds: float  # how long a call holds its slot: its time and the worker's
    loads: tuple[Load, ...] = ()  # the downstream services and who calls them
    overhead_ms: float = 0.0  # the worker's CPU per call (facts.WORKER_OVERHEAD_MS)

    @property
    def why(self) -> str:
        at_once = "unbounded" if self.slots is None else str(self.slots)
        parts = [f"{at_once} at once ({self.group.per_instance.why})"]
        if self.cpu_slots is not None and (
            self.slots is None or self.cpu_slots < self.slots
        ):
            parts.append(
                f"the CPU keeps up with {self.cpu_slots:.3g} at once, with the "
                f"worker's {self.overhead_ms:g} ms of CPU a call"
            )
        return "; ".join(parts)


def label(spec: AppSpec) -> str:
    """A plan as capacity names it: the SKU, and a Flex instance's memory."""
    if spec.plan.family == "flex":
        return f"{spec.plan.sku} {spec.plan.memory_mb} MB"
    return spec.plan.sku


def serving_group(found: Fleet) -> Group:
    """The group the load goes to: HTTP's when there is one, else the first."""
    for group in found.groups:
        if group.name in ("http", "app"):
            return group
    return found.groups[0]


def instance(spec: AppSpec, call: CallTime) -> Instance:
    found = fleet(spec)
    group = serving_group(found)
    slots = group.per_instance.value
    # A call holds its slot for its own time and the worker's hand-offs around it,
    # and costs its process the function's CPU and the worker's own
    # (facts.WORKER_OVERHEAD_MS): min(cores, processes) / (cpu + overhead) calls a
    # second keep the CPU busy, `cpu_slots` at once (overhead.py).
    overhead = facts.worker_overhead_ms(spec.python) / 1000
    held = call.seconds + overhead
    processes = 1 if spec.plan.family == "flex" else spec.processes or 1
    cores = min(spec.plan.cores, processes)
    cpu = call.seconds * (call.cpu_share or 0.0)
    cpu_slots: float | None = cores * held / (cpu + overhead)
    bound: float = math.inf if slots is None else slots
    if cpu_slots is not None and cpu_slots < bound:
        # The CPU binds: ceil(cpu_slots) calls share the cores, each stretched so
        # that together they run exactly the CPU's rate.
        c = servers(math.ceil(cpu_slots))
        assert c is not None
        held = max(held, c * (cpu + overhead) / cores)
    else:
        c = servers(None if math.isinf(bound) else max(1, math.floor(bound)))
    if group.max_instances is not None:
        limit = group.instances
        limit_from = f"the instance limit is {limit}"
        if group.flex and group.always_ready:
            limit_from += (
                f" ({group.max_instances} + {group.always_ready} always ready)"
            )
    else:
        limit = found.platform_limit
        limit_from = f"{spec.plan.sku} runs at most {limit} instances"
    rate = None if c is None else c / held
    return Instance(
        group,
        slots,
        cpu_slots,
        c,
        rate,
        limit,
        limit_from,
        held,
        found.loads,
        overhead * 1000,
    )


@dataclass(frozen=True)
class Answer:
    """One plan's answer to one load."""

    label: str
    spec: AppSpec
    call: CallTime
    capacity: Instance
    rps: float
    p95_target: float | None  # seconds
    instances: int
    p95: float  # seconds, predicted at `instances`
    meets: bool
    why: tuple[str, ...]
    bill: billing.Bill | None
    prices: Prices
    always_ready: int


def answer(
    label: str,
    spec: AppSpec,
    call: CallTime,
    rps: float,
    p95: float | None,
    prices: Prices,
    notes: Sequence[str] = (),
) -> Answer:
    cap = instance(spec, call)
    n, reachable = instances_needed(rps, cap.seconds, cap.servers, p95)
    ready = _always_ready(spec, cap.group)
    serving = max(n, ready) if spec.plan.family in ("flex", "premium") else n
    queue = Queue(rps / serving, cap.seconds, cap.servers)
    why = [message for _, message in _shortfalls(spec, cap, call, rps, n, reachable)]
    bill, priced = _bill(spec, call, rps, n, ready, queue, prices)
    return Answer(
        label,
        spec,
        call,
        cap,
        rps,
        p95,
        n,
        queue.percentile(),
        not why,
        tuple(why + priced + list(notes)),
        bill,
        prices,
        ready,
    )


def limits_of(
    spec: AppSpec, call: CallTime, rps: float, p95: float | None
) -> list[tuple[str, str]]:
    """(AppSpec path, why) for each limit that keeps the load from being served."""
    cap = instance(spec, call)
    n, reachable = instances_needed(rps, cap.seconds, cap.servers, p95)
    return _shortfalls(spec, cap, call, rps, n, reachable)


def _shortfalls(
    spec: AppSpec, cap: Instance, call: CallTime, rps: float, n: int, reachable: bool
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    ms = call.seconds * 1000
    if not reachable:
        out.append(
            (
                "load.p95_ms",
                (
                    f"one call alone has a p95 of {alone_p95(cap.seconds) * 1000:.0f} ms "
                    f"(ln 20 x the {cap.seconds * 1000:.4g} ms mean, the worker's "
                    f"{cap.overhead_ms:g} ms included), above the target"
                ),
            )
        )
    if cap.limit is not None and n > cap.limit:
        per = "unbounded" if cap.rps is None else f"{rate(cap.rps)}/s"
        out.append(
            (
                "plan.max_instances",
                (
                    f"{rps:g} calls/s of {ms:g} ms need {n} instances at {per} each "
                    f"({cap.why}); {cap.limit_from}"
                ),
            )
        )
    in_flight = rps * call.seconds
    for index, load in enumerate(cap.loads):
        d = load.downstream
        if cap.group.name in load.groups and in_flight > d.max_concurrency:
            out.append(
                (
                    f"downstream.{index}",
                    (
                        f"downstream '{d.name}' takes {d.max_concurrency} at once; "
                        f"{rps:g} calls/s x {ms:g} ms keep {in_flight:,.0f} in flight"
                    ),
                )
            )
    return out


def _always_ready(spec: AppSpec, group: Group) -> int:
    if spec.plan.family == "flex":
        return group.always_ready
    if spec.plan.family == "premium":
        return spec.plan.always_ready or 0
    return 0


def _bill(
    spec: AppSpec,
    call: CallTime,
    rps: float,
    n: int,
    ready: int,
    queue: Queue,
    prices: Prices,
) -> tuple[billing.Bill | None, list[str]]:
    plan = spec.plan
    try:
        if plan.family == "dedicated":
            return billing.dedicated(prices, plan.sku, n), []
        if plan.family == "premium":
            return billing.premium(prices, plan.cores, plan.memory_mb, n, ready), []
        if plan.family == "flex":
            active = billing.flex_active(
                queue.lam, queue.idle_probability(), call.seconds
            )
            use = billing.Activity(rps, max(n, ready), active)
            return billing.flex(prices, plan.memory_mb, use, ready), []
        memory, said = _app_memory(spec, call)
        return billing.consumption(prices, memory, call.seconds, rps), said
    except billing.NoPrice as exc:
        return None, [f"no cost: {exc}"]


def _app_memory(spec: AppSpec, call: CallTime) -> tuple[float, list[str]]:
    """What one Consumption instance's app holds in memory, and a word when it is
    an assumption."""
    processes = spec.processes or 1
    if call.memory_mb is not None:
        return processes * call.memory_mb, []
    w = spec.workload
    if w is not None and w.memory_per_process_mb is not None:
        return processes * w.memory_per_process_mb, []
    return float(billing.CONSUMPTION_MAX_MB), [
        "memory per execution unknown: billed at the 1,536 MB ceiling"
    ]


def rate(calls: float) -> str:
    """Calls per second as people read them: 1,234.5, 8.0, 0.000278."""
    return f"{calls:,.1f}" if calls >= 1 else f"{calls:.3g}"


def money(a: Answer) -> str:
    if a.bill is None:
        return "no price"
    return f"{a.bill.total:,.2f} {a.prices.currency}"


def describe(a: Answer) -> list[str]:
    """The arithmetic of one answer, for `capacity` and `explain`."""
    cap = a.capacity
    per = "unbounded" if cap.rps is None else f"{rate(cap.rps)} calls/s"
    out = [
        f"{a.label}:",
        f"  one instance ({cap.group.name}): {cap.why} -> {per}",
        f"  instances: {a.instances}"
        + (f" (limit {cap.limit})" if cap.limit is not None else "")
        + (f", {a.always_ready} always ready" if a.always_ready else ""),
        "  predicted p95: "
        + ("unbounded" if math.isinf(a.p95) else f"{a.p95 * 1000:,.0f} ms"),
        f"  per month: {money(a)}",
    ]
    if a.bill is not None:
        out += [f"    {w}: {v:,.2f}" for w, v in a.bill.lines]
    out.append("  meets the target: " + ("yes" if a.meets else "no"))
    out += [f"    {w}" for w in a.why]
    return out


def cheapest_first(answers: Sequence[Answer]) -> list[Answer]:
    """Plans that meet the target by cost, then the others by cost."""
    return sorted(
        answers,
        key=lambda a: (
            not a.meets,
            math.inf if a.bill is None else a.bill.total,
            a.label,
        ),
    )
