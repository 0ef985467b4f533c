"""Platform constants, each with the page or source file it comes from (see cite)."""

from __future__ import annotations

# The host refuses FUNCTIONS_WORKER_PROCESS_COUNT above 10 (`MaxProcessCount = 10`,
# checked in RpcWorkerConfigFactory.GetWorkerProcessCount; cite.HOST_PROCESS_COUNT).
MAX_WORKER_PROCESSES = 10

# The host starts worker processes one at a time, this many seconds apart, and sends
# invocations only to processes already started (`ProcessStartupInterval`;
# cite.HOST_PROCESS_COUNT, cite.HOST_DISPATCHER; cite.APP_SETTINGS: "spawned every
# 10 seconds").
PROCESS_STARTUP_INTERVAL_S = 10

# Share of instance memory the worker processes may use together; the rest is left
# to the host, the OS and spikes (the rules' memory fit: this project's choice).
MEMORY_BUDGET = 0.8

# Queue trigger batch size ceiling ("The maximum batchSize is 32";
# cite.QUEUE_HOST_JSON).
MAX_QUEUE_BATCH = 32

# Unset thread pools. The host gives a worker process it starts with the app's own
# settings PYTHON_THREADPOOL_THREAD_COUNT=1000 (`DefaultConcurrencyLimit`;
# cite.HOST_PROCESS_FACTORY). On plans that start the first worker as a placeholder
# and specialise it (Consumption, Elastic Premium, Flex Consumption), the Python
# worker rebuilds that process's pool from the app's settings, and with the setting
# unset Python's own default applies: min(32, cores + 4) (cite.PYTHON_WORKER_DISPATCHER,
# `_handle__function_environment_reload_request`). Processes started after
# specialisation get 1000 again.
HOST_DEFAULT_THREADS = 1000
PLACEHOLDER_FAMILIES = frozenset({"consumption", "premium", "flex"})

# Python 3.13 and newer run the proxy worker, which hands functions to the
# azure-functions-runtime library (cite.PROXY_WORKER_DISPATCHER). On specialisation
# its `_handle__function_environment_reload_request` restarts the library's pool
# (`start_threadpool_executor`, which reads os.environ) *before* the library's
# `function_environment_reload_request` replaces os.environ with the app's settings:
# the first worker process of a pre-warmed instance keeps the placeholder's pool
# (the host's 1000 threads), whatever PYTHON_THREADPOOL_THREAD_COUNT says. Every
# released library version read does so; the line where each replaces the
# environment (handle_event.py, cite.RUNTIME_LIBRARY):
PROXY_WORKER_PYTHON = (3, 13)
RUNTIME_LIBRARY_RELOAD_LINE = {
    "1.0.0": 317,
    "1.1.0": 321,
    "1.1.1": 321,
    "1.2.1": 321,
    "1.3.0": 327,
}
RUNTIME_LIBRARY_NEWEST = "1.3.0"


# The real Python worker's own CPU per invocation, beyond what the lab's worker
# spends: the gRPC stream, the hand-off from the gRPC thread to the event loop (and to
# the thread pool for sync functions), and a log message per invocation. Measured by
# driving the worker with the lab's own host over the worker protocol (`bench
# --worker-dir`) on a no-op HTTP function at 1 in flight, against the lab's worker on
# the same function; docs/lab.md, "What the real worker costs", has the commands and
# the figures. Keyed by worker generation: the worker for Python up to 3.12, and the
# proxy worker in front of azure-functions-runtime from Python 3.13.
WORKER_OVERHEAD_MS = {"worker": 0.8, "proxy": 0.9}
# Work is short when one call takes under this many ms, or a process runs more than
# SHORT_WORK_RATE calls per second: the worker's overhead is then a fifth of the
# work or more, and the lab's throughput an upper bound.
SHORT_WORK_MS = 5.0
SHORT_WORK_RATE = 1000.0


def worker_generation(python: str) -> str:
    """ "proxy" for Python 3.13 and newer, else "worker"."""
    return "proxy" if proxy_worker(python) else "worker"


def worker_overhead_ms(python: str) -> float:
    """The real worker's CPU per invocation beyond the lab's, for Python `python`."""
    return WORKER_OVERHEAD_MS[worker_generation(python)]


def proxy_worker(python: str) -> bool:
    """Whether Python `python` ("3.13") runs the proxy worker."""
    major, _, minor = python.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        return False
    return (int(major), int(minor)) >= PROXY_WORKER_PYTHON


def unset_thread_pools(
    family: str, cores: int, processes: int, python: str = "3.12"
) -> tuple[int, ...]:
    """Threads each worker process runs when PYTHON_THREADPOOL_THREAD_COUNT is unset
    (`cores` as the instance reports them). Python 3.13+ keeps the placeholder's
    pool, which the host also started with 1000."""
    first = (
        min(32, cores + 4)
        if family in PLACEHOLDER_FAMILIES and not proxy_worker(python)
        else HOST_DEFAULT_THREADS
    )
    return (first,) + (HOST_DEFAULT_THREADS,) * max(0, processes - 1)


