"""AZFN3xx scaling.* of the fleet: every instance of every scale group together, and
the downstream services they call (see `azfn_profile.fleet`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from azfn_profile import cite, facts
from azfn_profile.checks._base import Failure, NotApplicable, Target, Unknown, check
from azfn_profile.checks._facts import flex
from azfn_profile.checks.scaling import instance_limit_of
from azfn_profile.fleet import Fleet, fleet, named_functions
from azfn_profile.spec import FUNCTIONS_TAG, Field


@check(
    "AZFN307",
    "scaling.downstream-limit",
    "error",
    "The fleet must not send a downstream service more than it takes",
    why="Every instance of every scale group that calls a service runs its "
    "functions at once: the service receives up to instances x per-instance "
    "concurrency, summed over those groups (on Flex, each group scales to the "
    "maximum instance count, plus its always-ready instances). When that exceeds "
    "what the service takes, it throttles or fails under load. A profile's "
    "`downstream` limits are met by choosing the instance limit and per-instance "
    "concurrency; the `azfn-profile:downstream` tag carries them to templates.",
    source=f"{cite.FLEX_MAX_PER_GROUP}; {cite.SCALE_LIMIT}; {cite.CONCURRENCY}",
    refuses_profile=True,
)
def downstream_limit(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.DOWNSTREAM)
    if not t.spec.downstream:
        raise NotApplicable("no downstream limit is declared")
    t.need(Field.FUNCTIONS)
    t.need(Field.PLAN_SKU)
    t.need(Field.PLAN_MAX_INSTANCES)
    t.need(Field.PLAN_ALWAYS_READY)
    t.need(Field.HOST_JSON)
    t.need(Field.FUNCTION_APP_CONFIG)
    if t.spec.functions is None and t.spec.function_names is None:
        raise Unknown(
            "the app's functions are not known, so neither are its scale groups: "
            f"pair a profile with `site:`, or keep the {FUNCTIONS_TAG} tag render "
            "writes"
        )
    result = fleet(t.spec)
    _known_names(t, result)
    for index, load in enumerate(result.loads):
        if not load.exceeded:
            continue
        d = load.downstream
        arithmetic = "; ".join(
            f"{g.name}: {g.arithmetic()}"
            for g in result.groups
            if g.name in set(load.groups)
        )
        if load.ceiling is None:
            reason = (
                "no setting bounds how many instances a Dedicated plan runs for the app"
                if t.spec.plan.family == "dedicated"
                else "nothing bounds it"
            )
            yield Failure(
                f"downstream '{d.name}' takes {d.max_concurrency} at once, but the "
                f"fleet that calls it is unbounded ({reason}): {arithmetic}",
                f"{Field.DOWNSTREAM}.{index}",
            )
            continue
        yield Failure(
            f"downstream '{d.name}' takes {d.max_concurrency} at once, but the fleet "
            f"that calls it can send {load.ceiling}: {arithmetic}",
            f"{Field.DOWNSTREAM}.{index}",
        )


def _known_names(t: Target, result: Fleet) -> None:
    """Unknown when a limit or an always-ready group names what the app's function
    list does not hold (a template whose tag lists functions only by count): the
    arithmetic would leave them out."""
    functions = named_functions(t.spec)
    names = {n.casefold() for n, _ in functions} | {tr for _, tr in functions}
    for d in t.spec.downstream:
        missing = [f for f in d.functions or () if f.casefold() not in names]
        if missing:
            raise Unknown(
                f"downstream {d.name!r} names {', '.join(map(repr, missing))}, which "
                "the app's function list does not hold"
            )
    groups = {g.name for g in result.groups}
    ready = [g for g, n in (t.spec.plan.ready_groups or {}).items() if n]
    stray = [g for g in ready if g not in groups]
    if t.spec.plan.family == "flex" and stray:
        raise Unknown(
            f"always-ready group(s) {', '.join(map(repr, stray))} are not among the "
            "scale groups the app's function list gives"
        )


@check(
    "AZFN308",
    "scaling.flex-event-functions-unbounded",
    "warning",
    "A Flex app with queue, Service Bus or Event Hubs functions should set its "
    "maximum instance count",
    why="On Flex Consumption each such function scales in a group of its own, up to "
    f"{facts.FLEX_DEFAULT_MAX_INSTANCES} instances unless maximumInstanceCount says "
    "otherwise: a backlog scales every one of them out, and together they can "
    "overwhelm what they call. Set maximumInstanceCount (the profile's "
    "plan.max_instances, or its downstream limits).",
    source=f"{cite.FLEX_MAX_PER_GROUP}; {cite.FLEX_SCALE_GROUPS}",
)
def flex_event_unbounded(t: Target, today: date) -> Iterator[Failure]:
    if not flex(t):
        raise NotApplicable("not a Flex Consumption app")
    triggers = set(t.spec.functions or ())
    events = sorted(triggers & {"queue", "servicebus", "eventhub"})
    if not events:
        raise NotApplicable("no queue, Service Bus or Event Hubs function is known")
    t.need(Field.FUNCTION_APP_CONFIG)
    if instance_limit_of(t) is None:
        yield Failure(
            f"the app's {', '.join(events)} functions each scale to "
            f"{facts.FLEX_DEFAULT_MAX_INSTANCES} instances: functionAppConfig sets no "
            "maximumInstanceCount",
            Field.PLAN_MAX_INSTANCES,
        )


@check(
    "AZFN309",
    "scaling.premium-linux-region-limit",
    "warning",
    "A Linux Elastic Premium instance limit above what the region scales to",
    why="One Linux Elastic Premium plan scales out to 20 instances in most regions; "
    "the region table lists 40 to 100 for a few, and some offer none. A limit above "
    "the region's is never reached, so a fleet sized on it (or a downstream limit "
    "met by it) is not what runs. Windows plans reach 100 almost everywhere.",
    source=cite.PREMIUM_REGIONS,
)
def premium_region_limit(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PLAN_SKU)
    plan = t.spec.plan
    if plan.family != "premium" or not plan.reserved:
        raise NotApplicable("not a Linux Elastic Premium plan")
    limit = instance_limit_of(t)
    if limit is None:
        raise NotApplicable("no instance limit is set")
    region = (t.spec.location or "").replace(" ", "").lower()
    if region in facts.PREMIUM_LINUX_UNAVAILABLE:
        yield Failure(
            f"Linux Elastic Premium is not offered in {t.spec.location}",
            Field.PLAN_SKU,
        )
        return
    most = facts.PREMIUM_LINUX_REGION_MAX.get(region, facts.PREMIUM_LINUX_DEFAULT_MAX)
    if limit <= most:
        return
    if not region:
        raise Unknown(
            f"the region is not known (the limit of {limit} holds only in "
            + ", ".join(
                f"{r} ({n})"
                for r, n in sorted(facts.PREMIUM_LINUX_REGION_MAX.items())
                if n >= limit
            )
            + "; the others stop at 20)"
        )
    yield Failure(
        f"the instance limit is {limit}, but a Linux Elastic Premium plan in "
        f"{t.spec.location} scales out to {most}",
        Field.PLAN_MAX_INSTANCES,
    )


@check(
    "AZFN310",
    "scaling.load-capacity",
    "warning",
    "The instance limit and downstream limits must carry the declared load",
    why="A profile's `load` says how many calls per second the app must serve and, "
    "with `call_ms`, how long one call takes. One instance runs as many calls at "
    "once as its workers and trigger limits admit (fewer when the calls compute "
    "and the cores are busy), so the load needs a number of instances (an M/M/c "
    "queue per instance; `azfn-profile capacity` shows the arithmetic). When the "
    "plan's or the profile's instance limit is below that number, or a downstream "
    "limit is below the calls the load keeps in flight, the load cannot be served: "
    "requests queue, time out or are throttled.",
    source=f"{cite.SCALE}; {cite.SCALE_LIMIT}; {cite.CONCURRENCY}",
)
def load_capacity(t: Target, today: date) -> Iterator[Failure]:
    load = t.spec.load
    if load is None or load.call_ms is None:
        raise NotApplicable("no load with a call time (load.rps and load.call_ms)")
    t.need(Field.PLAN_SKU)
    t.need(Field.PLAN_MAX_INSTANCES)
    t.need(Field.HOST_JSON)
    t.need(Field.FUNCTION_APP_CONFIG)
    t.need(Field.APP_SETTINGS)
    from azfn_profile.capacity.model import declared, limits_of

    call = declared(t.spec, load.call_ms, "load.call_ms")
    p95 = None if load.p95_ms is None else load.p95_ms / 1000
    for path, message in limits_of(t.spec, call, load.rps, p95):
        yield Failure(message, path)


CHECKS = (downstream_limit, flex_event_unbounded, premium_region_limit, load_capacity)
