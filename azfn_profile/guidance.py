"""The guidance each rule applies: a paraphrase and where it comes from.

GUIDE = the Microsoft article "Improve throughput performance of Python apps in Azure
Functions"; FACTS = the project's platform-facts reference (sections as numbered there).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guidance:
    text: str
    source: str


PROCESSES = Guidance(
    "Run at least one worker process per core for CPU work, never more than the host's "
    "10, and only as many as instance memory holds; more processes for I/O is left to "
    "measurement.",
    "GUIDE: Use multiple language worker processes; FACTS §2",
)
PROCESSES_MEMORY = Guidance(
    "Each worker process loads the app again, so processes x memory per process must "
    "stay within the instance's memory budget.",
    "FACTS §2 (process count multiplies memory); iac-anchors §4a",
)
THREADS_CPU = Guidance(
    "CPU-bound functions should start from a single thread per process to avoid "
    "context switches; parallelism comes from processes.",
    "GUIDE: Set up max workers within a language worker process; FACTS §2 (unset, "
    "the v4 host injects 1000 threads per process, so the value is always written)",
)
THREADS_IO = Guidance(
    "I/O-bound sync functions gain from more threads: start from cores + 4 (Python's "
    "default), and give each process enough threads for its share of the expected "
    "concurrency.",
    "GUIDE: Set up max workers within a language worker process; FACTS §2 (unset, "
    "the v4 host injects 1000 threads per process, so the value is always written)",
)
THREADS_ASYNC = Guidance(
    "Coroutines run on the worker's event loop, not in the thread pool, so async I/O "
    "needs no extra threads; keep the pool at cores + 4 for any sync helpers.",
    "GUIDE: Understanding async in python worker; FACTS §2, §5 (unset, the v4 host "
    "injects 1000 threads per process, so the value is always written)",
)
THREADS_MIXED = Guidance(
    "Mixed workloads balance processes and threads: the I/O share of the time decides "
    "how many of the cores + 4 threads can usefully wait at once; with a declared "
    "concurrency, the pool also holds every invocation waiting on I/O.",
    "GUIDE: Set up max workers within a language worker process; FACTS §2 (unset, "
    "the v4 host injects 1000 threads per process, so the value is always written)",
)
RUNTIME = Guidance(
    "Python apps run on the v4 host with the python worker runtime.",
    "FACTS §2 (FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION)",
)
LINUX_FX = Guidance(
    "Python runs on Linux only; the site's linuxFxVersion names the runtime and version.",
    "FACTS §3 (linuxFxVersion format)",
)
ALWAYS_ON = Guidance(
    "Dedicated plans need alwaysOn so non-HTTP triggers keep running; Consumption and "
    "Elastic Premium manage instances themselves, and Flex does not accept the setting.",
    "FACTS §1c (D-AS alwaysOn)",
)
FLEX = Guidance(
    "Flex Consumption replaces worker settings with functionAppConfig: runtime, "
    "instance memory, instance limit and per-instance HTTP concurrency, which Python "
    "apps otherwise get as 1.",
    "FACTS §1b, §2 (Flex deprecations), D-CONC",
)
HOST_CAPACITY = Guidance(
    "Trigger concurrency should match what the workers can run at once: processes x "
    "threads for sync work, processes x event-loop tasks for async, processes for CPU.",
    "FACTS §4, §5 (effective per-instance parallelism)",
)
QUEUE = Guidance(
    "A queue trigger runs up to batchSize + newBatchThreshold messages per instance; "
    "batchSize is capped at 32.",
    "FACTS §4 (D-Q)",
)
PLAN_AUTO = Guidance(
    "Pick the smallest SKU of the family with enough cores for the work and enough "
    "memory for its worker processes; vertical scale gives CPU work more cores.",
    "GUIDE: Vertical scaling; FACTS §1",
)
OVERRIDE = Guidance(
    "A value set in the profile's app_settings wins over the computed one.",
    "profile app_settings",
)
