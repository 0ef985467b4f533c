"""No profile needed for the workload checks: when `check` sees an app's code beside
the infrastructure that deploys it (an azd service's project folder, the code folder
that holds the template, or one app and one code folder in all), the workload `init`
would draft is judged, and every workload finding says where it was read."""

from __future__ import annotations

import inspect
import json
import shutil
from pathlib import Path

from azfn_profile.checks import REGISTRY
from tests.test_code import invoke

REPOS = Path(__file__).parent / "data" / "repos"
CPU_APP = """import hashlib

import azure.functions as func

app = func.FunctionApp()


@app.route(route="digest")
def digest(req: func.HttpRequest) -> func.HttpResponse:
    value = b"seed"
    for i in range(100_000):
        value = hashlib.sha256(value + str(i).encode()).digest()
    return func.HttpResponse(value.hex())
"""
BICEP = """resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'digest-plan'
  location: 'westeurope'
  kind: 'elastic'
  sku: {
    name: 'EP2'
    tier: 'ElasticPremium'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: 'digest'
  location: 'westeurope'
  kind: 'functionapp,linux'
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }
        { name: 'FUNCTIONS_WORKER_PROCESS_COUNT', value: '1' }
      ]
    }
  }
}
"""


def workload_findings(root: Path) -> dict[str, list[dict[str, object]]]:
    code, out, err = invoke("check", str(root), "--format", "json")
    assert code in (0, 1), err
    found: dict[str, list[dict[str, object]]] = {}
    for f in json.loads(out)["findings"]:
        if REGISTRY[f["id"]].workload:
            found.setdefault(f["id"], []).append(f)
    return found


def failed(found: dict[str, list[dict[str, object]]], check_id: str) -> list[str]:
    return [str(f["message"]) for f in found.get(check_id, []) if f["status"] == "fail"]


def test_the_code_folder_that_holds_the_template(tmp_path: Path) -> None:
    (tmp_path / "function_app.py").write_text(CPU_APP)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.bicep").write_text(BICEP)
    found = workload_findings(tmp_path)
    (message,) = failed(found, "AZFN105")
    assert message.endswith(
        f"(the workload is read from the code at {tmp_path}: cpu/sync (digest: "
        f"a pure-Python loop at {tmp_path}/function_app.py:11 (CPU)))"
    )


def test_one_app_and_one_code_folder(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "function_app.py").write_text(CPU_APP)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "main.bicep").write_text(BICEP)
    (message,) = failed(workload_findings(tmp_path), "AZFN105")
    assert "(the workload is read from the code at " in message
    # A second app's code: which code the site runs is no longer clear.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "function_app.py").write_text(CPU_APP)
    found = workload_findings(tmp_path)
    assert failed(found, "AZFN105") == []
    assert {f["status"] for f in found["AZFN105"]} == {"not-applicable"}


def test_the_azd_service_project(tmp_path: Path) -> None:
    """azure.yaml's services.api.project is ./src: the site tagged
    azd-service-name api runs that code (HTTP and a queue, no recognised calls:
    I/O, as init assumes), so Flex's perInstanceConcurrency 1 is reported."""
    repo = tmp_path / "repo"
    shutil.copytree(REPOS / "azd-python-flex", repo)
    shutil.rmtree(repo / "profiles")  # no profile declares the workload
    (message,) = failed(workload_findings(repo), "AZFN112")
    assert message == (
        "perInstanceConcurrency is unset: one request per instance (the workload "
        f"is read from the code at {repo}/src: io/sync (no recognised CPU or I/O "
        "calls: io assumed)) (via "
        f"{repo}/infra/main.bicep:75 module api) (with "
        f"{repo}/infra/main.parameters.json)"
    )


def test_a_declared_workload_wins_over_the_code() -> None:
    """The README's repository names its site in a profile: nothing is read from
    code for it."""
    found = workload_findings(REPOS / "azd-python-flex")
    assert all(
        "read from the code" not in str(f.get("message", ""))
        for findings in found.values()
        for f in findings
    )


def test_every_check_that_reads_the_workload_says_so() -> None:
    """The class, not the case: a check whose code asks for the workload is marked,
    so its findings carry where the workload came from."""
    for check in REGISTRY.values():
        reads = "workload(t)" in inspect.getsource(check.run)
        assert check.workload == reads, check.id


def test_two_sites_in_one_template_are_not_guessed(tmp_path: Path) -> None:
    """Which site runs the code is unknown without a tag: neither is lent it."""
    (tmp_path / "function_app.py").write_text(CPU_APP)
    (tmp_path / "infra").mkdir()
    second = BICEP.split("resource site", 1)[1].replace("'digest'", "'other'")
    (tmp_path / "infra" / "main.bicep").write_text(BICEP + "\nresource other" + second)
    found = workload_findings(tmp_path)
    assert failed(found, "AZFN105") == []
    sites = [f for f in found["AZFN105"] if "main.bicep" in f["location"]["file"]]
    assert [f["status"] for f in sites] == ["not-applicable"] * 2
