"""host.json rules: trigger concurrency matched to what the workers can run."""

from __future__ import annotations

from azfn_profile import facts, guidance
from azfn_profile.profile import Profile
from azfn_profile.rules._trace import Trace, ceil_div
from azfn_profile.rules.plan import Placement
from azfn_profile.rules.workers import capacity
from azfn_profile.spec import JsonValue


def host_json(
    profile: Profile,
    placement: Placement,
    process_count: int,
    thread_count: int,
    trace: Trace,
) -> dict[str, JsonValue]:
    c = capacity(profile.workload, process_count, thread_count)
    inputs: dict[str, JsonValue] = {
        "capacity": c,
        "processes": process_count,
        "threads": thread_count,
        "kind": profile.workload.kind,
        "style": profile.workload.style,
    }
    extensions: dict[str, JsonValue] = {}
    if "http" in profile.triggers and not placement.flex:
        extensions["http"] = {
            "maxConcurrentRequests": trace.record(
                "host.json extensions.http.maxConcurrentRequests",
                c,
                "host.http.max-concurrent-requests",
                inputs,
                guidance.HOST_CAPACITY,
            )
        }
    if "queue" in profile.triggers:
        batch = min(facts.MAX_QUEUE_BATCH, max(1, ceil_div(c, 2)))
        extensions["queues"] = {
            "batchSize": trace.record(
                "host.json extensions.queues.batchSize",
                batch,
                "host.queues.batch-size",
                inputs,
                guidance.QUEUE,
            ),
            "newBatchThreshold": trace.record(
                "host.json extensions.queues.newBatchThreshold",
                max(0, c - batch),
                "host.queues.new-batch-threshold",
                {**inputs, "batchSize": batch},
                guidance.QUEUE,
            ),
        }
    if "servicebus" in profile.triggers:
        extensions["serviceBus"] = {
            "maxConcurrentCalls": trace.record(
                "host.json extensions.serviceBus.maxConcurrentCalls",
                c,
                "host.servicebus.max-concurrent-calls",
                inputs,
                guidance.HOST_CAPACITY,
            )
        }
    document: dict[str, JsonValue] = {
        "version": facts.HOST_JSON_VERSION,
        "extensionBundle": dict(facts.EXTENSION_BUNDLE),
    }
    if extensions:
        document["extensions"] = extensions
    return document
