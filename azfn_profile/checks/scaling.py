"""AZFN3xx: trigger concurrency against what the workers can run."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from azfn_profile import facts
from azfn_profile.checks._base import Failure, NotApplicable, Target, check
from azfn_profile.checks._facts import processes, threads
from azfn_profile.rules.workers import capacity


def _extensions(t: Target) -> Mapping[str, Any]:
    t.need("host_json")
    if not t.spec.host_json:
        raise NotApplicable("no host.json in the source")
    ext = t.spec.host_json.get("extensions") or {}
    return ext if isinstance(ext, dict) else {}


@check(
    "AZFN301",
    "scaling.queue-batch-size",
    "error",
    "host.json queues.batchSize must be at most 32",
    why="The queue trigger fetches at most 32 messages per batch; larger values are "
    "invalid (functions-bindings-storage-queue, host.json settings).",
    fails='{"extensions": {"queues": {"batchSize": 64}}}',
    passes='{"extensions": {"queues": {"batchSize": 16}}}',
    source="FACTS §4 (D-Q)",
    host_json=True,
)
def queue_batch(t: Target, today: date) -> Iterator[Failure]:
    queues = _extensions(t).get("queues")
    size = queues.get("batchSize") if isinstance(queues, dict) else None
    if isinstance(size, int) and size > facts.MAX_QUEUE_BATCH:
        yield Failure(
            f"queues.batchSize is {size}; the maximum is 32",
            "host_json.extensions.queues.batchSize",
        )


@check(
    "AZFN302",
    "scaling.trigger-over-capacity",
    "warning",
    "Trigger concurrency should not far exceed what the workers can run",
    why="Invocations beyond processes x threads (or event-loop tasks) only queue inside "
    "the worker, holding messages and memory; size trigger concurrency to the "
    "workers (functions-concurrency; FACTS §5).",
    fails='{"extensions": {"serviceBus": {"maxConcurrentCalls": 500}}}   # 2 x 6 threads',
    passes='{"extensions": {"serviceBus": {"maxConcurrentCalls": 12}}}',
    source="FACTS §4, §5",
    python_only=True,
)
def trigger_capacity(t: Target, today: date) -> Iterator[Failure]:
    ext = _extensions(t)
    p, n = processes(t), threads(t)
    limit = capacity(t.spec.workload, p, n) if t.spec.workload else p * n
    checks = {
        "serviceBus.maxConcurrentCalls": _get(ext, "serviceBus", "maxConcurrentCalls"),
        "http.maxConcurrentRequests": _get(ext, "http", "maxConcurrentRequests"),
    }
    queue = _get(ext, "queues", "batchSize"), _get(ext, "queues", "newBatchThreshold")
    if isinstance(queue[0], int):
        checks["queues.batchSize + newBatchThreshold"] = queue[0] + (
            queue[1] if isinstance(queue[1], int) else queue[0] // 2
        )
    for name, value in checks.items():
        if isinstance(value, int) and value > 2 * limit:
            yield Failure(
                f"{name} is {value}, more than twice the {limit} invocations the "
                f"workers run at once ({p} process(es) x {n} thread(s))",
                f"host_json.extensions.{name.split(' ')[0]}",
            )


def _get(ext: Mapping[str, Any], section: str, key: str) -> Any:
    value = ext.get(section)
    return value.get(key) if isinstance(value, dict) else None


CHECKS = (queue_batch, trigger_capacity)
