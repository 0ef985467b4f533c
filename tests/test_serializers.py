"""Serializers decide nothing: every value they write comes from the description.

The ARM/Bicep graph, the Terraform writer and the Pulumi component map the fields of
`infra.Infra` onto their formats. A deployed value (a SKU, a pricing tier, a kind, a
storage or identity type, a role) written as a literal in a serializer is a second
copy that can drift from the description; a cloud's endpoint suffix written as a
literal is wrong in every other cloud.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Mapping
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from azfn_profile import infra
from azfn_profile.deploy import PythonFunctionApp, storage_suffix
from azfn_profile.engine import resolve_file
from azfn_profile.infra import Cloud, Concat, ResourceOutput, describe
from azfn_profile.render import render_arm, render_bicep, render_terraform_json
from azfn_profile.render.terraform import tf_value
from azfn_profile.spec import AppSpec
from tests import pulumi_harness
from tests.conftest import EXAMPLES, ROOT, TODAY, spec_for

PACKAGE = ROOT / "azfn_profile"
SERIALIZERS = [*sorted(PACKAGE.glob("render/*.py")), PACKAGE / "deploy.py"]
# Storage DNS suffixes of the public cloud and the sovereign ones: a serializer reads
# the suffix from the cloud it deploys to, so it never names one.
CLOUD_SUFFIXES = ("core.windows.net", "core.usgovcloudapi.net", "core.chinacloudapi.cn")
SKUS = ("Y1", "FC1", "EP1", "P1v3")  # one plan of each family
CONTENT_SHARE = "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"


@cache
def specs() -> tuple[AppSpec, ...]:
    examples = [resolve_file(e, today=TODAY) for e in sorted(EXAMPLES.glob("*.yaml"))]
    families = [spec_for(name=f"app-{sku.lower()}", plan={"sku": sku}) for sku in SKUS]
    return (*examples, *families)


def strings(value: object) -> set[str]:
    """The strings a structure holds as values: not mapping keys (names), not what a
    ResourceOutput or a Cloud member says (which resource or cloud a reference points at)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            found.add(current)
        elif isinstance(current, ResourceOutput | Enum):
            continue
        elif dataclasses.is_dataclass(current) and not isinstance(current, type):
            stack.extend(getattr(current, f.name) for f in dataclasses.fields(current))
        elif isinstance(current, Mapping):
            stack.extend(current.values())
        elif isinstance(current, list | tuple):
            stack.extend(current)
    return found


@cache
def owned() -> frozenset[str]:
    """What the description adds to the AppSpec (SKUs, tiers, kinds, types, roles,
    settings, connection-string parts) and infra's named constants: every value a
    serializer must take from the description rather than spell out."""
    values = {v for k, v in vars(infra).items() if k.isupper() and isinstance(v, str)}
    for spec in specs():
        values |= strings(describe(spec)) - strings(spec)
    return frozenset(values)


