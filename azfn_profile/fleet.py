"""The fleet: how many invocations an app can run at once across all its instances.

Every plan scales in groups. On Flex Consumption, HTTP functions share the `http`
group, Event Grid blob functions the `blob` group, Durable functions the `durable`
group, and every other function scales alone as `function:<name>`
(cite.FLEX_SCALE_GROUPS); `maximumInstanceCount` caps each group's on-demand
instances and always-ready instances are kept per group beside that cap
(cite.FLEX_MAX_PER_GROUP, cite.FLEX_ALWAYS_READY). On every other plan the whole
app is one group (`app`): its instance limit is the site's scale limit, and its
always-ready instances count within it.

A group's ceiling is its instances times what one instance admits for it: the
smaller of the workers' capacity (processes x threads, or event-loop tasks) and the
trigger limits of its functions (Flex HTTP perInstanceConcurrency or host.json
maxConcurrentRequests; queue batchSize + newBatchThreshold, cite.QUEUE_TARGET_SCALER;
Service Bus maxConcurrentCalls; Event Hubs maxEventBatchSize; blob
maxDegreeOfParallelism; Durable's maxConcurrentActivityFunctions for all activities
and maxConcurrentOrchestratorFunctions for orchestrators and entities, each counted
once, cite.DURABLE_PERF). A timer function runs on one instance at a time
(cite.TIMER_SINGLETON). `None` means no setting bounds it.

Pure: it reads an AppSpec, whatever it came from, so `render`, `explain` and `check`
show the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from azfn_profile import catalog, facts
from azfn_profile.fleet_limits import Limit, TriggerLimits
from azfn_profile.profile import names_for
from azfn_profile.spec import AppSpec, Downstream

APP_GROUP = "app"


@dataclass(frozen=True)
class Group:
    name: str
    functions: tuple[str, ...]
    max_instances: int | None  # the configured limit; None: none is set
    always_ready: int
    per_instance: Limit
    flex: bool  # always-ready sit outside the maximum (Flex) or within it
    singleton: bool = False  # timer functions only: one invocation at a time
    unlimited: str = "no instance limit is set"  # why max_instances is None

    @property
    def instances(self) -> int | None:
        """The most instances the group can run."""
        if self.max_instances is None:
            return None
        if self.flex:
            return self.max_instances + self.always_ready
        return max(self.max_instances, self.always_ready)

    @property
    def ceiling(self) -> int | None:
        if self.singleton:  # each timer function runs on one instance at a time
            return len(self.functions)
        if self.instances is None or self.per_instance.value is None:
            return None
        return self.instances * self.per_instance.value

    def arithmetic(self) -> str:
        if self.singleton:
            return (
                f"{len(self.functions)} (a timer function runs on one instance at a "
                "time)"
            )
        n = self.instances
        c = self.per_instance.value
        if self.flex and self.max_instances is not None and self.always_ready:
            count = f"({self.max_instances} + {self.always_ready} always ready)"
        else:
            count = f"unbounded ({self.unlimited})" if n is None else str(n)
        per = "unbounded" if c is None else str(c)
        total = "unbounded" if self.ceiling is None else str(self.ceiling)
        return f"{count} instances x {per} ({self.per_instance.why}) = {total}"


@dataclass(frozen=True)
class Load:
    """One downstream service: which groups call it and what they can send at once."""

    downstream: Downstream
    groups: tuple[str, ...]
    ceiling: int | None

    @property
    def exceeded(self) -> bool:
        return self.ceiling is None or self.ceiling > self.downstream.max_concurrency


@dataclass(frozen=True)
class Fleet:
    groups: tuple[Group, ...]
    platform_limit: int | None  # the SKU's most instances, when the SKU is known
    loads: tuple[Load, ...] = ()

    @property
    def total_ceiling(self) -> int | None:
        total = 0
        for group in self.groups:
            if group.ceiling is None:
                return None
            total += group.ceiling
        return total

    def document(self) -> dict[str, Any]:
        """The fleet as plain data (render --format json)."""
        return {
            "groups": [
                {
                    "name": g.name,
                    "functions": list(g.functions),
                    "max_instances": g.max_instances,
                    "always_ready": g.always_ready,
                    "instances": 1 if g.singleton else g.instances,
                    "per_instance_concurrency": 1
                    if g.singleton
                    else g.per_instance.value,
                    "per_instance_from": g.per_instance.why,
                    "ceiling": g.ceiling,
                }
                for g in self.groups
            ],
            "total_ceiling": self.total_ceiling,
            "platform_max_instances": self.platform_limit,
            "downstream": [
                {
                    "name": load.downstream.name,
                    "max_concurrency": load.downstream.max_concurrency,
                    "groups": list(load.groups),
                    "ceiling": load.ceiling,
                    "within": not load.exceeded,
                }
                for load in self.loads
            ],
        }


def named_functions(spec: AppSpec) -> tuple[tuple[str, str], ...]:
    """(name, trigger) of every function the source describes."""
    if spec.function_names is not None:
        return spec.function_names
    return names_for(spec.functions or dict.fromkeys(spec.triggers, 1))


def flex_group(name: str, trigger: str) -> str:
    return facts.FLEX_SHARED_GROUPS.get(trigger) or facts.FLEX_FUNCTION_GROUP + name


def members(spec: AppSpec) -> dict[str, list[tuple[str, str]]]:
    """Each scale group's functions, (name, trigger), in the order they are listed."""
    flex = spec.plan.family == "flex"
    found: dict[str, list[tuple[str, str]]] = {}
    for name, trigger in named_functions(spec):
        key = flex_group(name, trigger) if flex else APP_GROUP
        found.setdefault(key, []).append((name, trigger))
    return found


