"""`explain PROFILE` and `check PROFILE` report the same findings, both ways.

Over every example and a generated set of profiles (every plan family, workload
kind and style, function mixes, overrides that trip worker checks, suppressions),
the failed and suppressed findings `check --format json` reports are exactly those
`explain` lists.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from azfn_profile.cli import cli
from tests.conftest import EXAMPLES, profile_data

Finding = tuple[str, str, str]  # (id, status, message)


def from_check(path: Path) -> set[Finding]:
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return {
        (f["id"], f["status"], f["message"])
        for f in json.loads(result.stdout)["findings"]
        if f["status"] in ("fail", "suppressed")
    }


_ITEM = re.compile(r"- (AZFN\d{3}) (?:\[\w+\] (.*)|suppressed: (.*) \(reason: .*\))")


def from_explain(path: Path) -> set[Finding]:
    result = CliRunner().invoke(cli, ["explain", str(path)])
    assert result.exit_code == 0, result.output
    tail = result.stdout.split("\nchecks", 1)[1]
    if tail.startswith(": no findings"):
        return set()
    # One bullet per finding; wrapped lines continue it until its `see:` line.
    bullets = re.split(r"\n  (?=- AZFN)", tail.split(":\n", 1)[1])
    out: set[Finding] = set()
    for bullet in bullets:
        text = " ".join(
            line.strip() for line in bullet.split("\n    see:")[0].splitlines()
        )
        match = _ITEM.fullmatch(text.strip())
        assert match, bullet
        check_id, failed, suppressed = match.groups()
        out.add((check_id, "fail" if failed else "suppressed", failed or suppressed))
    return out


def generated() -> list[dict[str, Any]]:
    skus = ("Y1", "FC1", "EP1", "EP3", "B1", "P1v3", "P2mv3")
    workloads = (
        {"kind": "io"},
        {"kind": "io", "style": "async", "concurrency": 300},
        {"kind": "cpu", "memory_per_process_mb": 3500},
        {"kind": "mixed", "io_share": 0.4, "memory_per_process_mb": 900},
        {"kind": "cpu", "style": "async"},
    )
    mixes = ({"http": 1}, {"http": 2, "queue": 3, "blob": 1}, {"servicebus": 2})
    out = []
    for i, (sku, workload, mix) in enumerate(itertools.product(skus, workloads, mixes)):
        plan: dict[str, Any] = {"sku": sku}
        if sku == "FC1":
            plan["instance_memory_mb"] = (512, 2048, 4096)[i % 3]
        extra: dict[str, Any] = {}
        if i % 4 == 1 and sku != "FC1":
            extra["app_settings"] = {"PYTHON_THREADPOOL_THREAD_COUNT": "64"}
        if i % 5 == 2:
            extra["suppress"] = [{"id": "AZFN110", "reason": "migrating in 2027"}]
        out.append(
            profile_data(
                name=f"gen-{i}", workload=workload, plan=plan, functions=mix, **extra
            )
        )
    return out


GENERATED = generated()


@pytest.mark.parametrize(
    "example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem
)
def test_examples_agree(example: Path) -> None:
    assert from_explain(example) == from_check(example)


@pytest.mark.parametrize("profile", GENERATED, ids=lambda p: p["name"])
def test_generated_profiles_agree(profile: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile))
    assert from_explain(path) == from_check(path)


def test_the_generated_set_reaches_warnings_errors_and_suppressions(
    tmp_path: Path,
) -> None:
    seen: set[str] = set()
    statuses: set[str] = set()
    for profile in GENERATED:
        path = tmp_path / f"{profile['name']}.yaml"
        path.write_text(yaml.safe_dump(profile))
        for check_id, status, _ in from_check(path):
            seen.add(check_id)
            statuses.add(status)
    # Rule-time warnings that used to live only in explain, or only in check.
    assert {"AZFN111", "AZFN114", "AZFN115", "AZFN110"} <= seen, seen
    assert statuses == {"fail", "suppressed"}
