"""Bicep and ARM as an Azure reviewer expects them: names that do not collide, length
limits declared, a tags parameter merged once, usable as a module with outputs.

Parsed with pycep-parser; the module call is evaluated by `azfn-profile check`, which
reads local modules the way `az deployment` does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pycep import BicepParser

from azfn_profile.cli import cli
from azfn_profile.sources.arm import _Scope
from azfn_profile.sources.arm_expr import evaluate_text
from azfn_profile.sources.graph import Graph
from azfn_profile.sources.values import Budget
from tests.conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
UNIQUE = "${uniqueString(resourceGroup().id, appName)}"  # two apps in a group differ


def render(profile: Path, fmt: str) -> str:
    result = CliRunner().invoke(cli, ["render", str(profile), "--format", fmt])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def parsed(profile: Path) -> dict[str, Any]:
    return dict(BicepParser().parse(text=render(profile, "bicep")))


def limits(param: dict[str, Any]) -> tuple[int | None, int | None]:
    found = {d["type"]: d.get("argument") for d in param["decorators"]}
    return found.get("min_length"), found.get("max_length")


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_names_derive_from_the_app_name_and_the_resource_group(example: Path) -> None:
    params = parsed(example)["parameters"]
    assert params["appName"]["default"] == yaml.safe_load(example.read_text())["name"]
    assert params["siteName"]["default"] == "${take(appName, 46)}-" + UNIQUE
    assert (
        params["storageAccountName"]["default"]
        == "st${take(replace(appName, '-', ''), 9)}" + UNIQUE
    )
    # Azure's limits, declared: site 2-60, storage 3-24, plan 1-60.
    assert limits(params["siteName"]) == (2, 60)
    assert limits(params["storageAccountName"]) == (3, 24)
    assert limits(params["planName"]) == (1, 60)
    # The longest app name still fits: the literal characters, what take() keeps of
    # the app name and uniqueString's 13 characters.
    for name, literal, limit in (("siteName", 1, 60), ("storageAccountName", 2, 24)):
        kept = int(re.findall(r", (\d+)\)", params[name]["default"])[0])
        assert literal + kept + 13 <= limit, name
    # Names scoped to the group take() the whole name to the limit.
    for name, prefix, limit in (
        ("planName", "plan-", 60),
        ("workspaceName", "log-", 63),
    ):
        call = params[name]["default"]["function"]
        assert call["type"] == "take", name
        assert call["parameters"] == {
            "original_value": prefix + "${appName}",
            "number_to_take": limit,
        }
    template = json.loads(render(example, "arm"))["parameters"]
    assert template["siteName"]["maxLength"] == 60
    assert template["storageAccountName"]["minLength"] == 3
    assert (
        "uniqueString(resourceGroup().id, parameters('appName'))"
        in template["siteName"]["defaultValue"]
    )


def test_a_pinned_physical_name_stays_pinned(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "catalog-api.yaml").read_text())
    data["names"] = {"site": "catalog-api-prod", "storage": "stcatalogprod01"}
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump(data))
    params = parsed(profile)["parameters"]
    assert params["siteName"]["default"] == "catalog-api-prod"
    assert params["storageAccountName"]["default"] == "stcatalogprod01"
    assert params["planName"]["default"]["function"]["type"] == "take"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_tags_are_a_parameter_merged_once(example: Path) -> None:
    document = parsed(example)
    params = document["parameters"]
    assert params["tags"]["type"] == "object" and params["tags"]["default"] == {}
    union = document["variables"]["commonTags"]["value"]["function"]
    assert union == {
        "type": "union",
        "parameters": {"arg_1": "workloadTags", "arg_2": "tags"},
    }
    tagged = [r for r in document["resources"].values() if "tags" in r["config"]]
    assert tagged and all(r["config"]["tags"] == "commonTags" for r in tagged)
    # The workload tags are written once, in the variable.
    assert render(example, "bicep").count("'azfn-profile:workload'") == 1


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_outputs_for_a_caller(example: Path) -> None:
    outputs = parsed(example)["outputs"]
    assert set(outputs) == {"siteName", "defaultHostName", "principalId"}


def test_called_as_a_module_from_a_users_main_bicep(tmp_path: Path) -> None:
    (tmp_path / "function-app.bicep").write_text(
        render(EXAMPLES / "orders-api.yaml", "bicep")
    )
    (tmp_path / "main.bicep").write_text(
        "param location string = resourceGroup().location\n\n"
        "module orders './function-app.bicep' = {\n"
        "  name: 'orders-app'\n"
        "  params: {\n"
        "    appName: 'orders'\n"
        "    location: location\n"
        "    tags: {\n"
        "      team: 'payments'\n"
        "    }\n"
        "  }\n"
        "}\n\n"
        "output ordersHost string = orders.outputs.defaultHostName\n"
        "output ordersPrincipal string = orders.outputs.principalId\n"
    )
    caller = BicepParser().parse(text=(tmp_path / "main.bicep").read_text())
    module_params = parsed(EXAMPLES / "orders-api.yaml")["parameters"]
    (call,) = caller["modules"].values()
    assert set(call["config"]["params"]) <= set(module_params)
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    report = json.loads(result.stdout)
    (app,) = report["targets"]
    assert app["via"] == [f"{tmp_path}/main.bicep:3 module orders"]
    assert app["plan_sku"] == "EP2"
    assert result.exit_code == 0, result.stdout
    failed = [f for f in report["findings"] if f["status"] == "fail"]
    assert failed == []


@pytest.mark.parametrize(
    "app_name", ["a-" * 29 + "bc", "x" * 60, "ab", "orders-api-eu-west-2"]
)
def test_derived_names_are_valid_for_every_app_name(app_name: str) -> None:
    """The rendered defaults, evaluated by this project's ARM evaluator with
    uniqueString's 13 characters (deployment-time, so stood in for), stay within
    Azure's rules for the longest and shortest app names."""
    template = json.loads(render(EXAMPLES / "orders-api.yaml", "arm"))
    template["parameters"]["appName"]["defaultValue"] = app_name
    scope = _Scope(template, {}, Budget(), Graph())
    rules = {
        "siteName": r"[a-z0-9][a-z0-9-]{0,58}[a-z0-9]",
        "storageAccountName": r"[a-z0-9]{3,24}",
        "planName": r"[A-Za-z0-9-]{1,60}",
        "workspaceName": r"[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]",
    }
    for name, rule in rules.items():
        default = template["parameters"][name]["defaultValue"]
        default = default.replace(
            "uniqueString(resourceGroup().id, parameters('appName'))", "'abcdefghij123'"
        )
        value = evaluate_text(default, scope)
        assert isinstance(value, str) and re.fullmatch(rule, value), (name, value)
