"""PythonFunctionApp on a shared App Service plan (`plan_id`) refuses a plan whose SKU
is not the profile's `plan.sku`, under Pulumi's mocks."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi_azure_native import web

from azfn_profile.deploy import PythonFunctionApp
from tests.conftest import spec_for
from tests.pulumi_harness import SUBSCRIPTION, Run, run

pytestmark = pytest.mark.slow  # the Pulumi component under Pulumi's mocks


@pytest.fixture(autouse=True)
def failed_outputs_retrieved() -> Iterator[None]:
    """A refusal fails outputs nothing awaits any more; asyncio would report each when
    it is collected, in whichever test runs then. Mark them retrieved, as Pulumi's
    language host silences those reports."""
    yield
    for thing in gc.get_objects():
        if isinstance(thing, asyncio.Future) and thing.done() and not thing.cancelled():
            thing.exception()


PROFILES: dict[str, dict[str, Any]] = {
    "EP1": {"workload": {"kind": "cpu"}, "plan": {"sku": "EP1"}},
    "EP2": {"workload": {"kind": "cpu"}, "plan": {"sku": "EP2"}},
    "FC1": {
        "workload": {"kind": "io", "style": "async", "concurrency": 40},
        "plan": {"sku": "FC1", "instance_memory_mb": 2048},
    },
}


def plan_id(name: str, group: str = "rg-shared") -> str:
    return (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/"
        f"Microsoft.Web/serverfarms/{name}"
    )


def on_existing_plan(profile: str, plan_sku: str) -> Run:
    spec = spec_for(name="orders-worker", **PROFILES[profile])

    def program() -> None:
        PythonFunctionApp(
            "worker",
            spec,
            resource_group_name="rg-shared",
            plan_id=plan_id("asp-shared"),
        )

    return run(program, plans={"asp-shared": plan_sku})


def plan_lookups(result: Run) -> list[dict[str, Any]]:
    return [a for t, a in result.recorder.calls if t.endswith("getAppServicePlan")]


@pytest.mark.parametrize("plan_sku", ["EP1", "ep1"])
def test_an_existing_plan_of_the_profiles_sku_is_used(plan_sku: str) -> None:
    result = on_existing_plan("EP1", plan_sku)
    assert not result.recorder.of_type("web:AppServicePlan")
    (site,) = result.recorder.of_type("web:WebApp")
    assert site.inputs["serverFarmId"] == plan_id("asp-shared")
    assert plan_lookups(result) == [
        {"name": "asp-shared", "resourceGroupName": "rg-shared"}
    ]


def test_a_larger_profile_on_a_smaller_plan_is_refused() -> None:
    with pytest.raises(pulumi.RunError) as refused:
        on_existing_plan("EP2", "EP1")
    assert str(refused.value) == (
        f"PythonFunctionApp 'worker': plan_id is the plan {plan_id('asp-shared')}, "
        "of SKU EP1 (Linux). The profile expects an App Service plan of SKU EP2 "
        "(Linux): its settings are sized for that plan. Set plan.sku: EP1 in "
        "profile 'orders-worker', or pass a plan of SKU EP2 (or none, to create one)."
    )


def test_a_flex_profile_on_a_premium_plan_is_refused() -> None:
    with pytest.raises(pulumi.RunError, match=r"SKU EP1 \(Linux\)\. .* SKU FC1") as e:
        on_existing_plan("FC1", "EP1")
    assert "A Flex Consumption app needs a plan of SKU FC1" in str(e.value)


def test_a_premium_profile_on_a_flex_plan_is_refused() -> None:
    with pytest.raises(pulumi.RunError, match=r"SKU FC1 \(Linux\)\. .* SKU EP1"):
        on_existing_plan("EP1", "FC1")


def test_a_plan_id_that_is_no_resource_id_is_refused() -> None:
    spec = spec_for(name="orders-worker", **PROFILES["EP1"])

    def program() -> None:
        PythonFunctionApp("worker", spec, plan_id="asp-shared")

    with pytest.raises(pulumi.RunError, match="'asp-shared' is not an App Service"):
        run(program)


def two_apps(first: str, second: str, *, via: str = "component") -> Run:
    """Two components of one program, the second on the first's plan: passed as the
    first's `plan_id` output (`component`) or derived from it (`derived`)."""
    api = spec_for(name="orders-api", **PROFILES[first])
    worker = spec_for(name="orders-worker", **PROFILES[second])

    def program() -> None:
        owner = PythonFunctionApp("api", api, resource_group_name="rg")
        shared: pulumi.Input[str] = owner.plan_id
        if via == "derived":
            shared = owner.plan_id.apply(lambda i: i)
        PythonFunctionApp("worker", worker, resource_group_name="rg", plan_id=shared)

    return run(program)


