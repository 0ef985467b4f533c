"""Bicep (pycep-parser) and `pulumi preview --json` sources of `azfn-profile check`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from tests.conftest import EXAMPLES, ROOT
from tests.test_policy_pack import UNKNOWN, set_setting, stack_of

HANDWRITTEN = ROOT / "tests" / "data" / "bicep" / "handwritten-bad.bicep"


def report(path: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def statuses(doc: dict[str, Any]) -> dict[str, str]:
    return {f["id"]: f["status"] for f in doc["findings"]}


@pytest.mark.parametrize(
    "example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem
)
def test_bicep_and_arm_sources_agree(example: Path, tmp_path: Path) -> None:
    for fmt, name in (("arm", "t.json"), ("bicep", "t.bicep")):
        result = CliRunner().invoke(
            cli, ["render", str(example), "--format", fmt, "-o", str(tmp_path / name)]
        )
        assert result.exit_code == 0
    code_arm, arm = report(tmp_path / "t.json")
    code_bicep, bicep = report(tmp_path / "t.bicep")
    assert code_arm == code_bicep == 0
    assert statuses(bicep) == statuses(arm)
    assert arm["summary"] == bicep["summary"]
    # The workload tags are read: CPU-bound checks run for the CPU examples.
    if "cpu" in example.read_text().split("kind:")[1].split()[0]:
        assert "AZFN105" not in statuses(bicep)  # passed (passes are not listed)


def test_handwritten_bicep_findings() -> None:
    code, doc = report(HANDWRITTEN)
    failed = {
        f["id"]: (f["message"], f["location"]["line"])
        for f in doc["findings"]
        if f["status"] == "fail"
    }
    assert code == 1
    assert failed == {
        "AZFN105": (
            (
                "CPU-bound work runs 1 worker process(es) on EP3; its cores and memory "
                "allow 4"
            ),
            45,
        ),
        "AZFN106": ("CPU-bound work runs 8 threads per process on 4 core(s)", 46),
        "AZFN501": ("httpsOnly is off: the app accepts plain HTTP", 31),
        "AZFN505": ("basic-auth publishing credentials are allowed", 29),
        "AZFN508": ("the app has no managed identity", 22),
    }


def test_invalid_bicep_is_a_located_finding(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bicep"
    bad.write_text("resource site 'Microsoft.Web/sites@2023-12-01' = {\n  name: \n")
    code, doc = report(bad)
    (finding,) = doc["findings"]
    assert code == 1 and finding["id"] == "AZFN000"
    assert finding["message"] == (
        "invalid Bicep: expected a value, found the end of the file"
    )
    assert (finding["location"]["line"], finding["location"]["col"]) == (3, 1)


def _preview(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "steps": [
            {
                "op": "create",
                "urn": r["urn"],
                "newState": {
                    "type": r["type"],
                    "urn": r["urn"],
                    "inputs": r["props"],
                    "outputs": {},
                    "dependencies": r.get("deps", []),
                },
            }
            for r in resources
        ],
        "changeSummary": {"create": len(resources)},
    }


def test_preview_json_good_and_bad(tmp_path: Path) -> None:
    path = tmp_path / "preview.json"
    resources = stack_of("orders-api")
    path.write_text(json.dumps(_preview(resources)))
    code, doc = report(path)
    assert code == 0 and doc["summary"]["error"] == doc["summary"]["warning"] == 0
    set_setting(resources, "FUNCTIONS_WORKER_PROCESS_COUNT", "12")
    path.write_text(json.dumps(_preview(resources)))
    code, doc = report(path)
    (failed,) = [f for f in doc["findings"] if f["status"] == "fail"]
    assert code == 1 and failed["id"] == "AZFN101"
    site_urn = next(r["urn"] for r in resources if r["type"].endswith(":WebApp"))
    assert failed["location"] == {
        "file": str(path),
        "line": None,
        "col": None,
        "resource": site_urn,
        "via": [],
        "parameters": None,
    }


def test_preview_unknown_values_are_unknown(tmp_path: Path) -> None:
    resources = stack_of("orders-api")
    set_setting(resources, "PYTHON_THREADPOOL_THREAD_COUNT", UNKNOWN)
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(_preview(resources)))
    code, doc = report(path)
    assert code == 0
    assert statuses(doc)["AZFN104"] == "unknown"
