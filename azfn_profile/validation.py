"""Turn raw profile data into a `Profile`, or into a list of located issues.

Shape errors come from pydantic and are reworded; checks that need the catalog, the
Python support table or today's date follow once the shape is right. Every issue
carries the path of the key it is about, so the loader can point at line and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from azfn_profile import catalog, facts
from azfn_profile.profile import Plan, Profile, Workload

Path = tuple[str | int, ...]
_MODELS: dict[Path, type[BaseModel]] = {
    (): Profile,
    ("workload",): Workload,
    ("plan",): Plan,
}


@dataclass(frozen=True)
class Issue:
    path: Path
    message: str
    at_key: bool = False


class ProfileInvalid(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{dotted(i.path)}: {i.message}" for i in issues))


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def validate(data: Any, today: date) -> Profile:
    """Validate profile data; raise ProfileInvalid with every issue found."""
    if not isinstance(data, dict):
        kind = "nothing" if data is None else f"a {type(data).__name__}"
        raise ProfileInvalid(
            [
                Issue(
                    (),
                    "a profile is a mapping of keys (name, python, "
                    f"workload, plan, ...); this document holds {kind}",
                )
            ]
        )
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileInvalid([_reword(e) for e in exc.errors()]) from None
    profile = _canonical_sku(profile)
    issues = list(_semantic_issues(profile, today))
    if issues:
        raise ProfileInvalid(issues)
    return profile


def _reword(error: Any) -> Issue:
    loc: Path = tuple(error["loc"])
    kind, msg, value = error["type"], error["msg"], error.get("input")
    if kind == "missing":
        parent, field = loc[:-1], loc[-1]
        where = f" in {dotted(parent)}" if parent else ""
        return Issue(parent, f"missing required key '{field}'{where}")
    if kind == "extra_forbidden":
        return Issue(loc, _unknown_key(loc), at_key=True)
    if kind == "string_pattern_mismatch" or (
        loc == ("name",) and kind.startswith("string_")
    ):
        return Issue(
            loc,
            f"{dotted(loc)}: {_PATTERN_HINTS.get(str(loc[-1]), msg)}, got {value!r}",
        )
    if kind in ("model_type", "dict_type"):
        return Issue(
            loc, f"{dotted(loc)}: expected a mapping of keys, got {_show(value)}"
        )
    text = msg[0].lower() + msg[1:]
    text = text.replace("input should be", "should be")
    return Issue(loc, f"{dotted(loc)}: {text}, got {_show(value)}")


_PATTERN_HINTS = {
    "name": "must be 2-60 characters of a-z, 0-9 and '-', not starting or ending with '-'",
    "python": 'expected a version like "3.12"',
    "location": "expected an Azure region name such as westeurope",
}


def _show(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _unknown_key(loc: Path) -> str:
    parent, key = loc[:-1], str(loc[-1])
    where = f" in {dotted(parent)}" if parent else ""
    model = _MODELS.get(parent)
    known = list(model.model_fields) if model else []
    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = (
        f"; did you mean '{near[0]}'?"
        if near
        else (f"; expected one of: {', '.join(known)}" if known else "")
    )
    return f"unknown key '{key}'{where}{hint}"


def _canonical_sku(profile: Profile) -> Profile:
    sku = profile.plan.sku
    found = catalog.find_sku(sku)
    canonical = "auto" if sku.casefold() == "auto" else (found.name if found else sku)
    if canonical == sku:
        return profile
    return profile.model_copy(
        update={"plan": profile.plan.model_copy(update={"sku": canonical})}
    )


def _semantic_issues(p: Profile, today: date) -> Iterator[Issue]:
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
        elif family == "flex" and "http" not in p.triggers:
            yield Issue(
                ("plan", "always_ready"),
                "plan.always_ready on Flex keeps the "
                "http group warm, but triggers has no http",
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
    seen: set[str] = set()
    for index, trigger in enumerate(p.triggers):
        if trigger in seen:
            yield Issue(
                ("triggers", index), f"triggers[{index}]: '{trigger}' is listed twice"
            )
        seen.add(trigger)


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
    if not text.strip().isdigit():
        return False
    number = int(text)
    return number >= low and (high is None or number <= high)
