"""Pulumi projects as a source of `azfn-profile check`: Python programs read with
`ast`, other languages listed as not inspected, and preview JSON on standard input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from tests.conftest import ROOT
from tests.test_check_sources import _preview
from tests.test_policy_pack import set_setting, stack_of

REPOS = ROOT / "tests" / "data" / "repos"
PYPROJECT = "name: p\nruntime: python\n"


def run(args: list[str], stdin: str | None = None) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["check", *args, "--format", "json"], input=stdin)
    return result.exit_code, json.loads(result.stdout)


def apps(doc: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(t["resource"], t["runtime"], t["plan_sku"]) for t in doc["targets"]]


def failed(doc: dict[str, Any]) -> list[tuple[str, int | None]]:
    return sorted(
        (f["id"], f["location"]["line"])
        for f in doc["findings"]
        if f["status"] == "fail"
    )


def status(doc: dict[str, Any], check_id: str) -> list[str]:
    return [f["status"] for f in doc["findings"] if f["id"] == check_id]


def project(tmp_path: Path, program: str, yaml: str = PYPROJECT) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(yaml)
    (tmp_path / "__main__.py").write_text(program)
    return tmp_path


def test_azure_native_program() -> None:
    code, doc = run([str(REPOS / "pulumi-native")])
    assert code == 1
    assert apps(doc) == [("azure-native:web:WebApp::func", "python", "EP1")]
    assert doc["targets"][0]["line"] == 23
    assert failed(doc) == [("AZFN101", 38), ("AZFN104", 35), ("AZFN505", 23)]
    assert doc["targets"][0]["unknown"] == [
        "app_settings.AzureWebJobsStorage__accountName"
    ]


def test_classic_program() -> None:
    code, doc = run([str(REPOS / "pulumi-classic")])
    assert code == 1
    assert apps(doc) == [("azurerm_linux_function_app::reports", "python", "B1")]
    assert failed(doc) == [
        ("AZFN101", 35),
        ("AZFN505", 26),
        ("AZFN506", 10),
        ("AZFN507", 33),
        ("AZFN507", 33),
        ("AZFN508", 26),
    ]


def test_typescript_project_is_listed_not_inspected() -> None:
    code, doc = run([str(REPOS / "pulumi-typescript")])
    assert code == 0 and doc["targets"] == []
    (entry,) = doc["not_inspected"]
    assert entry["what"] == "Pulumi program (nodejs)"
    assert "pulumi preview --json | azfn-profile check -" in entry["reason"]


IMPORTS = [
    "import pulumi_azure_native as an\nweb = an.web\n",
    "import pulumi_azure_native.web as web\n",
    "from pulumi_azure_native import web\n",
]


@pytest.mark.parametrize("header", IMPORTS)
def test_import_styles_and_settings_resource(tmp_path: Path, header: str) -> None:
    prefix = "web." if "web" in header else ""
    program = header + (
        f"plan = {prefix}AppServicePlan('p', name='plan', kind='elastic',\n"
        f"    sku={{'name': 'EP2', 'tier': 'ElasticPremium'}}, reserved=True)\n"
        f"app = {prefix}WebApp('a', name='app', kind='functionapp,linux',\n"
        "    server_farm_id=plan.id, https_only=True,\n"
        "    site_config={'linux_fx_version': 'Python|3.12'})\n"
        f"{prefix}WebAppApplicationSettings('s', name=app.name, properties={{\n"
        "    'FUNCTIONS_WORKER_RUNTIME': 'python',\n"
        "    'FUNCTIONS_WORKER_PROCESS_COUNT': '11'})\n"
    )
    if "web = an.web" in header:  # a module alias bound by assignment is not followed
        program = program.replace("web.", "an.web.")
    code, doc = run([str(project(tmp_path, program))])
    assert apps(doc) == [("azure-native:web:WebApp::a", "python", "EP2")]
    assert ("AZFN101", 8 + header.count("\n")) in failed(doc) and code == 1


def test_computed_setting_is_unknown(tmp_path: Path) -> None:
    program = (
        "import pulumi\nfrom pulumi_azure_native import web\n"
        "count = pulumi.Config().require('count')\n"
        "plan = web.AppServicePlan('p', sku=web.SkuDescriptionArgs(name='EP1'),\n"
        "    kind='elastic', reserved=True)\n"
        "web.WebApp('a', kind='functionapp,linux', server_farm_id=plan.id,\n"
        "    site_config=web.SiteConfigArgs(app_settings=[\n"
        "        web.NameValuePairArgs(name='FUNCTIONS_WORKER_RUNTIME', value='python'),\n"
        "        web.NameValuePairArgs(name='FUNCTIONS_WORKER_PROCESS_COUNT',\n"
        "            value=count)]))\n"
    )
    _code, doc = run([str(project(tmp_path, program))])
    assert status(doc, "AZFN101") == ["unknown"]
    assert apps(doc) == [("azure-native:web:WebApp::a", "python", "EP1")]


def test_preview_on_stdin_matches_the_file(tmp_path: Path) -> None:
    resources = stack_of("orders-api")
    set_setting(resources, "FUNCTIONS_WORKER_PROCESS_COUNT", "12")
    text = json.dumps(_preview(resources))
    path = tmp_path / "preview.json"
    path.write_text(text)
    code_file, from_file = run([str(path)])
    code_stdin, from_stdin = run(["-"], stdin=text)
    assert code_file == code_stdin == 1
    for finding in from_file["findings"] + from_stdin["findings"]:
        finding["location"]["file"] = finding["fingerprint"] = None
    assert from_stdin["findings"] == from_file["findings"]
    assert from_stdin["targets"][0]["file"] == "<stdin>"


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('{"steps": [\n', "invalid JSON"),
        ('{"resource_changes": []}', "Terraform plan"),
    ],
)
def test_bad_stdin_is_azfn000(stdin: str, message: str) -> None:
    code, doc = run(["-"], stdin=stdin)
    (finding,) = doc["findings"]
    assert code == 2 and finding["id"] == "AZFN000" and message in finding["message"]
    assert finding["location"]["file"] == "<stdin>"
    assert finding["location"]["line"] is not None


HOSTILE = [
    "def (:\n",
    "x = " + "f(" * 5000 + ")" * 5000 + "\n",
    "x = " + "[" * 300 + "]" * 300 + "\n",
    "from pulumi_azure_native import web\nweb.WebApp('a', kind="
    + "web.X(" * 150
    + ")" * 150
    + ")\n",
    "from pulumi_azure_native import web\nbig = '"
    + "x" * 3_000_000
    + "'\nweb.WebApp('a', name=big, kind='functionapp')\n",
]


@pytest.mark.parametrize("program", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_programs(tmp_path: Path, program: str) -> None:
    code, doc = run([str(project(tmp_path, program))])
    assert code in (0, 1)
    assert all(f["id"] == "AZFN000" for f in doc["findings"] if f["status"] == "fail")


def test_other_runtime_names_and_main(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__main__.py").write_text(
        "import pulumi_azure as azure\n"
        "azure.appservice.LinuxFunctionApp('f', service_plan_id='x',\n"
        "    app_settings={'FUNCTIONS_WORKER_PROCESS_COUNT': 'many'},\n"
        "    site_config={'application_stack': {'python_version': '3.11'}})\n"
    )
    (tmp_path / "Pulumi.yaml").write_text(
        "name: p\nruntime:\n  name: python\nmain: src\n"
    )
    code, doc = run([str(tmp_path)])
    assert ("AZFN101", 3) in failed(doc) and code == 1
