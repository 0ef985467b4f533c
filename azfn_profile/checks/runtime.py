"""AZFN1xx runtime.*: the Python version the app runs, and what its plan supports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from azfn_profile import catalog, cite, facts
from azfn_profile.checks._base import Failure, NotApplicable, Target, Unknown, check
from azfn_profile.checks._facts import processes, whole_int
from azfn_profile.fleet import trigger_bounds
from azfn_profile.spec import Field


@check(
    "AZFN109",
    "runtime.python-supported",
    "error",
    "The Python version must be supported (and available on the plan)",
    why="Azure Functions stops supporting each Python version on a published date, and "
    "Linux Consumption gets no version after 3.12. A warning comes six months before "
    "the end.",
    source=f"{cite.SUPPORTED_LANGUAGES}; {cite.CONSUMPTION}",
    python_only=True,
    refuses_profile=True,
)
def python_supported(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PYTHON)
    info = catalog.python_versions().get(t.spec.python)
    supported = ", ".join(catalog.supported_pythons(today))
    if info is None:
        yield Failure(
            f"Python {t.spec.python} is not a version Azure Functions supports on "
            f"Linux; supported: {supported}",
            Field.PYTHON,
        )
        return
    if info.end_of_support < today:
        yield Failure(
            f"Python {t.spec.python} reached end of support on "
            f"{info.end_of_support.isoformat()}; supported: {supported}",
            Field.PYTHON,
        )
    elif t.spec.plan.family == "consumption" and not info.consumption:
        yield Failure(
            f"Python {t.spec.python} is not available on Linux Consumption (Y1), "
            "which stops at 3.12; use Flex Consumption (FC1) or a Premium plan",
            Field.PYTHON,
        )
    elif (info.end_of_support - today).days <= 183:
        yield Failure(
            f"Python {t.spec.python} support ends on {info.end_of_support.isoformat()}",
            Field.PYTHON,
            severity="warning",
        )


@check(
    "AZFN116",
    "runtime.flex-unsupported-setting",
    "warning",
    "Flex Consumption does not support time-zone and certificate-loading settings",
    why="Flex Consumption's considerations list WEBSITE_TIME_ZONE and TZ (timer "
    "schedules stay in UTC) and WEBSITE_LOAD_CERTIFICATES (site-scoped certificates "
    "replace it) as not currently supported. They are not in the deprecation table, "
    "and whether ARM refuses them is not documented: the app deploys, and the "
    "setting does nothing.",
    source=f"{cite.FLEX_CONSIDERATIONS}; {cite.FLEX_CERTIFICATES}",
)
def flex_unsupported(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PLAN_SKU)
    if t.spec.plan.family != "flex":
        raise NotApplicable("not a Flex Consumption app")
    for name in t.spec.app_settings:
        if name.upper() in facts.FLEX_UNSUPPORTED_SETTINGS:
            yield Failure(
                f"{name} is not supported on Flex Consumption: "
                f"{facts.FLEX_UNSUPPORTED_SETTINGS[name.upper()]}",
                Field.setting(name),
            )


@check(
    "AZFN117",
    "runtime.placeholder-thread-pool",
    "warning",
    "On Python 3.13 and newer, a pre-warmed instance's first worker process ignores "
    "PYTHON_THREADPOOL_THREAD_COUNT",
    why="Python 3.13 and newer run the proxy worker, which hands functions to the "
    "azure-functions-runtime library. When a pre-warmed (placeholder) instance is "
    "specialised for the app, the worker restarts the library's thread pool before "
    "the library replaces the environment with the app's settings, so the first "
    "worker process keeps the placeholder's pool (the host starts it with 1000 "
    "threads). Every released library version up to "
    f"{facts.RUNTIME_LIBRARY_NEWEST} does so. On Flex Consumption, which runs one "
    "process, the setting then sizes nothing on such instances; on Elastic Premium "
    "it sizes only the processes started after the first. Bound concurrency with the "
    "trigger limits (Flex perInstanceConcurrency, host.json) rather than the pool: "
    "the check fails only when a scale group's trigger limits admit more than the "
    "pool was sized for, and the pool, not a trigger limit, bounds it.",
    source=f"{cite.PROXY_WORKER_DISPATCHER}; {cite.RUNTIME_LIBRARY}; "
    f"{cite.HOST_PROCESS_FACTORY}",
    python_only=True,
)
def placeholder_pool(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PYTHON)
    if not facts.proxy_worker(t.spec.python):
        raise NotApplicable(f"Python {t.spec.python} runs the classic worker")
    t.need(Field.PLAN_SKU)
    if t.spec.plan.family not in facts.PLACEHOLDER_FAMILIES:
        raise NotApplicable(f"{t.spec.plan.sku} does not pre-warm instances")
    value = t.setting(facts.THREAD_COUNT)
    if value is None:
        return  # the placeholder's pool and the host's default: the same 1000
    threads = whole_int(value)
    if threads is None or threads < 1:
        raise NotApplicable("PYTHON_THREADPOOL_THREAD_COUNT is invalid (AZFN103)")
    if threads >= facts.HOST_DEFAULT_THREADS:
        return
    t.need(Field.HOST_JSON)
    t.need(Field.FUNCTION_APP_CONFIG)
    if not t.spec.host_json:
        raise NotApplicable(
            "no host.json in the source: the trigger limits are unknown"
        )
    intended = processes(t) * threads
    loose = [
        group
        for group, limit in trigger_bounds(t.spec)
        if limit.value is None or limit.value > intended
    ]
    if not loose:
        return  # the trigger limits admit no more than the pool was sized for
    pin = t.code.runtime_pin if t.code is not None else None
    version = pin.version if pin is not None else None
    if (
        pin is not None
        and version is not None
        and version not in facts.RUNTIME_LIBRARY_RELOAD_LINE
    ):
        raise Unknown(
            f"azure-functions-runtime {version} ({pin.file}:{pin.line}) is not a "
            "version this check has read (1.0.0 to "
            f"{facts.RUNTIME_LIBRARY_NEWEST})"
        )
    read = version or facts.RUNTIME_LIBRARY_NEWEST
    line = facts.RUNTIME_LIBRARY_RELOAD_LINE[read]
    library = (
        f"azure-functions-runtime {version}, pinned at {pin.file}:{pin.line}"
        if pin is not None and version is not None
        else f"azure-functions-runtime up to {read}"
    )
    rest = (
        "so on Flex Consumption, which runs one process, it sizes nothing there"
        if t.spec.plan.family == "flex"
        else "so it sizes only the processes started after the first"
    )
    groups = ", ".join(loose)
    yield Failure(
        f"PYTHON_THREADPOOL_THREAD_COUNT is {value!r}, but on Python {t.spec.python} "
        "the first worker process of a pre-warmed instance keeps the placeholder's "
        f"pool ({library}: the pool restarts before handle_event.py:{line} applies "
        f"the app's settings), {rest}; no trigger limit bounds {groups} below it",
        Field.setting(facts.THREAD_COUNT),
    )


CHECKS = (python_supported, flex_unsupported, placeholder_pool)
