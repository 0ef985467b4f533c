"""The Pulumi component as a user's own program uses it: their resource group, two
apps on one plan, their tags and options, two stacks of one project, the location
precedence, and outputs they compose. Run under Pulumi's mocks.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi_azure_native import resources

from azfn_profile.deploy import PythonFunctionApp
from tests.conftest import spec_for
from tests.pulumi_harness import RG_LOCATION, Run, run, suffix

pytestmark = pytest.mark.slow  # users' Pulumi programs under Pulumi's mocks

API = {"workload": {"kind": "io", "concurrency": 32}, "plan": {"sku": "EP1"}}
WORKER = {
    "workload": {"kind": "cpu"},
    "plan": {"sku": "EP1"},
    "triggers": ["queue"],
}


def names(result: Run) -> set[str]:
    """Every physical name the program would create in Azure."""
    keys = (
        "name",
        "accountName",
        "workspaceName",
        "resourceName",
        "roleAssignmentName",  # a GUID unique in the tenant, not only in its scope
        "resourceGroupName",
    )
    found = set()
    for r in result.recorder.resources:
        if r.typ.startswith("azfn-profile:"):
            continue
        for key in keys:
            if key in r.inputs and isinstance(r.inputs[key], str):
                found.add(r.inputs[key])
                break
    return found


def test_two_stacks_of_one_project_never_collide() -> None:
    spec = spec_for(name="orders-api", **API)

    def program() -> None:
        PythonFunctionApp("orders", spec)

    dev, prod = run(program, stack="dev"), run(program, stack="prod")
    assert names(dev) and names(prod)
    assert names(dev).isdisjoint(names(prod))
    (site,) = dev.recorder.of_type("web:WebApp")
    assert site.inputs["name"] == f"orders-api-{suffix('dev', 'orders')}"
    (account,) = dev.recorder.of_type("storage:StorageAccount")
    assert account.inputs["accountName"] == f"stordersapi{suffix('dev', 'orders')}"
    assert len(account.inputs["accountName"]) <= 24


def test_pinned_names_stay_pinned() -> None:
    spec = spec_for(
        name="orders-api",
        names={
            "site": "orders-prod",
            "storage": "stordersprod",
            "resource_group": "rg-o",
        },
        **API,
    )
    result = run(lambda: PythonFunctionApp("orders", spec), stack="dev")
    (site,) = result.recorder.of_type("web:WebApp")
    (account,) = result.recorder.of_type("storage:StorageAccount")
    (group,) = result.recorder.of_type("resources:ResourceGroup")
    assert site.inputs["name"] == "orders-prod"
    assert account.inputs["accountName"] == "stordersprod"
    assert group.inputs["resourceGroupName"] == "rg-o"


def locations(result: Run) -> set[Any]:
    return {
        r.inputs.get("location")
        for r in result.recorder.resources
        if not r.typ.startswith("azfn-profile:") and "location" in r.inputs
    }


@pytest.mark.parametrize(
    ("argument", "profile", "config", "group", "expected"),
    [
        ("eastus", "westeurope", "northeurope", "rg-x", {"eastus"}),
        (None, "westeurope", "northeurope", "rg-x", {"westeurope"}),
        # The provider's default: resources carry no location of their own.
        (None, None, "northeurope", "rg-x", set()),
        (None, None, None, "rg-x", {RG_LOCATION}),
    ],
    ids=["argument", "profile", "provider-config", "resource-group"],
)
def test_location_precedence(
    argument: str | None,
    profile: str | None,
    config: str | None,
    group: str | None,
    expected: set[str],
) -> None:
    spec = spec_for(name="orders-api", location=profile, **API)
    settings = {"azure-native:location": config} if config else {}
    result = run(
        lambda: PythonFunctionApp(
            "orders", spec, location=argument, resource_group_name=group
        ),
        config=settings,
    )
    assert locations(result) == expected
    looked_up = [c for c, _ in result.recorder.calls if c.endswith("getResourceGroup")]
    assert bool(looked_up) == (expected == {RG_LOCATION})


def test_no_location_anywhere_is_a_clear_error() -> None:
    spec = spec_for(name="orders-api", **API)
    with pytest.raises(Exception, match="no location: pass location="):
        run(lambda: PythonFunctionApp("orders", spec), config={})


def test_a_users_program_two_apps_on_one_plan_in_their_group() -> None:
    api, worker = (
        spec_for(name="orders-api", **API),
        spec_for(name="orders-worker", **WORKER),
    )
    outputs: dict[str, Any] = {}

    def program() -> None:
        group = resources.ResourceGroup(
            "platform", resource_group_name="platform", location="westeurope"
        )
        first = PythonFunctionApp(
            "api",
            api,
            resource_group_name=group.name,
            tags={"team": "orders"},
            opts=pulumi.ResourceOptions(protect=True),
        )
        second = PythonFunctionApp(
            "worker", worker, resource_group_name=group.name, plan_id=first.plan_id
        )
        for app in (first, second):
            pulumi.export(
                app._prefix,
                {
                    "name": app.name,
                    "hostname": app.default_hostname,
                    "principal": app.principal_id,
                    "site": app.site_id,
                    "plan": app.plan_id,
                    "storage": app.storage_account_name,
                    "group": app.resource_group_name,
                },
            )
        outputs["done"] = True

    result = run(program)
    assert outputs["done"]
    plans = result.recorder.of_type("web:AppServicePlan")
    sites = result.recorder.of_type("web:WebApp")
    assert len(plans) == 1 and len(sites) == 2
    assert len({s.inputs["serverFarmId"] for s in sites}) == 1
    assert result.recorder.of_type("resources:ResourceGroup")[0].name == "platform"
    assert all(
        r.inputs.get("resourceGroupName") == "platform"
        for r in result.recorder.resources
        if "resourceGroupName" in r.inputs
        and r.typ != "azure-native:resources:ResourceGroup"
    )
    api_site = next(s for s in sites if s.name == "api-site")
    assert api_site.inputs["tags"]["team"] == "orders"
    assert api_site.inputs["tags"]["azfn-profile:workload"] == "io"
    assert result.protected >= {"api-site", "api-storage", "api-plan"}
    assert "worker-site" not in result.protected
    exported = result.outputs
    assert exported["api"]["plan"] == exported["worker"]["plan"]
    assert exported["api"]["group"] == exported["worker"]["group"] == "platform"
    assert (
        exported["worker"]["hostname"]
        == f"{exported['worker']['name']}.azurewebsites.net"
    )
    assert exported["api"]["storage"] != exported["worker"]["storage"]


def test_existing_storage_and_insights_are_used_not_created() -> None:
    spec = spec_for(name="orders-api", **API)
    result = run(
        lambda: PythonFunctionApp(
            "orders",
            spec,
            resource_group_name="rg-shared",
            storage_account_name="stshared001",
            app_insights_name="appi-shared",
        )
    )
    assert result.recorder.of_type("storage:StorageAccount") == []
    assert result.recorder.of_type("applicationinsights:Component") == []
    assert result.recorder.of_type("operationalinsights:Workspace") == []
    (site,) = result.recorder.of_type("web:WebApp")
    settings = {s["name"]: s["value"] for s in site.inputs["siteConfig"]["appSettings"]}
    assert settings["AzureWebJobsStorage__accountName"] == "stshared001"
    scopes = {r.inputs["scope"] for r in result.recorder.of_type("RoleAssignment")}
    assert any(s.endswith("/storageAccounts/stshared001") for s in scopes)
    assert any(s.endswith("/components/appi-shared") for s in scopes)


def test_the_longest_app_name_fits_azure_limits_with_its_suffix() -> None:
    spec = spec_for(name="a" * 29 + "-" + "b" * 30, **API)  # 60, the profile's maximum
    limits = {
        "web:WebApp": ("name", 60),
        "web:AppServicePlan": ("name", 60),
        "storage:StorageAccount": ("accountName", 24),
        "operationalinsights:Workspace": ("workspaceName", 63),
        "resources:ResourceGroup": ("resourceGroupName", 90),
    }
    runs = [run(lambda: PythonFunctionApp("app", spec), stack=s) for s in ("a", "b")]
    for result in runs:
        for typ, (key, limit) in limits.items():
            (resource,) = result.recorder.of_type(typ)
            assert len(resource.inputs[key]) <= limit, (typ, resource.inputs[key])
    assert names(runs[0]).isdisjoint(names(runs[1]))
