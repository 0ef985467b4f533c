"""Checks that need the SKU catalog, the Python support table or today's date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from azfn_profile import catalog, facts
from azfn_profile.profile import Profile, function_counts
from azfn_profile.validation.issue import Issue, Path

MAX_FUNCTIONS = 1000
# Triggers whose concurrency dynamic concurrency manages (cite.DYNAMIC_CONCURRENCY).
DYNAMIC_TRIGGERS = frozenset({"queue", "blob", "servicebus"})


def canonical_sku(profile: Profile) -> Profile:
    sku = profile.plan.sku
    found = catalog.find_sku(sku)
    canonical = "auto" if sku.casefold() == "auto" else (found.name if found else sku)
    if canonical == sku:
        return profile
    return profile.model_copy(
        update={"plan": profile.plan.model_copy(update={"sku": canonical})}
    )


def semantic_issues(p: Profile, today: date) -> Iterator[Issue]:
    yield from _python_issues(p, today)
    yield from _workload_issues(p)
    plan_issues = list(_plan_issues(p))
    yield from plan_issues
    yield from _trigger_issues(p)
    yield from _setting_issues(p)
    if not plan_issues and p.plan.sku == "auto":
        from azfn_profile.rules.plan import NoSkuFits, select_sku

        try:
            select_sku(p)
        except NoSkuFits as exc:
            yield Issue(("plan", "sku"), f"plan.sku: {exc}")


def _family(p: Profile) -> str | None:
    if p.plan.sku == "auto":
        return p.plan.family
    sku = catalog.find_sku(p.plan.sku)
    return sku.family if sku else None


def _python_issues(p: Profile, today: date) -> Iterator[Issue]:
    versions = catalog.python_versions()
    current = ", ".join(catalog.supported_pythons(today))
    info = versions.get(p.python)
    if info is None:
        yield Issue(
            ("python",),
            f"python: {p.python} is not a version Azure Functions "
            f"supports on Linux; supported: {current}",
        )
    elif info.end_of_support < today:
        yield Issue(
            ("python",),
            f"python: {p.python} reached end of support on "
            f"{info.end_of_support.isoformat()}; supported: {current}",
        )
    elif _family(p) == "consumption" and not info.consumption:
        yield Issue(
            ("python",),
            f"python: {p.python} is not available on Linux "
            "Consumption (Y1), which stops at 3.12; use Flex "
            "Consumption (FC1) or a Premium plan",
        )


def _workload_issues(p: Profile) -> Iterator[Issue]:
    if p.workload.io_share is not None and p.workload.kind != "mixed":
        yield Issue(
            ("workload", "io_share"),
            "workload.io_share applies only to kind: "
            f"mixed (this workload is {p.workload.kind})",
            at_key=True,
        )


def _plan_issues(p: Profile) -> Iterator[Issue]:
    plan = p.plan
    if plan.sku != "auto":
        sku = catalog.find_sku(plan.sku)
        if sku is None:
            near = catalog.closest_skus(plan.sku)
            hint = f"; closest: {', '.join(near)}" if near else ""
            yield Issue(
                ("plan", "sku"),
                f"plan.sku: unknown SKU '{plan.sku}'{hint} "
                "(run `azfn-profile skus` for the catalog)",
            )
            return
        for key in ("family", "min_cores"):
            if getattr(plan, key) is not None:
                yield Issue(
                    ("plan", key),
                    f"plan.{key} is only used with sku: auto",
                    at_key=True,
                )
    elif plan.family is None:
        yield Issue(
            ("plan", "sku"),
            f"plan.sku: auto needs plan.family (one of {', '.join(catalog.FAMILIES)})",
        )
        return
    family = _family(p)
    if plan.instance_memory_mb is not None and family != "flex":
        yield Issue(
            ("plan", "instance_memory_mb"),
            "plan.instance_memory_mb applies "
            f"only to Flex Consumption (FC1), not to {plan.sku}",
            at_key=True,
        )
    yield from _scale_issues(p, family)


def _scale_issues(p: Profile, family: str | None) -> Iterator[Issue]:
    plan = p.plan
    if plan.max_instances is not None:
        if family == "flex":
            low, high = facts.FLEX_MIN_INSTANCES, facts.FLEX_MAX_INSTANCES
            if not low <= plan.max_instances <= high:
                yield Issue(
                    ("plan", "max_instances"),
                    "plan.max_instances: Flex "
                    f"Consumption allows {low}-{high}, got {plan.max_instances}",
                )
        elif plan.sku != "auto":
            sku = catalog.skus()[plan.sku]
            if plan.max_instances > sku.max_instances:
                yield Issue(
                    ("plan", "max_instances"),
                    f"plan.max_instances: {sku.name} "
                    f"scales out to at most {sku.max_instances} instances, "
                    f"got {plan.max_instances}",
                )
    if plan.always_ready:
        if family not in ("flex", "premium"):
            yield Issue(
                ("plan", "always_ready"),
                "plan.always_ready applies to Flex "
                "Consumption and Elastic Premium plans only",
                at_key=True,
            )
        elif family == "flex" and "http" not in function_counts(p):
            yield Issue(
                ("plan", "always_ready"),
                "plan.always_ready on Flex keeps the "
                "http group warm, but the app has no HTTP function",
                at_key=True,
            )
        elif plan.max_instances is not None and plan.always_ready > plan.max_instances:
            yield Issue(
                ("plan", "always_ready"),
                "plan.always_ready "
                f"({plan.always_ready}) exceeds plan.max_instances "
                f"({plan.max_instances})",
            )


def _trigger_issues(p: Profile) -> Iterator[Issue]:
    if p.triggers is not None and p.functions is not None:
        yield Issue(
            ("functions",),
            "functions and triggers both describe the app's functions; keep "
            "functions (triggers is its short form)",
            at_key=True,
        )
    seen: set[str] = set()
    for index, trigger in enumerate(p.triggers or ()):
        if trigger in seen:
            yield Issue(
                ("triggers", index), f"triggers[{index}]: '{trigger}' is listed twice"
            )
        seen.add(trigger)
    if isinstance(p.functions, list):
        names: set[str] = set()
        for index, function in enumerate(p.functions):
            if function.name.casefold() in names:
                yield Issue(
                    ("functions", index, "name"),
                    f"functions[{index}].name: '{function.name}' is listed twice "
                    "(function names are case-insensitive)",
                )
            names.add(function.name.casefold())
    counts = function_counts(p)
    total = sum(counts.values())
    if total > MAX_FUNCTIONS:
        yield Issue(
            ("functions",),
            f"functions: {total} functions; azfn-profile sizes apps of at most "
            f"{MAX_FUNCTIONS}",
        )
    if p.http is not None and p.http.max_outstanding is not None:
        if "http" not in counts:
            yield Issue(
                ("http",), "http applies to apps with an HTTP function", at_key=True
            )
        elif _family(p) == "flex":
            yield Issue(
                ("http", "max_outstanding"),
                "http.max_outstanding: Flex Consumption limits HTTP by "
                "perInstanceConcurrency and scales out instead of queueing; the host's "
                "HTTP throttles are not documented for it",
                at_key=True,
            )
    if p.dynamic_concurrency and not set(counts) & DYNAMIC_TRIGGERS:
        yield Issue(
            ("dynamic_concurrency",),
            "dynamic_concurrency covers queue, blob and Service Bus triggers, and the "
            "app has none",
            at_key=True,
        )


def _setting_issues(p: Profile) -> Iterator[Issue]:
    seen: dict[str, str] = {}
    flex = _family(p) == "flex"
    for name, value in p.app_settings.items():
        path: Path = ("app_settings", name)
        folded = name.upper()
        if not name or any(c.isspace() or c == "=" for c in name):
            yield Issue(
                path,
                f"app_settings: '{name}' is not a valid setting name "
                "(no spaces or '=')",
                at_key=True,
            )
        if folded in seen:
            yield Issue(
                path,
                f"app_settings: '{name}' repeats '{seen[folded]}' (setting "
                "names are case-insensitive)",
                at_key=True,
            )
        seen[folded] = name
        if flex and folded in facts.FLEX_DEPRECATED_SETTINGS:
            yield Issue(
                path,
                f"app_settings: {folded} is not valid on Flex Consumption "
                "(the plan sets it or replaces it with functionAppConfig)",
                at_key=True,
            )
        elif folded == facts.PROCESS_COUNT and not _int_in(
            value, 1, facts.MAX_WORKER_PROCESSES
        ):
            yield Issue(
                path,
                f"app_settings.{name}: must be a whole number from 1 to "
                f"{facts.MAX_WORKER_PROCESSES} (the host refuses more), got {value!r}",
            )
        elif folded == facts.THREAD_COUNT and not _int_in(value, 1, None):
            yield Issue(
                path,
                f"app_settings.{name}: must be a whole number of at least 1 "
                f"(the worker ignores anything else), got {value!r}",
            )


def _int_in(text: str, low: int, high: int | None) -> bool:
    from azfn_profile.numbers import ascii_int

    number = ascii_int(text)
    return number is not None and number >= low and (high is None or number <= high)
