"""plan.*: the hosting plan, its SKU and how it suits the workload (AZFN110-112 and
AZFN2xx; IDs are stable, so a check keeps its number when it changes module)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from azfn_profile import catalog, cite, facts
from azfn_profile.checks._base import Failure, NotApplicable, Target, check
from azfn_profile.checks._facts import flex, workload
from azfn_profile.spec import Field, is_under


@check(
    "AZFN110",
    "plan.linux-consumption-retiring",
    "warning",
    "Linux Consumption (Y1) retires; prefer Flex Consumption or Premium",
    why="Hosting function apps on Linux in a Consumption plan retires on "
    f"{facts.LINUX_CONSUMPTION_RETIREMENT}; the plan gets no new features or language "
    "versions until then (Microsoft's published date). Apps on Windows in a "
    "Consumption plan are not affected: an app runs on Linux when its plan is "
    "reserved or its site kind includes linux.",
    source=cite.CONSUMPTION,
)
def linux_consumption(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PLAN_SKU)
    if t.spec.plan.family != "consumption":
        return
    if not on_linux(t):
        raise NotApplicable(
            "the app runs on Windows (the plan is not reserved and the site kind "
            "has no linux); Windows Consumption is not retiring"
        )
    yield Failure(
        f"Linux Consumption (Y1) retires on {facts.LINUX_CONSUMPTION_RETIREMENT} "
        "and gets no new language versions; use Flex Consumption (FC1) or "
        "Elastic Premium",
        "plan.sku",
    )


def on_linux(t: Target) -> bool:
    """Whether the app runs on Linux: its plan is reserved or its site kind includes
    linux. Unknown when neither says so and either is computed at deployment."""
    reserved_known = is_under(Field.PLAN_RESERVED, t.unknown) is None
    kind_known = is_under(Field.SITE_KIND, t.unknown) is None
    if reserved_known and t.spec.plan.reserved:
        return True
    kinds = {part.strip().lower() for part in t.spec.site.kind.split(",")}
    if kind_known and "linux" in kinds:
        return True
    t.need(Field.PLAN_RESERVED)
    t.need(Field.SITE_KIND)
    return False


@check(
    "AZFN111",
    "plan.flex-cpu-idle-core",
    "warning",
    "CPU-bound work on 4096 MB Flex instances leaves a core idle",
    why="A 4096 MB Flex instance has 2 cores, and Flex takes no "
    "FUNCTIONS_WORKER_PROCESS_COUNT, so CPU-bound Python work runs in one process on "
    "one core (that Flex runs one worker process is read from the setting being "
    "'not valid'; the platform does not document its own count).",
    source=f"{cite.FLEX}; {cite.FLEX_DEPRECATIONS}",
    python_only=True,
    workload=True,
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
    "unless perInstanceConcurrency is set, so I/O-bound apps scale out instead of "
    "overlapping waits.",
    source=cite.FLEX_HTTP_CONCURRENCY,
    python_only=True,
    workload=True,
)
def flex_http(t: Target, today: date) -> Iterator[Failure]:
    if workload(t).kind != "io" or not flex(t):
        raise NotApplicable("not I/O-bound work on Flex Consumption")
    t.need(Field.FUNCTION_APP_CONFIG)
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
    "AZFN201",
    "plan.linux-required",
    "error",
    "Python function apps must run on a Linux plan and site",
    why="Linux is the only operating system Azure Functions supports for Python: the "
    "plan needs reserved: true and the site kind must include linux.",
    source=f"{cite.SUPPORTED_LANGUAGES}; {cite.SCALE}",
    python_only=True,
)
def linux_required(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PLAN_RESERVED)
    if not t.spec.plan.reserved:
        yield Failure("the plan is a Windows plan (reserved is false)", "plan.reserved")
    if "linux" not in t.spec.site.kind.split(","):
        yield Failure(
            f"the site kind is {t.spec.site.kind!r}, without linux", "site.kind"
        )


@check(
    "AZFN202",
    "plan.always-on",
    "warning",
    "alwaysOn must match the plan",
    why="Dedicated plans need alwaysOn so non-HTTP triggers keep running; Consumption "
    "and Elastic Premium scale instances themselves, and Flex Consumption keeps "
    "instances warm with always-ready instances instead (its samples set alwaysOn "
    "false).",
    source=f"{cite.SCALE}; {cite.FLEX}",
)
def always_on(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.SITE_ALWAYS_ON)
    family, value = t.spec.plan.family, t.spec.site.always_on
    if family == "dedicated" and value is not True:
        yield Failure(
            "alwaysOn is off on a dedicated plan: non-HTTP triggers stop when "
            "the app idles",
            "site.always_on",
        )
    elif family == "flex" and value is True:
        yield Failure(
            "alwaysOn is on for Flex Consumption, which keeps instances warm with "
            "always-ready instead",
            "site.always_on",
        )
    elif family in ("consumption", "premium") and value is True:
        yield Failure(
            f"alwaysOn is on for a {family} plan, which manages instances itself",
            "site.always_on",
        )


@check(
    "AZFN203",
    "plan.unknown-sku",
    "error",
    "The plan SKU must be one a Linux Python function app can use",
    why="Only the SKUs in the catalog (Y1, FC1, EP1-3, B, S, Pv2, Pv3, Pmv3, Iv2) host "
    "Linux Python function apps; others (F1, D1, Windows-only tiers) do not.",
    source=f"{cite.SCALE}; {cite.APP_SERVICE_PLANS}",
    python_only=True,
    refuses_profile=True,
)
def unknown_sku(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PLAN_SKU)
    if not t.spec.plan.sku:
        raise NotApplicable("no plan in the source")
    if not t.sku_known:
        if catalog.unconfirmed_sku(t.spec.plan.sku):
            raise NotApplicable(f"SKU {t.spec.plan.sku} is Premium v4 (see AZFN204)")
        yield Failure(unknown_sku_message(t.spec.plan.sku), Field.PLAN_SKU)


@check(
    "AZFN204",
    "plan.unconfirmed-sku",
    "warning",
    "The plan SKU should be one Functions is documented to run on",
    why="Premium v4 (P0v4-P3v4, P1mv4-P5mv4) runs Linux code and containers on App "
    "Service, but no Microsoft page says Azure Functions runs on it, and its sizes "
    "are not in the catalog: the checks that need the plan's cores or memory are "
    "not applied. A profile cannot name it: no settings can be computed without "
    "them, so AZFN203 refuses it there, with this reason.",
    source=f"{cite.PREMIUM_V4}; {cite.SCALE}",
    python_only=True,
)
def unconfirmed_sku(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PLAN_SKU)
    sku = t.spec.plan.sku
    if not sku:
        raise NotApplicable("no plan in the source")
    if catalog.unconfirmed_sku(sku):
        yield Failure(unconfirmed_sku_message(sku), Field.PLAN_SKU)
    elif not t.sku_known:
        raise NotApplicable(f"SKU {sku} is not in the catalog (see AZFN203)")


def unconfirmed_sku_message(sku: str) -> str:
    """AZFN204's message, also given when a profile names such a SKU."""
    return (
        f"SKU {sku!r} is Premium v4: App Service offers it on Linux, but Functions "
        "is not documented to run on it (unconfirmed), and its cores and memory are "
        "not in the catalog"
    )


def unknown_sku_message(sku: str) -> str:
    """AZFN203's message, also given when a profile names an unknown SKU."""
    near = catalog.closest_skus(sku)
    hint = f"; closest: {', '.join(near)}" if near else ""
    return (
        f"SKU {sku!r} cannot host a Linux Python function app{hint} (run "
        "`azfn-profile skus` for the catalog)"
    )


CHECKS = (
    linux_consumption,
    flex_cpu,
    flex_http,
    linux_required,
    always_on,
    unknown_sku,
    unconfirmed_sku,
)
