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


def test_a_component_is_judged_per_instantiation() -> None:
    repo = REPOS / "pulumi-component"
    code, doc = run([str(repo)])
    component = f"{repo}/components/python_functions.py"
    assert [
        (t["resource"], t["file"], t["line"], t["via"], t["plan_sku"], t["unknown"])
        for t in doc["targets"]
    ] == [
        (
            "azure-native:web:WebApp::checkout-app",
            component,
            49,
            [f"{repo}/__main__.py:9 PythonFunctions"],
            "EP1",
            [],
        ),
        (
            "azure-native:web:WebApp::ledger-app",
            component,
            49,
            [f"{repo}/__main__.py:18 PythonFunctions"],
            "EP2",
            [],
        ),
    ]
    fails = [
        (f["id"], f["location"]["line"], f["location"]["resource"])
        for f in doc["findings"]
        if f["status"] == "fail"
    ]
    # ledger: 14 processes, Python 3.9, no thread count (the branch that sets it is
    # not taken); checkout passes its thread count through that branch.
    ledger = "azure-native:web:WebApp::ledger-app"
    assert sorted(fails) == [
        ("AZFN101", 62, ledger),
        ("AZFN104", 62, ledger),
        ("AZFN109", 49, ledger),
    ]
    assert code == 1  # no AZFN505: the FTP and SCM policies joined their apps
    # Pulumi.yaml, __main__.py and the component's module: each read, each counted
    assert doc["summary"]["files"] == 3


def _component_program(body: str, calls: str) -> str:
    return (
        "import pulumi\nfrom pulumi_azure_native import web\n\n"
        "class App(pulumi.ComponentResource):\n"
        "    def __init__(self, name, processes='1', sku='EP1', *rest, **options):\n"
        "        super().__init__('t:App', name, None, None)\n"
        "        plan = web.AppServicePlan(f'{name}-plan', kind='elastic',\n"
        "            reserved=True, sku=web.SkuDescriptionArgs(name=sku))\n"
        "        settings = {'FUNCTIONS_WORKER_RUNTIME': 'python'}\n"
        + "".join(f"        {line}\n" for line in body.splitlines())
        + "        app = web.WebApp(f'{name}-app', name=f'{name}-app',\n"
        "            kind='functionapp,linux', server_farm_id=plan.id, https_only=True)\n"
        "        web.WebAppApplicationSettings(f'{name}-settings', name=app.name,\n"
        "            properties=settings)\n\n" + calls
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a certain change holds its new value
        ("settings['FUNCTIONS_WORKER_PROCESS_COUNT'] = processes", "fail"),
        ("settings.update({'FUNCTIONS_WORKER_PROCESS_COUNT': processes})", "fail"),
        # a branch decided by bound values is the only path
        (
            (
                "if processes != '1':\n"
                "    settings['FUNCTIONS_WORKER_PROCESS_COUNT'] = processes"
            ),
            "fail",
        ),
        ("if processes is None:\n    settings = {}", None),  # no count: not listed
        # a branch or loop nobody can decide makes what it changes computed
        (
            (
                "if pulumi.get_stack() == 'prod':\n"
                "    settings['FUNCTIONS_WORKER_PROCESS_COUNT'] = processes"
            ),
            "unknown",
        ),
        (
            "for extra in options.get('settings', []):\n    settings.update(extra)",
            "unknown",
        ),
        ("settings.update(pulumi.Config().get_object('more'))", "unknown"),
    ],
)
def test_statements_in_a_component(
    tmp_path: Path, body: str, expected: str | None
) -> None:
    """`processes` is '12' (a failure when the setting is certain) in the one
    instantiation."""
    program = _component_program(body, "App('orders', processes='12')\n")
    code, doc = run([str(project(tmp_path, program))])
    assert len(doc["targets"]) == 1, doc["findings"]
    assert status(doc, "AZFN101") == ([expected] if expected else [])
    assert code in (0, 1)


def test_component_arguments_bind_positionally_by_keyword_and_by_default(
    tmp_path: Path,
) -> None:
    program = _component_program(
        "settings['FUNCTIONS_WORKER_PROCESS_COUNT'] = processes",
        "App('a', '12')\nApp('b', processes='4', sku='EP2')\nApp('c')\n"
        "App('d', *['11'])\n",
    )
    _code, doc = run([str(project(tmp_path, program))])
    assert [(t["resource"], t["plan_sku"]) for t in doc["targets"]] == [
        ("azure-native:web:WebApp::a-app", "EP1"),
        ("azure-native:web:WebApp::b-app", "EP2"),
        ("azure-native:web:WebApp::c-app", "EP1"),
        ("azure-native:web:WebApp::d-app", None),  # starred: the sku is computed
    ]
    listed = {
        f["location"]["resource"]: f["status"]
        for f in doc["findings"]
        if f["id"] == "AZFN101"
    }  # passes are not listed
    assert listed == {
        "azure-native:web:WebApp::a-app": "fail",
        "azure-native:web:WebApp::d-app": "unknown",
    }


