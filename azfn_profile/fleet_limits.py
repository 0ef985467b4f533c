"""What one instance admits for a scale group's functions: their trigger limits
(host.json, Flex's functionAppConfig, or the extensions' defaults), at most what the
worker processes run at once. The numbers and their sources are in `fleet`'s
docstring and `facts`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from azfn_profile import facts
from azfn_profile.rules._trace import whole_cores
from azfn_profile.rules.split import durable_units
from azfn_profile.rules.workers import capacity
from azfn_profile.spec import AppSpec
from azfn_profile.terms import DURABLE_TRIGGERS


@dataclass(frozen=True)
class Limit:
    """What one instance admits for some functions, and the setting that says so."""

    value: int | None
    why: str


class TriggerLimits:
    """Per-instance admission of each trigger kind, from host.json, Flex's
    functionAppConfig, or the extensions' defaults."""

    def __init__(self, spec: AppSpec) -> None:
        self.spec = spec
        host = spec.host_json if isinstance(spec.host_json, Mapping) else {}
        ext = host.get("extensions")
        self.ext: Mapping[str, Any] = ext if isinstance(ext, Mapping) else {}
        concurrency = host.get("concurrency")
        self.dynamic = isinstance(concurrency, Mapping) and (
            concurrency.get("dynamicConcurrencyEnabled") is True
        )
        self.flex = spec.plan.family == "flex"
        self.cores = (
            1 if spec.plan.family == "consumption" else whole_cores(spec.plan.cores)
        )
        self.workers = self._workers()

    def _get(self, section: str, key: str) -> int | None:
        value = self.ext.get(section)
        found = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(found, bool) or not isinstance(found, int):
            return None
        return found if found > 0 else None

    def _workers(self) -> Limit:
        """What the workers of one instance run at once."""
        spec = self.spec
        if spec.workload is None:
            return Limit(None, "workload unknown")
        processes = 1 if self.flex else (spec.processes or 1)
        threads = spec.threads or facts.HOST_DEFAULT_THREADS
        async_default = (
            facts.FLEX_HTTP_DEFAULT_CONCURRENCY.get(spec.plan.memory_mb)
            if self.flex
            else None
        ) or facts.ASYNC_DEFAULT_CONCURRENCY
        value = capacity(spec.workload, processes, threads, async_default)
        if (
            facts.proxy_worker(spec.python)
            and spec.plan.family in facts.PLACEHOLDER_FAMILIES
            and spec.workload.style == "sync"
            and spec.workload.kind != "cpu"
            and threads < facts.HOST_DEFAULT_THREADS
        ):
            # A pre-warmed instance's first process keeps the placeholder's pool.
            value += facts.HOST_DEFAULT_THREADS - threads
            return Limit(
                value,
                f"workers {processes} x {threads} threads, the first keeping the "
                f"placeholder's {facts.HOST_DEFAULT_THREADS}",
            )
        return Limit(value, f"workers {processes} x {threads} threads")

    def http(self) -> Limit:
        if self.flex:
            fac = self.spec.function_app_config or {}
            scale = fac.get("scaleAndConcurrency")
            triggers = scale.get("triggers") if isinstance(scale, Mapping) else None
            http = triggers.get("http") if isinstance(triggers, Mapping) else None
            value = (
                http.get("perInstanceConcurrency")
                if isinstance(http, Mapping)
                else None
            )
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return Limit(value, f"perInstanceConcurrency {value}")
            return Limit(None, "perInstanceConcurrency unknown")
        value = self._get("http", "maxConcurrentRequests")
        if value is None:
            return Limit(None, "no maxConcurrentRequests")
        return Limit(value, f"maxConcurrentRequests {value}")

    def function(self, trigger: str) -> Limit:
        """What one function of `trigger` admits on an instance."""
        if trigger == "timer":
            return Limit(1, "timer")
        if self.dynamic and trigger in ("queue", "servicebus", "blob"):
            return Limit(None, "dynamic concurrency")
        if trigger == "queue":
            batch = self._get("queues", "batchSize") or facts.QUEUE_DEFAULT_BATCH
            new = self.ext.get("queues")
            threshold = (
                new.get("newBatchThreshold") if isinstance(new, Mapping) else None
            )
            if isinstance(threshold, bool) or not isinstance(threshold, int):
                threshold = self.cores * batch // 2
            threshold = max(0, threshold)
            return Limit(batch + threshold, f"queue batch {batch} + {threshold}")
        if trigger == "servicebus":
            calls = self._get("serviceBus", "maxConcurrentCalls") or (
                facts.SERVICE_BUS_DEFAULT_PER_CORE * self.cores
            )
            return Limit(calls, f"maxConcurrentCalls {calls}")
        if trigger == "blob":
            blobs = self._get("blobs", "maxDegreeOfParallelism") or (
                facts.BLOB_DEFAULT_PER_CORE * self.cores
            )
            return Limit(blobs, f"maxDegreeOfParallelism {blobs}")
        if trigger == "eventhub":
            events = (
                self._get("eventHubs", "targetUnprocessedEventThreshold")
                or self._get("eventHubs", "maxEventBatchSize")
                or facts.EVENT_HUB_DEFAULT_BATCH
            )
            return Limit(events, f"Event Hubs batch {events}")
        return Limit(None, f"{trigger}: no trigger limit")

    def durable(self, unit: str) -> Limit:
        """What a Durable throttle admits on an instance: all activities
        (`activity`), or all orchestrators and entities (`orchestration`)."""
        key = facts.DURABLE_KEYS[unit]
        consumption = self.spec.plan.family == "consumption"
        value = self._get("durableTask", key) or facts.durable_default(
            unit, consumption, self.cores
        )
        return Limit(value, f"{key} {value}")

    def group(self, triggers: Sequence[str]) -> Limit:
        """What one instance admits for these functions: their trigger limits added
        (HTTP's counted once, it limits them together), at most the workers'."""
        admitted = self.admitted(triggers)
        workers = self.workers
        if workers.value is not None and (
            admitted.value is None or workers.value < admitted.value
        ):
            return Limit(workers.value, workers.why)
        return admitted

    def admitted(self, triggers: Sequence[str]) -> Limit:
        """What the trigger limits of these functions admit on one instance."""
        total: int | None = 0
        whys: list[str] = []
        if "http" in triggers:
            limit = self.http()
            total = limit.value
            whys.append(limit.why)
        for unit in durable_units(Counter(triggers)):
            limit = self.durable(unit)
            whys.append(limit.why)
            total = (
                None if total is None or limit.value is None else total + limit.value
            )
        for trigger in triggers:
            if trigger == "http" or trigger in DURABLE_TRIGGERS:
                continue
            limit = self.function(trigger)
            whys.append(limit.why)
            total = (
                None if total is None or limit.value is None else total + limit.value
            )
        return Limit(total, " + ".join(_counted(whys)))


def _counted(whys: Sequence[str]) -> list[str]:
    out: list[str] = []
    for why in dict.fromkeys(whys):
        n = whys.count(why)
        out.append(why if n == 1 else f"{n} x {why}")
    return out
