"""`azfn-profile check`: sources, formats, exit codes and bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from azfn_profile import CHECKS_URL as DOCS
from azfn_profile.checks import REGISTRY
from azfn_profile.cli import cli
from tests.conftest import EXAMPLES, ROOT

HANDWRITTEN = ROOT / "tests" / "data" / "arm" / "handwritten-bad.json"
SARIF_SCHEMA = json.loads(
    (ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text()
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_example_profiles_pass_with_nothing_to_report() -> None:
    # examples/apps holds the lab's reference apps, async_blocking among them
    # (test_code checks what is found there); the profiles have nothing to report.
    code, out, _ = invoke("check", *map(str, sorted(EXAMPLES.glob("*.yaml"))))
    assert code == 0
    assert out.splitlines()[-1].startswith("0 error(s), 0 warning(s), 0 info; ")


@pytest.mark.parametrize(
    "example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem
)
def test_rendered_templates_pass(example: Path, tmp_path: Path) -> None:
    template = tmp_path / f"{example.stem}.json"
    assert (
        invoke("render", str(example), "--format", "arm", "-o", str(template))[0] == 0
    )
    code, out, _ = invoke("check", str(template), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert [f for f in report["findings"] if f["status"] == "fail"] == []
    # The workload comes back from the azfn-profile:* tags: workload checks run.
    statuses = {f["id"]: f["status"] for f in report["findings"]}
    assert statuses.get("AZFN104") is None  # passed, so not listed
    assert report["summary"]["passed"] >= 14


def test_handwritten_template_findings_are_exact() -> None:
    code, out, _ = invoke("check", str(HANDWRITTEN))
    name = str(HANDWRITTEN)
    assert code == 1
    # sorted by position in the file
    assert out.splitlines()[:-2] == [
        (
            f"{name}:24:5: AZFN508 [warning] the app has no managed identity "
            f"({DOCS}#azfn508)"
        ),
        (
            f"{name}:32:21: AZFN505 [warning] basic-auth publishing credentials are allowed "
            f"({DOCS}#azfn505)"
        ),
        (
            f"{name}:34:22: AZFN501 [error] httpsOnly is off: the app accepts plain HTTP "
            f"({DOCS}#azfn501)"
        ),
        f"{name}:35:23: AZFN504 [warning] ftpsState is AllAllowed ({DOCS}#azfn504)",
        f"{name}:37:28: AZFN502 [error] minTlsVersion is 1.0 ({DOCS}#azfn502)",
        (
            f"{name}:46:25: AZFN104 [warning] PYTHON_THREADPOOL_THREAD_COUNT is not set: on "
            "EP3, the first worker process 8 threads (specialised from a placeholder: "
            f"min(32, cores + 4)), any other the host's 1000 ({DOCS}#azfn104)"
        ),
        (
            f"{name}:49:47: AZFN101 [error] FUNCTIONS_WORKER_PROCESS_COUNT is '12'; the host "
            "accepts a whole number up to 10 and otherwise starts no Python worker (no "
            f"function loads) ({DOCS}#azfn101)"
        ),
        (
            f"{name}:50:36: AZFN507 [warning] AzureWebJobsStorage carries a storage account key "
            f"({DOCS}#azfn507)"
        ),
    ]


def test_fail_on_threshold() -> None:
    # An EP3 CPU app from the rules passes errors; a Y1 app only warns (AZFN110).
    y1 = ROOT / "tests" / "data" / "y1-profile.yaml"
    assert invoke("check", str(y1))[0] == 0
    assert invoke("check", str(y1), "--fail-on", "warning")[0] == 1
    assert invoke("check", str(y1), "--fail-on", "info")[0] == 1


def test_sarif_is_valid_sarif_2_1_0() -> None:
    code, out, _ = invoke(
        "check", str(HANDWRITTEN), str(EXAMPLES / "etl-mixed.yaml"), "--format", "sarif"
    )
    log = json.loads(out)
    jsonschema.validate(log, SARIF_SCHEMA)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(REGISTRY)
    failed = run["results"]  # only failures are results (code scanning)
    assert all("suppressions" not in r for r in failed)
    assert {r["ruleId"] for r in failed} == {
        "AZFN101",
        "AZFN104",
        "AZFN501",
        "AZFN502",
        "AZFN504",
        "AZFN505",
        "AZFN507",
        "AZFN508",
    }
    outcomes = run["properties"]["outcomes"]
    assert any(o["status"] == "not-applicable" for o in outcomes)
    first = failed[0]["locations"][0]["physicalLocation"]
    assert first["region"]["startLine"] >= 1 and code == 1
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["AZFN501"]["properties"] == {
        "security-severity": "8.0",
        "tags": ["security"],
    }
    assert "properties" not in rules["AZFN101"]
    assert all(r["helpUri"].startswith("https://") for r in rules.values())


def test_junit_parses_with_failures_and_skips() -> None:
    _, out, _ = invoke("check", str(HANDWRITTEN), "--format", "junit")
    suite = ET.fromstring(out)
    assert suite.tag == "testsuite"
    # --fail-on error: the 3 errors fail; the 5 warnings pass with their finding
    assert int(suite.get("failures", "0")) == 3
    assert int(suite.get("skipped", "0")) >= 1
    assert len(suite.findall("testcase")) == int(suite.get("tests", "0"))
    below = [c for c in suite.iter("system-out") if "below --fail-on" in (c.text or "")]
    assert len(below) == 5


def test_junit_failures_follow_fail_on() -> None:
    """JUnit fails exactly the findings that make the exit code 1."""
    for level, failures in (("error", 3), ("warning", 8), ("info", 8)):
        code, out, _ = invoke(
            "check", str(HANDWRITTEN), "--format", "junit", "--fail-on", level
        )
        suite = ET.fromstring(out)
        assert (code, int(suite.get("failures", "0"))) == (1, failures), level
    y1 = ROOT / "tests" / "data" / "y1-profile.yaml"
    code, out, _ = invoke("check", str(y1), "--format", "junit")
    assert (code, ET.fromstring(out).get("failures")) == (0, "0")


def test_github_annotations() -> None:
    _, out, _ = invoke("check", str(HANDWRITTEN), "--format", "github")
    lines = out.splitlines()
    assert (
        f"::error file={HANDWRITTEN},line=49,col=47,title=AZFN101 "
        "worker.process-count-range::FUNCTIONS_WORKER_PROCESS_COUNT is '12'; "
        "the host accepts a whole number up to 10 and otherwise starts no Python "
        "worker (no function loads)"
    ) in lines
    assert len(lines) == 8


def test_json_lists_not_applicable_with_reasons() -> None:
    _, out, _ = invoke("check", str(HANDWRITTEN), "--format", "json")
    report = json.loads(out)
    na = {
        f["id"]: f["reason"]
        for f in report["findings"]
        if f["status"] == "not-applicable"
    }
    assert na["AZFN301"] == "no host.json in the source"
    assert na["AZFN506"] == "the storage account is not in the source"


def test_unevaluable_values_are_unknown_not_crashes(tmp_path: Path) -> None:
    template = json.loads(HANDWRITTEN.read_text())
    template["parameters"]["sku"]["defaultValue"] = "[reference('somewhere').sku]"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    _, out, _ = invoke("check", str(path), "--format", "json")
    unknown = {f["id"] for f in json.loads(out)["findings"] if f["status"] == "unknown"}
    assert {"AZFN110", "AZFN203"} <= unknown


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        (
            "bad.json",
            '{"resources": [}',
            1,
            "bad.json:1:16: AZFN000 [error] invalid JSON: Expecting value",
        ),
        (
            "notes.txt",
            "hello",
            0,
            (
                "notes.txt: not checked: not a profile, template, parameter, "
                "preview or host.json file"
            ),
        ),
        (
            "other.json",
            '{"steps": 3, "x": 1}',
            0,
            "other.json: not checked: JSON that is not function-app infrastructure",
        ),
    ],
)
def test_a_named_file_says_what_is_wrong_with_it(
    tmp_path: Path, name: str, content: str, code: int, message: str
) -> None:
    """A broken template is a finding (exit 1 under --fail-on error); a file that
    is not infrastructure is not checked, and the report says so (exit 0)."""
    (tmp_path / name).write_text(content)
    got, out, _ = invoke("check", str(tmp_path / name))
    assert got == code
    assert out.splitlines()[0].replace(str(tmp_path) + "/", "").startswith(message)


def test_a_50_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "huge.json"
    big.write_bytes(b"{" + b" " * (50 * 1024 * 1024) + b"}")
    code, out, _ = invoke("check", str(big))
    assert code == 2  # named explicitly and unreadable
    assert "larger than 20 MiB; files that large are refused" in out


def test_directories_are_walked_and_missing_files_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text((EXAMPLES / "orders-api.yaml").read_text())
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("broken: [")
    code, out, _ = invoke("check", str(tmp_path), str(tmp_path / "missing.yaml"))
    assert code == 2
    assert (
        out.splitlines()[0] == f"{tmp_path}/missing.yaml: AZFN000 [error] no such file "
        f"({DOCS}#azfn000)"
    )


def test_rules_and_explain_id() -> None:
    code, out, _ = invoke("checks")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == list(
        REGISTRY
    )
    assert invoke("rules") == (0, out, "")  # the command's first name stays
    code, out, _ = invoke("explain", "AZFN101")
    assert code == 0 and out.startswith("AZFN101 worker.process-count-range [error]\n")
    fails = out.split("\nFails\n", 1)[1].split("\nPasses\n", 1)[0]
    assert fails.startswith("  profile.yaml:\n")
    assert '    app_settings:\n      FUNCTIONS_WORKER_PROCESS_COUNT: "12"\n' in fails


def _y1_with(suppress: str, tmp_path: Path) -> Path:
    path = tmp_path / "legacy.yaml"
    path.write_text(
        (ROOT / "tests" / "data" / "y1-profile.yaml").read_text() + suppress
    )
    return path


def test_profile_suppression_with_reason(tmp_path: Path) -> None:
    path = _y1_with(
        "suppress:\n  - {id: AZFN110, reason: moving to Flex in Q3}\n", tmp_path
    )
    code, out, _ = invoke(
        "check", str(path), "--fail-on", "warning", "--format", "json"
    )
    report = json.loads(out)
    (suppressed,) = [f for f in report["findings"] if f["status"] == "suppressed"]
    assert (suppressed["id"], suppressed["reason"]) == (
        "AZFN110",
        "moving to Flex in Q3",
    )
    assert code == 0 and report["summary"]["suppressed"] == 1


def test_expired_suppression_reports_both(tmp_path: Path) -> None:
    path = _y1_with(
        "suppress:\n  - {id: AZFN110, reason: Q3, expires: 2026-09-30}\n", tmp_path
    )
    code, out, _ = invoke("check", str(path), "--fail-on", "warning")
    lines = out.splitlines()
    assert code == 1
    (lapse,) = [line for line in lines if "AZFN002" in line]
    assert lapse == (
        f"{path}:6:5: AZFN002 [warning] the suppression of AZFN110 expired on "
        f"2026-09-30 (Q3) ({DOCS}#azfn002)"
    )
    assert any("AZFN110 [warning]" in line for line in lines)


def test_tag_suppression_in_a_template(tmp_path: Path) -> None:
    template = json.loads(HANDWRITTEN.read_text())
    site = template["resources"][1]
    site["tags"]["azfn-profile:suppress"] = (
        "AZFN104: sized by load test until 2027-01-31; "
        "AZFN508: identity comes with the VNet work"
    )
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template, indent=2))
    _, out, _ = invoke("check", str(path), "--format", "json")
    statuses = {f["id"]: f["status"] for f in json.loads(out)["findings"]}
    assert statuses["AZFN104"] == "suppressed" and statuses["AZFN508"] == "suppressed"
    assert statuses["AZFN101"] == "fail"
    site["tags"]["azfn-profile:suppress"] = "AZFN104 because"
    path.write_text(json.dumps(template, indent=2))
    code, out, _ = invoke("check", str(path))
    assert code == 1
    assert (
        "AZFN000 [error] azfn-profile:suppress entry 'AZFN104 because' is not "
        "'AZFNnnn: reason [until YYYY-MM-DD]'"
    ) in out


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert invoke("check", str(HANDWRITTEN), "--write-baseline", str(baseline)) == (
        0,
        "",
        f"recorded 8 finding(s) in {baseline}\n",
    )
    code, out, _ = invoke("check", str(HANDWRITTEN), "--baseline", str(baseline))
    assert code == 0
    assert out.splitlines()[-1] == (
        "0 error(s), 0 warning(s), 0 info; 8 passed, 30 not applicable, "
        "0 unknown, 0 suppressed, 8 in the baseline"
    )
    template = json.loads(HANDWRITTEN.read_text())
    template["resources"][1]["properties"]["siteConfig"]["minTlsVersion"] = "1.1"
    moved = tmp_path / "t.json"
    moved.write_text(
        "\n\n" + json.dumps(template, indent=4)
    )  # lines move, one new finding
    code, out, _ = invoke("check", str(moved), "--baseline", str(baseline))
    # The baseline is keyed by file, resource and message, so a renamed file is new.
    assert code == 1


def test_bad_baseline_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("[1, 2]")
    assert invoke("check", str(HANDWRITTEN), "--baseline", str(bad)) == (
        2,
        "",
        f"{bad}: not an azfn-profile baseline (write one with --write-baseline)\n",
    )


def test_no_path_checks_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "azuredeploy.json").write_text(HANDWRITTEN.read_text())
    monkeypatch.chdir(tmp_path)
    assert invoke("check") == invoke("check", ".")
    assert invoke("check")[0] == 1


def test_one_app_described_twice_is_reported_once(tmp_path: Path) -> None:
    """A rendered bundle holds one app as ARM and as Bicep beside one host.json:
    the host.json's failures are the same finding, printed once."""
    bundle = tmp_path / "bundle"
    code, _, err = invoke(
        "render",
        str(ROOT / "examples" / "queue-worker.yaml"),
        "--format",
        "all",
        "-o",
        str(bundle),
    )
    assert code == 0, err
    host = json.loads((bundle / "host.json").read_text())
    host["extensions"]["queues"]["batchSize"] = 64
    (bundle / "host.json").write_text(json.dumps(host))
    code, out, _ = invoke("check", str(bundle))
    failures = [line for line in out.splitlines() if " [error] " in line]
    assert code == 1
    assert len(failures) == 1 and "AZFN301" in failures[0], out
    assert out.splitlines()[-1].startswith("1 error(s)")


