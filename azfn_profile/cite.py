"""Where each platform fact comes from: pages and source files a user can open.

Every number in the rules, checks and SKU catalog cites one of these (or a longer
URL of the same sites). Microsoft Learn pages are cited without a locale; source
files by their path on the repository's default branch.
"""

from __future__ import annotations

_LEARN = "https://learn.microsoft.com/azure/azure-functions/"
_HOST = "https://github.com/Azure/azure-functions-host/blob/dev/src/WebJobs.Script/"
_PYW = "https://github.com/Azure/azure-functions-python-worker/blob/dev/workers/"

# Microsoft Learn: Azure Functions.
GUIDE = _LEARN + "python-scale-performance-reference"
APP_SETTINGS = _LEARN + "functions-app-settings"
FLEX_DEPRECATIONS = APP_SETTINGS + "#flex-consumption-plan-deprecations"
CONCURRENCY = _LEARN + "functions-concurrency"
DYNAMIC_CONCURRENCY = CONCURRENCY + "#dynamic-concurrency"
FLEX_HTTP_CONCURRENCY = CONCURRENCY + "#http-trigger-concurrency"
TARGET_SCALING = _LEARN + "functions-target-based-scaling"
PER_FUNCTION_SCALING = _LEARN + "event-driven-scaling#per-function-scaling"
QUEUE_HOST_JSON = _LEARN + "functions-bindings-storage-queue#host-json"
BLOB_HOST_JSON = _LEARN + "functions-bindings-storage-blob#hostjson-settings"
SERVICE_BUS_HOST_JSON = _LEARN + "functions-bindings-service-bus#hostjson-settings"
HTTP_HOST_JSON = _LEARN + "functions-bindings-http-webhook#hostjson-settings"
FLEX = _LEARN + "flex-consumption-plan"
FLEX_LIMITS = _LEARN + "migration/migrate-aws-lambda-to-azure-functions"
SCALE = _LEARN + "functions-scale"
PREMIUM = _LEARN + "functions-premium-plan"
PREMIUM_REGIONS = PREMIUM + "#region-max-scale-out"
SCALE_LIMIT = _LEARN + "event-driven-scaling#limit-scale-out"
CONSUMPTION = _LEARN + "consumption-plan"
FLEX_ALWAYS_READY = FLEX + "#always-ready-instances"
FLEX_CONSIDERATIONS = FLEX + "#considerations"
FLEX_CERTIFICATES = (
    _LEARN + "flex-consumption-how-to#configure-site-scoped-certificates"
)
FLEX_SCALE_GROUPS = FLEX + "#per-function-scaling"
SUPPORTED_LANGUAGES = _LEARN + "supported-languages"

# Microsoft Learn: App Service plans (the Dedicated plan's SKUs).
PREMIUM_V4 = "https://learn.microsoft.com/azure/app-service/app-service-configure-premium-v4-tier"
APP_SERVICE_PLANS = (
    "https://learn.microsoft.com/azure/app-service/overview-hosting-plans"
)

# The Functions host (Azure/azure-functions-host).
HOST_PROCESS_COUNT = _HOST + "Workers/ProcessManagement/WorkerProcessCountOptions.cs"
HOST_PROCESS_FACTORY = (
    _HOST + "Workers/ProcessManagement/DefaultWorkerProcessFactory.cs"
)
HOST_WORKER_CONFIG = _HOST + "Workers/Rpc/Configuration/RpcWorkerConfigFactory.cs"
HOST_DISPATCHER = (
    _HOST + "Workers/Rpc/FunctionRegistration/RpcFunctionInvocationDispatcher.cs"
)
HOST_ENVIRONMENT = _HOST + "Environment/EnvironmentExtensions.cs"
HOST_HTTP_OPTIONS = (
    "https://github.com/Azure/azure-functions-host/blob/dev/src/"
    "WebJobs.Script.WebHost/Configuration/HttpOptionsSetup.cs"
)

# The Python worker (Azure/azure-functions-python-worker).
PYTHON_WORKER_DISPATCHER = _PYW + "azure_functions_worker/dispatcher.py"

