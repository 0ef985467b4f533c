"""Terraform as Terraform users deploy it: a module in native syntax, a root that
configures the providers and calls it, arguments the pinned provider accepts.

The HCL is parsed back with python-hcl2 and compared with the JSON syntax of the
same module; argument names are checked against the provider's own documentation at
both ends of the pinned version range (tests/data/terraform/provider-arguments.json,
rebuilt by extract_arguments.py from a clone of terraform-provider-azurerm).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.render.terraform import AZURERM
from tests.conftest import EXAMPLES, ROOT

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
ARGUMENTS = json.loads(
    (ROOT / "tests" / "data" / "terraform" / "provider-arguments.json").read_text()
)
META = {"count", "for_each", "depends_on", "lifecycle", "provider", "//"}


def render(example: Path, fmt: str) -> str:
    result = CliRunner().invoke(cli, ["render", str(example), "--format", fmt])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def bundle(example: Path, tmp_path: Path) -> Path:
    out = tmp_path / "iac"
    result = CliRunner().invoke(
        cli, ["render", str(example), "--format", "all", "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    return out / "terraform"


def normal(value: Any) -> Any:
    """python-hcl2's form (quoted strings, block markers) as Terraform JSON syntax."""
    if isinstance(value, dict):
        return {
            normal_key(k): normal(v)
            for k, v in value.items()
            if not k.startswith("__") and k != "//"
        }
    if isinstance(value, list):
        return [normal(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return unquote(value[1:-1])
    return value


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unquote(body: str) -> str:
    """A quoted HCL template's text: escapes decoded in its literal parts, its
    `${...}` interpolations (expressions, with quotes unescaped) kept as written."""
    out: list[str] = []
    i, depth = 0, 0
    while i < len(body):
        char = body[i]
        if depth == 0 and body.startswith("$${", i):
            out.append("$${")
            i += 3
        elif depth == 0 and body.startswith("${", i):
            out.append("${")
            depth, i = 1, i + 2
        elif depth:
            depth += {"{": 1, "}": -1}.get(char, 0)
            out.append(char)
            i += 1
        elif char == "\\" and body[i + 1] == "u":
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        elif char == "\\":
            out.append(_ESCAPES[body[i + 1]])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def normal_key(key: str) -> str:
    return json.loads(key) if key.startswith('"') else key


def from_json_syntax(document: dict[str, Any]) -> dict[str, Any]:
    """The JSON syntax reshaped as python-hcl2 lists blocks (one dict per block)."""
    out: dict[str, Any] = {}
    for kind, body in document.items():
        if kind == "//":
            continue
        if kind in ("terraform", "locals"):
            out[kind] = [body]
        elif kind in ("resource", "data"):
            out[kind] = [
                {t: {n: b}} for t, named in body.items() for n, b in named.items()
            ]
        else:
            out[kind] = [{n: b} for n, b in body.items()]
    return strip_comments(out)


def strip_comments(value: Any) -> Any:
    """Without "//" comments; blocks JSON syntax writes as objects become lists."""
    if isinstance(value, dict):
        return {
            k: [strip_comments(v)]
            if k in ("required_providers", "features", "lifecycle")
            and isinstance(v, dict)
            else strip_comments(v)
            for k, v in value.items()
            if k != "//"
        }
    if isinstance(value, list):
        return [strip_comments(v) for v in value]
    return value


def hcl_as_json(text: str) -> dict[str, Any]:
    parsed = normal(hcl2.loads(text))
    for variable in parsed.get("variable", []):
        for body in variable.values():
            if isinstance(body.get("type"), str):  # a type expression: ${string}
                body["type"] = body["type"].removeprefix("${").removesuffix("}")
    for block in parsed.get("resource", []):  # lifecycle lists hold bare references
        for named in block.values():
            for body in named.values():
                for lifecycle in body.get("lifecycle", []):
                    for key, refs in lifecycle.items():
                        if key == "precondition":  # blocks, not references
                            continue
                        lifecycle[key] = [
                            r.removeprefix("${").removesuffix("}") for r in refs
                        ]
    return parsed


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_hcl_parses_and_says_what_the_json_syntax_says(example: Path) -> None:
    native = hcl_as_json(render(example, "terraform"))
    assert native == from_json_syntax(json.loads(render(example, "terraform-json")))


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_module_configures_no_provider(example: Path) -> None:
    module = json.loads(render(example, "terraform-json"))
    assert "provider" not in module
    assert module["terraform"]["required_providers"]["azurerm"] == AZURERM
    assert not re.search(r"^provider ", render(example, "terraform"), re.MULTILINE)


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_root_configures_the_providers_and_calls_the_module(
    example: Path, tmp_path: Path
) -> None:
    folder = bundle(example, tmp_path)
    providers = hcl_as_json((folder / "providers.tf").read_text())
    (azurerm,) = [p["azurerm"] for p in providers["provider"] if "azurerm" in p]
    assert azurerm["storage_use_azuread"] is True  # shared keys are off on storage
    assert azurerm["features"] == [{}]
    root = hcl_as_json((folder / "main.tf").read_text())
    (call,) = root["module"]
    assert call["app"]["source"] == "./modules/function-app"
    module = hcl_as_json((folder / "modules/function-app/main.tf").read_text())
    module_outputs = {name for o in module["output"] for name in o}
    root_outputs = {name: o[name]["value"] for o in root["output"] for name in o}
    assert root_outputs == {n: f"${{module.app.{n}}}" for n in module_outputs}
    declared = {name for v in module["variable"] for name in v}
    passed = set(call["app"]) - {"source"}
    assert passed <= declared
    # Without a default, the root must pass it.
    required = {
        name
        for v in module["variable"]
        for name, body in v.items()
        if "default" not in body
    }
    assert required <= passed


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_reference_resolves_and_every_variable_is_used(example: Path) -> None:
    text = render(example, "terraform-json")
    module = json.loads(text)
    assert set(re.findall(r"\bvar\.(\w+)", text)) == set(module["variable"])
    assert set(re.findall(r"\blocal\.(\w+)", text)) == set(module["locals"])
    data = {f"{t}.{n}" for t, named in module["data"].items() for n in named}
    assert set(re.findall(r"\bdata\.(\w+\.\w+)", text)) == data
    resources = {f"{t}.{n}" for t, named in module["resource"].items() for n in named}
    referenced = set(re.findall(r"\$\{((?:azurerm|azapi)_\w+\.\w+)\.", text))
    assert referenced <= resources
    assert referenced  # the resources are wired together


def arguments_used(resource_type: str, body: dict[str, Any]) -> dict[str, set[str]]:
    """Argument names by block ("" for the resource), as the documentation lists them."""
    found: dict[str, set[str]] = {"": set()}

    def walk(block: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            if key in META:
                continue
            found.setdefault(block, set()).add(key)
            if (
                isinstance(value, list)
                and value
                and all(isinstance(v, dict) for v in value)
            ):
                for item in value:
                    walk(key, item)

    walk("", body)
    return found


@pytest.mark.parametrize("version", sorted(ARGUMENTS["versions"]))
@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_argument_is_one_the_pinned_provider_documents(
    example: Path, version: str, tmp_path: Path
) -> None:
    allowed = {**ARGUMENTS["versions"][version], **ARGUMENTS["azapi"]}
    provider_args = {
        "azurerm": set(ARGUMENTS["versions"][version]["provider"][""]) | {"features"},
        "azapi": set(ARGUMENTS["azapi"]["azapi_provider"][""]),
    }
    module = json.loads(render(example, "terraform-json"))
    for resource_type, named in module["resource"].items():
        for body in named.values():
            for block, names in arguments_used(resource_type, body).items():
                documented = set(allowed[resource_type].get(block, []))
                assert names <= documented, (resource_type, block, names - documented)
    providers = hcl_as_json((bundle(example, tmp_path) / "providers.tf").read_text())
    for provider in providers["provider"]:
        for name, body in provider.items():
            assert set(body) <= provider_args[name], (
                name,
                set(body) - provider_args[name],
            )


def test_the_pinned_range_is_the_checked_one() -> None:
    low, high = sorted(
        ARGUMENTS["versions"], key=lambda v: [int(x) for x in v[1:].split(".")]
    )
    assert (
        AZURERM["version"]
        == f">= {low[1:].rsplit('.', 1)[0]}, < {int(high[1:].split('.')[0]) + 1}.0"
    )


def test_flex_gets_identity_storage_despite_the_provider_issue() -> None:
    module = json.loads(render(EXAMPLES / "etl-mixed.yaml", "terraform-json"))
    app = module["resource"]["azurerm_function_app_flex_consumption"]["app"]
    assert app["storage_authentication_type"] == "SystemAssignedIdentity"
    assert app["app_settings"]["AzureWebJobsStorage__credential"] == "managedidentity"
    assert (
        app["app_settings"]["AzureWebJobsStorage__accountName"]
        == "${local.host_storage.name}"
    )
    fix = module["resource"]["azapi_update_resource"]["flex_storage_settings"]
    assert "29693" in fix["//"]
    assert fix["parent_id"] == "${azurerm_function_app_flex_consumption.app.id}"
    settings = fix["body"]["properties"]
    assert "AzureWebJobsStorage" not in settings
    assert settings == {
        **app["app_settings"],
        "APPLICATIONINSIGHTS_CONNECTION_STRING": "${azurerm_application_insights.insights.connection_string}",
    }
    assert module["terraform"]["required_providers"]["azapi"]["source"] == "Azure/azapi"
    # re-applied whenever the provider updates the app (and writes the string again)
    assert fix["lifecycle"]["replace_triggered_by"] == [
        "azurerm_function_app_flex_consumption.app"
    ]
    hcl = render(EXAMPLES / "etl-mixed.yaml", "terraform")
    assert "replace_triggered_by = [azurerm_function_app_flex_consumption.app]" in hcl


def test_content_share_plans_say_why_shared_keys_stay_on() -> None:
    hcl = render(EXAMPLES / "orders-api.yaml", "terraform")  # EP2
    assert (
        "# Consumption and Elastic Premium mount the app's content from an Azure" in hcl
    )
    assert "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING" in hcl
    assert "storage_account_access_key" not in hcl  # the host uses its identity
    assert "Azure Files" not in render(EXAMPLES / "catalog-api.yaml", "terraform")


def _module_for(tmp_path: Path, extra: str = "") -> dict[str, Any]:
    text = (EXAMPLES / "orders-api.yaml").read_text() + extra
    profile = tmp_path / "orders-api.yaml"
    profile.write_text(text)
    return dict(json.loads(render(profile, "terraform-json")))


def test_global_names_are_unique_per_subscription_and_resource_group(
    tmp_path: Path,
) -> None:
    module = _module_for(tmp_path)
    for name in ("site_name", "storage_account_name"):
        assert module["variable"][name]["default"] is None  # no fixed global name
        assert f"var.{name}" in module["locals"][name]
        assert "local.suffix" in module["locals"][name]
    suffix = module["locals"]["suffix"]
    assert "data.azurerm_client_config.current.subscription_id" in suffix
    assert "var.resource_group_name" in suffix
    (app,) = module["resource"]["azurerm_linux_function_app"].values()
    (storage,) = module["resource"]["azurerm_storage_account"].values()
    assert app["name"] == "${local.site_name}"
    assert storage["name"] == "${local.storage_account_name}"
    # the longest names fit Azure's limits once the 6-character suffix is added
    assert (
        "substr(var.app_name, 0, 53)}-${local.suffix}" in module["locals"]["site_name"]
    )
    assert (
        '"-", ""), 0, 16)}${local.suffix}' in module["locals"]["storage_account_name"]
    )
    assert "var.app_name" in suffix  # two apps in one group differ
    assert module["variable"]["app_name"]["default"] == "orders-api"


def test_pinned_names_stay_pinned(tmp_path: Path) -> None:
    module = _module_for(
        tmp_path, "names:\n  site: orders-prod\n  storage: stordersprod\n"
    )
    assert module["variable"]["site_name"]["default"] == "orders-prod"
    assert module["variable"]["storage_account_name"]["default"] == "stordersprod"


def test_tags_variable_is_merged_into_every_resource(tmp_path: Path) -> None:
    module = _module_for(tmp_path)
    assert module["variable"]["tags"]["type"] == "map(string)"
    assert module["locals"]["tags"] == "${merge(local.workload_tags, var.tags)}"
    tagged = [
        body
        for named in module["resource"].values()
        for body in named.values()
        if "tags" in body
    ]
    assert len(tagged) == 5  # storage, workspace, insights, plan, site
    assert all(body["tags"] == "${local.tags}" for body in tagged)
