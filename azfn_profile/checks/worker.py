"""AZFN1xx worker.*: worker processes and threads per instance."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

from azfn_profile import cite, facts
from azfn_profile.checks._base import Failure, NotApplicable, Target, Unknown, check
from azfn_profile.checks._facts import (
    cores,
    fit,
    flex,
    processes,
    threads,
    valid_process_count,
    whole_int,
    workload,
)
from azfn_profile.numbers import host_process_count
from azfn_profile.rules.workers import roomier_sku
from azfn_profile.spec import Field

PROCESS_PATH = Field.setting(facts.PROCESS_COUNT)
THREAD_PATH = Field.setting(facts.THREAD_COUNT)


@check(
    "AZFN101",
    "worker.process-count-range",
    "error",
    "FUNCTIONS_WORKER_PROCESS_COUNT must be a whole number the host reads, at most "
    f"{facts.MAX_WORKER_PROCESSES}",
    why=f"The host starts at most {facts.MAX_WORKER_PROCESSES} worker processes per "
    "instance. It reads the setting with .NET's `int.Parse` (RpcWorkerConfigFactory."
    "GetWorkerProcessCount): a larger count, or a value that does not parse as a "
    "whole number, throws there, the host logs 'Failed to initialize worker provider' "
    "and adds no Python worker, so no function loads. A sign and blanks are read "
    "(`+4` runs 4), and 0 or a negative number runs one process.",
    source=f"{cite.HOST_PROCESS_COUNT}; {cite.HOST_WORKER_CONFIG}; {cite.APP_SETTINGS}",
    refuses_profile=True,
)
def process_count_range(t: Target, today: date) -> Iterator[Failure]:
    value = t.setting(facts.PROCESS_COUNT)
    number = host_process_count(value) if value is not None else 1
    if not valid_process_count(number):
        yield Failure(
            f"FUNCTIONS_WORKER_PROCESS_COUNT is {value!r}; the host accepts a "
            f"whole number up to {facts.MAX_WORKER_PROCESSES} and otherwise starts "
            "no Python worker (no function loads)",
            PROCESS_PATH,
        )


@check(
    "AZFN102",
    "worker.flex-deprecated-setting",
    "error",
    "Flex Consumption does not take worker-process and other deprecated app settings",
    why="Flex Consumption deprecates FUNCTIONS_WORKER_PROCESS_COUNT ('Setting not "
    "valid'), FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and others; it sets "
    "them itself or replaces them with functionAppConfig. Whether ARM refuses them or "
    "ignores them is not documented.",
    source=cite.FLEX_DEPRECATIONS,
    refuses_profile=True,
)
def flex_deprecated(t: Target, today: date) -> Iterator[Failure]:
    if not flex(t):
        raise NotApplicable("not a Flex Consumption app")
    for name in t.spec.app_settings:
        if name.upper() in facts.FLEX_DEPRECATED_SETTINGS:
            yield Failure(
                f"{name} is not valid on Flex Consumption (the plan sets it or "
                "replaces it with functionAppConfig)",
                Field.setting(name),
            )


@check(
    "AZFN103",
    "worker.thread-count-valid",
    "error",
    "PYTHON_THREADPOOL_THREAD_COUNT must be a whole number of at least 1",
    why="The Python worker ignores a thread count that is not an integer of at least 1, "
    "logs a warning and falls back to its default (`_get_sync_tp_max_workers`). The "
    "app-settings page still prints a maximum of 32, which the worker stopped "
    "enforcing for Python 3.8+.",
    source=f"{cite.PYTHON_WORKER_DISPATCHER}; {cite.APP_SETTINGS}",
    python_only=True,
    refuses_profile=True,
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
    why="Unset, the pool size depends on how the worker process started: one the "
    "host starts with the app's settings gets 1000 threads (Dedicated plans, and every "
    "process after the first), while on Consumption, Elastic Premium and Flex the "
    "first process is a specialised placeholder that rebuilds its pool with Python's "
    "default, min(32, cores + 4) (Python 3.13 and newer keep the placeholder's 1000). "
    "Neither is sized for the workload, and 1000 threads risk memory exhaustion under "
    "load.",
    source=f"{cite.HOST_PROCESS_FACTORY}; {cite.PYTHON_WORKER_DISPATCHER}; "
    f"{cite.PROXY_WORKER_DISPATCHER}",
    python_only=True,
)
def thread_count_unset(t: Target, today: date) -> Iterator[Failure]:
    if t.setting(facts.THREAD_COUNT) is None:
        yield Failure(
            f"PYTHON_THREADPOOL_THREAD_COUNT is not set: {_unset_pools(t)}",
            THREAD_PATH,
        )


def _unset_pools(t: Target) -> str:
    """What runs with the setting unset on this target's plan, as far as known."""
    try:
        instance_cores = cores(t)
    except (NotApplicable, Unknown):
        return (
            "a worker process the host starts runs 1000 threads; on Consumption, "
            "Elastic Premium and Flex the first runs min(32, cores + 4)"
        )
    try:
        count, known = processes(t), True
    except NotApplicable:  # an invalid count (AZFN101)
        count, known = 1, False
    pools = facts.unset_thread_pools(
        t.spec.plan.family, instance_cores, count, t.spec.python
    )
    described = facts.describe_unset_pools(pools, known_count=known)
    return f"on {t.spec.plan.sku}, {described}"


