"""What is not deployed is not judged, and only Linux Consumption retires.

The fixtures (tests/data/repos/*) are written the way public repositories write them:
a quickstart-style Node app and a Python app on Windows Consumption (a Y1 plan
without `reserved`), a Python app on Linux Consumption next to a template whose
operating system is a parameter without a value, ARM deployment slots under a `copy`
loop whose count the parameter file sets to 0 and behind a `condition` that is
false, and Bicep slots behind `if (deployStagingSlot)` (default false), `if (false)`,
a loop over an empty list and a condition only the pipeline decides. For each: the
exact apps judged, the exact failures, and what is listed as not deployed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from azfn_profile.cli import cli
from tests.test_repos import REPOS, apps, check, failures, rel

WINDOWS = (
    "the app runs on Windows (the plan is not reserved and the site kind has no "
    "linux); Windows Consumption is not retiring"
)


def statuses(report: dict[str, Any], check_id: str) -> dict[str, tuple[str, str]]:
    """resource -> (status, reason) of one check (passes are not listed)."""
    return {
        f["location"]["resource"]: (f["status"], f["reason"])
        for f in report["findings"]
        if f["id"] == check_id
    }


def not_deployed(report: dict[str, Any], repo: Path) -> list[tuple[Any, ...]]:
    return sorted(
        (rel(n["file"], repo), n["line"], n["what"], n["reason"])
        for n in report["not_inspected"]
    )


def test_a_node_app_on_windows_consumption_is_not_retiring() -> None:
    repo = REPOS / "arm-windows-consumption"
    code, report = check(repo)
    assert apps(report, repo) == [
        ("azuredeploy.json", 48, "[parameters('functionAppName')]", (), "node", "Y1")
    ]
    assert failures(report, repo) == []
    assert statuses(report, "AZFN110") == {
        "[parameters('functionAppName')]": ("not-applicable", WINDOWS)
    }
    assert report["not_inspected"] == []
    assert code == 0


def test_python_on_windows_consumption_fails_azfn201_not_azfn110() -> None:
    """A Python app on a Windows plan is wrong for its operating system (AZFN201);
    saying its plan retires as Linux Consumption would contradict that."""
    repo = REPOS / "bicep-windows-consumption"
    code, report = check(repo)
    assert apps(report, repo) == [
        ("infra/main.bicep", 34, "ops-scripts", (), "powershell", "Y1"),
        ("infra/main.bicep", 74, "ops-reports", (), "python", "Y1"),
    ]
    assert failures(report, repo) == [
        ("AZFN201", "ops-reports", "infra/main.bicep", 67),  # the plan: not reserved
        ("AZFN201", "ops-reports", "infra/main.bicep", 77),  # kind 'functionapp'
    ]
    assert statuses(report, "AZFN110") == {
        "ops-scripts": ("not-applicable", WINDOWS),
        "ops-reports": ("not-applicable", WINDOWS),
    }
    assert code == 1


def test_linux_consumption_still_retires_and_a_computed_os_is_unknown() -> None:
    repo = REPOS / "bicep-linux-consumption"
    code, report = check(repo)
    assert apps(report, repo) == [
        ("main.bicep", 36, "app", (), "python", "Y1"),
        ("shared-host.bicep", 29, "app", (), "python", "Y1"),
    ]
    assert failures(report, repo) == [("AZFN110", "app", "main.bicep", 25)]
    (fail,) = [f for f in report["findings"] if f["status"] == "fail"]
    assert fail["severity"] == "warning"
    assert fail["message"].startswith("Linux Consumption (Y1) retires on 2028-09-30")
    shared = [
        (f["id"], f["reason"])
        for f in report["findings"]
        if f["id"] in ("AZFN110", "AZFN201")
        and rel(f["location"]["file"], repo) == "shared-host.bicep"
    ]
    assert sorted(shared) == [
        ("AZFN110", "plan.reserved is computed at deployment"),  # not a failure
        ("AZFN201", "plan.reserved is computed at deployment"),
    ]
    assert {f["status"] for f in report["findings"] if f["id"] == "AZFN110"} == {
        "fail",
        "unknown",
    }
    assert code == 0  # a warning


def test_arm_slots_with_copy_count_0_or_a_false_condition_are_not_judged() -> None:
    repo = REPOS / "arm-slot-copy"
    code, report = check(repo)
    assert apps(report, repo) == [
        ("azuredeploy.json", 42, "func-orders-dev", (), "python", "EP1")
    ]
    assert failures(report, repo) == []
    assert not_deployed(report, repo) == [
        (
            "azuredeploy.json",
            81,
            (
                "Microsoft.Web/sites/slots "
                "[format('{0}/staging-{1}', parameters('appName'), copyIndex(1))]"
            ),
            "not deployed: copy count is 0",
        ),
        (
            "azuredeploy.json",
            101,
            "Microsoft.Web/sites/slots func-orders-dev/hotfix",
            "not deployed: condition is false",
        ),
    ]
    assert code == 0


def test_the_same_arm_slots_are_judged_when_deployed(tmp_path: Path) -> None:
    """The slots of arm-slot-copy fail checks when a parameter file deploys them."""
    repo = tmp_path / "arm-slot-copy"
    shutil.copytree(REPOS / "arm-slot-copy", repo)
    params = repo / "azuredeploy.parameters.json"
    values = json.loads(params.read_text())
    values["parameters"]["environmentName"] = {"value": "prod"}
    values["parameters"]["stagingSlotCount"] = {"value": 1}
    params.write_text(json.dumps(values))
    code, report = check(repo)
    assert [a[2] for a in apps(report, repo)] == [
        "func-orders-dev",  # line 42
        "func-orders-dev/staging-1",  # 81
        "func-orders-dev/hotfix",  # 101
    ]
    hotfix, staging = "func-orders-dev/hotfix", "func-orders-dev/staging-1"
    assert [(f[0], f[1], f[3]) for f in failures(report, repo)] == [
        ("AZFN101", hotfix, 115),  # FUNCTIONS_WORKER_PROCESS_COUNT: '12'
        ("AZFN101", staging, 97),
        ("AZFN104", hotfix, 115),
        ("AZFN104", staging, 97),
        ("AZFN501", hotfix, 111),  # httpsOnly: false
        ("AZFN501", staging, 93),
        ("AZFN502", hotfix, 114),  # minTlsVersion: '1.0'
        ("AZFN504", staging, 96),  # ftpsState: 'AllAllowed'
        ("AZFN505", hotfix, 109),
        ("AZFN505", staging, 91),
        ("AZFN508", hotfix, 101),
        ("AZFN508", staging, 81),
    ]
    assert report["not_inspected"] == []
    assert code == 1


def test_bicep_slots_that_are_not_deployed_are_listed_not_judged() -> None:
    repo = REPOS / "bicep-optional-slots"
    code, report = check(repo)
    assert apps(report, repo) == [
        ("infra/main.bicep", 43, "func-billing", (), "python", "P1v3"),
        ("infra/main.bicep", 105, "func-billing/canary", (), "python", "P1v3"),
    ]
    # The canary slot's condition is computed at deployment: judged, as before.
    conditional = {t["resource"]: t["conditional"] for t in report["targets"]}
    assert conditional == {"func-billing": False, "func-billing/canary": True}
    assert failures(report, repo) == [
        ("AZFN104", "func-billing/canary", "infra/main.bicep", 117),
        ("AZFN505", "func-billing/canary", "infra/main.bicep", 109),
        ("AZFN508", "func-billing/canary", "infra/main.bicep", 105),
    ]
    assert not_deployed(report, repo) == [
        (
            "infra/main.bicep",
            72,
            "staging: Microsoft.Web/sites/slots func-billing/staging",
            "not deployed: condition is false",
        ),
        (
            "infra/main.bicep",
            83,
            "previews: Microsoft.Web/sites/slots",
            "not deployed: loop count is 0",
        ),
        (
            "infra/main.bicep",
            94,
            "retired: Microsoft.Web/sites/slots func-billing/legacy",
            "not deployed: condition is false",
        ),
    ]
    assert code == 0  # the canary's failures are warnings


def test_the_text_report_says_what_is_not_deployed() -> None:
    repo = REPOS / "bicep-optional-slots"
    result = CliRunner().invoke(cli, ["check", str(repo)])
    lines = [
        line.replace(f"{repo}/", "")
        for line in result.stdout.splitlines()
        if "not deployed" in line
    ]
    slots = "not deployed: {}: Microsoft.Web/sites/slots {}({})"
    assert lines == [
        "infra/main.bicep:72: "
        + slots.format("staging", "func-billing/staging ", "condition is false"),
        "infra/main.bicep:83: " + slots.format("previews", "", "loop count is 0"),
        "infra/main.bicep:94: "
        + slots.format("retired", "func-billing/legacy ", "condition is false"),
        (
            "checked 2 app(s) and profile(s) in 1 file(s); skipped 0 file(s), not "
            "function-app infrastructure; 3 resource(s) not deployed"
        ),
    ]


def test_a_web_app_slot_that_is_not_deployed_is_not_listed(tmp_path: Path) -> None:
    """Only function apps are listed: a dropped slot of a web app (kind 'app')."""
    (tmp_path / "main.bicep").write_text(
        "param slots array = []\n"
        "resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {\n"
        "  name: 'web-plan'\n"
        "  location: 'westeurope'\n"
        "  sku: { name: 'S1' }\n"
        "}\n"
        "resource web 'Microsoft.Web/sites@2023-12-01' = {\n"
        "  name: 'portal'\n"
        "  location: 'westeurope'\n"
        "  kind: 'app'\n"
        "  properties: { serverFarmId: plan.id }\n"
        "}\n"
        "resource webSlots 'Microsoft.Web/sites/slots@2023-12-01' = [for s in slots: {\n"
        "  parent: web\n"
        "  name: s\n"
        "  location: 'westeurope'\n"
        "  properties: { serverFarmId: plan.id }\n"
        "}]\n"
    )
    _, report = check(tmp_path)
    assert report["targets"] == []
    assert report["not_inspected"] == []
