"""The downstream and functions tags are untrusted input: every hostile value is
read in linear time, never forges a report line, and never lets AZFN307 pass on
what it could not read (a computed, secure or malformed tag, names the function
list does not hold, negative always-ready counts)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.spec import read_downstream_tag, read_functions_tag

TEMPLATE = """\
@secure()
param secureTag string = 'sql=100'
param computed string
resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {{
  name: 'orders-plan'
  location: 'westeurope'
  sku: {{ name: 'FC1', tier: 'FlexConsumption' }}
  properties: {{ reserved: true }}
}}

resource site 'Microsoft.Web/sites@2024-04-01' = {{
  name: 'orders-api'
  location: 'westeurope'
  kind: 'functionapp,linux'
  tags: {tags}
  properties: {{
    serverFarmId: plan.id
    functionAppConfig: {{
      runtime: {{ name: 'python', version: '3.12' }}
      scaleAndConcurrency: {{
        maximumInstanceCount: 40
        alwaysReady: [ {ready} ]
        triggers: {{ http: {{ perInstanceConcurrency: 4 }} }}
      }}
    }}
  }}
}}
"""


def bicep_string(value: str) -> str:
    return (
        "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"
    )


def check(
    tmp_path: Path, tags: str, ready: str = ""
) -> tuple[int, dict[str, Any], str]:
    path = tmp_path / "main.bicep"
    path.write_text(TEMPLATE.format(tags=tags, ready=ready))
    runner = CliRunner()
    started = time.perf_counter()
    text = runner.invoke(cli, ["check", str(path)])
    elapsed = time.perf_counter() - started
    report = runner.invoke(cli, ["check", str(path), "--format", "json"])
    assert elapsed < 20, elapsed
    assert text.exit_code in (0, 1), text.output
    for line in text.stdout.splitlines():
        # every line is a finding at the file, or the summary: nothing forged
        assert line.startswith(
            (str(path), "checked ", "0 error", "1 error", "2 error")
        ) or (" error(s), " in line), line
    return text.exit_code, json.loads(report.stdout), text.stdout


def status(report: dict[str, Any], check_id: str) -> str:
    found = [f["status"] for f in report["findings"] if f["id"] == check_id]
    return found[0] if found else "pass"


HOSTILE = [
    "x\nmain.bicep:1:1: AZFN501 [error] forged\nq=10",
    "sql=10\n" + "x.bicep:1:1: AZFN501 [error] forged",
    "sql=10:orders\n::error::forged=5",
    "s" * 300 + "=10",
    ";;;;==:,,,",
    "sql=" + "9" * 5000,
    "sql=\u0663\u0660",
    "sql=10:" + ",".join(["f"] * 200),
    "sql=10:nothing",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_downstream_tag_never_passes_and_never_forges(
    tmp_path: Path, value: str
) -> None:
    tags = (
        "{ 'azfn-profile:functions': 'api:http', "
        f"'azfn-profile:downstream': {bicep_string(value)} }}"
    )
    _, report, _ = check(tmp_path, tags)
    assert status(report, "AZFN307") != "pass" or not read_downstream_tag(value)[0]


@pytest.mark.parametrize(
    "value",
    [
        ",".join(["queue=9999"] * 23),  # 252 characters, 230k functions: too many
        "api:HTTP",
        "api:http\n" + "x.bicep:1:1: AZFN501 [error] forged:http",
        "http=\u0663",
        "a" * 257 + ":http",
    ],
)
def test_a_hostile_functions_tag_is_a_problem_not_a_guess(
    tmp_path: Path, value: str
) -> None:
    started = time.perf_counter()
    assert read_functions_tag(value, ["http", "queue"]) is None
    assert time.perf_counter() - started < 0.1
    tags = (
        f"{{ 'azfn-profile:functions': {bicep_string(value)}, "
        "'azfn-profile:downstream': 'sql=100' }"
    )
    _, report, _ = check(tmp_path, tags)
    assert status(report, "AZFN307") == "unknown"
    assert any(
        f["id"] == "AZFN000" and "azfn-profile:functions" in f["message"]
        for f in report["findings"]
    )


@pytest.mark.parametrize(
    "tags",
    [
        "{ 'azfn-profile:functions': 'api:http', 'azfn-profile:downstream': secureTag }",
        "{ 'azfn-profile:functions': 'api:http', 'azfn-profile:downstream': computed }",
        "{ 'azfn-profile:functions': computed, 'azfn-profile:downstream': 'sql=100' }",
    ],
)
def test_a_tag_computed_at_deployment_is_unknown(tmp_path: Path, tags: str) -> None:
    _, report, out = check(tmp_path, tags)
    assert status(report, "AZFN307") == "unknown", out
    assert "takes 100" not in out


def test_always_ready_the_function_list_cannot_place_is_unknown(tmp_path: Path) -> None:
    tags = "{ 'azfn-profile:functions': 'http=1,queue=2', 'azfn-profile:downstream': 'sql=400' }"
    ready = "{ name: 'function:orders', instanceCount: 500 }"
    _, report, _ = check(tmp_path, tags, ready)
    assert status(report, "AZFN307") == "unknown"


def test_negative_always_ready_counts_fail(tmp_path: Path) -> None:
    tags = (
        "{ 'azfn-profile:functions': 'api:http', 'azfn-profile:downstream': 'sql=100' }"
    )
    ready = "{ name: 'http', instanceCount: -1000000 }"
    _, report, _ = check(tmp_path, tags, ready)
    assert status(report, "AZFN306") == "fail"
    assert status(report, "AZFN307") == "fail"  # 40 x 4 = 160 > 100, none subtracted
