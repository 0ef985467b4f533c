"""The fleet: scale groups, ceilings and downstream limits, over generated profiles.

Facts and where they come from:
- Flex scale groups: HTTP functions share `http`, blob functions `blob`, every other
  function scales alone as `function:<name>`
  (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#per-function-scaling).
- Flex maximumInstanceCount is "the maximum number of on demand instances per
  function group" (https://github.com/Azure/azure-rest-api-specs/pull/45083), and
  always-ready instances are kept per group beside it
  (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#always-ready-instances).
- The scale limit of Consumption and Elastic Premium apps is the site's
  functionAppScaleLimit
  (https://learn.microsoft.com/azure/azure-functions/event-driven-scaling#limit-scale-out).
"""

from __future__ import annotations

from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azfn_profile.catalog import skus
from azfn_profile.checks import REGISTRY, Target
from azfn_profile.fleet import Fleet, fleet
from azfn_profile.profile import Profile
from azfn_profile.rules import _resolve, resolve
from azfn_profile.rules.plan import Tuning
from azfn_profile.spec import AppSpec
from azfn_profile.terms import Trigger
from azfn_profile.validation import validate
from tests.conftest import TODAY, profile_data

# Every trigger of the profile's vocabulary (Durable's included).
TRIGGERS = list(get_args(Trigger))
SKUS = ["FC1", "EP1", "EP2", "Y1"]


@st.composite
def profiles(draw: st.DrawFn, *, downstream: bool = True) -> dict[str, Any]:
    sku = draw(st.sampled_from(SKUS))
    n = draw(st.integers(1, 5))
    triggers = draw(st.lists(st.sampled_from(TRIGGERS), min_size=n, max_size=n))
    functions = [{"name": f"f{i}", "trigger": t} for i, t in enumerate(triggers)]
    workload = draw(
        st.sampled_from(
            [
                {"kind": "io"},
                {"kind": "io", "style": "async", "concurrency": 64},
                {"kind": "cpu"},
                {"kind": "mixed", "io_share": 0.7},
            ]
        )
    )
    plan: dict[str, Any] = {"sku": sku}
    if draw(st.booleans()):
        plan["max_instances"] = draw(st.integers(1, 20 if sku != "FC1" else 200))
    if sku in ("FC1", "EP1", "EP2") and draw(st.booleans()):
        ready = draw(st.integers(0, 3))
        plan["always_ready"] = ready
        if sku != "FC1" and "max_instances" in plan:
            plan["max_instances"] = max(plan["max_instances"], ready)
    data = profile_data(workload=workload, plan=plan, functions=functions)
    if downstream:
        names = [f["name"] for f in functions]
        data["downstream"] = [
            {
                "name": "db",
                "max_concurrency": draw(st.integers(1, 3000)),
                "functions": draw(
                    st.none()
                    | st.lists(st.sampled_from(names), min_size=1, unique=True)
                ),
            }
        ]
    return data


def resolved(data: dict[str, Any]) -> AppSpec:
    return resolve(validate(data, TODAY))


def downstream_failures(spec: AppSpec) -> list[str]:
    check = REGISTRY["AZFN307"]
    return [f.message for f in check.run(Target(spec), TODAY)]


def throughput(f: Fleet) -> int:
    total = f.total_ceiling
    assert total is not None
    return total


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(downstream=False))
def test_total_ceiling_is_the_sum_of_the_groups(data: dict[str, Any]) -> None:
    spec = resolved(data)
    f = fleet(spec)
    names = [name for g in f.groups for name in g.functions]
    assert sorted(names) == sorted(fn["name"] for fn in data["functions"])
    ceilings = [g.ceiling for g in f.groups]
    if any(c is None for c in ceilings):
        assert f.total_ceiling is None
    else:
        assert f.total_ceiling == sum(c for c in ceilings if c is not None)
    if spec.plan.family == "flex":
        # one group per shared group (http, blob, durable), one per other function
        groups = {"http": "http", "blob": "blob"} | dict.fromkeys(
            ("orchestration", "activity", "entity"), "durable"
        )
        shared = {
            groups[fn["trigger"]] for fn in data["functions"] if fn["trigger"] in groups
        }
        alone = [fn for fn in data["functions"] if fn["trigger"] not in groups]
        assert len(f.groups) == len(shared) + len(alone)
        for g in f.groups:
            assert g.instances == g.max_instances + g.always_ready  # type: ignore[operator]
    else:
        assert [g.name for g in f.groups] == ["app"]


def chosen(spec: AppSpec) -> tuple[int | None, int | None]:
    """The instance limit and per-instance cap the downstream rules chose."""
    caps = [d.value for d in spec.decisions if d.setting == "per-instance concurrency"]
    k = caps[0] if caps else None
    assert k is None or isinstance(k, int)
    return spec.plan.max_instances, k


def within(profile: Profile, tuning: Tuning) -> bool:
    return all(
        not load.exceeded for load in fleet(_resolve(profile, None, tuning)).loads
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_every_downstream_is_met_at_the_largest_settings_or_refused(
    data: dict[str, Any],
) -> None:
    """Met: one more instance, or one more invocation per instance, would exceed it.
    Refused (AZFN307): even the lowest instance limit the plan allows with one
    invocation per instance exceeds it."""
    profile = validate(data, TODAY)
    spec = resolve(profile)
    (load,) = fleet(spec).loads
    failures = downstream_failures(spec)
    n, k = chosen(spec)
    family = spec.plan.family
    low = 1 if family != "premium" else max(1, spec.plan.always_ready or 0)
    if (
        load.ceiling is not None
        and load.ceiling <= data["downstream"][0]["max_concurrency"]
    ):
        assert failures == []
        assert n is not None
        if k is None:
            high = data["plan"].get("max_instances") or (
                100 if family == "flex" else skus()[spec.plan.sku].max_instances
            )
            assert n == high or not within(profile, Tuning(n + 1)), (n, high)
        else:
            high = data["plan"].get("max_instances") or (
                100 if family == "flex" else skus()[spec.plan.sku].max_instances
            )
            assert n in (low, high)
            assert not within(profile, Tuning(n)), "a cap was not needed"
            assert not within(profile, Tuning(n, k + 1)), k
        return
    assert failures, load
    assert (n, k) == (low, 1)
    assert not within(profile, Tuning(low, 1))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), st.integers(1, 2000))
