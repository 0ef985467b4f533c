"""The real stacks/__main__.py under Pulumi's mocks, for both example stacks."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from azfn_profile import facts
from azfn_profile.cli import cli
from tests.conftest import ROOT
from tests.pulumi_harness import PRINCIPAL, SECRETS, SUBSCRIPTION, Run, run, suffix

pytestmark = pytest.mark.slow  # the real stacks under Pulumi's mocks

MAIN = ROOT / "stacks" / "__main__.py"
COMPONENT = "azfn-profile:index:PythonFunctionApp"
INFRA_SETTINGS = {
    "AzureWebJobsStorage__accountName",
    "AzureWebJobsStorage__credential",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
}
CONTENT_SHARE = {"WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE"}
ROLES = {
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "storage",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "storage",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "storage",
    "3913510d-42f4-4e42-8a64-420c390055eb": "insights",
}


def stack_config(stack: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return dict(data["config"])


def run_stack(stack: str) -> Run:
    return run(
        lambda: runpy.run_path(str(MAIN), run_name="__main__"),
        stack=stack,
        config=stack_config(stack),
    )


def profiles_of(stack: str) -> list[str]:
    config = stack_config(stack)
    return config.get("azfn-profile:profiles") or [config["azfn-profile:profile"]]


def rendered_settings(profile: str) -> dict[str, str]:
    result = CliRunner().invoke(
        cli, ["render", str(ROOT / profile), "--format", "settings"]
    )
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack_run(request: pytest.FixtureRequest) -> tuple[str, Run]:
    return request.param, run_stack(request.param)


def test_prod_has_several_apps_one_of_them_flex() -> None:
    names = profiles_of("prod")
    assert len(names) >= 2 and "examples/etl-mixed.yaml" in names


def test_resource_types_per_app(stack_run: tuple[str, Run]) -> None:
    stack, result = stack_run
    apps = len(profiles_of(stack))
    counts: dict[str, int] = {}
    for r in result.recorder.resources:
        counts[r.typ] = counts.get(r.typ, 0) + 1
    flex = sum(1 for p in profiles_of(stack) if "etl-mixed" in p)
    assert counts == {
        COMPONENT: apps,
        "azure-native:resources:ResourceGroup": apps,
        "azure-native:storage:StorageAccount": apps,
        "azure-native:operationalinsights:Workspace": apps,
        "azure-native:applicationinsights:Component": apps,
        "azure-native:web:AppServicePlan": apps,
        "azure-native:web:WebApp": apps,
        "azure-native:authorization:RoleAssignment": 4 * apps,
        "azure-native:web:WebAppFtpAllowed": apps,
        "azure-native:web:WebAppScmAllowed": apps,
        **({"azure-native:storage:BlobContainer": flex} if flex else {}),
    }


def test_every_resource_is_a_child_of_its_component(stack_run: tuple[str, Run]) -> None:
    _, result = stack_run
    components = {r.name for r in result.recorder.of_type(":PythonFunctionApp")}
    for r in result.recorder.resources:
        if r.typ != COMPONENT:
            owner = r.parent.rsplit("::", 1)[-1]
            assert owner in components, (r.typ, r.name, r.parent)


def _site_and_plan(
    result: Run, name: str, stack: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    tail = suffix(stack, name)
    (site,) = [
        r.inputs
        for r in result.recorder.of_type("web:WebApp")
        if r.inputs["name"] == f"{name}-{tail}"
    ]
    (plan,) = [
        r.inputs
        for r in result.recorder.of_type("web:AppServicePlan")
        if r.inputs["name"] == f"plan-{name}-{tail}"
    ]
    return site, plan


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_app_matches_its_profile(stack: str) -> None:
    result = run_stack(stack)
    for profile in profiles_of(stack):
        document = json.loads(
            CliRunner().invoke(cli, ["render", str(ROOT / profile)]).stdout
        )
        name, plan_doc = document["name"], document["plan"]
        site, plan = _site_and_plan(result, name, stack)
        kind = {"premium": "elastic", "flex": "functionapp"}.get(
            plan_doc["family"], "linux"
        )
        assert (
            plan["sku"]["name"],
            plan["sku"]["tier"],
            plan["kind"],
            plan["reserved"],
        ) == (plan_doc["sku"], plan_doc["tier"], kind, True)
        assert site["kind"] == "functionapp,linux"
        assert site["identity"] == {"type": "SystemAssigned"}
        assert site["httpsOnly"] is True
        config = site["siteConfig"]
        assert (config["minTlsVersion"], config["scmMinTlsVersion"]) == ("1.2", "1.2")
        settings = {s["name"]: s["value"] for s in config["appSettings"]}
        own = {
            k: v for k, v in settings.items() if k not in INFRA_SETTINGS | CONTENT_SHARE
        }
        assert own == rendered_settings(profile)  # one source of truth
        assert set(settings) >= INFRA_SETTINGS
        assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"].startswith(
            "InstrumentationKey"
        )
        if plan_doc["family"] == "flex":
            assert "functionAppConfig" in site
            assert not facts.FLEX_DEPRECATED_SETTINGS & set(settings)
            assert not {"ftpsState", "alwaysOn", "linuxFxVersion"} & set(config)
            fac = site["functionAppConfig"]
            assert fac["runtime"] == document["function_app_config"]["runtime"]
            scale = document["function_app_config"]["scaleAndConcurrency"]
            assert fac["scaleAndConcurrency"]["triggers"] == scale["triggers"]
            assert (
                fac["scaleAndConcurrency"]["instanceMemoryMB"]
                == scale["instanceMemoryMB"]
            )
            assert fac["deployment"]["storage"]["authentication"] == {
                "type": "SystemAssignedIdentity"
            }
            assert fac["deployment"]["storage"]["value"].endswith(
                ".blob.core.windows.net/deployments"
            )
        else:
            assert "functionAppConfig" not in site
            assert config["ftpsState"] == "Disabled"
            assert config["alwaysOn"] is document["site"]["always_on"]
            assert config["linuxFxVersion"] == document["site"]["linux_fx_version"]
        workload = document["workload"]
        for tags in (site["tags"], plan["tags"]):
            assert tags["azfn-profile:workload"] == workload["kind"]
            assert tags["azfn-profile:style"] == workload["style"]
            if workload["concurrency"] is not None:
                assert tags["azfn-profile:concurrency"] == str(workload["concurrency"])
            else:
                assert "azfn-profile:concurrency" not in tags


def test_four_role_assignments_per_app_for_its_identity(
    stack_run: tuple[str, Run],
) -> None:
    stack, result = stack_run
    assignments = result.recorder.of_type("authorization:RoleAssignment")
    assert len(assignments) == 4 * len(profiles_of(stack))
    for a in assignments:
        guid = a.inputs["roleDefinitionId"].rsplit("/", 1)[-1]
        assert a.inputs["roleDefinitionId"] == (
            f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/"
            f"roleDefinitions/{guid}"
        )
        assert a.inputs["principalId"] == PRINCIPAL
        assert a.inputs["principalType"] == "ServicePrincipal"
        app = a.name.split("-storage-")[0].split("-monitoring-")[0]
        target = (
            "storage:StorageAccount/"
            if ROLES[guid] == "storage"
            else "applicationinsights:Component/"
        )
        assert target in a.inputs["scope"], a.inputs["scope"]
        assert a.inputs["scope"].startswith(f"/subscriptions/{SUBSCRIPTION}/")
        assert app


def test_basic_publishing_is_off_and_storage_is_locked_down(
    stack_run: tuple[str, Run],
) -> None:
    _, result = stack_run
    for r in result.recorder.of_type("web:WebAppFtpAllowed") + result.recorder.of_type(
        "web:WebAppScmAllowed"
    ):
        assert r.inputs["allow"] is False
    for account in result.recorder.of_type("storage:StorageAccount"):
        i = account.inputs
        assert (
            i["kind"],
            i["minimumTlsVersion"],
            i["enableHttpsTrafficOnly"],
            i["allowBlobPublicAccess"],
        ) == ("StorageV2", "TLS1_2", True, False)


def test_shared_key_access_only_where_the_content_share_needs_it() -> None:
    result = run_stack("prod")
    shared = {
        r.inputs["accountName"]: r.inputs["allowSharedKeyAccess"]
        for r in result.recorder.of_type("storage:StorageAccount")
    }
    for site in result.recorder.of_type("web:WebApp"):
        settings = {
            s["name"]: s["value"] for s in site.inputs["siteConfig"]["appSettings"]
        }
        account = settings["AzureWebJobsStorage__accountName"]
        assert shared[account] is bool(CONTENT_SHARE & set(settings))


def test_exports_per_app_and_no_secret_in_plain_outputs(
    stack_run: tuple[str, Run],
) -> None:
    stack, result = stack_run
    names = {
        json.loads(CliRunner().invoke(cli, ["render", str(ROOT / p)]).stdout)["name"]
        for p in profiles_of(stack)
    }
    assert set(result.outputs) == names
    for name, value in result.outputs.items():
        assert value["name"] == f"{name}-{suffix(stack, name)}"
        assert value["defaultHostname"] == f"{value['name']}.azurewebsites.net"
        assert set(value) == {
            "name",
            "defaultHostname",
            "planSku",
            "appSettings",
            "workers",
            "hostJson",
        }
        assert value["workers"]["threads"] >= 1
        assert "--format host-json" in value["hostJson"]
        if name not in result.secret_outputs:
            text = json.dumps(value)
            assert not any(secret in text for secret in SECRETS), name


def test_secrets_reach_the_site_as_settings() -> None:
    result = run_stack("dev")
    (site,) = result.recorder.of_type("web:WebApp")
    settings = {s["name"]: s["value"] for s in site.inputs["siteConfig"]["appSettings"]}
    assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] == SECRETS[0]
    assert settings["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"].startswith(
        "DefaultEndpointsProtocol=https;AccountName=st"
    )  # EP needs the key-based share
    assert (
        f"AccountKey={SECRETS[1]}"
        in settings["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"]
    )
    names = [s["name"] for s in site.inputs["siteConfig"]["appSettings"]]
    for secret in (
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    ):
        path = f"siteConfig.appSettings[{names.index(secret)}].value"
        assert any(path.startswith(p) for p in site.secret_paths), (
            secret,
            site.secret_paths,
        )
    plain = (
        f"siteConfig.appSettings[{names.index('FUNCTIONS_WORKER_PROCESS_COUNT')}].value"
    )
    assert plain not in site.secret_paths


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"azfn-profile:profile": "examples/missing.yaml"},
            "examples/missing.yaml: no such file",
        ),
        (
            {},
            (
                "stack config: set azfn-profile:profile (a profile path) or "
                "azfn-profile:profiles (a list of paths)"
            ),
        ),
        (
            {"azfn-profile:profiles": "examples/orders-api.yaml"},
            "stack config: azfn-profile:profiles must be a non-empty list of profile paths",
        ),
        (
            {"azfn-profile:profile": "../../etc/passwd"},
            (
                f"stack config: profile '../../etc/passwd' must be a path inside the "
                f"project ({ROOT}), relative to it"
            ),
        ),
        (
            {"azfn-profile:profiles": ["examples/orders-api.yaml", "/etc/passwd"]},
            (
                f"stack config: profile '/etc/passwd' must be a path inside the "
                f"project ({ROOT}), relative to it"
            ),
        ),
    ],
)
def test_bad_stack_config_is_a_clean_error(
    config: dict[str, Any], message: str
) -> None:
    import pulumi

    with pytest.raises(pulumi.RunError) as caught:
        run(lambda: runpy.run_path(str(MAIN), run_name="__main__"), config=config)
    assert str(caught.value) == message


def test_invalid_profile_gives_the_cli_message(tmp_path: Path) -> None:
    import pulumi

    bad = ROOT / "tests" / "data" / "bad-profile.yaml"
    cli_result = CliRunner().invoke(cli, ["render", str(bad.relative_to(ROOT))])
    with pytest.raises(pulumi.RunError) as caught:
        run(
            lambda: runpy.run_path(str(MAIN), run_name="__main__"),
            config={"azfn-profile:profile": "tests/data/bad-profile.yaml"},
        )
    assert cli_result.exit_code == 2
    assert str(caught.value) + "\n" == cli_result.stderr