def describe_unset_pools(pools: tuple[int, ...], *, known_count: bool = True) -> str:
    """(8, 1000, 1000) -> "the first worker process 8 threads (specialised from a
    placeholder: min(32, cores + 4)), the other 2 the host's 1000 each"."""
    first, rest = pools[0], len(pools) - 1
    if first == HOST_DEFAULT_THREADS:
        return (
            f"every worker process {HOST_DEFAULT_THREADS} threads (the host's default)"
        )
    head = (
        f"the first worker process {first} threads (specialised from a placeholder: "
        "min(32, cores + 4))"
    )
    if not known_count:
        return f"{head}, any other the host's {HOST_DEFAULT_THREADS}"
    if rest:
        return f"{head}, the other {rest} the host's {HOST_DEFAULT_THREADS} each"
    return head


# Per-function trigger defaults when host.json says nothing (N = cores; 1 on
# Consumption): queue batchSize 16 and newBatchThreshold N x 16 / 2
# (cite.QUEUE_HOST_JSON); Service Bus maxConcurrentCalls 16 x N
# (cite.SERVICE_BUS_HOST_JSON); blob maxDegreeOfParallelism 8 x N
# (cite.BLOB_HOST_JSON). HTTP maxConcurrentRequests and maxOutstandingRequests are
# unbounded on Linux (the 100/200 defaults are Windows Consumption only;
# cite.HOST_HTTP_OPTIONS).
QUEUE_DEFAULT_BATCH = 16
# Event Hubs: an instance is sized for maxEventBatchSize events (10 unless set), or
# for targetUnprocessedEventThreshold when set (cite.EVENT_HUBS_TARGET_SCALER).
EVENT_HUB_DEFAULT_BATCH = 10
SERVICE_BUS_DEFAULT_PER_CORE = 16
BLOB_DEFAULT_PER_CORE = 8
# A web framework behind AsgiFunctionApp runs its `def` routes off the event loop:
# Starlette and FastAPI on anyio's worker threads, "The default AnyIO worker thread
# limiter has a value of 40" (cite.ANYIO_THREADS, cite.STARLETTE_THREADPOOL); so one
# process runs at most 40 of them at once, whatever PYTHON_THREADPOOL_THREAD_COUNT
# says (the worker's pool runs sync functions, and http_app_func is async).
ANYIO_DEFAULT_THREADS = 40

# Durable Functions' throttles (host.json extensions.durableTask): how many activity
# functions, and how many orchestrator and entity functions, one instance runs at
# once. Default 10 x the processor count for both (DurableTaskOptions, "The default
# value is 10X the number of processors on the current machine",
# cite.DURABLE_OPTIONS_SOURCE); on the Consumption plan the Azure Storage provider
# lowers them to 10 activities and 5 orchestrators (cite.DURABLE_CONSUMPTION_SOURCE;
# cite.DURABLE_HOST_JSON).
DURABLE_DEFAULT_PER_CORE = 10
DURABLE_CONSUMPTION_ACTIVITIES = 10
DURABLE_CONSUMPTION_ORCHESTRATORS = 5
# Each throttle's host.json key (extensions.durableTask), by the functions it limits.
DURABLE_KEYS = {
    "activity": "maxConcurrentActivityFunctions",
    "orchestration": "maxConcurrentOrchestratorFunctions",
}


def durable_default(unit: str, consumption: bool, cores: int) -> int:
    """What a Durable throttle is when host.json leaves it out."""
    if consumption:
        return (
            DURABLE_CONSUMPTION_ACTIVITIES
            if unit == "activity"
            else DURABLE_CONSUMPTION_ORCHESTRATORS
        )
    return DURABLE_DEFAULT_PER_CORE * cores


# Flex Consumption HTTP per-instance concurrency defaults by instance memory, for
# languages other than Python (Python apps get 1 on every size):
# cite.FLEX_HTTP_CONCURRENCY. The rules use them for async I/O apps that do not
# declare their concurrency.
FLEX_HTTP_DEFAULT_CONCURRENCY = {512: 4, 2048: 16, 4096: 32}
# The same fallback for async I/O elsewhere: event-loop tasks per worker process
# when the workload does not declare its concurrency (this project's choice, the
# Flex default for a 1-core instance).
ASYNC_DEFAULT_CONCURRENCY = 16
FLEX_DEFAULT_INSTANCE_MEMORY = 2048
# Flex maximumInstanceCount: 100 by default, from 1 to 1000 (cite.FLEX_LIMITS: "The
# lowest maximum instance count value is 1, and the highest supported maximum
# instance count value is 1,000"; older copies of cite.FLEX and the Flex samples'
# `@minValue(40)` carry the preview limit of 40).
FLEX_DEFAULT_MAX_INSTANCES = 100
# Flex per-function scaling: HTTP functions share the `http` group, Event Grid blob
# functions the `blob` group, Durable functions the `durable` group; every other
# function scales alone as `function:<name>` (cite.FLEX_SCALE_GROUPS). The maximum
# instance count applies to each group's on-demand instances, and always-ready
# instances are kept per group beside it (cite.FLEX_MAX_PER_GROUP,
# cite.FLEX_ALWAYS_READY).
FLEX_SHARED_GROUPS = {
    "http": "http",
    "blob": "blob",
    "durable": "durable",
    "orchestration": "durable",
    "activity": "durable",
    "entity": "durable",
}
FLEX_FUNCTION_GROUP = "function:"
FLEX_MIN_INSTANCES, FLEX_MAX_INSTANCES = 1, 1000