def test_each_file_counts_once_checked_or_skipped() -> None:
    repo = ROOT / "tests" / "data" / "repos" / "azd-python-flex"
    _, out, _ = invoke("check", str(repo), "--format", "json")
    report = json.loads(out)
    found = [p for p in repo.rglob("*") if p.is_file()]
    summary = report["summary"]
    assert summary["files"] + summary["skipped"] <= len(found)
    skipped = {s["file"] for s in report["skipped"]}
    judged = {t["file"] for t in report["targets"]}
    assert not skipped & judged


def test_one_run_writes_several_formats(tmp_path: Path) -> None:
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    code, out, _ = invoke(
        "check",
        str(HANDWRITTEN),
        "-o",
        "github=-",
        "-o",
        f"sarif={sarif}",
        "-o",
        f"junit={junit}",
    )
    assert code == 1
    assert out == invoke("check", str(HANDWRITTEN), "--format", "github")[1]
    assert (
        sarif.read_text() == invoke("check", str(HANDWRITTEN), "--format", "sarif")[1]
    )
    assert ET.fromstring(junit.read_text()).get("failures") == "3"
    # -o FILE alone keeps its meaning: --format's format, into FILE
    plain = tmp_path / "plain.json"
    assert (
        invoke("check", str(HANDWRITTEN), "--format", "json", "-o", str(plain))[1] == ""
    )
    assert json.loads(plain.read_text())["summary"]["error"] == 3
    code, _, err = invoke("check", str(HANDWRITTEN), "-o", "json=-", "-o", "text=-")
    assert code == 2 and "only one format can go to standard output" in err


