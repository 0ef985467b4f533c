"""Rendered ARM, Bicep and Terraform reuse an existing plan, Log Analytics workspace
and storage account when given one, and create their own when not.

Each template is read back as `check` reads it, with the input given the way a user
gives it (an ARM/Bicep parameter file, a terraform.tfvars), and the resource graph
the readers build is inspected: the resource the input replaces is no longer
deployed, and what referred to it refers to the existing one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.infra import Existing, describe
from azfn_profile.render import RENDERERS
from azfn_profile.sources import join as join_module
from azfn_profile.sources import terraform_roots
from azfn_profile.sources.graph import Graph, Resource
from azfn_profile.sources.scan import scan
from azfn_profile.spec import AppSpec, Field
from tests.conftest import EXAMPLES, TODAY, spec_for

GROUP = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared"
GIVEN = {
    Existing.PLAN: f"{GROUP}/providers/Microsoft.Web/serverfarms/plan-shared",
    Existing.WORKSPACE: (
        f"{GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-shared"
    ),
    Existing.STORAGE: "stshared",
}
REPLACED = {
    Existing.PLAN: "microsoft.web/serverfarms",
    Existing.WORKSPACE: "microsoft.operationalinsights/workspaces",
    Existing.STORAGE: "microsoft.storage/storageaccounts",
}
# Elastic Premium (content share: the account key), Flex (deployment container),
# Consumption, Dedicated.
SKUS = ("EP1", "FC1", "Y1", "P1v3")
FORMATS = ("arm", "bicep", "terraform")
TEMPLATE = {"arm": "azuredeploy.json", "bicep": "main.bicep", "terraform": "main.tf"}


def spec(sku: str) -> AppSpec:
    return spec_for(name=f"app-{sku.lower()}", plan={"sku": sku})


def parameters(fmt: str, given: dict[Existing, str]) -> tuple[str, str]:
    """The file that gives the inputs, as a user writes it beside the template."""
    if fmt == "terraform":
        lines = [f"{e.snake} = {json.dumps(v)}\n" for e, v in given.items()]
        return "terraform.tfvars", "".join(lines)
    document = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
        "deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {e.camel: {"value": v} for e, v in given.items()},
    }
    name = "azuredeploy.parameters.json" if fmt == "arm" else "main.parameters.json"
    return name, json.dumps(document)


Read = tuple[list[Graph], Any]


@pytest.fixture
def read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[AppSpec, str, dict[Existing, str]], Read]:
    """Render `fmt`, write the inputs beside it, scan the folder as `check` does;
    the graphs the readers built, and the scan."""
    graphs: list[Graph] = []
    real = join_module.join

    def capture(graph: Graph, *args: Any, **kwargs: Any) -> Any:
        graphs.append(graph)
        return real(graph, *args, **kwargs)

    monkeypatch.setattr(join_module, "join", capture)
    monkeypatch.setattr(terraform_roots, "join", capture)

    def run(app: AppSpec, fmt: str, given: dict[Existing, str]) -> Read:
        folder = tmp_path / fmt / "-".join(e.name for e in given) / app.name
        folder.mkdir(parents=True)
        (folder / TEMPLATE[fmt]).write_text(RENDERERS[fmt](app), encoding="utf-8")
        if given:
            name, text = parameters(fmt, given)
            (folder / name).write_text(text, encoding="utf-8")
        graphs.clear()
        result = scan([folder], TODAY)
        problems = [f.message for f in result.findings if f.check_id == "AZFN000"]
        assert not problems
        return list(graphs), result

    return run


def deployed(graphs: list[Graph], kind: str) -> list[Resource]:
    return [r for g in graphs for r in g.resources if r.kind == kind and not r.existing]


def site(graphs: list[Graph]) -> Resource:
    (found,) = deployed(graphs, "microsoft.web/sites")
    return found


def settings(resource: Resource) -> dict[str, Any]:
    pairs = resource.props()["siteConfig"]["appSettings"]
    return {p["name"]: p["value"] for p in pairs}


def text(value: Any) -> str:
    return str(value).lower()


@pytest.mark.parametrize("sku", SKUS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_without_inputs_everything_is_created(
    read: Callable[..., Read], fmt: str, sku: str
) -> None:
    graphs, result = read(spec(sku), fmt, {})
    assert deployed(graphs, REPLACED[Existing.PLAN])
    assert deployed(graphs, REPLACED[Existing.STORAGE])
    (target,) = result.targets
    assert target.target.spec.plan.sku == sku


@pytest.mark.parametrize("sku", SKUS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_existing_plan_replaces_the_plan(
    read: Callable[..., Read], fmt: str, sku: str
) -> None:
    graphs, result = read(spec(sku), fmt, {Existing.PLAN: GIVEN[Existing.PLAN]})
    assert deployed(graphs, REPLACED[Existing.PLAN]) == []
    assert deployed(graphs, REPLACED[Existing.STORAGE])  # the others stay
    (target,) = result.targets
    # The site runs on the plan given: not declared here, so its SKU is unknown.
    assert Field.PLAN_SKU in target.target.unknown
    assert "plan-shared" in target.target.reasons["plan"] or (
        "existing" in target.target.reasons["plan"]
    )
    if fmt != "terraform":
        farm = site(graphs).props()["serverFarmId"]
        assert "plan-shared" in text(farm)


@pytest.mark.parametrize("sku", SKUS)
@pytest.mark.parametrize("fmt", ["arm", "bicep"])
def test_an_existing_workspace_replaces_the_workspace(
    read: Callable[..., Read], fmt: str, sku: str
) -> None:
    kind = REPLACED[Existing.WORKSPACE]
    graphs, _ = read(spec(sku), fmt, {})
    assert deployed(graphs, kind)
    graphs, _ = read(spec(sku), fmt, {Existing.WORKSPACE: GIVEN[Existing.WORKSPACE]})
    assert deployed(graphs, kind) == []
    (insights,) = deployed(graphs, "microsoft.insights/components")
    assert insights.props()["WorkspaceResourceId"] == GIVEN[Existing.WORKSPACE]


@pytest.mark.parametrize("sku", SKUS)
def test_terraform_creates_the_workspace_only_when_none_is_given(sku: str) -> None:
    """Terraform's reader maps no workspace: the module's own expressions say it."""
    module = json.loads(RENDERERS["terraform-json"](spec(sku)))
    variable = Existing.WORKSPACE.snake
    assert module["variable"][variable]["default"] is None
    logs = module["resource"]["azurerm_log_analytics_workspace"]["logs"]
    assert logs["count"] == f"${{length(var.{variable} == null ? [1] : [])}}"
    insights = module["resource"]["azurerm_application_insights"]["insights"]
    assert insights["workspace_id"] == "${local.workspace_id}"
    assert module["locals"]["workspace_id"] == (
        f"${{var.{variable} == null ? "
        f"one(azurerm_log_analytics_workspace.logs[*].id) : var.{variable}}}"
    )


@pytest.mark.parametrize("sku", SKUS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_existing_storage_account_replaces_the_account(
    read: Callable[..., Read], fmt: str, sku: str
) -> None:
    app = spec(sku)
    name = GIVEN[Existing.STORAGE]
    graphs, result = read(app, fmt, {Existing.STORAGE: name})
    assert deployed(graphs, REPLACED[Existing.STORAGE]) == []
    assert deployed(graphs, REPLACED[Existing.PLAN])
    (target,) = result.targets
    assert target.target.spec.plan.sku == sku
    assert target.target.storage_public_blob is None  # not declared here
    found = target.target.spec.app_settings
    if fmt != "terraform" or app.function_app_config is not None:
        # (azurerm's function app writes AzureWebJobsStorage__accountName itself.)
        assert found["AzureWebJobsStorage__accountName"] == name
    if fmt == "terraform":
        return
    written = settings(site(graphs))
    if "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING" in written:
        share = text(written["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"])
        assert f"accountname={name}" in share
    roles = deployed(graphs, "microsoft.authorization/roleassignments")
    storage_roles = [r for r in roles if "storage" in text(r.extra or r.body)] or roles
    assert storage_roles
    containers = deployed(
        graphs, "microsoft.storage/storageaccounts/blobservices/containers"
    )
    if app.function_app_config is not None:
        (container,) = containers
        assert container.segments[0] == name
        deployment = site(graphs).props()["functionAppConfig"]["deployment"]
        assert deployment["storage"]["value"] is not None


@pytest.mark.parametrize("sku", SKUS)
def test_terraform_uses_the_existing_storage_account(sku: str) -> None:
    module = json.loads(RENDERERS["terraform-json"](spec(sku)))
    variable = Existing.STORAGE.snake
    account = module["resource"]["azurerm_storage_account"]["storage"]
    assert account["count"] == f"${{length(var.{variable} == null ? [1] : [])}}"
    data = module["data"]["azurerm_storage_account"]["existing"]
    assert data["count"] == f"${{var.{variable} == null ? 0 : 1}}"
    assert data["name"] == f"${{var.{variable}}}"
    host = module["locals"]["host_storage"]
    for attribute, value in host.items():
        assert f"azurerm_storage_account.storage[*].{attribute}" in value
        assert f"data.azurerm_storage_account.existing[*].{attribute}" in value
    text = json.dumps(module["resource"])
    # Every reference to the account goes through local.host_storage.
    assert "azurerm_storage_account.storage." not in text
    roles = module["resource"]["azurerm_role_assignment"]
    scopes = {r["scope"] for k, r in roles.items() if k.startswith("storage_")}
    assert scopes == {"${local.host_storage.id}"}


@pytest.mark.parametrize("sku", SKUS)
@pytest.mark.parametrize("fmt", ["terraform", "terraform-json"])
def test_terraform_checks_an_existing_plan_against_the_profile(
    fmt: str, sku: str
) -> None:
    app = spec(sku)
    module = json.loads(RENDERERS["terraform-json"](app))
    apps = {k: v for k, v in module["resource"].items() if k.startswith("azurerm_")}
    (site_app,) = [
        v["app"] for k, v in apps.items() if "function_app" in k and "app" in v
    ]
    (precondition,) = site_app["lifecycle"]["precondition"]
    condition = precondition["condition"]
    assert f'.sku_name) == "{sku}"' in condition
    assert 'os_type) == "Linux"' in condition
    assert condition.startswith("${var.existing_plan_id == null || ")
    assert f"SKU {sku}" in precondition["error_message"]
    data = module["data"]["azurerm_service_plan"]["existing"]
    assert data["name"] == '${element(split("/", var.existing_plan_id), 8)}'
    assert data["resource_group_name"] == (
        '${element(split("/", var.existing_plan_id), 4)}'
    )
    plan = module["resource"]["azurerm_service_plan"]["plan"]
    assert plan["count"] == "${length(var.existing_plan_id == null ? [1] : [])}"
    assert site_app["service_plan_id"] == "${local.plan_id}"
    if fmt == "terraform":  # native syntax says the same
        native = RENDERERS["terraform"](app)
        assert f'sku_name) == "{sku}"' in native
        assert f"SKU {sku}" in native


@pytest.mark.parametrize("sku", SKUS)
@pytest.mark.parametrize("fmt", ["arm", "bicep"])
def test_arm_and_bicep_say_what_plan_the_profile_needs(fmt: str, sku: str) -> None:
    """No assertion exists in a template: the parameter's description says it."""
    rendered = RENDERERS[fmt](spec(sku))
    if fmt == "arm":
        param = json.loads(rendered)["parameters"][Existing.PLAN.camel]
        assert param["defaultValue"] == ""
        description = param["metadata"]["description"]
    else:
        (line,) = [
            before
            for before, after in zip(
                rendered.splitlines(), rendered.splitlines()[1:], strict=False
            )
            if after.startswith(f"param {Existing.PLAN.camel} string = ''")
        ]
        description = line
    assert f"SKU {sku}" in description and "Linux" in description


