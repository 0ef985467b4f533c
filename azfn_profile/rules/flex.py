"""Flex Consumption rules: functionAppConfig instead of worker app settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from azfn_profile import facts
from azfn_profile.profile import Profile
from azfn_profile.rules._trace import Trace
from azfn_profile.rules.plan import Placement
from azfn_profile.rules.workers import blocking_note
from azfn_profile.spec import JsonValue, PlanSpec

if TYPE_CHECKING:  # the code model loads only for profiles that name code
    from azfn_profile.code.model import FunctionInfo

_SCALE = "functionAppConfig.scaleAndConcurrency"


def per_instance_concurrency(
    profile: Profile, placement: Placement, thread_count: int, blocked: bool = False
) -> int:
    """cpu -> 1; sync io and mixed -> threads; async io -> its concurrency or the
    platform's default for the instance size (4, 16, 32); async functions that block
    their one event loop -> 1."""
    workload = profile.workload
    if workload.kind == "cpu" or (blocked and workload.style == "async"):
        return 1
    if workload.kind == "io" and workload.style == "async":
        return workload.concurrency or placement.async_default
    return thread_count


def ready_groups(
    profile: Profile, functions: Sequence[tuple[str, str]]
) -> dict[str, int] | None:
    """Flex always-ready by scale group: one number for every group of the app, or
    the mapping as given (None when the profile sets none)."""
    ready = profile.plan.always_ready
    if ready is None:
        return None
    if isinstance(ready, dict):
        return dict(ready)
    groups = dict.fromkeys(
        facts.FLEX_SHARED_GROUPS.get(t) or facts.FLEX_FUNCTION_GROUP + n
        for n, t in functions
    )
    return dict.fromkeys(groups, ready)


def function_app_config(
    profile: Profile,
    placement: Placement,
    plan: PlanSpec,
    thread_count: int,
    trace: Trace,
    blocked: Sequence[FunctionInfo] = (),
    cap: int | None = None,
) -> dict[str, JsonValue]:
    """ARM `functionAppConfig` (without deployment storage, which needs resources).
    `cap`: at most this many HTTP requests per instance (a downstream's limit)."""
    assert placement.instance_memory_mb is not None
    value = per_instance_concurrency(profile, placement, thread_count, bool(blocked))
    inputs: dict[str, JsonValue] = {
        "kind": profile.workload.kind,
        "style": profile.workload.style,
        "threads": thread_count,
        "concurrency": profile.workload.concurrency,
        "instance_memory_mb": placement.instance_memory_mb,
    }
    if cap is not None:
        value = min(value, cap)
        inputs["downstream_cap"] = cap
    http = trace.record(
        f"{_SCALE}.triggers.http.perInstanceConcurrency",
        value,
        "flex.per-instance-concurrency",
        inputs,
        note=blocking_note(blocked) if blocked else "",
    )
    scale: dict[str, JsonValue] = {
        "instanceMemoryMB": trace.record(
            f"{_SCALE}.instanceMemoryMB",
            placement.instance_memory_mb,
            "flex.instance-memory",
            {"declared": profile.plan.instance_memory_mb},
        ),
        "maximumInstanceCount": plan.max_instances,
    }
    ready = {k: v for k, v in (plan.ready_groups or {}).items() if v}
    if ready:
        entries: list[JsonValue] = [
            {"name": k, "instanceCount": v} for k, v in ready.items()
        ]
        scale["alwaysReady"] = trace.record(
            f"{_SCALE}.alwaysReady",
            entries,
            "flex.always-ready",
            {"declared": _declared(profile.plan.always_ready)},
        )
    scale["triggers"] = {"http": {"perInstanceConcurrency": http}}
    return {
        "runtime": {"name": "python", "version": profile.python},
        "scaleAndConcurrency": scale,
    }


def _declared(ready: int | dict[str, int] | None) -> JsonValue:
    return dict(ready) if isinstance(ready, dict) else ready