def test_markdown_for_a_pull_request_comment_is_inert(tmp_path: Path) -> None:
    """Values from a template cannot add rows, links, mentions or HTML to a PR
    comment."""
    template = json.loads(HANDWRITTEN.read_text())
    config = template["resources"][1]["resources"][0]["properties"]
    config["FUNCTIONS_WORKER_PROCESS_COUNT"] = (
        "12 | x |\n## @octocat <img src=x onerror=alert(1)> [a](https://evil) `c` *b*"
    )
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(template))
    code, out, _ = invoke("check", str(path), "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "### azfn-profile: 3 error(s), 5 warning(s), 0 info"
    rows = [line for line in lines if line.startswith("| ")]
    assert len(rows) == 1 + 8  # the header and one row per failure
    assert all(row.count(" | ") == 3 for row in rows[1:])
    (bad,) = [row for row in rows if "AZFN101" in row]
    for raw in ("@octocat", "<img", "[a](", "`c`", "*b*", "\n"):
        assert raw not in bad, raw
    assert "&#64;octocat" in bad and "&lt;img" in bad
    assert lines[-1].startswith("Checked 1 app(s) and profile(s) in 1 file(s): ")


def test_sarif_uris_do_not_depend_on_where_check_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Code scanning matches results across runs by URI: relative to the repository
    root (uriBaseId SRCROOT) whether check runs at the root or in a subfolder."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    infra = repo / "infra"
    infra.mkdir()
    (infra / "azuredeploy.json").write_text(HANDWRITTEN.read_text())
    runs = []
    for where, target in ((repo, "infra"), (infra, "."), (infra, "azuredeploy.json")):
        monkeypatch.chdir(where)
        _, out, _ = invoke("check", target, "--format", "sarif")
        runs.append(json.loads(out)["runs"][0])
    uris = [
        sorted(
            {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in run["results"]
            }
        )
        for run in runs
    ]
    assert uris == [["infra/azuredeploy.json"]] * 3
    for run in runs:
        location = run["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "SRCROOT"
        assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": repo.as_uri() + "/"}}
    monkeypatch.chdir(tmp_path)
    _, out, _ = invoke("check", str(infra), "--format", "sarif", "--root", str(infra))
    (uri,) = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out)["runs"][0]["results"]
    }
    assert uri == "azuredeploy.json"