def fleet(spec: AppSpec) -> Fleet:
    functions = named_functions(spec)
    flex = spec.plan.family == "flex"
    limits = TriggerLimits(spec)
    ready = _ready(spec)
    given = spec.plan.max_instances
    limit = given if given is None or given > 0 else None  # not a limit the plan takes
    groups = tuple(
        Group(
            name=key,
            functions=tuple(n for n, _ in found),
            max_instances=limit,
            always_ready=max(0, ready.get(key, 0)),
            per_instance=limits.group([t for _, t in found]),
            flex=flex,
            singleton=all(t == "timer" for _, t in found),
            unlimited=_UNLIMITED.get(spec.plan.family, _UNLIMITED[""]),
        )
        for key, found in members(spec).items()
    )
    sku = catalog.find_sku(spec.plan.sku)
    result = Fleet(groups, sku.max_instances if sku is not None else None)
    if not spec.downstream:
        return result
    return Fleet(
        groups,
        result.platform_limit,
        tuple(load(d, groups, functions) for d in spec.downstream),
    )


def callers(d: Downstream, functions: Sequence[tuple[str, str]]) -> set[str]:
    """The functions (named, or by their trigger) that call `d`."""
    if d.functions is None:
        return {name for name, _ in functions}
    wanted = {f.casefold() for f in d.functions}
    return {
        name
        for name, trigger in functions
        if name.casefold() in wanted or trigger in wanted
    }


def load(
    d: Downstream, groups: Sequence[Group], functions: Sequence[tuple[str, str]]
) -> Load:
    """Every group holding a function that calls `d` sends it all it admits: where
    functions share instances, nothing keeps an instance's concurrency off one
    service."""
    calling = callers(d, functions)
    chosen = tuple(g for g in groups if calling & set(g.functions))
    total: int | None = 0
    for g in chosen:
        total = None if total is None or g.ceiling is None else total + g.ceiling
    return Load(d, tuple(g.name for g in chosen), total)


_UNLIMITED = {
    "dedicated": "the plan's instance count or autoscale rules decide",
    "": "no instance limit is set",
}


def _ready(spec: AppSpec) -> Mapping[str, int]:
    plan = spec.plan
    if plan.family == "flex":
        if plan.ready_groups is not None:
            return plan.ready_groups
        return {"http": plan.always_ready} if plan.always_ready else {}
    return {APP_GROUP: plan.always_ready} if plan.always_ready else {}


def trigger_bounds(spec: AppSpec) -> list[tuple[str, Limit]]:
    """Each scale group and what its trigger limits alone admit on one instance
    (None: no trigger limit bounds it, only the workers do)."""
    limits = TriggerLimits(spec)
    return [
        (group, limits.admitted([trigger for _, trigger in found]))
        for group, found in members(spec).items()
    ]
