"""A profile links the app's code (`app:`, a path) and the function app it describes
in infrastructure code (`site:`), both at once; `app:` in its old meaning (a site
name) is refused with the way to write it now; `init` writes `app:` relative to the
folder the draft is written to."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.errors import InputError
from azfn_profile.loader import load_profile
from tests.conftest import ROOT, TODAY

REFERENCE = ROOT / "examples" / "apps"

# The shape of tests/data/repos/bicep-linux-consumption, on Elastic Premium with a
# fixed site name, and without a process count: CPU-bound work fails AZFN105 once a
# profile declares it.
TEMPLATE = """\
param location string = resourceGroup().location

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'orders-plan'
  location: location
  kind: 'elastic'
  sku: { name: 'EP2', tier: 'ElasticPremium' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: 'orders-api'
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }
        { name: 'PYTHON_THREADPOOL_THREAD_COUNT', value: '1' }
      ]
    }
  }
}
"""

# An async function that never awaits: AZFN403, found only by reading the code.
CODE = """\
import hashlib

import azure.functions as func

app = func.FunctionApp()


@app.route(route="digest")
async def digest(req: func.HttpRequest) -> func.HttpResponse:
    key = hashlib.sha256(req.get_body()).hexdigest()
    return func.HttpResponse(key)
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def repo(tmp_path: Path, profile: str) -> Path:
    root = tmp_path / "repo"
    (root / "infra").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "infra" / "main.bicep").write_text(TEMPLATE)
    (root / "src" / "function_app.py").write_text(CODE)
    (root / "profile.yaml").write_text(profile)
    return root


def profile_text(*links: str) -> str:
    return "\n".join(
        [
            "name: orders-api",
            'python: "3.12"',
            *links,
            "workload: {kind: cpu, style: sync}",
            "plan: {sku: EP2}",
            "",
        ]
    )


def check(root: Path) -> tuple[int, dict[str, Any]]:
    code, out, err = invoke("check", str(root), "--format", "json")
    assert code in (0, 1), err
    report = json.loads(out)
    assert isinstance(report, dict)
    return code, report


def outcome(report: dict[str, Any], check_id: str, file: str) -> tuple[str, Any]:
    (found,) = [
        f
        for f in report["findings"]
        if f["id"] == check_id and f["location"]["file"].endswith(file)
    ]
    return found["status"], found["reason"]


# -- both links --------------------------------------------------------------------


@pytest.mark.parametrize("site", ["app", "orders-api", "ORDERS-API"])
def test_a_profile_links_its_code_and_its_site(tmp_path: Path, site: str) -> None:
    root = repo(tmp_path, profile_text("app: src/", f"site: {site}"))
    code, report = check(root)
    assert code == 1
    kinds = {t["kind"]: t for t in report["targets"]}
    assert set(kinds) == {"profile", "functionapp,linux"}
    assert kinds["profile"]["describes"] == site
    # The code is judged through the profile (not on its own as well) ...
    assert [s["reason"] for s in report["skipped"]] == [
        "judged through " + str(root / "profile.yaml") + ", which names it"
    ]
    status, _ = outcome(report, "AZFN403", "src/function_app.py")
    assert status == "fail"
    # ... and the site in the template is judged with the profile's workload.
    status, _ = outcome(report, "AZFN105", "infra/main.bicep")
    assert status == "fail"
    (failure,) = [
        f
        for f in report["findings"]
        if f["id"] == "AZFN105" and f["location"]["file"].endswith("main.bicep")
    ]
    assert failure["message"] == (
        "CPU-bound work runs 1 worker process(es) on EP2; its cores and memory allow 2"
    )


def test_without_site_the_template_has_no_declared_workload(tmp_path: Path) -> None:
    root = repo(tmp_path, profile_text("app: src/"))
    _, report = check(root)
    status, reason = outcome(report, "AZFN105", "infra/main.bicep")
    assert status == "not-applicable" and reason.startswith("no declared workload")
    assert outcome(report, "AZFN403", "src/function_app.py")[0] == "fail"


def test_site_alone_links_the_site_and_the_code_is_judged_on_its_own(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, profile_text("site: app"))
    _, report = check(root)
    assert outcome(report, "AZFN105", "infra/main.bicep")[0] == "fail"
    assert outcome(report, "AZFN403", "src/function_app.py")[0] == "fail"
    assert report["skipped"] == []
    assert {t["kind"] for t in report["targets"]} == {
        "profile",
        "functionapp,linux",
        "code",
    }


