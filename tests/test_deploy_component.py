"""PythonFunctionApp built directly from an AppSpec of each plan family, under mocks."""

from __future__ import annotations

from typing import Any

import pytest

from azfn_profile.deploy import TYPE, PythonFunctionApp
from tests.conftest import spec_for
from tests.pulumi_harness import Run, run, suffix

pytestmark = pytest.mark.slow  # the Pulumi component under Pulumi's mocks

FAMILIES = {
    "consumption": {"plan": {"sku": "Y1"}},
    "flex": {
        "plan": {
            "sku": "FC1",
            "instance_memory_mb": 4096,
            "always_ready": 2,
            "max_instances": 60,
        },
        "workload": {"kind": "io", "style": "async", "concurrency": 40},
    },
    "premium": {
        "plan": {"sku": "EP3", "max_instances": 25, "always_ready": 2},
        "workload": {"kind": "cpu"},
    },
    "dedicated": {
        "plan": {"sku": "P2v3"},
        "workload": {"kind": "mixed", "io_share": 0.7},
    },
}


def build(family: str, **kwargs: Any) -> Run:
    spec = spec_for(name=f"app-{family}", **FAMILIES[family])
    return run(lambda: PythonFunctionApp(f"app-{family}", spec, **kwargs))


def one(result: Run, suffix: str) -> dict[str, Any]:
    (resource,) = result.recorder.of_type(suffix)
    return resource.inputs


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_component_per_family(family: str) -> None:
    result = build(family)
    assert [r.typ for r in result.recorder.resources].count(TYPE) == 1
    plan, site = one(result, "web:AppServicePlan"), one(result, "web:WebApp")
    account = one(result, "storage:StorageAccount")
    settings = {s["name"]: s["value"] for s in site["siteConfig"]["appSettings"]}
    expected_kind = {
        "consumption": "linux",
        "flex": "functionapp",
        "premium": "elastic",
        "dedicated": "linux",
    }[family]
    assert plan["kind"] == expected_kind and plan["reserved"] is True
    assert account["accountName"] == (
        "st" + f"app{family}"[:16] + suffix("test", f"app-{family}")
    )
    assert settings["AzureWebJobsStorage__accountName"] == account["accountName"]
    content_share = family in ("consumption", "premium")
    assert account["allowSharedKeyAccess"] is content_share
    assert ("WEBSITE_CONTENTSHARE" in settings) is content_share
    assert bool(result.recorder.of_type("storage:BlobContainer")) is (family == "flex")
    if family == "flex":
        scale = site["functionAppConfig"]["scaleAndConcurrency"]
        assert scale == {
            "instanceMemoryMB": 4096,
            "maximumInstanceCount": 60,
            "alwaysReady": [{"name": "http", "instanceCount": 2}],
            "triggers": {"http": {"perInstanceConcurrency": 40}},
        }
        assert "reserved" not in site
    else:
        assert site["siteConfig"]["alwaysOn"] is (family == "dedicated")
        assert site["reserved"] is True
    if family == "premium":
        assert plan["maximumElasticWorkerCount"] == 25
        assert plan["sku"] == {"name": "EP3", "tier": "ElasticPremium", "capacity": 2}
        assert settings["FUNCTIONS_WORKER_PROCESS_COUNT"] == "4"
    else:
        assert "maximumElasticWorkerCount" not in plan


def test_existing_resource_group_is_used_not_created() -> None:
    result = build("dedicated", resource_group_name="rg-shared")
    assert not result.recorder.of_type("resources:ResourceGroup")
    for r in result.recorder.resources:
        if "resourceGroupName" in r.inputs:
            assert r.inputs["resourceGroupName"] == "rg-shared"


def test_role_assignment_names_are_stable_guids() -> None:
    first = {
        r.inputs["roleAssignmentName"]
        for r in build("premium").recorder.of_type("authorization:RoleAssignment")
    }
    second = {
        r.inputs["roleAssignmentName"]
        for r in build("premium").recorder.of_type("authorization:RoleAssignment")
    }
    assert first == second and len(first) == 4
