"""Platform constants, each with the source it comes from.

Sources are keyed as in the project's platform-facts reference (see README, "Sources").
"""

from __future__ import annotations

# The host refuses FUNCTIONS_WORKER_PROCESS_COUNT above 10 (D-AS; host
# WorkerProcessCountOptions `_maxAllowedProcessCount = 10`).
MAX_WORKER_PROCESSES = 10

# Share of instance memory the worker processes may use together; the rest is left
# to the host, the OS and spikes (the rules' memory fit).
MEMORY_BUDGET = 0.8

# Queue trigger batch size ceiling (D-Q: batchSize max 32).
MAX_QUEUE_BATCH = 32

# Flex Consumption: HTTP per-instance concurrency used for async I/O apps that do not
# declare their concurrency: the platform's own default for 2048 MB instances
# (D-CONC), which Python apps do not get (they default to 1).
FLEX_ASYNC_DEFAULT_CONCURRENCY = 16
FLEX_DEFAULT_INSTANCE_MEMORY = 2048
FLEX_DEFAULT_MAX_INSTANCES = 100  # FLEXS sample default
FLEX_MIN_INSTANCES, FLEX_MAX_INSTANCES = 40, 1000  # FLEXS @minValue/@maxValue

# App settings Flex Consumption deprecates or rejects (D-AS, "Flex Consumption plan
# deprecations"; the Azure CLI flex-migration exclusion list adds the last two).
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
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
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
