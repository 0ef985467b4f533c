"""What resolution needs beyond the schema: a known SKU (or a family to pick one
from), keys that only make sense together, names listed once.

Whether a configuration is wrong on Azure (process and thread counts, the Python
version, settings Flex refuses, ...) is the rulebook's to say (`checks/`): the
loader resolves a valid profile and runs the checks marked `refuses_profile`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from azfn_profile import catalog
from azfn_profile.profile import Profile, function_counts, named_functions
from azfn_profile.spec import (
    DOWNSTREAM_TAG,
    FUNCTIONS_TAG,
    MAX_FUNCTIONS,
    TAG_VALUE_LIMIT,
    Downstream,
    downstream_tag,
    functions_tag,
)
from azfn_profile.validation.issue import Issue
from azfn_profile.yamlload import KeyPath

RESERVED_TAG_PREFIX = "azfn-profile:"
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
    yield from _workload_issues(p)
    plan_issues = list(_plan_issues(p))
    yield from plan_issues
    yield from _trigger_issues(p)
    yield from _downstream_issues(p)
    yield from _tag_issues(p)
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
            from azfn_profile.checks.plan import (
                unconfirmed_sku_message,
                unknown_sku_message,
            )

            message = (
                unconfirmed_sku_message(plan.sku)
                if catalog.unconfirmed_sku(plan.sku)
                else unknown_sku_message(plan.sku)
            )
            yield Issue(("plan", "sku"), message, check_id="AZFN203")
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
    if isinstance(plan.always_ready, dict) and family != "flex":
        yield Issue(
            ("plan", "always_ready"),
            "plan.always_ready: a mapping by scale group applies only to Flex "
            f"Consumption (FC1); {plan.sku} takes one number",
            at_key=True,
        )
    if plan.instance_memory_mb is not None and family != "flex":
        yield Issue(
            ("plan", "instance_memory_mb"),
            "plan.instance_memory_mb applies "
            f"only to Flex Consumption (FC1), not to {plan.sku}",
            at_key=True,
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


def _downstream_issues(p: Profile) -> Iterator[Issue]:
    functions = named_functions(p)
    known = {n.casefold() for n, _ in functions} | {t for _, t in functions}
    seen: set[str] = set()
    for index, d in enumerate(p.downstream):
        if d.name.casefold() in seen:
            yield Issue(
                ("downstream", index, "name"),
                f"downstream[{index}].name: '{d.name}' is listed twice",
            )
        seen.add(d.name.casefold())
        for at, name in enumerate(d.functions or ()):
            if name.casefold() not in known and name not in known:
                yield Issue(
                    ("downstream", index, "functions", at),
                    f"downstream[{index}].functions[{at}]: '{name}' is neither a "
                    "function of the app nor one of its triggers (functions: "
                    f"{', '.join(n for n, _ in functions)})",
                )
    named_tag = functions_tag(functions)
    if p.downstream and ":" not in named_tag:
        triggers = {t for _, t in functions}
        by_name = [
            f for d in p.downstream for f in d.functions or () if f not in triggers
        ]
        if by_name:
            yield Issue(
                ("downstream",),
                "downstream: names functions, but the app's function names take "
                f"more than a tag's {TAG_VALUE_LIMIT} characters, so templates list "
                f"the functions by trigger ({FUNCTIONS_TAG}) and could not tell which "
                "call the service; name triggers instead",
                at_key=True,
            )
    if p.downstream:
        value = downstream_tag(
            [
                Downstream(d.name, d.max_concurrency, tuple(d.functions or ()))
                for d in p.downstream
            ]
        )
        if len(value) > TAG_VALUE_LIMIT:
            yield Issue(
                ("downstream",),
                f"downstream: written as the {DOWNSTREAM_TAG} tag it takes "
                f"{len(value)} characters, more than an Azure tag value holds "
                f"({TAG_VALUE_LIMIT}); name triggers instead of functions, or "
                "shorten the names",
                at_key=True,
            )


def _tag_issues(p: Profile) -> Iterator[Issue]:
    for name in p.tags:
        if name.casefold().startswith(RESERVED_TAG_PREFIX):
            yield Issue(
                ("tags", name),
                f"tags: {name!r} is reserved: azfn-profile writes its "
                f"{RESERVED_TAG_PREFIX}* tags from the profile's own keys",
                at_key=True,
            )


def _setting_issues(p: Profile) -> Iterator[Issue]:
    seen: dict[str, str] = {}
    for name in p.app_settings:
        path: KeyPath = ("app_settings", name)
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
