"""One runner for every check's case file (azfn_profile/checks/cases/AZFNnnn.yaml).

A case starts from a valid profile (the conftest base, merged with `profile`),
resolves it, then `patch`es the AppSpec the way a template or an override could;
`source` cases instead run `azfn-profile check` on a file with the given text.
The cases marked `doc: true` are the check's documented examples (`explain`,
docs/checks.md, SARIF rule help): they run here like every other case.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from azfn_profile.checks import REGISTRY, NotApplicable, Target, Unknown
from azfn_profile.checks.examples import CASES_DIR, doc_examples
from azfn_profile.cli import cli
from azfn_profile.rules import resolve
from azfn_profile.spec import AppSpec, WorkloadSpec
from azfn_profile.validation import validate
from tests.conftest import ROOT, TODAY, profile_data


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("AZFN*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert data["check"] == path.stem
        out += [(data["check"], case) for case in data["cases"]]
    return out


CASES = load_cases()


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def patched(spec: AppSpec, patch: dict[str, Any]) -> Target:
    changes: dict[str, Any] = {}
    settings = dict(spec.app_settings)
    for name, value in (patch.get("app_settings") or {}).items():
        settings = {k: v for k, v in settings.items() if k.upper() != name.upper()}
        if value is not None:
            settings[name] = value
    changes["app_settings"] = settings
    for field in ("site", "plan"):
        if field in patch:
            changes[field] = dataclasses.replace(getattr(spec, field), **patch[field])
    if "workload" in patch:
        changes["workload"] = (
            None if patch["workload"] is None else WorkloadSpec(**patch["workload"])
        )
    for field in ("python", "host_json", "function_app_config", "functions"):
        if field in patch:
            changes[field] = patch[field]
    if "functions" in patch:  # named again from the counts, as a template's are
        changes["function_names"] = None
    return Target(
        dataclasses.replace(spec, **changes),
        unknown=frozenset(patch.get("unknown", ())),
        storage_public_blob=patch.get("storage_public_blob"),
        sku_known=patch.get("sku_known", True),
    )


def outcome(check_id: str, case: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """(status, [(severity, message)]) of one check on one case."""
    spec = resolve(validate(merge(profile_data(), case.get("profile", {})), TODAY))
    target = patched(spec, case.get("patch", {}))
    check = REGISTRY[check_id]
    day = case.get("today", TODAY)
    try:
        failures = list(check.run(target, day if isinstance(day, date) else TODAY))
    except NotApplicable:
        return "not-applicable", []
    except Unknown:
        return "unknown", []
    return (
        "fail" if failures else "pass",
        [(f.severity or check.severity, f.message) for f in failures],
    )


def source_outcome(
    check_id: str, case: dict[str, Any], tmp: Path
) -> tuple[str, list[tuple[str, str]]]:
    """The check's outcome on the case's file(s): "skipped" when nothing was read
    as an app, a profile or code (a pass needs something the check judged)."""
    source = case["source"]
    if "files" in source:  # several files (a profile and its app): check the folder
        for name, text in source["files"].items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text)
        path = tmp
    else:
        path = tmp / source["name"]
        path.write_text(source["text"])
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    report = json.loads(result.stdout)
    findings = [f for f in report["findings"] if f["id"] == check_id]
    failed = [(f["severity"], f["message"]) for f in findings if f["status"] == "fail"]
    if failed:
        return "fail", failed
    others = sorted({f["status"] for f in findings})
    if others:
        return others[0], []
    return ("pass" if report["summary"]["apps"] else "skipped"), []


@pytest.mark.parametrize(
    ("check_id", "case"), CASES, ids=[f"{c}-{case['name']}" for c, case in CASES]
)
def test_case(check_id: str, case: dict[str, Any], tmp_path: Path) -> None:
    if "source" in case:
        status, failures = source_outcome(check_id, case, tmp_path)
    else:
        status, failures = outcome(check_id, case)
    what = "the documented example" if case.get("doc") else "the case"
    assert status == case["expect"], (
        f"{what} {case['name']!r} of {check_id} gives {status!r}, "
        f"not {case['expect']!r}: {failures}"
    )
    if "message" in case:
        assert failures and failures[0][1].startswith(case["message"]), failures
    if "severity" in case:
        assert failures[0][0] == case["severity"]


def test_registry_is_sound() -> None:
    import re

    names = [c.name for c in REGISTRY.values()]
    assert len(set(names)) == len(names)
    cased = {check_id for check_id, _ in CASES}
    for check_id, c in REGISTRY.items():
        assert check_id == c.id and re.fullmatch(r"AZFN\d{3}", check_id)
        assert re.fullmatch(r"[a-z]+\.[a-z0-9-]+", c.name), c.name
        assert c.title and c.why and c.source, check_id
        assert check_id in cased, f"{check_id} has no case file"
        statuses = {case["expect"] for cid, case in CASES if cid == check_id}
        assert "fail" in statuses, f"{check_id} has no failing case"
        assert "pass" in statuses, f"{check_id} has no passing case"
    assert cased == set(REGISTRY), f"case files of no check: {cased - set(REGISTRY)}"


@pytest.mark.parametrize("check_id", sorted(REGISTRY))
def test_every_check_documents_one_failing_and_one_passing_case(
    check_id: str,
) -> None:
    """The examples the docs show are cases `test_case` runs with their label: each
    is what a user writes (a whole profile, or a file), never an AppSpec patch."""
    docs = [case for cid, case in CASES if cid == check_id and case.get("doc")]
    assert sorted(case["expect"] for case in docs) == ["fail", "pass"], (
        f"{check_id} must mark one failing and one passing case `doc: true`"
    )
    for case in docs:
        assert "patch" not in case, f"{check_id} {case['name']!r}: doc with a patch"
        assert "today" not in case, f"{check_id} {case['name']!r}: doc on another day"
        assert ("profile" in case) != ("source" in case), case["name"]
        if "profile" in case:  # shown as is: it must be the whole profile checked
            assert merge(profile_data(), case["profile"]) == case["profile"]
    fails, passes = doc_examples(check_id)
    by_label = {case["expect"]: case["name"] for case in docs}
    assert (fails.expect, fails.case) == ("fail", by_label["fail"])
    assert (passes.expect, passes.case) == ("pass", by_label["pass"])


def test_a_patched_case_cannot_be_a_doc_example() -> None:
    from azfn_profile.checks import examples

    patched_case = {"name": "x", "doc": True, "patch": {}, "expect": "fail"}
    with pytest.raises(ValueError, match="a case with a patch cannot be a doc"):
        examples._example("AZFN101", patched_case)


def test_docs_checks_lists_every_check() -> None:
    text = (ROOT / "docs" / "checks.md").read_text()
    for check_id in REGISTRY:
        assert f"## {check_id}" in text
