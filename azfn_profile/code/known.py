"""The calls the code reader recognises, and what each means for throughput.

Only what is listed here becomes evidence: an unknown call is not a finding
(precision matters more than recall). docs/code.md is generated from these tables.

Names are qualified by where they are imported from: `requests.get`,
`urllib.request.urlopen`. Objects made by a listed constructor keep a *type*
(`requests.Session`), and method calls on them are judged by that type.
"""

from __future__ import annotations

from dataclasses import dataclass

_HTTP_ASYNC = "an aiohttp.ClientSession or httpx.AsyncClient call, awaited"
_SUBPROCESS_ASYNC = "await asyncio.create_subprocess_exec(...) (or _shell)"
_DB_ASYNC = (
    "an async driver (asyncpg, psycopg.AsyncConnection, aioodbc, aiomysql), or "
    "await asyncio.to_thread(...)"
)


@dataclass(frozen=True)
class Blocking:
    """A call that blocks the calling thread on I/O (or sleeps)."""

    what: str  # "HTTP request", "database", ...
    alternative: str


# Module-level request functions of requests and httpx.
HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")

# DB-API drivers whose connect() and connection methods block.
DB_DRIVERS = (
    "pyodbc",
    "psycopg2",
    "psycopg",
    "pymssql",
    "pymysql",
    "mysql.connector",
    "cx_Oracle",
    "oracledb",
    "sqlite3",
)

# Module-level functions that block.
BLOCKING_CALLS: dict[str, Blocking] = {
    **{
        f"requests.{verb}": Blocking("HTTP request", _HTTP_ASYNC) for verb in HTTP_VERBS
    },
    **{
        f"httpx.{verb}": Blocking("HTTP request", _HTTP_ASYNC)
        for verb in (*HTTP_VERBS, "stream")
    },
    "urllib.request.urlopen": Blocking("HTTP request", _HTTP_ASYNC),
    "urllib.request.urlretrieve": Blocking("HTTP request", _HTTP_ASYNC),
    "urllib3.request": Blocking("HTTP request", _HTTP_ASYNC),
    "socket.create_connection": Blocking("socket", "asyncio.open_connection, awaited"),
    "time.sleep": Blocking("sleep", "await asyncio.sleep(...)"),
    **{
        f"subprocess.{name}": Blocking("subprocess", _SUBPROCESS_ASYNC)
        for name in ("run", "call", "check_call", "check_output")
    },
    "os.system": Blocking("subprocess", _SUBPROCESS_ASYNC),
    **{f"{driver}.connect": Blocking("database", _DB_ASYNC) for driver in DB_DRIVERS},
}

# Constructors whose objects do blocking I/O in their methods: qualified name -> type.
OBJECT_CONSTRUCTORS: dict[str, str] = {
    "requests.Session": "http-session",
    "requests.session": "http-session",
    "httpx.Client": "http-session",
    "urllib3.PoolManager": "http-session",
    "http.client.HTTPConnection": "http-connection",
    "http.client.HTTPSConnection": "http-connection",
    **{f"{driver}.connect": "db" for driver in DB_DRIVERS},
}

# Type -> (blocking methods, methods returning an object of the same type).
OBJECT_METHODS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "http-session": (
        frozenset(
            {
                "get",
                "post",
                "put",
                "patch",
                "delete",
                "head",
                "options",
                "request",
                "send",
                "stream",
                "urlopen",
            }
        ),
        frozenset(),
    ),
    "http-connection": (frozenset({"request", "getresponse"}), frozenset()),
    "db": (
        frozenset(
            {
                "execute",
                "executemany",
                "fetchone",
                "fetchall",
                "fetchmany",
                "commit",
                "rollback",
            }
        ),
        frozenset({"cursor"}),
    ),
}
OBJECT_BLOCKING: dict[str, Blocking] = {
    "http-session": Blocking("HTTP request", _HTTP_ASYNC),
    "http-connection": Blocking("HTTP request", _HTTP_ASYNC),
    "db": Blocking("database", _DB_ASYNC),
    "azure-sync": Blocking(
        "Azure SDK call", "the same client from the package's .aio module, awaited"
    ),
}