def _failing_ids(out: str) -> list[str]:
    return sorted(
        {f["id"] for f in json.loads(out)["findings"] if f["status"] == "fail"}
    )


def test_checks_are_selected_and_skipped_by_id_or_name_with_wildcards() -> None:
    everything = _failing_ids(invoke("check", str(HANDWRITTEN), "--format", "json")[1])
    assert everything == [
        "AZFN101",
        "AZFN104",
        "AZFN501",
        "AZFN502",
        "AZFN504",
        "AZFN505",
        "AZFN507",
        "AZFN508",
    ]
    only = invoke("check", str(HANDWRITTEN), "--format", "json", "--check", "AZFN5*")
    assert _failing_ids(only[1]) == [i for i in everything if i.startswith("AZFN5")]
    named = invoke(
        "check", str(HANDWRITTEN), "--format", "json", "--check", "worker.*,azfn508"
    )
    assert _failing_ids(named[1]) == ["AZFN101", "AZFN104", "AZFN508"]
    code, out, _ = invoke(
        "check",
        str(HANDWRITTEN),
        "--format",
        "json",
        "--skip-check",
        "security.*",
        "--skip-check",
        "AZFN101",
    )
    assert (code, _failing_ids(out)) == (0, ["AZFN104"])  # no error left: exit 0


