"""scaling.*: trigger concurrency against what the workers can run, and the plan's
instance limits (AZFN3xx)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from azfn_profile import cite, facts
from azfn_profile.checks._base import Failure, NotApplicable, Target, check
from azfn_profile.checks._facts import cores, flex, known_sku, processes, threads
from azfn_profile.fleet import fleet
from azfn_profile.rules.split import PER_FUNCTION, durable_units
from azfn_profile.rules.workers import capacity
from azfn_profile.spec import Field

_EXT = "host_json.extensions"


def _extensions(t: Target) -> Mapping[str, Any]:
    t.need(Field.HOST_JSON)
    if not t.spec.host_json:
        raise NotApplicable("no host.json in the source")
    ext = t.spec.host_json.get("extensions") or {}
    return ext if isinstance(ext, dict) else {}


def _get(ext: Mapping[str, Any], section: str, key: str) -> Any:
    value = ext.get(section)
    return value.get(key) if isinstance(value, dict) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dynamic(t: Target) -> bool:
    concurrency = t.spec.host_json.get("concurrency")
    return isinstance(concurrency, dict) and (
        concurrency.get("dynamicConcurrencyEnabled") is True
    )


@check(
    "AZFN301",
    "scaling.queue-batch-size",
    "error",
    "host.json queues.batchSize must be at most 32",
    why="The queue trigger fetches at most 32 messages per batch; larger values are "
    "invalid.",
    source=cite.QUEUE_HOST_JSON,
    host_json=True,
)
def queue_batch(t: Target, today: date) -> Iterator[Failure]:
    size = _count(_get(_extensions(t), "queues", "batchSize"))
    if size is not None and size > facts.MAX_QUEUE_BATCH:
        yield Failure(
            f"queues.batchSize is {size}; the maximum is 32",
            f"{_EXT}.queues.batchSize",
        )


@dataclass(frozen=True)
class _Admission:
    """What one kind of trigger may run at once on an instance."""

    what: str  # "serviceBus.maxConcurrentCalls 4 x 2 functions"
    value: int
    path: str
    # The least host.json can make it admit: one per function it limits on its own
    # (or one for the functions it limits together).
    floor: int = 1


def _admissions(
    t: Target, ext: Mapping[str, Any], n: int, *, alone: bool
) -> list[_Admission]:
    """Per trigger kind: limit x functions, from host.json or the documented defaults.

    Defaults count only for triggers the source says the app uses (a profile); for
    other sources, only the sections host.json configures count, one function each.
    `alone`: queue and Service Bus functions run on instances of their own (Flex).
    """
    declared = t.spec.functions
    counts = dict(declared) if declared is not None else {}
    out: list[_Admission] = []
    http = _count(_get(ext, "http", "maxConcurrentRequests"))
    if http is not None and (declared is None or "http" in counts):
        out.append(
            _Admission(
                f"http.maxConcurrentRequests {http}",
                http,
                f"{_EXT}.http.maxConcurrentRequests",
            )
        )
    out += _durable_admissions(t, ext, counts)
    if _dynamic(t):
        return out
    per_core = 1 if t.spec.plan.family == "consumption" else n
    queue_batch = _count(_get(ext, "queues", "batchSize"))
    queue_new = _count(_get(ext, "queues", "newBatchThreshold"))
    batch = queue_batch if queue_batch is not None else facts.QUEUE_DEFAULT_BATCH
    limits = {
        "queue": (
            "queues.batchSize + newBatchThreshold",
            batch + (queue_new if queue_new is not None else per_core * batch // 2),
            queue_batch is not None or queue_new is not None,
            "queues",
        ),
    }
    for kind, ext_section, key, per_core_default in (
        (
            "servicebus",
            "serviceBus",
            "maxConcurrentCalls",
            facts.SERVICE_BUS_DEFAULT_PER_CORE,
        ),
        ("blob", "blobs", "maxDegreeOfParallelism", facts.BLOB_DEFAULT_PER_CORE),
    ):
        set_to = _count(_get(ext, ext_section, key))
        limits[kind] = (
            f"{ext_section}.{key}",
            set_to or per_core_default * n,
            set_to is not None,
            ext_section,
        )
    for trigger in PER_FUNCTION:
        name, limit, configured, section = limits[trigger]
        functions = counts.get(trigger, 0) if declared is not None else int(configured)
        if not functions:
            continue
        if alone and trigger != "blob":
            functions = 1
        default = "" if configured else " (default)"
        each = f" x {functions} functions" if functions > 1 else ""
        out.append(
            _Admission(
                f"{name} {limit}{default}{each}",
                limit * functions,
                f"{_EXT}.{section}",
                functions,
            )
        )
    return out


def _durable_admissions(
    t: Target, ext: Mapping[str, Any], counts: Mapping[str, int]
) -> list[_Admission]:
    """Durable Functions' two throttles, each counted once for all the functions it
    covers; on Flex both run on the `durable` group's instances, so they count as
    one admission there."""
    from azfn_profile.fleet_limits import TriggerLimits

    limits = TriggerLimits(t.spec)
    found: list[_Admission] = []
    for unit in durable_units(counts):
        limit = limits.durable(unit)
        key = facts.DURABLE_KEYS[unit]
        default = "" if _count(_get(ext, "durableTask", key)) else " (default)"
        found.append(
            _Admission(
                f"durableTask.{limit.why}{default}",
                limit.value or 0,
                f"{_EXT}.durableTask.{key}",
            )
        )
    if flex(t) and len(found) > 1:
        return [
            _Admission(
                " + ".join(a.what for a in found),
                sum(a.value for a in found),
                found[0].path,
                len(found),
            )
        ]
    return found


@check(
    "AZFN302",
    "scaling.trigger-over-capacity",
    "warning",
    "What all triggered functions may run at once should not exceed the workers",
    why="Queue, Service Bus and blob limits apply to each function, and HTTP runs "
    "beside them on the same worker processes: an instance admits the sum of them "
    "all. Invocations beyond processes x threads (or event-loop tasks) only queue "
    "inside the worker, holding messages and memory. On Flex Consumption, "
    "per-function scaling gives every function but HTTP and blob triggers instances "
    "of its own, so each is judged alone (Durable's two throttles together, on the "
    "durable group's instances). One invocation per kind is the least host.json "
    "allows, so an app with more kinds of function than the workers run is judged "
    "against that floor.",
    source=f"{cite.QUEUE_HOST_JSON}; {cite.SERVICE_BUS_HOST_JSON}; "
    f"{cite.BLOB_HOST_JSON}; {cite.DURABLE_PERF}; {cite.PER_FUNCTION_SCALING}",
    python_only=True,
)
def trigger_capacity(t: Target, today: date) -> Iterator[Failure]:
    ext = _extensions(t)
    p, n = processes(t), threads(t)
    try:
        instance_cores = cores(t)
    except NotApplicable:
        instance_cores = 1
    async_default = (
        facts.FLEX_HTTP_DEFAULT_CONCURRENCY.get(t.spec.plan.memory_mb)
        if flex(t)
        else None
    ) or facts.ASYNC_DEFAULT_CONCURRENCY
    limit = capacity(t.spec.workload, p, n, async_default) if t.spec.workload else p * n
    admissions = _admissions(t, ext, instance_cores, alone=flex(t))
    workers = f"{limit} the workers run at once ({p} process(es) x {n} thread(s))"
    if flex(t):
        for a in admissions:
            if a.value > max(limit, a.floor):
                yield Failure(
                    f"{a.what} admits {a.value} on one instance, more than the {workers}",
                    a.path,
                )
        return
    total = sum(a.value for a in admissions)
    # Each kind admits at least one: with more kinds than the workers run, one each
    # is as low as host.json goes, so that much is not an excess.
    if total > max(limit, sum(a.floor for a in admissions)):
        parts = " + ".join(a.what for a in admissions)
        yield Failure(
            f"one instance may run {total} invocations at once ({parts}), more than "
            f"the {workers}",
            max(admissions, key=lambda a: a.value).path,
        )


@check(
    "AZFN303",
    "scaling.dynamic-and-static-limits",
    "warning",
    "Dynamic concurrency overrides the static trigger limits beside it",
    why="With host.json concurrency.dynamicConcurrencyEnabled, the host starts queue, "
    "blob and Service Bus functions at a concurrency of 1 and adjusts it itself, "
    "overriding any static limit: the static values no longer mean what they say. "
    "Keep one or the other.",
    source=cite.DYNAMIC_CONCURRENCY,
    host_json=True,
)
def dynamic_and_static(t: Target, today: date) -> Iterator[Failure]:
    ext = _extensions(t)
    if not _dynamic(t):
        raise NotApplicable("dynamic concurrency is off")
    static = {
        "queues": ("batchSize", "newBatchThreshold"),
        "serviceBus": ("maxConcurrentCalls", "maxConcurrentSessions"),
        "blobs": ("maxDegreeOfParallelism",),
    }
    for section, keys in static.items():
        for key in keys:
            if _get(ext, section, key) is not None:
                yield Failure(
                    f"{section}.{key} is set, but dynamic concurrency overrides it",
                    f"{_EXT}.{section}.{key}",
                )


@check(
    "AZFN304",
    "scaling.http-unbounded-queue",
    "info",
    "HTTP requests beyond maxConcurrentRequests wait in an unbounded queue",
    why="On Linux, the host's maxOutstandingRequests is unbounded unless set: requests "
    "beyond maxConcurrentRequests wait inside the instance, and latency grows with "
    "the queue. A bound answers the excess with 429 Too Busy, which clients and load "
    "balancers can retry elsewhere (the profile's http.max_outstanding).",
    source=f"{cite.HTTP_HOST_JSON}; {cite.HOST_HTTP_OPTIONS}",
    host_json=True,
)
def http_unbounded(t: Target, today: date) -> Iterator[Failure]:
    ext = _extensions(t)
    running = _count(_get(ext, "http", "maxConcurrentRequests"))
    if running is None:
        raise NotApplicable("host.json sets no HTTP concurrency limit")
    outstanding = _count(_get(ext, "http", "maxOutstandingRequests"))
    if outstanding is None or outstanding < 0:
        yield Failure(
            f"http.maxConcurrentRequests is {running} and maxOutstandingRequests is "
            "unbounded: the excess waits in the instance instead of getting 429",
            f"{_EXT}.http",
        )


def instance_limit_of(t: Target) -> int | None:
    """The most instances the app may scale to, as configured (Flex: its
    functionAppConfig's maximumInstanceCount when the plan does not say)."""
    if t.spec.plan.max_instances is not None:
        return t.spec.plan.max_instances
    t.need(Field.PLAN_MAX_INSTANCES)
    if t.spec.plan.family != "flex":
        return None
    t.need(Field.FUNCTION_APP_CONFIG)
    scale = (t.spec.function_app_config or {}).get("scaleAndConcurrency")
    count = scale.get("maximumInstanceCount") if isinstance(scale, dict) else None
    return _count(count)


@check(
    "AZFN305",
    "scaling.instance-limit-range",
    "error",
    "The instance limit must be one the plan allows",
    why="Flex Consumption takes a maximum instance count from "
    f"{facts.FLEX_MIN_INSTANCES} to {facts.FLEX_MAX_INSTANCES}; Consumption and "
    "Elastic Premium scale out to at most their SKU's maximum (`azfn-profile skus` "
    "lists them, each with its source). Dedicated plans do not scale by events: "
    "their instances are the plan's count or its autoscale rules, and the site's "
    "scale limit does not apply to them, so an instance limit there would be "
    "written nowhere.",
    source=f"{cite.FLEX}; {cite.SCALE}; {cite.SCALE_LIMIT}",
    refuses_profile=True,
)
def instance_limit(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PLAN_SKU)
    limit = instance_limit_of(t)
    if limit is None:
        raise NotApplicable("no instance limit is set")
    if t.spec.plan.family == "flex":
        low, high = facts.FLEX_MIN_INSTANCES, facts.FLEX_MAX_INSTANCES
        if not low <= limit <= high:
            yield Failure(
                f"Flex Consumption allows {low}-{high} instances, got {limit}",
                Field.PLAN_MAX_INSTANCES,
            )
        return
    if t.spec.plan.family == "dedicated":
        yield Failure(
            f"{t.spec.plan.sku} is a Dedicated plan: it runs the plan's instance count "
            "(or its autoscale rules), and no setting caps an app's scale-out on it; "
            "remove the instance limit, or choose an Elastic Premium or Flex plan",
            Field.PLAN_MAX_INSTANCES,
        )
        return
    sku = known_sku(t)
    if limit > sku.max_instances:
        yield Failure(
            f"{sku.name} scales out to at most {sku.max_instances} instances, got "
            f"{limit}",
            Field.PLAN_MAX_INSTANCES,
        )


@check(
    "AZFN306",
    "scaling.always-ready-plan",
    "error",
    "Always-ready instances need a plan that keeps them",
    why="Flex Consumption keeps always-ready instances per scale group (http, blob, "
    "durable, function:<name>), beside each group's maximum instance count; Elastic "
    "Premium keeps an app's always-ready instances within its scale limit, at most "
    f"{facts.PREMIUM_MAX_ALWAYS_READY} per app. "
    "Consumption and Dedicated plans have no such setting, and a group the app does "
    "not have keeps nothing.",
    source=f"{cite.FLEX_ALWAYS_READY}; {cite.FLEX_MAX_PER_GROUP}; {cite.PREMIUM}",
    refuses_profile=True,
)
def always_ready_plan(t: Target, today: date) -> Iterator[Failure]:
    plan = t.spec.plan
    groups = {k: v for k, v in (plan.ready_groups or {}).items() if v > 0}
    if not plan.always_ready and not plan.ready_groups:
        raise NotApplicable("no always-ready instances")
    t.need(Field.PLAN_SKU)
    family = plan.family
    if family not in ("flex", "premium"):
        yield Failure(
            "always-ready instances apply to Flex Consumption and Elastic Premium "
            f"plans only, not to {plan.sku}",
            Field.PLAN_ALWAYS_READY,
        )
        return
    if family == "flex":
        negative = [k for k, v in (plan.ready_groups or {}).items() if v < 0]
        if negative:
            yield Failure(
                f"always-ready group(s) {', '.join(map(repr, negative))} keep fewer "
                "than 0 instances",
                Field.PLAN_ALWAYS_READY,
            )
            return
        if t.spec.function_names is None:
            return
        present = {g.name for g in fleet(t.spec).groups}
        for name in groups:
            if name not in present:
                yield Failure(
                    f"always-ready group {name!r} is not a scale group of the app "
                    f"(its groups: {', '.join(sorted(present))})",
                    Field.PLAN_ALWAYS_READY,
                )
        return
    if (
        plan.always_ready is not None
        and plan.always_ready > facts.PREMIUM_MAX_ALWAYS_READY
    ):
        yield Failure(
            f"{plan.always_ready} always-ready instances: Elastic Premium keeps at most "
            f"{facts.PREMIUM_MAX_ALWAYS_READY} per app",
            Field.PLAN_ALWAYS_READY,
        )
        return
    limit = instance_limit_of(t)
    if (
        limit is not None
        and plan.always_ready is not None
        and plan.always_ready > limit
    ):
        yield Failure(
            f"{plan.always_ready} always-ready instance(s) exceed the app's instance "
            f"limit of {limit}",
            Field.PLAN_ALWAYS_READY,
        )


CHECKS = (
    queue_batch,
    trigger_capacity,
    dynamic_and_static,
    http_unbounded,
    instance_limit,
    always_ready_plan,
)