# Web frameworks served through one HTTP function: the Functions library's
# AsgiFunctionApp registers an `async def` that awaits the ASGI app on the worker's
# event loop, WsgiFunctionApp a `def` the worker runs on its thread pool
# (azure/functions/decorators/function_app.py). How each framework runs a `def`
# route: Starlette (and FastAPI on it) through anyio.to_thread.run_sync, whose
# default limiter holds 40 threads; Quart through the loop's default executor;
# Django under ASGI through asgiref's sync_to_async.
ASGI_FUNCTION_APP = (
    "https://github.com/Azure/azure-functions-python-library/blob/dev/"
    "azure/functions/decorators/function_app.py"
)
FASTAPI_DEF_ROUTES = "https://fastapi.tiangolo.com/async/#path-operation-functions"
STARLETTE_THREADPOOL = (
    "https://github.com/encode/starlette/blob/master/starlette/concurrency.py"
)
ANYIO_THREADS = (
    "https://anyio.readthedocs.io/en/stable/threads.html"
    "#adjusting-the-default-maximum-worker-thread-count"
)
QUART_SYNC = "https://quart.palletsprojects.com/en/latest/how_to_guides/sync_code.html"
DJANGO_ASYNC = "https://docs.djangoproject.com/en/stable/topics/async/"
PYTHON_DEFAULT_EXECUTOR = (
    "https://docs.python.org/3/library/concurrent.futures.html#threadpoolexecutor"
)

# The real worker's CPU per invocation, measured under the lab's own host speaking
# the worker protocol (this one) to the worker.
WORKER_PROTOCOL = (
    "https://github.com/Azure/azure-functions-language-worker-protobuf/blob/dev/"
    "src/proto/FunctionRpc.proto"
)
LAB_WORKER_OVERHEAD = (
    "azfn-profile's measurement of the worker over this protocol (docs/lab.md, "
    "What the real worker costs)"
)

# Durable Functions: an orchestrator is replayed from its history and must be
# deterministic, and does its I/O through activities.
DURABLE_CODE_CONSTRAINTS = _LEARN + "durable/durable-functions-code-constraints"
# Its throttles: maxConcurrentActivityFunctions (activities) and
# maxConcurrentOrchestratorFunctions (orchestrators and entities), per instance; for
# Python, matched to what the language worker runs at once ("Language runtime
# considerations").
DURABLE_HOST_JSON = _LEARN + "durable/durable-functions-bindings#host-json-settings"
DURABLE_PERF = _LEARN + "durable/durable-functions-perf-and-scale#concurrency-throttles"
DURABLE_PERF_LANGUAGE = (
    _LEARN + "durable/durable-functions-perf-and-scale#language-runtime-considerations"
)
_DURABLE_SRC = (
    "https://github.com/Azure/azure-functions-durable-extension/blob/main/src/"
    "WebJobs.Extensions.DurableTask/"
)
DURABLE_OPTIONS_SOURCE = _DURABLE_SRC + "Options/DurableTaskOptions.cs"
DURABLE_CONSUMPTION_SOURCE = _DURABLE_SRC + "AzureStorageDurabilityProviderFactory.cs"

# The ARM API: Flex maximumInstanceCount is "the maximum number of on demand
# instances per function group" (Azure/azure-rest-api-specs, merged 2026-07-29).
FLEX_MAX_PER_GROUP = "https://github.com/Azure/azure-rest-api-specs/pull/45083"

# The trigger extensions' target-based scalers (Azure/azure-sdk-for-net): what one
# instance is sized to take for each trigger.
_SDK = "https://github.com/Azure/azure-sdk-for-net/blob/main/sdk/"
QUEUE_TARGET_SCALER = (
    _SDK + "storage/Microsoft.Azure.WebJobs.Extensions.Storage.Common/src/Shared/"
    "Queues/QueueTargetScaler.cs"
)
SERVICE_BUS_TARGET_SCALER = (
    _SDK + "servicebus/Microsoft.Azure.WebJobs.Extensions.ServiceBus/src/Listeners/"
    "ServiceBusTargetScaler.cs"
)
EVENT_HUBS_TARGET_SCALER = (
    _SDK + "eventhub/Microsoft.Azure.WebJobs.Extensions.EventHubs/src/Listeners/"
    "EventHubsTargetScaler.cs"
)
TIMER_SINGLETON = _LEARN + "functions-bindings-timer#scale-out"

# Python 3.13 and newer: the proxy worker (Azure/azure-functions-python-worker) and
# the azure-functions-runtime library it loads (the app's own copy first). The
# released library (PyPI) builds its pool in utils/threadpool.py,
# start_threadpool_executor (L56-L66), from os.environ; handle_event.py's
# function_environment_reload_request replaces os.environ afterwards.
PROXY_WORKER_DISPATCHER = (
    "https://github.com/Azure/azure-functions-python-worker/blob/"
    "d9e25ebff225331dbde3bbd0e4977f8c2131bd5d/workers/proxy_worker/dispatcher.py"
)
RUNTIME_LIBRARY = "https://pypi.org/project/azure-functions-runtime/"

# Security baselines the AZFN5xx checks mirror.
AZURE_POLICY = "https://learn.microsoft.com/azure/app-service/policy-reference"
AVM_SITE = "https://github.com/Azure/bicep-registry-modules/tree/main/avm/res/web/site"
CHECKOV_ARM = "https://www.checkov.io/5.Policy%20Index/arm.html"