def test_skip_path_leaves_files_unread(tmp_path: Path) -> None:
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "azuredeploy.json").write_text(HANDWRITTEN.read_text())
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "azuredeploy.json").write_text(HANDWRITTEN.read_text())
    code, out, _ = invoke(
        "check",
        str(tmp_path),
        "--format",
        "json",
        "--skip-path",
        "legacy",
        "--skip-path",
        "examples/*.json",
    )
    report = json.loads(out)
    assert code == 0 and report["targets"] == []
    assert sorted(s["reason"] for s in report["skipped"]) == [
        "--skip-path examples/*.json",
        "--skip-path legacy",
    ]


def test_settings_from_the_repository_and_the_command_line_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "azuredeploy.json").write_text(HANDWRITTEN.read_text())
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.azfn-profile]\nskip-check = ["security.*"]\n'
        'fail-on = "warning"\n'
    )
    code, out, _ = invoke("check", "--format", "json")
    assert (code, _failing_ids(out)) == (1, ["AZFN101", "AZFN104"])
    (tmp_path / ".azfn-profile.yaml").write_text(
        "skip_check: [AZFN101, AZFN5*]\nfail-on: error\n"
    )  # the YAML file comes first
    code, out, _ = invoke("check", "--format", "json")
    assert (code, _failing_ids(out)) == (0, ["AZFN104"])
    code, out, _ = invoke("check", "--format", "json", "--skip-check", "AZFN104")
    assert (code, "AZFN101" in _failing_ids(out)) == (1, True)  # the CLI replaces it
    (tmp_path / ".azfn-profile.yaml").write_text("skip: [AZFN101]\n")
    code, _, err = invoke("check")
    assert code == 2 and "unknown key 'skip'; expected one of check" in err