@pytest.mark.parametrize("site", ["azurerm_linux_function_app.api", "api"])
def test_site_names_a_terraform_app_by_address_or_name(
    tmp_path: Path, site: str
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "data" / "repos" / "tf-simple", root)
    (root / "profile.yaml").write_text(profile_text(f"site: {site}"))
    _, report = check(root)
    reasons = {
        f["location"]["resource"]: f["reason"]
        for f in report["findings"]
        if f["id"] == "AZFN105" and f["location"]["file"].endswith("main.tf")
    }
    # The app the profile names has its workload (then its invalid process count
    # keeps AZFN105 from judging it); the slot beside it has none.
    assert reasons["azurerm_linux_function_app.api"] == (
        "FUNCTIONS_WORKER_PROCESS_COUNT is invalid (see AZFN101)"
    )
    assert reasons["azurerm_linux_function_app_slot.staging"].startswith(
        "no declared workload"
    )


# -- app: in its old meaning -------------------------------------------------------

MIGRATION = (
    "app: orders-api is not a folder or file beside this profile: `app:` names the "
    "app's code now (a folder holding function_app.py, or a .py file, relative to "
    "this file's folder); to describe the function app in infrastructure code, "
    "write `site: orders-api`"
)


def test_app_naming_a_site_is_refused_the_same_way_everywhere(tmp_path: Path) -> None:
    root = repo(tmp_path, profile_text("app: orders-api"))
    profile = root / "profile.yaml"
    located = f"{profile}:3:6: {MIGRATION}"
    for command in ("render", "explain"):
        code, _, err = invoke(command, str(profile))
        assert (code, err) == (2, located + "\n"), command
    code, out, _ = invoke("check", str(profile))
    assert code == 1  # an invalid profile in `check` is an AZFN001 error finding
    assert out.splitlines()[0] == (
        f"{profile}:3:6: AZFN001 [error] {MIGRATION} "
        "(https://github.com/azfn-profile/azfn-profile/blob/main/docs/checks.md#azfn001)"
    )
    _, report = check(root)
    (finding,) = [f for f in report["findings"] if f["id"] == "AZFN001"]
    assert finding["message"] == MIGRATION
    assert (finding["location"]["line"], finding["location"]["col"]) == (3, 6)
    # The site is no longer linked: the profile was refused. The workload comes from
    # the app's code beside the template instead (I/O), so AZFN105 does not apply.
    status, reason = outcome(report, "AZFN105", "infra/main.bicep")
    assert (status, reason) == ("not-applicable", "not a CPU-bound workload")


def test_the_migration_quotes_what_yaml_must_quote(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(profile_text('app: "azurerm_linux_function_app.api[0]"'))
    with pytest.raises(InputError) as raised:
        load_profile(path, today=TODAY)
    (problem,) = raised.value.problems
    assert (problem.line, problem.col, problem.check_id) == (3, 6, "AZFN001")
    assert problem.message.endswith('write `site: "azurerm_linux_function_app.api[0]"`')
    # What it suggests is a profile that loads.
    suggested = problem.message.rsplit("`site: ", 1)[1].rstrip("`")
    path.write_text(profile_text(f"site: {suggested}"))
    loaded = load_profile(path, today=TODAY)
    assert loaded.profile.site == "azurerm_linux_function_app.api[0]"


@pytest.mark.parametrize(
    ("value", "make"),
    [("nope/", None), ("missing.py", None), ("src", "dir"), ("notes", "file")],
)
def test_a_path_that_is_no_app_keeps_its_error(
    tmp_path: Path, value: str, make: str | None
) -> None:
    if make == "dir":
        (tmp_path / value).mkdir()
    elif make == "file":
        (tmp_path / value).write_text("")
    path = tmp_path / "profile.yaml"
    path.write_text(profile_text(f"app: {value}"))
    with pytest.raises(InputError) as raised:
        load_profile(path, today=TODAY)
    (problem,) = raised.value.problems
    assert problem.message == (
        f"app: {value} is not an app folder (no function_app.py there) or a .py file"
    )
    assert (problem.line, problem.col) == (3, 6)


def test_app_is_relative_to_the_profiles_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, profile_text("app: ../src/", "site: app"))
    profiles = root / "profiles"
    profiles.mkdir()
    (root / "profile.yaml").rename(profiles / "api.yaml")
    monkeypatch.chdir(tmp_path)  # not where the profile is
    loaded = load_profile(profiles / "api.yaml", today=TODAY)
    assert loaded.code is not None
    assert [f.name for f in loaded.code.functions] == ["digest"]


