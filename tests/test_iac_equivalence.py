"""ARM, Bicep (parsed by pycep-parser), Terraform JSON and the Pulumi component agree.

For every example: the same resources and API versions in ARM and Bicep, and in every
format the same app settings, worker settings, plan, Flex functionAppConfig and
security posture, all serialized from one description.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pycep import BicepParser

from azfn_profile.cli import cli
from azfn_profile.deploy import PythonFunctionApp
from tests.conftest import EXAMPLES, TODAY
from tests.pulumi_harness import run

pytestmark = pytest.mark.slow  # parses every example's templates; the Pulumi component

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
REF = "<ref>"  # a value computed at deployment time
# Keys the azurerm function-app resources set from their own arguments (iac-anchors §3a);
# written out here, independently of the renderer, so a renderer slip is caught. With
# storage_uses_managed_identity the provider writes no content-share settings, so
# those travel in app_settings like any other.
TF_PROVIDER_OWNED = {
    "FUNCTIONS_EXTENSION_VERSION",
    "FUNCTIONS_WORKER_RUNTIME",
    "AzureWebJobsStorage__accountName",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
}


@cache
def rendered(example: Path, fmt: str) -> str:
    result = CliRunner().invoke(cli, ["render", str(example), "--format", fmt])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def arm(example: Path) -> dict[str, Any]:
    return dict(json.loads(rendered(example, "arm")))


def bicep(example: Path) -> dict[str, Any]:
    return dict(BicepParser().parse(text=rendered(example, "bicep")))


def terraform(example: Path) -> dict[str, Any]:
    return dict(json.loads(rendered(example, "terraform-json")))


def document(example: Path) -> dict[str, Any]:
    return dict(json.loads(rendered(example, "json")))


def arm_resource(template: dict[str, Any], rtype: str) -> dict[str, Any]:
    (found,) = [r for r in template["resources"] if r["type"] == rtype]
    return found


def bicep_resource(parsed: dict[str, Any], rtype: str) -> dict[str, Any]:
    """The declaration of the resource deployed (not an `existing` reference); of a
    conditional one (`= if (...) {...}`), the body."""
    (found,) = [
        r
        for r in parsed["resources"].values()
        if r["type"] == rtype and not r["existing"]
    ]
    config = found["config"]
    return dict(config["config"] if "condition" in config else config)


def arm_value(v: Any) -> Any:
    return (
        REF
        if isinstance(v, str) and v.startswith("[") and not v.startswith("[[")
        else v
    )


def bicep_value(v: Any, params: set[str]) -> Any:
    if isinstance(v, dict) or (isinstance(v, str) and (v in params or "${" in v)):
        return REF
    return v


def settings_arm(example: Path) -> dict[str, Any]:
    site = arm_resource(arm(example), "Microsoft.Web/sites")
    return {
        s["name"]: arm_value(s["value"])
        for s in site["properties"]["siteConfig"]["appSettings"]
    }


def settings_bicep(example: Path) -> dict[str, Any]:
    parsed = bicep(example)
    params = set(parsed["parameters"]) | set(parsed["variables"])
    site = bicep_resource(parsed, "Microsoft.Web/sites")
    return {
        s["name"]: bicep_value(s["value"], params)
        for s in site["properties"]["siteConfig"]["appSettings"]
    }


def tf_app(example: Path) -> tuple[str, dict[str, Any]]:
    resources = terraform(example)["resource"]
    (kind,) = [k for k in resources if k.endswith("function_app") or "flex" in k]
    return kind, resources[kind]["app"]


@cache
def pulumi_run(example: Path) -> Any:
    from azfn_profile.engine import resolve_file

    spec = resolve_file(example, today=TODAY)
    return run(lambda: PythonFunctionApp(spec.name, spec))


def settings_pulumi(example: Path) -> dict[str, Any]:
    result = pulumi_run(example)
    (site,) = result.recorder.of_type("web:WebApp")
    literal = settings_arm(example)
    # Values ARM computes at deployment are mock outputs here: compare their presence.
    return {
        s["name"]: REF if literal.get(s["name"]) == REF else s["value"]
        for s in site.inputs["siteConfig"]["appSettings"]
    }


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_arm_and_bicep_have_the_same_resources_and_api_versions(example: Path) -> None:
    template, parsed = arm(example), bicep(example)
    arm_types = sorted((r["type"], r["apiVersion"]) for r in template["resources"])
    bicep_types = sorted(
        (r["type"], r["api_version"])
        for r in parsed["resources"].values()
        if not r["existing"]
    )
    assert arm_types == bicep_types
    assert template["$schema"].endswith("2019-04-01/deploymentTemplate.json#")
    for rtype in ("Microsoft.Web/sites", "Microsoft.Web/serverfarms"):
        assert dict(arm_types)[rtype] >= "2024-04-01"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_app_settings_agree_in_every_format(example: Path) -> None:
    arm_settings = settings_arm(example)
    assert settings_bicep(example) == arm_settings
    assert settings_pulumi(example) == arm_settings
    own = {k: v for k, v in arm_settings.items() if k not in TF_PROVIDER_OWNED}
    kind, app = tf_app(example)
    if kind == "azurerm_function_app_flex_consumption":
        # terraform-provider-azurerm #29693: on Flex the app carries its
        # identity-based storage settings itself.
        own["AzureWebJobsStorage__accountName"] = REF
    tf_settings = {
        k: REF if isinstance(v, str) and "${" in v else v
        for k, v in app["app_settings"].items()
    }
    assert tf_settings == own
    # Everything the engine decided appears literally in every format.
    for name, value in document(example)["app_settings"].items():
        assert arm_settings[name] == value
    if "FUNCTIONS_EXTENSION_VERSION" in arm_settings:
        assert (
            app["functions_extension_version"]
            == arm_settings["FUNCTIONS_EXTENSION_VERSION"]
        )
        assert app["site_config"][0]["application_stack"] == [
            {"python_version": document(example)["python"]}
        ]


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_plan_and_flex_config_agree(example: Path) -> None:
    doc = document(example)
    plan_arm = arm_resource(arm(example), "Microsoft.Web/serverfarms")
    plan_bicep = bicep_resource(bicep(example), "Microsoft.Web/serverfarms")
    (plan_pulumi,) = pulumi_run(example).recorder.of_type("web:AppServicePlan")
    expected = {"name": doc["plan"]["sku"], "tier": doc["plan"]["tier"]}
    for sku in (plan_arm["sku"], plan_bicep["sku"], plan_pulumi.inputs["sku"]):
        assert {k: sku[k] for k in ("name", "tier")} == expected
    assert (
        terraform(example)["resource"]["azurerm_service_plan"]["plan"]["sku_name"]
        == (doc["plan"]["sku"])
    )
    site_arm = arm_resource(arm(example), "Microsoft.Web/sites")["properties"]
    site_bicep = bicep_resource(bicep(example), "Microsoft.Web/sites")["properties"]
    (site_pulumi,) = pulumi_run(example).recorder.of_type("web:WebApp")
    fac = doc["function_app_config"]
    if fac is None:
        assert (
            "functionAppConfig" not in site_arm
            and "functionAppConfig" not in site_bicep
        )
        assert "functionAppConfig" not in site_pulumi.inputs
        return
    for found in (
        site_arm["functionAppConfig"],
        site_bicep["functionAppConfig"],
        site_pulumi.inputs["functionAppConfig"],
    ):
        assert {k: found[k] for k in ("runtime", "scaleAndConcurrency")} == fac
        assert found["deployment"]["storage"]["authentication"] == {
            "type": "SystemAssignedIdentity"
        }
    kind, app = tf_app(example)
    scale = fac["scaleAndConcurrency"]
    assert kind == "azurerm_function_app_flex_consumption"
    assert (
        app["runtime_name"],
        app["runtime_version"],
        app["instance_memory_in_mb"],
        app["maximum_instance_count"],
        app["http_concurrency"],
    ) == (
        "python",
        doc["python"],
        scale["instanceMemoryMB"],
        scale["maximumInstanceCount"],
        scale["triggers"]["http"]["perInstanceConcurrency"],
    )


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_security_posture_in_every_format(example: Path) -> None:
    flex = document(example)["function_app_config"] is not None
    expected_config = {
        "minTlsVersion": "1.2",
        "scmMinTlsVersion": "1.2",
        "http20Enabled": True,
        **({} if flex else {"ftpsState": "Disabled"}),
    }
    site_arm = arm_resource(arm(example), "Microsoft.Web/sites")
    site_bicep = bicep_resource(bicep(example), "Microsoft.Web/sites")
    (site_pulumi,) = pulumi_run(example).recorder.of_type("web:WebApp")
    for site, identity in (
        (site_arm, site_arm["identity"]),
        (site_bicep, site_bicep["identity"]),
    ):
        assert site["properties"]["httpsOnly"] is True and identity == {
            "type": "SystemAssigned"
        }
        config = site["properties"]["siteConfig"]
        assert {k: config.get(k) for k in expected_config} == expected_config
    pulumi_config = site_pulumi.inputs["siteConfig"]
    assert {k: pulumi_config.get(k) for k in expected_config} == expected_config
    assert site_pulumi.inputs["httpsOnly"] is True
    # Basic publishing credentials off.
    policies = [
        r
        for r in arm(example)["resources"]
        if r["type"] == "Microsoft.Web/sites/basicPublishingCredentialsPolicies"
    ]
    assert sorted(p["name"].rsplit("'", 2)[-2] for p in policies) == ["ftp", "scm"]
    assert all(p["properties"] == {"allow": False} for p in policies)
    bicep_policies = [
        r["config"]
        for r in bicep(example)["resources"].values()
        if r["type"].endswith("basicPublishingCredentialsPolicies")
    ]
    assert sorted(p["name"] for p in bicep_policies) == ["ftp", "scm"]
    assert all(p["properties"] == {"allow": False} for p in bicep_policies)
    _, app = tf_app(example)
    assert (
        app["https_only"] is True
        and app["webdeploy_publish_basic_authentication_enabled"] is False
    )
    assert app["identity"] == [{"type": "SystemAssigned"}]
    tf_config = app["site_config"][0]
    assert (
        tf_config["minimum_tls_version"],
        tf_config["scm_minimum_tls_version"],
        tf_config["http2_enabled"],
    ) == ("1.2", "1.2", True)
    # Storage: TLS 1.2, HTTPS only, no public blob access in every format.
    storage_arm = arm_resource(arm(example), "Microsoft.Storage/storageAccounts")[
        "properties"
    ]
    storage_bicep = bicep_resource(bicep(example), "Microsoft.Storage/storageAccounts")[
        "properties"
    ]
    for props in (storage_arm, storage_bicep):
        assert (
            props["minimumTlsVersion"],
            props["supportsHttpsTrafficOnly"],
            props["allowBlobPublicAccess"],
        ) == ("TLS1_2", True, False)
    tf_storage = terraform(example)["resource"]["azurerm_storage_account"]["storage"]
    assert (
        tf_storage["min_tls_version"],
        tf_storage["https_traffic_only_enabled"],
        tf_storage["allow_nested_items_to_be_public"],
    ) == ("TLS1_2", True, False)


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_no_account_key_where_identity_works(example: Path) -> None:
    family = document(example)["plan"]["family"]
    texts = {
        fmt: rendered(example, fmt)
        for fmt in ("arm", "bicep", "terraform", "terraform-json")
    }
    needs_key = family in ("consumption", "premium")  # the Azure Files content share
    for fmt, text in texts.items():
        assert ("listKeys" in text or "primary_access_key" in text) is needs_key, fmt
    assert "AccountKey=" not in json.dumps(document(example)["app_settings"])
    storage = arm_resource(arm(example), "Microsoft.Storage/storageAccounts")[
        "properties"
    ]
    assert storage["allowSharedKeyAccess"] is needs_key