@pytest.mark.parametrize("via", ["component", "derived"])
def test_two_apps_on_one_plan_of_one_sku(via: str) -> None:
    result = two_apps("EP1", "EP1", via=via)
    (plan,) = result.recorder.of_type("web:AppServicePlan")
    sites = result.recorder.of_type("web:WebApp")
    assert len(sites) == 2 and len({s.inputs["serverFarmId"] for s in sites}) == 1
    assert plan.inputs["sku"]["name"] == "EP1"
    # Another component's `plan_id` is checked against its profile, not looked up.
    assert bool(plan_lookups(result)) is (via == "derived")


@pytest.mark.parametrize("via", ["component", "derived"])
@pytest.mark.parametrize(("first", "second"), [("EP1", "EP2"), ("EP1", "FC1")])
def test_two_apps_on_one_plan_of_two_skus_are_refused(
    first: str, second: str, via: str
) -> None:
    with pytest.raises(pulumi.RunError) as refused:
        two_apps(first, second, via=via)
    message = str(refused.value)
    assert message.startswith("PythonFunctionApp 'worker': plan_id is the plan ")
    assert f", of SKU {first} (Linux). " in message
    assert f"expects an App Service plan of SKU {second} (Linux)" in message
    assert f"Set plan.sku: {first} in profile 'orders-worker'" in message
    if via == "component":
        assert "the plan of PythonFunctionApp 'api' (profile 'orders-api')" in message


def test_a_plan_of_the_users_program_is_looked_up_once_created() -> None:
    spec = spec_for(name="orders-worker", **PROFILES["EP2"])

    def program() -> None:
        plan = web.AppServicePlan(
            "mine",
            name="asp-mine",
            resource_group_name="rg",
            sku=web.SkuDescriptionArgs(name="EP1", tier="ElasticPremium"),
        )
        PythonFunctionApp("worker", spec, resource_group_name="rg", plan_id=plan.id)

    with pytest.raises(pulumi.RunError, match=r"SKU EP1\. .* plan of SKU EP2 "):
        run(program)


def test_a_windows_plan_of_the_profiles_sku_is_refused() -> None:
    spec = spec_for(name="orders-worker", **PROFILES["EP1"])

    def program() -> None:
        plan = web.AppServicePlan(
            "mine",
            name="asp-mine",
            resource_group_name="rg",
            reserved=False,
            sku=web.SkuDescriptionArgs(name="EP1", tier="ElasticPremium"),
        )
        PythonFunctionApp("worker", spec, resource_group_name="rg", plan_id=plan.id)

    with pytest.raises(pulumi.RunError, match=r"SKU EP1 \(Windows\)\. ") as refused:
        run(program)
    assert str(refused.value).endswith("Pass a Linux plan (or none, to create one).")


def test_a_plan_id_unknown_during_preview_is_not_checked_yet() -> None:
    spec = spec_for(name="orders-worker", **PROFILES["EP2"])

    def program() -> None:
        loop = asyncio.get_event_loop()
        value: asyncio.Future[Any] = loop.create_future()
        known: asyncio.Future[bool] = loop.create_future()
        value.set_result(None)
        known.set_result(False)
        unknown: pulumi.Output[str] = pulumi.Output(set(), value, known)
        PythonFunctionApp("worker", spec, resource_group_name="rg", plan_id=unknown)

    result = run(program)
    assert not plan_lookups(result)
    assert len(result.recorder.of_type("web:WebApp")) == 1