def test_components_that_recurse_or_nest_deeply_stop(tmp_path: Path) -> None:
    program = (
        "from pulumi_azure_native import web\n"
        "def forever(n):\n"
        "    web.WebApp(f'a{n}', kind='functionapp,linux')\n"
        "    forever(n + 1)\n"
        "forever(0)\n"
        + "".join(f"def f{i}():\n    f{i + 1}()\n" for i in range(30))
        + "def f30():\n    web.WebApp('deep', kind='functionapp,linux')\n"
        "f0()\n" + "many = [forever(i) for i in range(3)]\n"
    )
    code, doc = run([str(project(tmp_path, program))])
    assert code in (0, 1)
    names = [t["resource"] for t in doc["targets"]]
    assert "azure-native:web:WebApp::a0" in names  # read once, never recursing
    assert len(names) < 50


def test_project_modules_are_read_inside_the_project_only(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "stolen.py").write_text(
        "from pulumi_azure_native import web\n"
        "web.WebApp('outside', kind='functionapp,linux')\n"
    )
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "stolen.py").symlink_to(outside / "stolen.py")
    (proj / "broken.py").write_text("def (:\n")
    program = "import stolen\nimport broken\nimport os.path\nimport json\n"
    code, doc = run([str(project(proj, program))])
    assert doc["targets"] == []
    listed = {(n["file"].rsplit("/", 1)[-1], n["what"]) for n in doc["not_inspected"]}
    assert ("__main__.py", "module stolen") in listed
    assert ("broken.py", "module broken") in listed
    assert code in (0, 2)


def test_the_component_plan_join_is_real(tmp_path: Path) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(REPOS / "pulumi-component", repo)
    module = repo / "components" / "python_functions.py"
    text = module.read_text()
    assert "server_farm_id=plan.id" in text
    module.write_text(text.replace("server_farm_id=plan.id", "server_farm_id=None"))
    _code, doc = run([str(repo)])
    assert [t["plan_sku"] for t in doc["targets"]] == [None, None]
    assert all("plan.sku" in t["unknown"] for t in doc["targets"])


def test_a_component_method_runs_with_the_instance_values(tmp_path: Path) -> None:
    program = (
        "import pulumi\nfrom pulumi_azure_native import web\n\n"
        "class App(pulumi.ComponentResource):\n"
        "    def __init__(self, name, processes):\n"
        "        super().__init__('t:App', name, None, None)\n"
        "        plan = self._plan(name, sku='EP2')\n"
        "        self._site(name, processes)\n\n"
        "    def _plan(self, name, sku):\n"
        "        return web.AppServicePlan(f'{name}-plan', kind='elastic',\n"
        "            reserved=True, sku=web.SkuDescriptionArgs(name=sku))\n\n"
        "    def _site(self, name, processes):\n"
        "        web.WebApp(f'{name}-app', kind='functionapp,linux',\n"
        "            site_config=web.SiteConfigArgs(app_settings=[\n"
        "                web.NameValuePairArgs(name='FUNCTIONS_WORKER_RUNTIME',\n"
        "                    value='python'),\n"
        "                web.NameValuePairArgs(name='FUNCTIONS_WORKER_PROCESS_COUNT',\n"
        "                    value=processes)]))\n\n"
        "    def unused(self):\n"
        "        web.WebApp('never', kind='functionapp,linux')\n\n"
        "App('orders', '12')\nApp('billing', '2')\n"
    )
    _code, doc = run([str(project(tmp_path, program))])
    assert sorted(t["resource"] for t in doc["targets"]) == [
        "azure-native:web:WebApp::billing-app",
        "azure-native:web:WebApp::orders-app",
    ]  # not `never`: a method no one calls does not run
    listed = {
        f["location"]["resource"]: f["status"]
        for f in doc["findings"]
        if f["id"] == "AZFN101"
    }
    assert listed == {"azure-native:web:WebApp::orders-app": "fail"}


def test_the_tools_own_component_is_listed_never_passed_silently(
    tmp_path: Path,
) -> None:
    program = (
        "from datetime import date\nfrom pathlib import Path\n\n"
        "from azfn_profile.deploy import PythonFunctionApp\n"
        "from azfn_profile.engine import resolve_file\n\n"
        "api = PythonFunctionApp(\n"
        "    'api', resolve_file(Path('profiles/api.yaml'), today=date.today())\n"
        ")\n"
    )
    _code, doc = run([str(project(tmp_path, program))])
    listed = [(n["line"], n["what"]) for n in doc["not_inspected"]]
    assert listed == [(7, "api: azfn-profile PythonFunctionApp")]
    assert "judged as that profile" in doc["not_inspected"][0]["reason"]