# Sync Azure SDK clients: any `azure.*` class named *Client outside `.aio`
# (constructor, from_connection_string, from_*_url). Their methods do I/O, except
# these, which only make another client (and close/context management).
AZURE_CLIENT_FACTORY_SUFFIXES = ("_client", "_sender", "_receiver")
AZURE_NO_IO_METHODS = frozenset({"close", "__enter__", "__exit__"})
AZURE_EXCLUDED_PACKAGES = ("azure.functions", "azure.durable_functions")

# Calls that run an event loop: inside a function they start a second loop or block
# the worker's own. `asyncio.run`, and these methods of a loop object.
LOOP_RUNNERS = frozenset({"asyncio.run"})
LOOP_CONSTRUCTORS = frozenset(
    {"asyncio.get_event_loop", "asyncio.new_event_loop", "asyncio.get_running_loop"}
)
LOOP_RUN_METHODS = frozenset({"run_until_complete", "run_forever"})

# CPU-heavy libraries: any call into them is CPU work.
CPU_MODULES = (
    "numpy",
    "pandas",
    "PIL",
    "cv2",
    "torch",
    "tensorflow",
    "sklearn",
    "scipy",
)
# CPU work when called inside a loop.
CPU_IN_LOOPS = ("hashlib",)

# File I/O: evidence that a function does I/O (for `init`), not a blocking-call
# finding: how long it blocks depends on sizes the code does not show.
FILE_CALLS = frozenset(
    {
        "open",
        "shutil.copy",
        "shutil.copyfile",
        "shutil.copytree",
        "shutil.move",
    }
)

# The decorators of the Python v2 programming model, by trigger.
TRIGGER_DECORATORS: dict[str, str] = {
    "route": "http",
    "queue_trigger": "queue",
    "service_bus_queue_trigger": "servicebus",
    "service_bus_topic_trigger": "servicebus",
    "event_hub_message_trigger": "eventhub",
    "blob_trigger": "blob",
    "event_grid_trigger": "eventgrid",
    "timer_trigger": "timer",
    "schedule": "timer",
    "cosmos_db_trigger": "cosmosdb",
    "cosmos_db_trigger_v3": "cosmosdb",
    "orchestration_trigger": "orchestration",
    "activity_trigger": "activity",
    "entity_trigger": "entity",
}
# Durable Functions: the role each Durable trigger gives its function.
DURABLE_ROLES: dict[str, str] = {
    "orchestration_trigger": "orchestration",
    "activity_trigger": "activity",
    "entity_trigger": "entity",
}
# Calls that return another value each time they run, and what a Durable
# orchestrator uses instead, since it is replayed from its history and must take the
# same path each time (cite.DURABLE_CODE_CONSTRAINTS).
REPLAY_TIME = "context.current_utc_datetime (the same on every replay)"
REPLAY_RANDOM = "an activity, whose result the history keeps"
NONDETERMINISTIC_CALLS: dict[str, str] = {
    "datetime.datetime.now": REPLAY_TIME,
    "datetime.datetime.utcnow": REPLAY_TIME,
    "datetime.datetime.today": REPLAY_TIME,
    "datetime.date.today": REPLAY_TIME,
    "time.time": REPLAY_TIME,
    "time.time_ns": REPLAY_TIME,
    "time.monotonic": REPLAY_TIME,
    "time.perf_counter": REPLAY_TIME,
    "uuid.uuid1": "context.new_uuid()",
    "uuid.uuid4": "context.new_uuid()",
    "os.urandom": REPLAY_RANDOM,
    "os.getenv": REPLAY_RANDOM,
    "os.environ.get": REPLAY_RANDOM,
}
# Every call into these modules is non-deterministic too.
NONDETERMINISTIC_MODULES = ("random", "secrets")

# What makes an app object (the decorators above hang off it).
APP_CLASSES = frozenset(
    {
        "azure.functions.FunctionApp",
        "azure.functions.AsgiFunctionApp",
        "azure.functions.WsgiFunctionApp",
        "azure.functions.Blueprint",
        "azure.durable_functions.DFApp",
        "azure.durable_functions.Blueprint",
    }
)
REGISTER_METHODS = frozenset({"register_functions", "register_blueprint"})