def test_a_pattern_or_format_that_names_nothing_is_a_usage_error() -> None:
    for args, said in (
        (("--check", "AZFN9*"), "--check AZFN9* names no check"),
        (("--skip-check", "secrity.*"), "--skip-check secrity.* names no check"),
        (("-o", "sarfi=report.sarif"), "-o sarfi=report.sarif: no format 'sarfi'"),
    ):
        code, out, err = invoke("check", str(HANDWRITTEN), *args)
        assert (code, out) == (2, ""), args
        assert said in err, err


def test_findings_name_the_parameter_file_the_template_was_judged_with() -> None:
    repo = ROOT / "tests" / "data" / "repos" / "arm-quickstart"
    params = f"{repo}/azuredeploy.parameters.json"
    _, out, _ = invoke("check", str(repo))
    failures = [line for line in out.splitlines() if " [warning] " in line]
    assert failures and all(f"(with {params})" in line for line in failures)
    _, out, _ = invoke("check", str(repo), "--format", "json")
    located = [
        f["location"] for f in json.loads(out)["findings"] if f["status"] == "fail"
    ]
    assert {loc["parameters"] for loc in located} == {params}
    # a template with no parameter file says nothing of one
    _, out, _ = invoke("check", str(HANDWRITTEN))
    assert "(with " not in out


def test_a_settings_file_pattern_that_names_nothing_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "azuredeploy.json").write_text(HANDWRITTEN.read_text())
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".azfn-profile.yaml").write_text("skip-check: [secrity.*]\n")
    code, out, err = invoke("check")
    assert (code, out) == (2, "")
    assert ".azfn-profile.yaml: skip-check: secrity.* names no check" in err
    assert "--skip-check" not in err
    # given on the command line, the option replaces the file's: the error says so
    code, _, err = invoke("check", "--skip-check", "AZFN9*")
    assert code == 2 and "--skip-check AZFN9* names no check" in err
    assert ".azfn-profile.yaml" not in err


def _shared_host_json_bundle(tmp_path: Path) -> Path:
    """A rendered bundle whose one host.json, shared by the ARM and Bicep apps,
    leaves the HTTP queue unbounded (AZFN304)."""
    out = tmp_path / "bundle"
    code, _, err = invoke(
        "render", str(EXAMPLES / "orders-api.yaml"), "--format", "all", "-o", str(out)
    )
    assert code == 0, err
    host = json.loads((out / "host.json").read_text())
    host["extensions"]["http"] = {"maxConcurrentRequests": 5}
    (out / "host.json").write_text(json.dumps(host))
    return out


def test_a_failure_apps_share_is_one_result_with_the_others_related(
    tmp_path: Path,
) -> None:
    bundle = _shared_host_json_bundle(tmp_path)
    _, out, _ = invoke("check", str(bundle), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, SARIF_SCHEMA)
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "AZFN304"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"].endswith(
        ("azuredeploy.json", "main.bicep")
    )
    assert related["physicalLocation"]["region"]["startLine"] > 1
    assert related["message"]["text"].startswith("also found for ")
    _, out, _ = invoke("check", str(bundle), "--format", "json")
    (finding,) = [
        f
        for f in json.loads(out)["findings"]
        if f["id"] == "AZFN304" and f["status"] == "fail"
    ]
    assert len(finding["related"]) == 1
    assert finding["related"][0]["resource"] != finding["location"]["resource"]


def test_passed_checks_are_listed_per_app_on_request() -> None:
    repo = ROOT / "tests" / "data" / "repos" / "azd-python-flex"
    _, plain, _ = invoke("check", str(repo))
    _, listed, _ = invoke("check", str(repo), "--passed")
    assert ": passed " not in plain
    lines = [line for line in listed.splitlines() if ": passed " in line]
    # one line per judged app: the code and the Bicep site among them
    assert any(
        line.startswith(f"{repo}/src/function_app.py:1: src: ") for line in lines
    )
    bicep = next(line for line in lines if "api.bicep" in line)
    assert bicep.startswith(f"{repo}/infra/app/api.bicep:21: site: passed 20: ")
    assert "AZFN101" in bicep and "AZFN104" not in bicep  # AZFN104 fails there
    _, out, _ = invoke("check", str(repo), "--format", "json", "--passed")
    statuses = {f["status"] for f in json.loads(out)["findings"]}
    assert "pass" in statuses
    _, out, _ = invoke("check", str(repo), "--format", "json")
    assert "pass" not in {f["status"] for f in json.loads(out)["findings"]}
    _, md, _ = invoke("check", str(repo), "--format", "markdown", "--passed")
    assert "| app | passed |" in md