# -- init --------------------------------------------------------------------------

STDOUT_NOTE = (
    "# The app path below is relative to the folder this file is saved in; it is "
    "written\n# for the current directory (init -o FILE writes it for FILE's folder)."
)


def test_init_writes_app_relative_to_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "deploy" / "profiles" / "api.yaml"
    out.parent.mkdir(parents=True)
    app = REFERENCE / "io_async"
    code, _, err = invoke("init", str(app), "--sku", "EP2", "-o", str(out))
    assert code == 0, err
    text = out.read_text()
    expected = os.path.relpath(app, out.parent).replace(os.sep, "/") + "/"
    assert yaml.safe_load(text)["app"] == expected
    assert f"app: {expected}" in text
    assert "the app's code, relative to this file's folder" in text
    assert STDOUT_NOTE not in text
    # The profile reads its code from where it was written.
    loaded = load_profile(out, today=TODAY)
    assert loaded.code is not None and loaded.code.functions


def test_init_to_stdout_writes_app_for_the_current_folder_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tmp_path / "project" / "src"
    app.mkdir(parents=True)
    (app / "function_app.py").write_text(CODE)
    monkeypatch.chdir(tmp_path / "project")
    code, out, err = invoke("init", "src", "--sku", "EP2")
    assert code == 0, err
    assert yaml.safe_load(out)["app"] == "src/"
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("app: "))
    assert "\n".join(lines[at - 2 : at]) == STDOUT_NOTE
    # Saved in the current folder, it is a profile that reads that code.
    (tmp_path / "project" / "profile.yaml").write_text(out)
    assert invoke("render", "profile.yaml", "--format", "settings")[0] == 0
    # Saved elsewhere, the path no longer leads to the code: the error says which.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "profile.yaml").write_text(out)
    code, _, err = invoke("render", str(elsewhere / "profile.yaml"))
    assert code == 2 and "app: src/ is not an app folder" in err


@pytest.mark.parametrize("how", ["relative", "absolute", "link"])
def test_app_outside_the_profiles_repository_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A profile in a repository (what a pull request can change) reads code only
    inside it, links resolved: never an app elsewhere on the machine."""
    outside = tmp_path / "elsewhere" / "app"
    shutil.copytree(REFERENCE / "io_async", outside)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "profiles").mkdir()
    (repo / "src").symlink_to(outside, target_is_directory=True)
    value = {
        "relative": "../../elsewhere/app",
        "absolute": str(outside),
        "link": "../src",
    }[how]
    profile = repo / "profiles" / "api.yaml"
    profile.write_text(
        "name: api\npython: '3.12'\nworkload: {kind: io}\nplan: {sku: EP1}\n"
        f"app: {value}\n"
    )
    monkeypatch.chdir(tmp_path)  # the current folder holds both: it does not matter
    for command in (["render", str(profile)], ["explain", str(profile)]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert f"{profile}:5:6: app: {value} is outside {repo}" in result.stderr
    result = CliRunner().invoke(cli, ["check", str(repo), "--format", "json"])
    (finding,) = [
        f for f in json.loads(result.stdout)["findings"] if f["status"] == "fail"
    ]
    assert finding["id"] == "AZFN001" and "is outside" in finding["message"]
    assert (finding["location"]["line"], finding["location"]["col"]) == (5, 6)
    # inside the repository, the same code is read
    shutil.copytree(outside, repo / "app")
    profile.write_text(profile.read_text().replace(f"app: {value}", "app: ../app"))
    assert CliRunner().invoke(cli, ["render", str(profile)]).exit_code == 0


def test_init_into_a_folder_that_does_not_exist_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft is validated where it will be written, before that folder exists."""
    shutil.copytree(REFERENCE / "io_async", tmp_path / "app")
    monkeypatch.chdir(tmp_path)
    out = Path("profiles") / "new" / "app.yaml"
    result = CliRunner().invoke(cli, ["init", "app", "-o", str(out), "--sku", "EP2"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text())["app"] == "../../app/"
    assert CliRunner().invoke(cli, ["render", str(out)]).exit_code == 0
