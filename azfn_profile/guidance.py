"""Every rule the engine applies: what it does, in words, and where that comes from.

One entry per rule name the decision trace records; `explain` prints them beside the
values and docs/rules.md lists them all. Sources are pages and source files a user
can open (see cite); a rule that is this project's own choice says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from azfn_profile import cite, facts


@dataclass(frozen=True)
class Guidance:
    text: str
    sources: tuple[str, ...]

    @property
    def source(self) -> str:
        return "; ".join(self.sources)


_UNSET_THREADS = (
    "Always written: unset, a worker process the host starts itself gets "
    f"{facts.HOST_DEFAULT_THREADS} threads, and on Consumption, Elastic Premium and Flex "
    "the first process (specialised from a placeholder) gets min(32, cores + 4) up "
    "to Python 3.12, and keeps the placeholder's 1000 from Python 3.13."
)
_THREAD_SOURCES = (cite.GUIDE, cite.HOST_PROCESS_FACTORY, cite.PYTHON_WORKER_DISPATCHER)
_OURS = "azfn-profile's own rule (see README, The rules)"

RULES: dict[str, Guidance] = {
    "plan.auto-sku": Guidance(
        "Pick the smallest SKU of the family with enough cores for the work and "
        "enough memory for its worker processes; vertical scale gives CPU work more "
        "cores.",
        (cite.GUIDE, _OURS),
    ),
    "site.linux-fx-version": Guidance(
        "Python runs on Linux only; the site's linuxFxVersion names the runtime and "
        "version.",
        (cite.SUPPORTED_LANGUAGES,),
    ),
    "site.always-on": Guidance(
        "Dedicated plans need alwaysOn so non-HTTP triggers keep running; Consumption "
        "and Elastic Premium manage instances themselves, and Flex does not accept "
        "the setting.",
        (cite.SCALE, cite.FLEX_DEPRECATIONS),
    ),
    "runtime.extension-version": Guidance(
        "Python apps run on the v4 host.", (cite.APP_SETTINGS,)
    ),
    "runtime.worker-runtime": Guidance(
        "The python worker runtime runs the app's functions.", (cite.APP_SETTINGS,)
    ),
    "runtime.library": Guidance(
        "Python 3.13 and newer run the proxy worker, which loads the "
        "azure-functions-runtime library (the app's pinned copy first, else its own). "
        "Every released version (1.0.0 to "
        f"{facts.RUNTIME_LIBRARY_NEWEST}) starts its thread pool from "
        "PYTHON_THREADPOOL_THREAD_COUNT when the worker starts and again when an "
        "instance is specialised, before the app's settings replace the environment: "
        "the first worker process of a pre-warmed instance keeps the placeholder's "
        "pool.",
        (cite.PROXY_WORKER_DISPATCHER, cite.RUNTIME_LIBRARY),
    ),
    "workers.processes": Guidance(
        "Run one worker process per core for CPU work, never more than the host's "
        f"{facts.MAX_WORKER_PROCESSES}, and only as many as instance memory holds. "
        "The host's worker dynamic concurrency (1 process, more when latency "
        "passes 100 ms) is opt-in, with FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED "
        "= true, and any FUNCTIONS_WORKER_PROCESS_COUNT turns it off: the count "
        "written here is the count that runs.",
        (cite.GUIDE, cite.HOST_PROCESS_COUNT, cite.HOST_ENVIRONMENT),
    ),
    "workers.processes.async-blocking": Guidance(
        "An async function that makes a blocking call holds its process's only event "
        "loop for the whole call, so each process serves one invocation at a time, "
        "whatever the threads: throughput is processes / latency. Until the code is "
        f"fixed (AZFN401), run as many processes as memory holds (up to "
        f"{facts.MAX_WORKER_PROCESSES}; the blocked loops wait, they do not compute) "
        "and admit one invocation per process.",
        (cite.GUIDE, cite.PYTHON_WORKER_DISPATCHER, _OURS),
    ),
    "workers.processes.short-work": Guidance(
        "When one call takes under "
        f"{facts.SHORT_WORK_MS:g} ms, the Python worker's own CPU per invocation "
        "(gRPC, the hand-off to the event loop or the thread pool, a log line: "
        f"{facts.WORKER_OVERHEAD_MS['worker']:g} ms up to Python 3.12, "
        f"{facts.WORKER_OVERHEAD_MS['proxy']:g} ms for the proxy worker of 3.13+) is a "
        "large share of each call, and it runs on the process's one core: a "
        "process completes at most 1 / (cpu + overhead) calls a second. Run one "
        "process per core, even for async functions that block (a short wait does not "
        "pay for another process's CPU), and size instances for that ceiling.",
        (
            cite.GUIDE,
            cite.PYTHON_WORKER_DISPATCHER,
            cite.WORKER_PROTOCOL,
            cite.LAB_WORKER_OVERHEAD,
        ),
    ),
    "workers.threads.cpu": Guidance(
        "CPU-bound functions start from a single thread per process to avoid context "
        "switches; parallelism comes from processes. " + _UNSET_THREADS,
        _THREAD_SOURCES,
    ),
    "workers.threads.io": Guidance(
        "I/O-bound sync functions gain from more threads: start from cores + 4 "
        "(Python's default), and give each process enough threads for its share of "
        "the expected concurrency. " + _UNSET_THREADS,
        _THREAD_SOURCES,
    ),
    "workers.threads.io-async": Guidance(
        "Coroutines run on the worker's event loop, not in the thread pool, so async "
        "I/O needs no extra threads; keep the pool at cores + 4 for any sync "
        "helpers. " + _UNSET_THREADS,
        _THREAD_SOURCES,
    ),
    "workers.threads.mixed": Guidance(
        "Mixed workloads balance processes and threads: the I/O share of the time "
        "decides how many of the cores + 4 threads can usefully wait at once; with a "
        "declared concurrency, the pool also holds every invocation waiting on I/O. "
        + _UNSET_THREADS,
        (*_THREAD_SOURCES, _OURS),
    ),
    "flex.per-instance-concurrency": Guidance(
        "Flex Consumption replaces worker settings with functionAppConfig; Python "
        "apps get an HTTP per-instance concurrency of 1 unless it is set. Sync work "
        "gets its threads, CPU work 1, async I/O its declared concurrency or the "
        "platform's default for the instance size (4, 16, 32 at 512, 2048, "
        "4096 MB).",
        (cite.FLEX_HTTP_CONCURRENCY, cite.FLEX),
    ),
    "flex.instance-memory": Guidance(
        "Flex instances come in 512, 2048 (the default) and 4096 MB, with 0.25, 1 and "
        "2 cores.",
        (cite.FLEX,),
    ),
    "flex.maximum-instance-count": Guidance(
        "Flex scales each scale group (http, blob, durable, and every other function "
        f"alone) to {facts.FLEX_DEFAULT_MAX_INSTANCES} on-demand instances unless told "
        f"otherwise; any ceiling from {facts.FLEX_MIN_INSTANCES} to "
        f"{facts.FLEX_MAX_INSTANCES} is accepted. It applies to each group, not to the "
        "app, and always-ready instances run beside it.",
        (cite.FLEX_MAX_PER_GROUP, cite.FLEX_SCALE_GROUPS, cite.FLEX_LIMITS),
    ),
    "flex.always-ready": Guidance(
        "Always-ready instances are kept per scale group (http, blob, durable, "
        "function:<name>): one number applies to every group of the app, a mapping "
        "to the groups it names.",
        (cite.FLEX_ALWAYS_READY, cite.FLEX_SCALE_GROUPS),
    ),
    "downstream.instance-limit": Guidance(
        "A downstream service takes at most max_concurrency requests at once from "
        "every instance together: the instance limit is the largest whose fleet "
        "ceiling (instances x per-instance concurrency, summed over the groups that "
        "call it) stays within that; on Flex the limit applies to each group.",
        (cite.FLEX_MAX_PER_GROUP, cite.SCALE_LIMIT),
    ),
    "downstream.per-instance-limit": Guidance(
        "When even the lowest instance limit sends a downstream service more than "
        "it takes, what one instance admits is lowered (HTTP, queue, Service Bus, "
        "blob and Event Hubs limits) to the largest value that fits.",
        (cite.CONCURRENCY, cite.QUEUE_TARGET_SCALER),
    ),
    "host.capacity-split": Guidance(
        "Queue, Service Bus and blob limits apply to each function, and HTTP runs "
        "beside them on the same worker processes: the instance's capacity C is "
        "split so that what all its functions may admit adds up to at most C. HTTP "
        "keeps C minus the other functions' shares; on Flex, every non-HTTP function "
        "except blob triggers scales on instances of its own.",
        (
            cite.QUEUE_HOST_JSON,
            cite.SERVICE_BUS_HOST_JSON,
            cite.BLOB_HOST_JSON,
            cite.PER_FUNCTION_SCALING,
        ),
    ),
    "host.http.max-concurrent-requests": Guidance(
        "HTTP functions run at most maxConcurrentRequests at once on an instance (all "
        "HTTP functions together); on Linux it is unbounded unless set.",
        (cite.HTTP_HOST_JSON, cite.HOST_HTTP_OPTIONS),
    ),
    "host.http.max-outstanding-requests": Guidance(
        "Requests beyond maxConcurrentRequests wait in the host's queue, which is "
        "unbounded on Linux: a bound turns the excess into 429 Too Busy responses "
        "that a client or load balancer can retry elsewhere, instead of rising "
        "latency.",
        (cite.HTTP_HOST_JSON, cite.HOST_HTTP_OPTIONS),
    ),
    "host.queues.batch": Guidance(
        "A queue function runs up to batchSize + newBatchThreshold messages at once, "
        "and the scale controller sizes each instance for the same sum (Storage "
        "Queues extension 5.3.1 and later). Half the share is fetched per batch, "
        f"at most {facts.MAX_QUEUE_BATCH}, and the next batch is fetched while the "
        "rest run.",
        (cite.QUEUE_HOST_JSON, cite.QUEUE_TARGET_SCALER),
    ),
    "host.servicebus.max-concurrent-calls": Guidance(
        "A Service Bus function runs up to maxConcurrentCalls messages at once (default "
        "16 x cores); target-based scaling also reads it as the per-instance target. "
        "A function that takes batches (cardinality many) runs one batch at a time "
        "per instance, and the scaler sizes it by maxMessageBatchSize instead; the "
        "fleet counts maxConcurrentCalls for it, more invocations than its one batch.",
        (
            cite.SERVICE_BUS_HOST_JSON,
            cite.TARGET_SCALING,
            cite.SERVICE_BUS_TARGET_SCALER,
        ),
    ),
    "host.blobs.max-degree-of-parallelism": Guidance(
        "Blob-triggered functions run up to maxDegreeOfParallelism invocations at once "
        "(default 8 x cores), far above what CPU-bound workers run; the page says "
        "'for each blob-triggered function' in one place and 'for all' in another, "
        "so it is sized per function, the safer reading.",
        (cite.BLOB_HOST_JSON,),
    ),
    "host.durable.max-concurrent-activity-functions": Guidance(
        "Durable Functions hands one instance up to maxConcurrentActivityFunctions "
        "activities at once (default 10 x cores; 10 on Consumption). Python runs "
        "them on the worker's processes and threads, so a throttle above what the "
        "workers run leaves work waiting inside the worker while other instances "
        "idle; it is set to the workers' share for the activities.",
        (
            cite.DURABLE_PERF,
            cite.DURABLE_PERF_LANGUAGE,
            cite.DURABLE_HOST_JSON,
            cite.DURABLE_OPTIONS_SOURCE,
            cite.DURABLE_CONSUMPTION_SOURCE,
        ),
    ),
    "host.durable.max-concurrent-orchestrator-functions": Guidance(
        "maxConcurrentOrchestratorFunctions limits the orchestrator and entity "
        "functions one instance runs at once (default 10 x cores; 5 on "
        "Consumption). Each replay runs in the Python worker like any invocation, "
        "so it is set to the workers' share for orchestrators and entities.",
        (
            cite.DURABLE_PERF,
            cite.DURABLE_PERF_LANGUAGE,
            cite.DURABLE_HOST_JSON,
            cite.DURABLE_OPTIONS_SOURCE,
            cite.DURABLE_CONSUMPTION_SOURCE,
        ),
    ),
    "host.dynamic-concurrency": Guidance(
        "With dynamic concurrency on, the host starts each queue, blob and Service "
        "Bus function at 1 and adjusts it from measured throughput, overriding "
        "static limits; so those limits are left out. HTTP keeps its static limit.",
        (cite.DYNAMIC_CONCURRENCY,),
    ),
    "override": Guidance(
        "A value set in the profile's app_settings wins over the computed one.",
        ("the profile's app_settings",),
    ),
    "profile.extra-setting": Guidance(
        "App settings from the profile are passed through unchanged.",
        ("the profile's app_settings",),
    ),
}