@check(
    "AZFN105",
    "worker.cpu-processes-per-core",
    "error",
    "CPU-bound work needs a worker process per core (up to "
    f"{facts.MAX_WORKER_PROCESSES}, as memory allows)",
    why="Python threads share one interpreter lock, so CPU-bound functions scale with "
    "processes, not threads: run at least as many processes as cores (guide: Use "
    "multiple language worker processes).",
    source=cite.GUIDE,
    python_only=True,
    workload=True,
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
    source=cite.GUIDE,
    python_only=True,
    workload=True,
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
    source=cite.GUIDE,
    python_only=True,
    workload=True,
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
    "beyond the instance's memory gets workers killed. 80 % leaves room for the host "
    "and the OS (this project's margin).",
    source=f"{cite.GUIDE}; the 80 % margin is azfn-profile's",
    python_only=True,
    workload=True,
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
    "AZFN113",
    "worker.async-style-mismatch",
    "warning",
    "Async style does not match the workload or the thread pool",
    why="Coroutines run on the worker's single event loop: CPU work in them blocks every "
    "other invocation, and threads sized for sync I/O sit idle (guide: "
    "Understanding async in python worker).",
    source=f"{cite.GUIDE}; {cite.PYTHON_WORKER_DISPATCHER}",
    python_only=True,
    workload=True,
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


@check(
    "AZFN114",
    "worker.memory-limits-processes",
    "warning",
    "Instance memory, not cores, limits the worker processes",
    why="CPU-bound work wants a worker process per core, but every process loads the "
    "app again: when 80 % of the instance's memory holds fewer processes than it has "
    "cores, cores sit idle. A SKU of the same family with more memory per core runs "
    "one process per core.",
    source=f"{cite.GUIDE}; the 80 % margin is azfn-profile's",
    python_only=True,
    workload=True,
)
def memory_limits_processes(t: Target, today: date) -> Iterator[Failure]:
    w = workload(t)
    if w.kind not in ("cpu", "mixed") or w.memory_per_process_mb is None:
        raise NotApplicable("not CPU-bound or mixed work with a declared memory")
    if flex(t):
        raise NotApplicable("Flex Consumption runs one worker process per instance")
    want = min(facts.MAX_WORKER_PROCESSES, cores(t))
    room = fit(t, w.memory_per_process_mb)
    if room < want:
        plan = t.spec.plan
        roomier = roomier_sku(plan.family, plan.cores, w.memory_per_process_mb)
        advice = (
            f"{roomier} would fit one per core"
            if roomier
            else f"no {plan.family} SKU fits one per core, so lower "
            "workload.memory_per_process_mb"
        )
        yield Failure(
            f"{plan.sku} has {plan.memory_mb} MB, room for {room} worker process(es) "
            f"of {w.memory_per_process_mb} MB, but its cores call for {want}; {advice}",
            PROCESS_PATH,
        )


@check(
    "AZFN115",
    "worker.process-warm-up",
    "warning",
    f"Worker processes start {facts.PROCESS_STARTUP_INTERVAL_S} s apart on a new "
    "instance",
    why="The host starts worker processes one at a time, "
    f"{facts.PROCESS_STARTUP_INTERVAL_S} seconds apart, and sends "
    "invocations only to those already started, while host.json admits what all of "
    "them together can run. On plans that add instances under load (Consumption, "
    "Elastic Premium), a cold instance with P processes reaches full capacity after "
    f"about {facts.PROCESS_STARTUP_INTERVAL_S} x (P - 1) s. Elastic Premium can keep instances always ready "
    "(plan.always_ready, the plan's minimum), and its pre-warmed buffer starts "
    "them ahead of need; Consumption cannot, so keep P at 2 or less there.",
    source=f"{cite.HOST_PROCESS_COUNT}; {cite.HOST_DISPATCHER}; {cite.APP_SETTINGS}; "
    f"{cite.PREMIUM}",
    python_only=True,
)
def process_warm_up(t: Target, today: date) -> Iterator[Failure]:
    t.need("plan.sku")
    family = t.spec.plan.family
    if family not in ("consumption", "premium"):
        raise NotApplicable("the plan does not add instances under load")
    p = processes(t)
    if p <= 2 or (family == "premium" and (t.spec.plan.always_ready or 0) >= 1):
        return
    ready = facts.PROCESS_STARTUP_INTERVAL_S * (p - 1)
    advice = (
        "keep instances warm for bursts (plan.always_ready)"
        if family == "premium"
        else "Consumption keeps no instance warm, so run at most 2"
    )
    yield Failure(
        f"{p} worker processes start {facts.PROCESS_STARTUP_INTERVAL_S} s apart: a "
        f"new {t.spec.plan.sku} instance runs at full capacity only after about "
        f"{ready} s; {advice}",
        PROCESS_PATH,
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
    async_mismatch,
    memory_limits_processes,
    process_warm_up,
)
