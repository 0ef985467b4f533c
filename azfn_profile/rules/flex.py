"""Flex Consumption rules: functionAppConfig instead of worker app settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

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


def function_app_config(
    profile: Profile,
    placement: Placement,
    plan: PlanSpec,
    thread_count: int,
    trace: Trace,
    blocked: Sequence[FunctionInfo] = (),
) -> dict[str, JsonValue]:
    """ARM `functionAppConfig` (without deployment storage, which needs resources)."""
    assert placement.instance_memory_mb is not None
    http = trace.record(
        f"{_SCALE}.triggers.http.perInstanceConcurrency",
        per_instance_concurrency(profile, placement, thread_count, bool(blocked)),
        "flex.per-instance-concurrency",
        {
            "kind": profile.workload.kind,
            "style": profile.workload.style,
            "threads": thread_count,
            "concurrency": profile.workload.concurrency,
            "instance_memory_mb": placement.instance_memory_mb,
        },
        note=blocking_note(blocked) if blocked else "",
    )
    scale: dict[str, JsonValue] = {
        "instanceMemoryMB": trace.record(
            f"{_SCALE}.instanceMemoryMB",
            placement.instance_memory_mb,
            "flex.instance-memory",
            {"declared": profile.plan.instance_memory_mb},
        ),
        "maximumInstanceCount": trace.record(
            f"{_SCALE}.maximumInstanceCount",
            plan.max_instances,
            "flex.maximum-instance-count",
            {"declared": profile.plan.max_instances},
        ),
    }
    if profile.plan.always_ready:
        scale["alwaysReady"] = [
            {"name": "http", "instanceCount": profile.plan.always_ready}
        ]
    scale["triggers"] = {"http": {"perInstanceConcurrency": http}}
    return {
        "runtime": {"name": "python", "version": profile.python},
        "scaleAndConcurrency": scale,
    }