def test_raising_a_limit_never_lowers_throughput(
    data: dict[str, Any], more: int
) -> None:
    low = fleet(resolved(data))
    raised = dict(data)
    raised["downstream"] = [
        {
            **data["downstream"][0],
            "max_concurrency": data["downstream"][0]["max_concurrency"] + more,
        }
    ]
    high = fleet(resolved(raised))

    def runs(f: Fleet) -> float:
        return float("inf") if f.total_ceiling is None else f.total_ceiling

    assert runs(low) <= runs(high)


def test_flex_groups_by_hand() -> None:
    """{http: 1, queue: 2} with max_instances 5: 5 for HTTP plus 5 for each queue
    function, and always-ready beside them (the issue's example)."""
    spec = resolved(
        profile_data(
            plan={"sku": "FC1", "max_instances": 5, "always_ready": {"http": 1}},
            functions={"http": 1, "queue": 2},
        )
    )
    f = fleet(spec)
    assert [(g.name, g.instances) for g in f.groups] == [
        ("http", 6),
        ("function:queue_1", 5),
        ("function:queue_2", 5),
    ]
    scale = (spec.function_app_config or {})["scaleAndConcurrency"]
    assert isinstance(scale, dict)
    per_http = scale["triggers"]["http"]["perInstanceConcurrency"]  # type: ignore[index]
    queues = spec.host_json["extensions"]["queues"]  # type: ignore[index]
    per_queue = queues["batchSize"] + queues["newBatchThreshold"]  # type: ignore[index]
    assert f.total_ceiling == 6 * per_http + 2 * 5 * per_queue


def test_one_always_ready_number_keeps_every_flex_group_warm() -> None:
    spec = resolved(
        profile_data(
            plan={"sku": "FC1", "always_ready": 2},
            functions=[
                {"name": "api", "trigger": "http"},
                {"name": "orders", "trigger": "queue"},
            ],
        )
    )
    scale = (spec.function_app_config or {})["scaleAndConcurrency"]
    assert isinstance(scale, dict)
    assert scale["alwaysReady"] == [
        {"name": "http", "instanceCount": 2},
        {"name": "function:orders", "instanceCount": 2},
    ]


@pytest.mark.parametrize(
    ("plan", "limit"),
    [
        ({"sku": "FC1", "always_ready": 1}, 100),  # per group, always-ready beside
        ({"sku": "EP1", "always_ready": 2}, 100),  # always-ready within the limit
        ({"sku": "Y1"}, 100),
    ],
)
def test_the_chosen_limit_is_the_largest_that_fits(
    plan: dict[str, Any], limit: int
) -> None:
    data = profile_data(
        plan=plan,
        functions={"http": 1, "queue": 1},
        downstream=[{"name": "db", "max_concurrency": limit}],
    )
    spec = resolved(data)
    (load,) = fleet(spec).loads
    assert load.ceiling is not None and load.ceiling <= limit
    # The same profile with one instance more, and no downstream, sends more.
    n = spec.plan.max_instances
    assert n is not None
    bigger = resolved(
        {**data, "plan": {**plan, "max_instances": n + 1}, "downstream": []}
    )
    assert throughput(fleet(bigger)) > limit


def test_each_timer_function_runs_one_at_a_time() -> None:
    for sku in ("EP1", "FC1"):
        f = fleet(resolved(profile_data(plan={"sku": sku}, functions={"timer": 3})))
        assert f.total_ceiling == 3, sku


def test_downstream_limits_never_raise_a_declared_limit() -> None:
    """Elastic Premium: always-ready above the declared limit stays refused
    (AZFN306), downstream or not."""
    for downstream in ([], [{"name": "db", "max_concurrency": 10_000_000}]):
        data = profile_data(
            plan={"sku": "EP1", "always_ready": 5, "max_instances": 3},
            downstream=downstream,
        )
        spec = resolved(data)
        assert spec.plan.max_instances == 3
        assert [f.message for f in REGISTRY["AZFN306"].run(Target(spec), TODAY)] == [
            "5 always-ready instance(s) exceed the app's instance limit of 3"
        ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"tags": {"azfn-profile:downstream": "sql=1"}},
            "tags: 'azfn-profile:downstream' is reserved",
        ),
        (
            {
                "functions": [
                    {"name": f"process_customer_order_event_{i:02}", "trigger": "queue"}
                    for i in range(9)
                ],
                "downstream": [
                    {
                        "name": "ledger",
                        "max_concurrency": 200,
                        "functions": ["process_customer_order_event_00"],
                    }
                ],
            },
            "downstream: names functions, but the app's function names take more",
        ),
    ],
)
def test_what_a_template_could_not_carry_is_refused(
    extra: dict[str, Any], message: str
) -> None:
    from azfn_profile.validation import ProfileInvalid

    with pytest.raises(ProfileInvalid) as caught:
        validate(profile_data(plan={"sku": "FC1"}, **extra), TODAY)
    assert any(i.message.startswith(message) for i in caught.value.issues)
