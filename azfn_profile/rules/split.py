"""How an instance's capacity C is shared by the functions that run on it.

Queue `batchSize + newBatchThreshold`, Service Bus `maxConcurrentCalls` and blob
`maxDegreeOfParallelism` each limit one function; HTTP's `maxConcurrentRequests` limits
all HTTP functions together. On every plan but Flex, all of them run on the same
worker processes, so C is split: each queue, Service Bus and blob function gets
s = max(1, floor(C / units)) where units = the HTTP group (when present) + those
functions, and HTTP keeps the rest, C - s x (units - 1). On Flex, per-function scaling
puts the HTTP group, the blob group and every other function on instances of their
own (cite.PER_FUNCTION_SCALING), so only blob functions share.

Durable Functions throttle per instance in two numbers (cite.DURABLE_PERF):
`maxConcurrentActivityFunctions` for all activities together and
`maxConcurrentOrchestratorFunctions` for orchestrators and entities together; each is
one unit (`activity`, `orchestration`) beside the others. On Flex both run in the
`durable` scale group, on instances of its own, where they share.

Used by the rules (to size host.json) and by the checks (to judge what a host.json
admits), so both read the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Triggers with a static per-function limit in host.json.
PER_FUNCTION = ("queue", "servicebus", "blob")
# Durable Functions' two throttles, each limiting a set of functions together: the
# unit and the triggers it covers.
DURABLE_UNITS = {
    "activity": ("activity",),
    "orchestration": ("orchestration", "entity"),
}


def durable_units(counts: Mapping[str, int]) -> tuple[str, ...]:
    """The Durable throttles these functions need (activity, orchestration)."""
    return tuple(
        unit
        for unit, triggers in DURABLE_UNITS.items()
        if any(counts.get(t) for t in triggers)
    )


@dataclass(frozen=True)
class Split:
    capacity: int
    units: int  # groups and functions sharing one instance (non-Flex)
    http: int | None  # the HTTP group's limit; None without HTTP functions
    share: Mapping[str, int]  # trigger -> each such function's limit


def split(
    capacity: int, counts: Mapping[str, int], *, flex: bool, dynamic: bool = False
) -> Split:
    """Share C among the functions in `counts` (trigger -> how many)."""
    # Dynamic concurrency manages every per-function trigger itself.
    sized = {} if dynamic else {t: counts[t] for t in PER_FUNCTION if counts.get(t)}
    has_http = bool(counts.get("http"))
    durable = durable_units(counts)
    if flex:
        share = dict.fromkeys(sized, capacity)
        if "blob" in sized:
            share["blob"] = max(1, capacity // sized["blob"])
        # The durable group's instances run both throttles' functions: the
        # orchestrators get an even part, the activities (the work) the rest.
        each = max(1, capacity // max(1, len(durable)))
        share.update(dict.fromkeys(durable, each))
        if len(durable) == 2:
            share["activity"] = max(1, capacity - each)
        units = max(1, sized.get("blob", 0))
        return Split(capacity, units, capacity if has_http else None, share)
    units = int(has_http) + sum(sized.values()) + len(durable)
    each = max(1, capacity // max(1, units))
    http = max(1, capacity - each * (units - 1)) if has_http else None
    return Split(capacity, units, http, dict.fromkeys((*sized, *durable), each))