@pytest.mark.parametrize("resource", list(Existing), ids=lambda e: e.name)
@pytest.mark.parametrize("fmt", ["arm", "bicep", "terraform", "terraform-json"])
def test_no_renderer_ignores_an_input(fmt: str, resource: Existing) -> None:
    """Every input the description offers is declared, defaults to "create", and is
    used beyond its declaration; the behaviour tests above then show what for."""
    for sku in SKUS:
        app = spec(sku)
        assert resource in {b.resource for b in describe(app).bring_your_own}
        rendered = RENDERERS[fmt](app)
        name = resource.snake if fmt.startswith("terraform") else resource.camel
        if fmt == "arm":
            template = json.loads(rendered)
            assert template["parameters"][name]["defaultValue"] == ""
            uses = rendered.count(f"parameters('{name}')")
        elif fmt == "bicep":
            assert f"param {name} string = ''" in rendered
            uses = rendered.count(name) - 1
        else:
            uses = rendered.count(f"var.{name}")
        assert uses >= 2, (fmt, resource, sku, uses)


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_judges_an_app_on_an_existing_plan_as_unknown(
    fmt: str, tmp_path: Path
) -> None:
    """A parameter file (or terraform.tfvars) naming an existing plan: the plan is
    not in the template, so `check` reports the plan's checks as unknown, not as
    failures."""
    app = spec("EP1")
    (tmp_path / TEMPLATE[fmt]).write_text(RENDERERS[fmt](app), encoding="utf-8")
    name, content = parameters(fmt, {Existing.PLAN: GIVEN[Existing.PLAN]})
    (tmp_path / name).write_text(content, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["check", str(tmp_path), "--format", "json", "--fail-on", "warning"]
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0, report["findings"]
    (target,) = report["targets"]
    assert target["plan_sku"] is None
    assert "plan.sku" in target["unknown"]
    failed = [f for f in report["findings"] if f["status"] == "failed"]
    assert failed == []
    plan_checks = [f for f in report["findings"] if f["id"] == "AZFN203"]
    assert [f["status"] for f in plan_checks] == ["unknown"]


def test_the_bundle_root_forwards_the_existing_resources(tmp_path: Path) -> None:
    """In `render --format all`, a terraform.tfvars at the root reaches the module:
    the plan is the one named, unknown to `check`, and nothing fails."""
    out = tmp_path / "bundle"
    result = CliRunner().invoke(
        cli,
        [
            "render",
            str(EXAMPLES / "orders-api.yaml"),
            "--format",
            "all",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    root = out / "terraform"
    (root / "terraform.tfvars").write_text(
        'existing_plan_id = "/subscriptions/0/resourceGroups/rg-shared/providers/'
        'Microsoft.Web/serverfarms/plan-shared"\n'
    )
    checked = CliRunner().invoke(cli, ["check", str(root), "--format", "json"])
    report = json.loads(checked.stdout)
    (target,) = report["targets"]
    assert target["plan_sku"] is None and "plan.sku" in target["unknown"]
    assert report["summary"]["error"] == report["summary"]["warning"] == 0
    assert checked.exit_code == 0
