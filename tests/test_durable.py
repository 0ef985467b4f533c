"""Durable Functions in the profile: orchestration, activity and entity functions,
host.json's two durableTask throttles sized from the workers, the Flex `durable`
scale group, and the check that judges what the throttles admit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from azfn_profile.checks import REGISTRY, Target
from azfn_profile.fleet import fleet
from azfn_profile.fleet_limits import TriggerLimits
from azfn_profile.rules import resolve
from azfn_profile.rules.split import split
from azfn_profile.validation import validate
from tests.conftest import TODAY, profile_data
from tests.test_fleet import profiles

FANOUT = [
    {"name": "start", "trigger": "http"},
    {"name": "pipeline", "trigger": "orchestration"},
    {"name": "counter", "trigger": "entity"},
    {"name": "step_a", "trigger": "activity"},
    {"name": "step_b", "trigger": "activity"},
]


def durable_task(**overrides: Any) -> tuple[dict[str, Any], Any]:
    spec = resolve(validate(profile_data(functions=FANOUT, **overrides), TODAY))
    host = spec.host_json
    assert isinstance(host, dict)
    return host["extensions"]["durableTask"], spec  # type: ignore[index]


def test_each_throttle_is_one_unit_of_the_split() -> None:
    """EP2, sync I/O: C = processes x threads, shared by HTTP, the activities (one
    throttle for both) and the orchestrator with the entity (one throttle)."""
    task, spec = durable_task()
    c = spec.processes * spec.threads
    shares = split(
        c, {"http": 1, "orchestration": 1, "entity": 1, "activity": 2}, flex=False
    )
    assert shares.units == 3
    assert task == {
        "maxConcurrentActivityFunctions": shares.share["activity"],
        "maxConcurrentOrchestratorFunctions": shares.share["orchestration"],
    }
    http = spec.host_json["extensions"]["http"]["maxConcurrentRequests"]  # type: ignore[index]
    assert http + sum(task.values()) == c


def test_the_throttles_are_explained_with_their_defaults_and_sources() -> None:
    _, spec = durable_task()
    rows = {r.setting: r for r in spec.decisions}
    activity = rows["host.json extensions.durableTask.maxConcurrentActivityFunctions"]
    assert activity.rule == "host.durable.max-concurrent-activity-functions"
    assert activity.inputs["default"] == 20  # 10 x EP2's 2 cores
    _, y1 = durable_task(plan={"sku": "Y1"})
    rows = {r.setting: r for r in y1.decisions}
    orchestrators = rows[
        "host.json extensions.durableTask.maxConcurrentOrchestratorFunctions"
    ]
    assert orchestrators.inputs["default"] == 5
    assert orchestrators.inputs["default_from"] == "Consumption plan"


def test_flex_puts_every_durable_function_in_the_durable_group() -> None:
    task, spec = durable_task(plan={"sku": "FC1", "max_instances": 7})
    groups = {g.name: g for g in fleet(spec).groups}
    assert set(groups) == {"http", "durable"}
    assert groups["durable"].functions == ("pipeline", "counter", "step_a", "step_b")
    # The group's instances run both throttles: orchestrators an even part, the
    # activities the rest of what the workers run.
    c = spec.threads if spec.workload.style == "sync" else None
    assert c is not None
    assert task["maxConcurrentOrchestratorFunctions"] == max(1, c // 2)
    assert task["maxConcurrentActivityFunctions"] == max(1, c - c // 2)
    assert groups["durable"].per_instance.value == min(c, sum(task.values()))


@pytest.mark.parametrize(
    ("sku", "activities", "orchestrators"), [("EP2", 20, 20), ("Y1", 10, 5)]
)
def test_the_platform_defaults_when_host_json_says_nothing(
    sku: str, activities: int, orchestrators: int
) -> None:
    _, spec = durable_task(plan={"sku": sku})
    bare = replace(spec, host_json={"version": "2.0"})
    limits = TriggerLimits(bare)
    assert limits.durable("activity").value == activities
    assert limits.durable("orchestration").value == orchestrators
    # Two activities and an orchestrator with an entity: each throttle counts once.
    admitted = limits.admitted(["orchestration", "entity", "activity", "activity"])
    assert admitted.value == activities + orchestrators


def test_throttles_above_the_workers_are_reported() -> None:
    _, spec = durable_task(workload={"kind": "cpu"})
    loose = replace(
        spec,
        host_json={
            "version": "2.0",
            "extensions": {"durableTask": {"maxConcurrentActivityFunctions": 50}},
        },
    )
    messages = [f.message for f in REGISTRY["AZFN302"].run(Target(loose), TODAY)]
    assert len(messages) == 1
    assert "durableTask.maxConcurrentActivityFunctions 50 + " in messages[0]
    assert "maxConcurrentOrchestratorFunctions 20 (default)" in messages[0]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(downstream=False))
def test_what_render_sizes_passes_its_own_trigger_check(data: dict[str, Any]) -> None:
    """The class, not the case: whatever functions a profile lists (Durable ones
    included), the host.json the rules write admits no more than the workers run,
    or one per kind of function when there are more kinds than workers."""
    spec = resolve(validate(data, TODAY))
    failures = [f.message for f in REGISTRY["AZFN302"].run(Target(spec), TODAY)]
    assert failures == []
