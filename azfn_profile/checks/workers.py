"""AZFN1xx: worker processes, threads and the Python runtime."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

from azfn_profile import catalog, facts
from azfn_profile.checks._base import Failure, NotApplicable, Target, check
from azfn_profile.checks._facts import (
    cores,
    fit,
    flex,
    processes,
    threads,
    whole_int,
    workload,
)

PROCESS_PATH = f"app_settings.{facts.PROCESS_COUNT}"
THREAD_PATH = f"app_settings.{facts.THREAD_COUNT}"


@check(
    "AZFN101",
    "worker.process-count-range",
    "error",
    "FUNCTIONS_WORKER_PROCESS_COUNT must be a whole number from 1 to 10",
    why="The host starts at most 10 worker processes per instance and refuses to start "
    "the worker when the setting is larger (host WorkerProcessCountOptions; "
    "learn.microsoft.com/azure/azure-functions/functions-app-settings).",
    fails='app_settings:\n  FUNCTIONS_WORKER_PROCESS_COUNT: "12"',
    passes='app_settings:\n  FUNCTIONS_WORKER_PROCESS_COUNT: "4"',
    source="FACTS §2",
)
def process_count_range(t: Target, today: date) -> Iterator[Failure]:
    value = t.setting(facts.PROCESS_COUNT)
    number = whole_int(value)
    if value is not None and (number is None or not 1 <= number <= 10):
        yield Failure(
            f"FUNCTIONS_WORKER_PROCESS_COUNT is {value!r}; the host accepts a "
            "whole number from 1 to 10",
            PROCESS_PATH,
        )


@check(
    "AZFN102",
    "worker.flex-deprecated-setting",
    "error",
    "Flex Consumption rejects worker-process and other deprecated app settings",
    why="Flex Consumption deprecates FUNCTIONS_WORKER_PROCESS_COUNT, "
    "FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and others; it sets them "
    "itself or replaces them with functionAppConfig (functions-app-settings, "
    '"Flex Consumption plan deprecations").',
    fails='plan: {sku: FC1}\napp_settings:\n  FUNCTIONS_WORKER_PROCESS_COUNT: "2"',
    passes='plan: {sku: FC1}\napp_settings:\n  PYTHON_THREADPOOL_THREAD_COUNT: "8"',
    source="FACTS §2 (Flex deprecations)",
)
def flex_deprecated(t: Target, today: date) -> Iterator[Failure]:
    if not flex(t):
        raise NotApplicable("not a Flex Consumption app")
    for name in t.spec.app_settings:
        if name.upper() in facts.FLEX_DEPRECATED_SETTINGS:
            yield Failure(
                f"{name} is not valid on Flex Consumption", f"app_settings.{name}"
            )


@check(
    "AZFN103",
    "worker.thread-count-valid",
    "error",
    "PYTHON_THREADPOOL_THREAD_COUNT must be a whole number of at least 1",
    why="The Python worker ignores a thread count that is not an integer of at least 1 "
    "and silently falls back to its default (python worker dispatcher.py "
    "_get_sync_tp_max_workers).",
    fails='app_settings:\n  PYTHON_THREADPOOL_THREAD_COUNT: "many"',
    passes='app_settings:\n  PYTHON_THREADPOOL_THREAD_COUNT: "16"',
    source="FACTS §2",
    python_only=True,
)
def thread_count_valid(t: Target, today: date) -> Iterator[Failure]:
    value = t.setting(facts.THREAD_COUNT)
    number = whole_int(value)
    if value is not None and (number is None or number < 1):
        yield Failure(
            f"PYTHON_THREADPOOL_THREAD_COUNT is {value!r}; the worker ignores "
            "anything but a whole number of at least 1",
            THREAD_PATH,
        )


@check(
    "AZFN104",
    "worker.thread-count-unset",
    "warning",
    "Set PYTHON_THREADPOOL_THREAD_COUNT explicitly",
    why="When the setting is missing, the v4 host injects 1000 threads per worker "
    "process (DefaultWorkerProcessFactory; Azure-Functions #1962), which risks "
    "memory exhaustion under load.",
    fails="app_settings: {}",
    passes='app_settings:\n  PYTHON_THREADPOOL_THREAD_COUNT: "6"',
    source="FACTS §2; iac-anchors §4a",
    python_only=True,
)
def thread_count_unset(t: Target, today: date) -> Iterator[Failure]:
    if t.setting(facts.THREAD_COUNT) is None:
        yield Failure(
            "PYTHON_THREADPOOL_THREAD_COUNT is not set, so the host runs up to "
            "1000 threads per worker process",
            THREAD_PATH,
        )


@check(
    "AZFN105",
    "worker.cpu-processes-per-core",
    "error",
    "CPU-bound work needs a worker process per core (up to 10, as memory allows)",
    why="Python threads share one interpreter lock, so CPU-bound functions scale with "
    "processes, not threads: run at least as many processes as cores (guide: Use "
    "multiple language worker processes).",
    fails="workload: {kind: cpu}\nplan: {sku: EP3}\napp_settings:\n"
    '  FUNCTIONS_WORKER_PROCESS_COUNT: "1"',
    passes="workload: {kind: cpu}\nplan: {sku: EP3}   # 4 processes, 1 thread",
    source="GUIDE; FACTS §2",
    python_only=True,
)
def cpu_processes(t: Target, today: date) -> Iterator[Failure]:
    w = workload(t)
    if w.kind != "cpu":
        raise NotApplicable("not a CPU-bound workload")
    if flex(t):
        raise NotApplicable("Flex Consumption runs one worker process per instance")
    want = min(facts.MAX_WORKER_PROCESSES, cores(t))
    if w.memory_per_process_mb is not None:
        want = min(want, fit(t, w.memory_per_process_mb))
    have = processes(t)
    if have < want:
        yield Failure(
            f"CPU-bound work runs {have} worker process(es) on {t.spec.plan.sku}; "
            f"its cores and memory allow {want}",
            PROCESS_PATH,
        )


@check(
    "AZFN106",
    "worker.cpu-threads-over-cores",
    "warning",
    "CPU-bound work should not run more threads than cores",
    why="Extra threads only add context switches for CPU-bound functions; start at 1 "
    "(guide: Set up max workers within a language worker process).",
    fails='workload: {kind: cpu}\napp_settings:\n  PYTHON_THREADPOOL_THREAD_COUNT: "32"',
    passes='workload: {kind: cpu}\napp_settings:\n  PYTHON_THREADPOOL_THREAD_COUNT: "1"',
    source="GUIDE",
    python_only=True,
)
def cpu_threads(t: Target, today: date) -> Iterator[Failure]:
    if workload(t).kind != "cpu":
        raise NotApplicable("not a CPU-bound workload")
    have, limit = threads(t), cores(t)
    if have > limit:
        yield Failure(
            f"CPU-bound work runs {have} threads per process on {limit} core(s)",
            THREAD_PATH,
        )


@check(
    "AZFN107",
    "worker.io-threads-too-few",
    "warning",
    "Sync I/O-bound work needs at least cores + 4 threads",
    why="Blocking I/O holds a thread while it waits; the guide recommends starting from "
    "Python's default of cores + 4 and raising it with measured throughput.",
    fails="workload: {kind: io, style: sync}\nplan: {sku: EP2}\napp_settings:\n"
    '  PYTHON_THREADPOOL_THREAD_COUNT: "1"',
    passes="workload: {kind: io, style: sync}\nplan: {sku: EP2}   # 6 threads",
    source="GUIDE",
    python_only=True,
)
def io_threads(t: Target, today: date) -> Iterator[Failure]:
    w = workload(t)
    if w.kind != "io" or w.style != "sync":
        raise NotApplicable("not a sync I/O-bound workload")
    have, want = threads(t), cores(t) + 4
    if have < want:
        yield Failure(
            f"sync I/O work runs {have} thread(s) per process; start from "
            f"cores + 4 = {want}",
            THREAD_PATH,
        )


@check(
    "AZFN108",
    "worker.memory-budget",
    "error",
    "Worker processes must fit in 80 % of instance memory",
    why="Every worker process loads the app again; processes x memory per process "
    "beyond the instance's memory gets workers killed (python worker #871, host "
    "#6985).",
    fails="workload: {kind: cpu, memory_per_process_mb: 4000}\nplan: {sku: EP2}\n"
    'app_settings:\n  FUNCTIONS_WORKER_PROCESS_COUNT: "2"',
    passes="workload: {kind: cpu, memory_per_process_mb: 4000}\nplan: {sku: EP3}",
    source="FACTS §2",
    python_only=True,
)
def memory_budget(t: Target, today: date) -> Iterator[Failure]:
    w = workload(t)
    if w.memory_per_process_mb is None:
        raise NotApplicable("memory per process is not declared")
    cores(t)
    have = processes(t)
    budget = int(facts.MEMORY_BUDGET * t.spec.plan.memory_mb)
    if have * w.memory_per_process_mb > budget:
        yield Failure(
            f"{have} process(es) x {w.memory_per_process_mb} MB exceed 80 % of "
            f"{t.spec.plan.sku}'s {t.spec.plan.memory_mb} MB",
            PROCESS_PATH,
        )


@check(
    "AZFN109",
    "runtime.python-supported",
    "error",
    "The Python version must be supported (and available on the plan)",
    why="Azure Functions stops supporting each Python version on a published date, and "
    "Linux Consumption gets no version after 3.12 (supported-languages). A warning "
    "comes six months before the end.",
    fails='python: "3.10"   # ended 2026-10-31',
    passes='python: "3.12"',
    source="FACTS §3",
    python_only=True,
)
def python_supported(t: Target, today: date) -> Iterator[Failure]:
    t.need("python")
    info = catalog.python_versions().get(t.spec.python)
    if info is None:
        yield Failure(
            f"Python {t.spec.python} is not supported on Azure Functions", "python"
        )
        return
    if info.end_of_support < today:
        yield Failure(
            f"Python {t.spec.python} reached end of support on "
            f"{info.end_of_support.isoformat()}",
            "python",
        )
    elif t.spec.plan.family == "consumption" and not info.consumption:
        yield Failure(
            f"Python {t.spec.python} is not available on Linux Consumption", "python"
        )
    elif (info.end_of_support - today).days <= 183:
        yield Failure(
            f"Python {t.spec.python} support ends on {info.end_of_support.isoformat()}",
            "python",
            severity="warning",
        )


@check(
    "AZFN110",
    "plan.linux-consumption-retiring",
    "warning",
    "Linux Consumption (Y1) retires; prefer Flex Consumption or Premium",
    why="Linux Consumption gets no new language versions and retires after 2028-09-30 "
    "(functions-versions; third-party date, unconfirmed officially).",
    fails="plan: {sku: Y1}",
    passes="plan: {sku: FC1}",
    source="FACTS §1a",
)
def linux_consumption(t: Target, today: date) -> Iterator[Failure]:
    t.need("plan.sku")
    if t.spec.plan.family == "consumption":
        yield Failure(
            "Linux Consumption (Y1) retires after 2028-09-30; use Flex "
            "Consumption (FC1) or Elastic Premium",
            "plan.sku",
        )


@check(
    "AZFN111",
    "plan.flex-cpu-idle-core",
    "warning",
    "CPU-bound work on 4096 MB Flex instances leaves a core idle",
    why="A 4096 MB Flex instance has 2 cores but one Python worker process, which uses "
    "one core for CPU-bound work (flex-consumption-plan; Flex rejects "
    "FUNCTIONS_WORKER_PROCESS_COUNT).",
    fails="workload: {kind: cpu}\nplan: {sku: FC1, instance_memory_mb: 4096}",
    passes="workload: {kind: cpu}\nplan: {sku: FC1, instance_memory_mb: 2048}",
    source="FACTS §1b",
    python_only=True,
)
def flex_cpu(t: Target, today: date) -> Iterator[Failure]:
    if workload(t).kind != "cpu" or not flex(t):
        raise NotApplicable("not CPU-bound work on Flex Consumption")
    if t.spec.plan.memory_mb == 4096:
        yield Failure(
            "CPU-bound work on 4096 MB Flex instances uses one of two cores",
            "plan.instance_memory_mb",
        )


@check(
    "AZFN112",
    "plan.flex-http-concurrency-one",
    "warning",
    "I/O-bound Python on Flex needs perInstanceConcurrency above 1",
    why="Flex Consumption gives Python apps one concurrent HTTP request per instance "
    "unless perInstanceConcurrency is set (functions-concurrency), so I/O-bound apps "
    "scale out instead of overlapping waits.",
    fails="workload: {kind: io}\nplan: {sku: FC1}   # perInstanceConcurrency unset",
    passes="workload: {kind: io}\nplan: {sku: FC1}   # azfn-profile sets it",
    source="FACTS §1b (D-CONC)",
    python_only=True,
)
def flex_http(t: Target, today: date) -> Iterator[Failure]:
    if workload(t).kind != "io" or not flex(t):
        raise NotApplicable("not I/O-bound work on Flex Consumption")
    t.need("function_app_config")
    fac = t.spec.function_app_config or {}
    scale = fac.get("scaleAndConcurrency")
    http = None
    if isinstance(scale, dict) and isinstance(scale.get("triggers"), dict):
        triggers = scale["triggers"]
        if isinstance(triggers, dict) and isinstance(triggers.get("http"), dict):
            http = triggers["http"].get("perInstanceConcurrency")  # type: ignore[union-attr]
    if http is None or http == 1:
        yield Failure(
            "perInstanceConcurrency is "
            + ("unset" if http is None else "1")
            + ": one request per instance",
            "function_app_config",
        )


@check(
    "AZFN113",
    "worker.async-style-mismatch",
    "warning",
    "Async style does not match the workload or the thread pool",
    why="Coroutines run on the worker's single event loop: CPU work in them blocks every "
    "other invocation, and threads sized for sync I/O sit idle (guide: "
    "Understanding async in python worker).",
    fails="workload: {kind: cpu, style: async}",
    passes="workload: {kind: cpu, style: sync}",
    source="GUIDE; FACTS §5",
    python_only=True,
)
def async_mismatch(t: Target, today: date) -> Iterator[Failure]:
    w = workload(t)
    if w.style != "async":
        raise NotApplicable("not an async workload")
    if w.kind == "cpu":
        yield Failure(
            "style: async with CPU-bound work blocks the event loop", "workload"
        )
        return
    have, sync_size = threads(t), cores(t) + 4
    if (
        w.kind == "io"
        and w.concurrency
        and have > sync_size
        and have >= math.ceil(w.concurrency / processes(t))
    ):
        yield Failure(
            f"async I/O with {have} threads per process: coroutines do not use "
            "the thread pool",
            THREAD_PATH,
        )


CHECKS = (
    process_count_range,
    flex_deprecated,
    thread_count_valid,
    thread_count_unset,
    cpu_processes,
    cpu_threads,
    io_threads,
    memory_budget,
    python_supported,
    linux_consumption,
    flex_cpu,
    flex_http,
    async_mismatch,
)
