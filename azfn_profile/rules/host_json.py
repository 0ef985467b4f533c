"""host.json rules: trigger concurrency matched to what the workers can run."""

from __future__ import annotations

from collections.abc import Mapping

from azfn_profile import facts
from azfn_profile.profile import Profile
from azfn_profile.rules._trace import Trace, ceil_div, whole_cores
from azfn_profile.rules.plan import Placement
from azfn_profile.rules.split import split
from azfn_profile.rules.workers import capacity
from azfn_profile.spec import JsonValue


def host_json(
    profile: Profile,
    placement: Placement,
    counts: Mapping[str, int],
    process_count: int,
    thread_count: int,
    trace: Trace,
    *,
    blocked: bool = False,
    cap: int | None = None,
) -> dict[str, JsonValue]:
    """`cap`: at most this many invocations per instance (a downstream's limit)."""
    c = capacity(
        profile.workload,
        process_count,
        thread_count,
        placement.async_default,
        blocked=blocked,
    )
    if cap is not None:
        c = min(c, cap)
    dynamic = profile.dynamic_concurrency
    shares = split(c, counts, flex=placement.flex, dynamic=dynamic)
    inputs: dict[str, JsonValue] = {
        "capacity": c,
        "processes": process_count,
        "threads": thread_count,
        "kind": profile.workload.kind,
        "style": profile.workload.style,
    }
    if blocked:
        inputs["async_functions_block"] = True
    if cap is not None:
        inputs["downstream_cap"] = cap
    functions = ", ".join(f"{t} x{n}" for t, n in counts.items())
    split_value: dict[str, JsonValue] = {"http": shares.http, **shares.share}
    trace.record(
        "capacity split",
        split_value,
        "host.capacity-split",
        {
            **inputs,
            "functions": functions,
            "units": shares.units,
            "flex": placement.flex,
        },
    )
    extensions: dict[str, JsonValue] = {}
    http: dict[str, JsonValue] = {}
    if shares.http is not None and not placement.flex:
        http["maxConcurrentRequests"] = trace.record(
            "host.json extensions.http.maxConcurrentRequests",
            shares.http,
            "host.http.max-concurrent-requests",
            {"capacity": c, "units": shares.units},
        )
    outstanding = profile.http.max_outstanding if profile.http else None
    if outstanding is not None:
        http["maxOutstandingRequests"] = trace.record(
            "host.json extensions.http.maxOutstandingRequests",
            outstanding,
            "host.http.max-outstanding-requests",
            {"declared": outstanding},
        )
    if http:
        extensions["http"] = http
    if "queue" in shares.share:
        extensions["queues"] = _queues(
            shares.share["queue"], placement.sku.family, trace
        )
    if "servicebus" in shares.share:
        extensions["serviceBus"] = {
            "maxConcurrentCalls": trace.record(
                "host.json extensions.serviceBus.maxConcurrentCalls",
                shares.share["servicebus"],
                "host.servicebus.max-concurrent-calls",
                {"share": shares.share["servicebus"]},
            )
        }
    if "blob" in shares.share:
        extensions["blobs"] = {
            "maxDegreeOfParallelism": trace.record(
                "host.json extensions.blobs.maxDegreeOfParallelism",
                shares.share["blob"],
                "host.blobs.max-degree-of-parallelism",
                {"share": shares.share["blob"]},
            )
        }
    durable = _durable(shares.share, placement, trace)
    if durable:
        extensions["durableTask"] = durable
    if cap is not None and counts.get("eventhub"):
        extensions["eventHubs"] = {
            "maxEventBatchSize": trace.record(
                "host.json extensions.eventHubs.maxEventBatchSize",
                min(facts.EVENT_HUB_DEFAULT_BATCH, cap),
                "downstream.per-instance-limit",
                {"downstream_cap": cap, "default": facts.EVENT_HUB_DEFAULT_BATCH},
            )
        }
    document: dict[str, JsonValue] = {
        "version": facts.HOST_JSON_VERSION,
        "extensionBundle": dict(facts.EXTENSION_BUNDLE),
    }
    if dynamic:
        concurrency: dict[str, JsonValue] = {
            "dynamicConcurrencyEnabled": True,
            "snapshotPersistenceEnabled": True,
        }
        document["concurrency"] = trace.record(
            "host.json concurrency",
            concurrency,
            "host.dynamic-concurrency",
            {"declared": True},
        )
    if extensions:
        document["extensions"] = extensions
    return document


def _durable(
    share: Mapping[str, int], placement: Placement, trace: Trace
) -> dict[str, JsonValue]:
    """durableTask's throttles, at what the workers run for their functions, where
    the defaults (10 x cores; 10 and 5 on Consumption) would hand the worker more."""
    cores = whole_cores(placement.cores)
    consumption = placement.sku.family == "consumption"
    out: dict[str, JsonValue] = {}
    for unit, rule in (
        ("activity", "host.durable.max-concurrent-activity-functions"),
        ("orchestration", "host.durable.max-concurrent-orchestrator-functions"),
    ):
        if unit not in share:
            continue
        key = facts.DURABLE_KEYS[unit]
        default = facts.durable_default(unit, consumption, cores)
        out[key] = trace.record(
            f"host.json extensions.durableTask.{key}",
            share[unit],
            rule,
            {
                "share": share[unit],
                "default": default,
                "default_from": (
                    "Consumption plan" if consumption else f"10 x {cores} core(s)"
                ),
            },
        )
    return out


def _queues(share: int, family: str, trace: Trace) -> dict[str, JsonValue]:
    """batchSize + newBatchThreshold = share: half fetched per batch (at most 32)."""
    batch = min(facts.MAX_QUEUE_BATCH, max(1, ceil_div(share, 2)))
    rule = "host.queues.batch"
    inputs: dict[str, JsonValue] = {"share": share, "family": family}
    return {
        "batchSize": trace.record(
            "host.json extensions.queues.batchSize", batch, rule, inputs
        ),
        "newBatchThreshold": trace.record(
            "host.json extensions.queues.newBatchThreshold",
            max(0, share - batch),
            rule,
            {**inputs, "batchSize": batch},
        ),
    }