# The site's scale properties (siteConfig). Elastic Premium keeps an app's
# always-ready instances warm from minimumElasticInstanceCount (cite.PREMIUM, "Always
# ready instances"; the plan's sku.capacity is its minimum instance count), and
# functionAppScaleLimit caps an app's scale-out, "only applies to the Consumption and
# Elastic Premium Plans" (cite.SCALE_LIMIT). Flex sets both in functionAppConfig.
SITE_ALWAYS_READY = "minimumElasticInstanceCount"
# "The maximum number of always-ready instances we support per app is 20"
# (cite.PREMIUM, "Always ready instances").
PREMIUM_MAX_ALWAYS_READY = 20
SITE_SCALE_LIMIT = "functionAppScaleLimit"

# Linux Elastic Premium: the most instances one plan scales out to, by region, where
# the page lists more than 20 (every other region: 20), and the regions that offer
# none (cite.PREMIUM_REGIONS; copies of the page differ for UAE North, 20 or 100:
# 20 is kept).
PREMIUM_LINUX_DEFAULT_MAX = 20
PREMIUM_LINUX_REGION_MAX = {
    "australiaeast": 40,
    "canadacentral": 100,
    "centralus": 100,
    "eastus": 100,
    "eastus2": 100,
    "francecentral": 60,
    "northeurope": 100,
    "southcentralus": 100,
    "uksouth": 100,
    "westeurope": 100,
    "westus": 100,
}
PREMIUM_LINUX_UNAVAILABLE = frozenset({"australiacentral2", "southindia", "usgovtexas"})

# Linux Consumption retires on this date (cite.CONSUMPTION: "The option to host
# function apps on Linux in a Consumption plan is retiring on 30 September 2028").
LINUX_CONSUMPTION_RETIREMENT = "2028-09-30"

# App settings Flex Consumption deprecates (cite.FLEX_DEPRECATIONS; Microsoft's
# Flex migration guide also filters out the last two).
# The Azure Files connection of the content share Y1 and Elastic Premium apps need
# (a key-based connection string: managed identity is not supported for it).
CONTENT_SHARE_CONNECTION = "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"
# Settings Flex Consumption does not currently support, though it does not list them
# as deprecated (cite.FLEX_CONSIDERATIONS), with what happens instead.
FLEX_UNSUPPORTED_SETTINGS = {
    "WEBSITE_TIME_ZONE": "timer schedules run in UTC",
    "TZ": "timer schedules run in UTC",
    "WEBSITE_LOAD_CERTIFICATES": "use site-scoped certificates instead",
}
FLEX_DEPRECATED_SETTINGS = frozenset(
    {
        "ENABLE_ORYX_BUILD",
        "FUNCTIONS_EXTENSION_VERSION",
        "FUNCTIONS_MAX_HTTP_CONCURRENCY",
        "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED",
        "FUNCTIONS_WORKER_PROCESS_COUNT",
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "SCM_DO_BUILD_DURING_DEPLOYMENT",
        CONTENT_SHARE_CONNECTION,
        "WEBSITE_CONTENTOVERVNET",
        "WEBSITE_CONTENTSHARE",
        "WEBSITE_DNS_SERVER",
        "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
        "WEBSITE_NODE_DEFAULT_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_SKIP_CONTENTSHARE_VALIDATION",
        "WEBSITE_VNET_ROUTE_ALL",
        "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED",
        "WEBSITE_MOUNT_ENABLED",
    }
)

PROCESS_COUNT = "FUNCTIONS_WORKER_PROCESS_COUNT"
THREAD_COUNT = "PYTHON_THREADPOOL_THREAD_COUNT"
WORKER_RUNTIME = "FUNCTIONS_WORKER_RUNTIME"
EXTENSION_VERSION = "FUNCTIONS_EXTENSION_VERSION"

# host.json schema version and the extension bundle non-.NET apps need for
# non-HTTP bindings (learn.microsoft.com/azure/azure-functions/extension-bundles).
HOST_JSON_VERSION = "2.0"
EXTENSION_BUNDLE = {
    "id": "Microsoft.Azure.Functions.ExtensionBundle",
    "version": "[4.*, 5.0.0)",
}