def test_a_yaml_file_is_parsed_only_when_it_could_be_a_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a folder scan, YAML data is never parsed: a file larger than any profile
    is skipped before it is read, one naming neither `workload` nor `plan` after.
    A profile in block or flow (JSON) style is still found."""
    from azfn_profile import yamlload
    from azfn_profile.sources import discover

    parsed: list[str] = []
    real_parse = yamlload.parse
    read: list[str] = []
    real_read = discover.read_text

    def reading(path: Path, *args: Any) -> str:
        read.append(path.name)
        return real_read(path, *args)

    monkeypatch.setattr(discover, "read_text", reading)

    def counting(text: str, display: str) -> Any:
        parsed.append(display.rsplit("/", 1)[-1])
        return real_parse(text, display)

    monkeypatch.setattr(yamlload, "parse", counting)
    (tmp_path / "data.yaml").write_text("items:\n" + "  - [1, 2, 3]\n" * 10_000)
    (tmp_path / "config.yaml").write_text("logging:\n  level: info\n")
    (tmp_path / "big.yaml").write_text("workload: {}\n# " + "x" * 300_000 + "\n")
    block = (EXAMPLES / "orders-api.yaml").read_text()
    (tmp_path / "block.yaml").write_text(block)
    (tmp_path / "flow.yaml").write_text(json.dumps(yaml.safe_load(block)))
    _, out, _ = invoke("check", str(tmp_path), "--format", "json")
    report = json.loads(out)
    reasons = {s["file"].rsplit("/", 1)[-1]: s["reason"] for s in report["skipped"]}
    assert reasons["data.yaml"] == "YAML that is not a profile"
    assert reasons["config.yaml"] == "YAML that is not a profile"
    assert reasons["big.yaml"].endswith("KiB: data, not a profile")
    assert sorted(t["file"].rsplit("/", 1)[-1] for t in report["targets"]) == [
        "block.yaml",
        "flow.yaml",
    ]
    assert sorted(set(parsed)) == ["block.yaml", "flow.yaml"]
    assert "big.yaml" not in read and "data.yaml" in read


def test_nothing_in_a_scanned_tree_is_passed_over_silently(tmp_path: Path) -> None:
    """An app's entry file that cannot be read is a finding at the bad byte (not
    "no function app in it"); a link out of the folder, or to nothing, is listed as
    skipped with the reason, never followed."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "function_app.py").write_bytes(
        b"import azure.functions as func\napp = func.FunctionApp()\n# \xff bad\n"
    )
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text("{}")
    (tmp_path / "linked.json").symlink_to(outside)
    (tmp_path / "dangling.bicep").symlink_to(tmp_path / "nowhere.bicep")
    code, out, _ = invoke("check", str(tmp_path), "--format", "json")
    report = json.loads(out)
    found = {
        f["location"]["file"].rsplit("/", 1)[-1]: f
        for f in report["findings"]
        if f["status"] == "fail"
    }
    assert sorted(found) == ["dangling.bicep", "function_app.py"]
    entry = found["function_app.py"]
    assert entry["id"] == "AZFN000" and "not UTF-8" in entry["message"]
    assert (entry["location"]["line"], entry["location"]["col"]) == (3, 3)
    assert found["dangling.bicep"]["message"] == "no such file"  # a link to nothing
    reasons = {s["file"].rsplit("/", 1)[-1]: s["reason"] for s in report["skipped"]}
    assert reasons == {
        "linked.json": "a link out of the folder checked, or to nothing: not followed"
    }
    assert code == 1


def test_standard_input_over_the_limit_is_refused_unread() -> None:
    result = CliRunner().invoke(
        cli, ["check", "-", "--format", "json"], input="[" + " " * (21 * 1024 * 1024)
    )
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["message"] == "larger than 20 MiB; inputs that large are refused"
    assert result.exit_code == 2
