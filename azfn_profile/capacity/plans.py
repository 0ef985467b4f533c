"""The plans to compare: the profile as written, and every catalog plan that can
host its workload (each Flex instance size, every other SKU), resolved by the same
rules and refused by the same rulebook as a profile naming that plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from azfn_profile import catalog
from azfn_profile.profile import Profile
from azfn_profile.spec import AppSpec

if TYPE_CHECKING:
    from azfn_profile.code.model import AppCode


# Settings a plan may not take (HTTP queue limits on Flex, ...): a comparison drops
# them from the variant, and says so, rather than leave the plan out.
PLAN_SPECIFIC = ("http", "dynamic_concurrency", "app_settings")
MAX_DROPS = 8


@dataclass(frozen=True)
class Candidate:
    label: str
    spec: AppSpec | None
    refused: str = ""  # why the plan cannot host the profile
    dropped: tuple[str, ...] = ()  # profile keys left out for this plan


def candidates(profile: Profile, code: AppCode | None, today: date) -> list[Candidate]:
    """Every catalog plan with only its SKU (and Flex instance memory) declared."""
    base: dict[str, Any] = profile.model_dump(mode="json", exclude_unset=True)
    found: list[Candidate] = []
    for sku in catalog.skus().values():
        sizes: list[int | None] = [*sorted(sku.instance_sizes)] or [None]
        for memory in sizes:
            plan: dict[str, Any] = {"sku": sku.name}
            if memory is not None:
                plan["instance_memory_mb"] = memory
            name = sku.name if memory is None else f"{sku.name} {memory} MB"
            found.append(_resolve(name, {**base, "plan": plan}, code, today))
    return found


def _resolve(
    name: str, data: dict[str, Any], code: AppCode | None, today: date
) -> Candidate:
    from azfn_profile.checking import refusing_failures
    from azfn_profile.checks import Target
    from azfn_profile.rules import resolve
    from azfn_profile.validation import ProfileInvalid, dotted, validate

    dropped: list[str] = []
    while True:
        try:
            variant = validate(data, today)
            break
        except ProfileInvalid as exc:
            issue = exc.issues[0]
            path = issue.path
            if not path or path[0] not in PLAN_SPECIFIC or len(dropped) >= MAX_DROPS:
                return Candidate(name, None, f"{dotted(path)}: {issue.message}")
            data = _without(data, path)
            dropped.append(dotted(path))
    spec = resolve(variant, code)
    kept = variant.suppressed(today)
    for check, failure in refusing_failures(Target(spec, code=code), today):
        if check.id not in kept:
            return Candidate(name, None, f"{check.id}: {failure.message}")
    return Candidate(name, spec, dropped=tuple(dropped))


def _without(data: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    """A copy of `data` without the key at `path` (and without a parent it empties)."""
    head, rest = path[0], path[1:]
    out = dict(data)
    child = out.get(head)
    if rest and isinstance(child, dict) and rest[0] in child:
        smaller = _without(child, rest)
        if smaller:
            out[head] = smaller
            return out
    out.pop(head, None)
    return out