def literals(path: Path) -> list[tuple[int, str]]:
    """String literals in value position: not docstrings, not dict keys (property
    names, labels) and not subscripts (reading a description mapping by key)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            names.update(id(k) for k in node.keys if k is not None)
        elif isinstance(node, ast.Subscript):
            names.add(id(node.slice))
        elif isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                names.add(id(first.value))
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in names
    )


def test_the_description_owns_the_deployed_values() -> None:
    """The set the next test uses is read from infra, and holds what it should."""
    flex = describe(spec_for(name="app-fc1", plan={"sku": "FC1"}))
    premium = describe(spec_for(name="app-ep1", plan={"sku": "EP1"}))
    assert flex.deployment is not None
    expected = {
        flex.storage.sku,
        flex.storage.kind,
        flex.storage.container_public_access,
        flex.monitoring.workspace_sku,
        flex.monitoring.insights_kind,
        flex.monitoring.application_type,
        flex.monitoring.ingestion_mode,
        flex.deployment.type,
        flex.deployment.authentication,
        *(r.principal_type for r in flex.roles),
        *(r.role_definition_guid for r in flex.roles),
        *(p for p in infra.storage_connection_string().parts if isinstance(p, str)),
    }
    assert expected <= owned()
    assert isinstance(premium.site_settings[CONTENT_SHARE], Concat)


@pytest.mark.parametrize("path", SERIALIZERS, ids=lambda p: p.name)
def test_no_serializer_holds_a_value_of_the_description(path: Path) -> None:
    found = [(line, text) for line, text in literals(path) if text in owned()]
    assert not found, (
        f"{path.relative_to(ROOT)} writes values the description owns; map the "
        f"description's field instead: {found}"
    )


@pytest.mark.parametrize(
    "path", [*SERIALIZERS, PACKAGE / "infra.py"], ids=lambda p: p.name
)
def test_no_cloud_is_named(path: Path) -> None:
    text = path.read_text(encoding="utf-8").lower()
    assert not [s for s in CLOUD_SUFFIXES if s in text], path.relative_to(ROOT)


def content_share_spec() -> AppSpec:
    return spec_for(name="app-y1", plan={"sku": "Y1"})


def test_the_storage_suffix_is_a_reference_in_the_description() -> None:
    value = describe(content_share_spec()).site_settings[CONTENT_SHARE]
    assert isinstance(value, Concat) and value.secret
    assert Cloud.STORAGE_SUFFIX in value.parts
    assert ResourceOutput("storage", "key", secret=True) in value.parts


def test_arm_and_bicep_read_the_suffix_from_the_deploying_cloud() -> None:
    spec = content_share_spec()
    template = json.loads(render_arm(spec))
    (site,) = [r for r in template["resources"] if r["type"] == "Microsoft.Web/sites"]
    settings = {
        s["name"]: s["value"] for s in site["properties"]["siteConfig"]["appSettings"]
    }
    assert settings[CONTENT_SHARE].endswith(
        "';EndpointSuffix=', environment().suffixes.storage)]"
    )
    assert ";EndpointSuffix=${environment().suffixes.storage}'" in render_bicep(spec)


def test_terraform_reads_the_suffix_from_the_account() -> None:
    connection = tf_value(infra.storage_connection_string())
    assert connection.startswith("DefaultEndpointsProtocol=https;AccountName=")
    # The account is the one the module creates or an existing one: local.host_storage.
    assert "${local.host_storage.primary_access_key}" in connection
    suffix = tf_value(Cloud.STORAGE_SUFFIX)
    assert suffix.startswith("${trimprefix(") and suffix.endswith("}")
    assert "local.host_storage.primary_blob_host" in suffix
    module = json.loads(render_terraform_json(content_share_spec()))
    host = module["locals"]["host_storage"]
    for attribute in ("primary_access_key", "primary_blob_host"):
        assert f"azurerm_storage_account.storage[*].{attribute}" in host[attribute]
    # The host reaches storage by identity, so the provider writes no content-share
    # setting: the app's settings carry the key-based one the share needs.
    app = module["resource"]["azurerm_linux_function_app"]["app"]
    assert app["app_settings"][CONTENT_SHARE] == connection
    assert app["storage_uses_managed_identity"] is True
    assert "storage_account_access_key" not in app


@pytest.mark.parametrize(
    ("endpoint", "suffix"),
    [
        ("https://stapp.blob.core.windows.net/", "core.windows.net"),
        ("https://stapp.blob.core.chinacloudapi.cn/", "core.chinacloudapi.cn"),
        ("https://stapp.blob.core.usgovcloudapi.net/", "core.usgovcloudapi.net"),
        ("https://stapp.blob.local.azurestack.external/", "local.azurestack.external"),
    ],
)
def test_pulumi_storage_suffix_from_the_blob_endpoint(
    endpoint: str, suffix: str
) -> None:
    assert storage_suffix(endpoint) == suffix


@pytest.mark.parametrize("endpoint", ["", "https://localhost/", "not a url"])
def test_pulumi_storage_suffix_refuses_what_is_not_an_endpoint(endpoint: str) -> None:
    with pytest.raises(ValueError, match="not a storage account blob endpoint"):
        storage_suffix(endpoint)


CHINA = "core.chinacloudapi.cn"


class _ChinaCloud(pulumi_harness.Recorder):
    """The mocks, with storage accounts in Azure China."""

    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        rid, outputs = super().new_resource(args)
        if args.typ == "azure-native:storage:StorageAccount":
            name = outputs["name"]
            outputs["primaryEndpoints"] = {"blob": f"https://{name}.blob.{CHINA}/"}
        return rid, outputs

    def call(self, args: Any) -> Any:
        result = super().call(args)
        if args.token == "azure-native:storage:getStorageAccount":
            name = result["name"]
            result["primaryEndpoints"] = {"blob": f"https://{name}.blob.{CHINA}/"}
        return result


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_pulumi_connection_string_is_in_the_accounts_cloud(
    monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    monkeypatch.setattr(pulumi_harness, "Recorder", _ChinaCloud)
    spec = content_share_spec()
    kwargs: dict[str, Any] = (
        {"storage_account_name": "stexisting", "resource_group_name": "rg"}
        if existing
        else {}
    )

    def program() -> None:
        PythonFunctionApp("app-y1", spec, **kwargs)

    result = pulumi_harness.run(program)
    (site,) = result.recorder.of_type("web:WebApp")
    settings = {s["name"]: s["value"] for s in site.inputs["siteConfig"]["appSettings"]}
    assert settings[CONTENT_SHARE].endswith(f";EndpointSuffix={CHINA}")
    names = [s["name"] for s in site.inputs["siteConfig"]["appSettings"]]
    path = f"siteConfig.appSettings[{names.index(CONTENT_SHARE)}].value"
    assert any(path.startswith(p) for p in site.secret_paths)
