"""Files written by strangers: `check` never crashes, hangs, exhausts memory or
follows a path it should not. Each case here crashed (exit 3), hung or misbehaved
before the readers got one input boundary and budgets."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from tests.conftest import ROOT

SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
)
SITE: dict[str, Any] = {
    "type": "Microsoft.Web/sites",
    "apiVersion": "2022-03-01",
    "name": "app",
    "kind": "functionapp,linux",
    "properties": {"httpsOnly": True},
}


def template(**parts: Any) -> str:
    return json.dumps({"$schema": SCHEMA, "contentVersion": "1.0.0.0", **parts})


def check(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json", *args])
    assert result.exit_code != 3, result.output
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}


def site(**changes: Any) -> dict[str, Any]:
    return {**SITE, **changes}


WRONG_SHAPES = {
    "tags as an expression": template(
        parameters={"tags": {"type": "object"}},
        resources=[site(tags="[parameters('tags')]")],
    ),
    "siteConfig as a string": template(
        resources=[site(properties={"siteConfig": "x", "httpsOnly": True})]
    ),
    "siteConfig as a list": template(
        resources=[site(properties={"siteConfig": [1], "httpsOnly": True})]
    ),
    "appSettings built with union": template(
        resources=[
            site(
                properties={
                    "siteConfig": {
                        "appSettings": "[union(createArray(), createArray())]"
                    }
                }
            )
        ]
    ),
    "identity as a list": template(resources=[site(identity=["x"])]),
    "properties as an expression": template(
        resources=[site(properties="[parameters('p')]")]
    ),
    "parameters and variables not objects": template(
        parameters=[1, 2], variables="x", resources=[SITE]
    ),
    "plan sku as a string": template(
        resources=[
            {"type": "Microsoft.Web/serverfarms", "name": "p", "sku": "EP1"},
            site(
                properties={
                    "serverFarmId": "[resourceId('Microsoft.Web/serverfarms', 'p')]"
                }
            ),
        ]
    ),
    "a 5,000-digit number": template(resources=[SITE]).replace(
        '"httpsOnly": true', '"httpsOnly": ' + "9" * 5000
    ),
    "a key of 3,000 characters": template(
        resources=[site(properties={"x" * 3000: 1, "httpsOnly": True})]
    ),
    "lone surrogates": template(resources=[SITE]).replace(
        '"name": "app"', '"name": "a\\ud800", "x": "\\udc00"'
    ),
    "preview with inputs as a list": json.dumps(
        {
            "steps": [
                {
                    "op": "create",
                    "newState": {
                        "type": "azure-native:web:WebApp",
                        "urn": "u",
                        "inputs": [1, 2],
                        "dependencies": 3,
                    },
                },
                5,
                {"newState": "x"},
            ]
        }
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_SHAPES))
def test_wrong_types_never_crash(case: str, tmp_path: Path) -> None:
    path = tmp_path / "azuredeploy.json"
    path.write_text(WRONG_SHAPES[case])
    code, _ = check(path)
    assert code in (0, 1)


def test_computed_tags_leave_workload_checks_not_applicable(tmp_path: Path) -> None:
    path = tmp_path / "main.bicep"
    path.write_text(
        "param tags object\n"
        "resource s 'Microsoft.Web/sites@2022-03-01' = {\n"
        "  name: 'x'\n  kind: 'functionapp,linux'\n  tags: tags\n"
        "  properties: {\n    siteConfig: {\n      linuxFxVersion: 'Python|3.12'\n"
        "    }\n  }\n}\n"
    )
    _, report = check(path)
    outcome = {f["id"]: (f["status"], f["reason"]) for f in report["findings"]}
    reason = (
        "no declared workload: a profile that names this app (site: <site name or "
        "Bicep symbol>), azfn-profile:* tags, or the app's code beside its template"
    )
    assert outcome["AZFN105"] == ("not-applicable", reason)


@pytest.mark.parametrize(
    ("value", "status"),
    [("²", "fail"), ("１１", "fail"), ("11", "fail"), ("4", "pass")],
)
def test_counts_are_ascii_digits_only(value: str, status: str, tmp_path: Path) -> None:
    """The host reads ASCII digits: '１１' is not 11 and '²' is not a number."""
    settings = [
        {"name": "FUNCTIONS_WORKER_RUNTIME", "value": "python"},
        {"name": "FUNCTIONS_WORKER_PROCESS_COUNT", "value": value},
    ]
    path = tmp_path / "t.json"
    path.write_text(
        template(resources=[site(properties={"siteConfig": {"appSettings": settings}})])
    )
    _, report = check(path)
    (outcome,) = [f for f in report["findings"] if f["id"] == "AZFN101"] or [
        {"status": "pass"}
    ]
    assert outcome["status"] == status


def test_nesting_deeper_than_the_bound_is_a_located_finding(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    code, report = check(path)
    (finding,) = report["findings"]
    assert code == 1 and finding["id"] == "AZFN000"
    assert finding["message"] == (
        "invalid JSON: nesting deeper than 256 levels; refusing to read it"
    )
    assert (finding["location"]["line"], finding["location"]["col"]) == (1, 257)


def test_doubling_variables_hit_the_budget_not_the_memory(tmp_path: Path) -> None:
    variables = {"b0": "[createArray(1)]"} | {
        f"b{i}": f"[concat(variables('b{i - 1}'), variables('b{i - 1}'))]"
        for i in range(1, 31)
    }
    path = tmp_path / "t.json"
    path.write_text(
        template(
            variables=variables,
            resources=[site(name="[string(length(variables('b30')))]")],
        )
    )
    started = time.perf_counter()
    code, report = check(path)
    assert time.perf_counter() - started < 30  # a budget, not a hang (2 GB before)
    (finding,) = report["findings"]
    assert code == 1 and finding["message"].startswith("too large to evaluate: ")


def test_a_bicep_variable_made_of_itself_is_not_a_hang(tmp_path: Path) -> None:
    path = tmp_path / "main.bicep"
    path.write_text(
        "var a = [a, a, a, a, a, a, a, a, a, a]\n"
        "resource s 'Microsoft.Web/sites@2022-03-01' = {\n"
        "  name: string(a)\n  kind: 'functionapp,linux'\n}\n"
    )
    started = time.perf_counter()
    code, report = check(path)
    assert time.perf_counter() - started < 30
    assert code in (0, 1) and len(report["targets"]) == 1


def test_huge_copy_loops_are_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(template(resources=[site(copy={"name": "c", "count": 100_000})]))
    _, report = check(path)
    (finding,) = report["findings"]
    assert "copy loop 'c' of 100000 instances (ARM allows 800)" in finding["message"]


def test_long_tag_values_and_expressions_stay_linear(tmp_path: Path) -> None:
    """2 MB of pathological text in a suppress tag and an expression: was 18 s."""
    tags = {"azfn-profile:suppress": "AZFN104:" + " " * 2_000_000 + "x"}
    expression = "[concat(" + "'a'," * 200_000 + "'b')]"
    path = tmp_path / "t.json"
    path.write_text(template(resources=[site(tags=tags, name=expression)]))
    started = time.perf_counter()
    check(path)
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/proc/self/environ"])
def test_special_files_are_refused_by_what_they_are(
    special: str, tmp_path: Path
) -> None:
    if special == "fifo":
        path = tmp_path / "pipe.json"
        os.mkfifo(path)
    else:
        path = tmp_path / "link.json"
        path.symlink_to(special)
    started = time.perf_counter()
    code, report = check(path)
    assert time.perf_counter() - started < 10  # never blocks, never reads forever
    (finding,) = report["findings"]
    assert code == 2  # named explicitly, and unreadable
    assert finding["message"] in (
        "not a regular file (a device, FIFO or socket)",
        "a /proc or /sys file, not a source file",
    )


def test_an_unreadable_file_in_a_folder_is_a_finding_not_the_end(
    tmp_path: Path,
) -> None:
    os.mkfifo(tmp_path / "a.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "missing.json")
    (tmp_path / "c.json").write_text(template(resources=[SITE]))
    code, report = check(tmp_path)
    unreadable = sorted(
        f["location"]["file"].rsplit("/", 1)[-1]
        for f in report["findings"]
        if f["id"] == "AZFN000"
    )
    assert unreadable == ["a.json", "b.json"]
    assert len(report["targets"]) == 1 and code == 1


def test_links_out_of_a_scanned_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text(template(resources=[SITE]))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "linked.json").symlink_to(outside / "secret.json")
    (repo / "inside").symlink_to(outside)
    result = CliRunner().invoke(cli, ["check", str(repo)])
    assert result.exit_code == 2 and "nothing to check" in result.output
    _, report = check(repo / "linked.json")  # named explicitly: followed
    assert len(report["targets"]) == 1


def test_a_module_outside_the_checked_tree_is_not_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "evil.bicep").write_text("param x string\n")
    (repo / "main.bicep").write_text(
        "module m '../evil.bicep' = {\n  name: 'm'\n}\n"
        "var text = loadTextContent('../../etc/hostname')\n"
    )
    _, report = check(repo)
    (note,) = report["not_inspected"]
    assert note["what"] == "m: module ../evil.bicep"
    assert note["reason"] == "outside the checked tree"


@pytest.mark.parametrize("suffix", ["json", "bicep"])
def test_byte_order_marks_are_accepted(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"main.{suffix}"
    body = (
        template(resources=[site(properties={"httpsOnly": False})])
        if suffix == "json"
        else "resource s 'Microsoft.Web/sites@2022-03-01' = {\n  name: 'x'\n"
        "  kind: 'functionapp,linux'\n  properties: {\n    httpsOnly: false\n  }\n}\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    _, report = check(path)
    assert "AZFN501" in [f["id"] for f in report["findings"] if f["status"] == "fail"]


def test_a_secure_parameter_default_is_redacted_everywhere(tmp_path: Path) -> None:
    secret = "sup3r-s3cret-value"
    settings = [
        {"name": "FUNCTIONS_WORKER_RUNTIME", "value": "python"},
        {"name": "FUNCTIONS_WORKER_PROCESS_COUNT", "value": "[parameters('count')]"},
        {
            "name": "CONN",
            "value": "Server=db;Password=hunter2;AccountKey=abc123==",
        },
    ]
    path = tmp_path / "t.json"
    path.write_text(
        template(
            parameters={"count": {"type": "securestring", "defaultValue": secret}},
            resources=[site(properties={"siteConfig": {"appSettings": settings}})],
        )
    )
    for fmt in ("text", "json", "sarif", "github", "junit"):
        out = CliRunner().invoke(cli, ["check", str(path), "--format", fmt]).stdout
        assert "AZFN101" in out or fmt != "text"
        assert secret not in out and "hunter2" not in out and "abc123" not in out, fmt


AZD_SECURE_SETTINGS = """\
@secure()
param appSettings object = {
  FUNCTIONS_WORKER_RUNTIME: 'python'
  FUNCTIONS_EXTENSION_VERSION: '~4'
  PYTHON_THREADPOOL_THREAD_COUNT: 'many'
  ApiKey: 'k3y-Secret-Value-0042-python'
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'plan-python-api'
  location: 'westeurope'
  sku: { name: 'EP1', tier: 'ElasticPremium' }
  kind: 'elastic'
  properties: { reserved: true }
}

resource api 'Microsoft.Web/sites@2023-12-01' = {
  name: 'func-python-api'
  location: 'westeurope'
  kind: 'functionapp,linux'
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Python|3.11'
      appSettings: [for item in items(appSettings): { name: item.key, value: item.value }]
    }
  }
}
"""


def test_a_secure_object_of_ordinary_words_corrupts_no_path_id_or_runtime(
    tmp_path: Path,
) -> None:
    """azd templates pass every app setting in one @secure() object: its values are
    secrets where printed as values, but "python" is also the runtime, a word of
    the folder's name and of the resources' names."""
    folder = tmp_path / "python-api" / "infra"
    folder.mkdir(parents=True)
    path = folder / "main.bicep"
    path.write_text(AZD_SECURE_SETTINGS)
    _, report = check(path)
    (app,) = report["targets"]
    assert (app["runtime"], app["resource"], app["file"]) == (
        "python",
        "func-python-api",
        str(path),
    )
    # judged as a Python app: the Python-only checks ran and one failed
    (bad,) = [f for f in report["findings"] if f["id"] == "AZFN103"]
    assert bad["status"] == "fail" and bad["location"]["file"] == str(path)
    assert "'many'" not in bad["message"] and "***" in bad["message"]
    for fmt in ("text", "json", "sarif", "github", "junit"):
        out = CliRunner().invoke(cli, ["check", str(path), "--format", fmt]).stdout
        assert "k3y-Secret-Value-0042-python" not in out, fmt
        assert "python-api" in out or fmt in ("junit",), fmt
        assert "***-api" not in out, fmt


def test_a_baseline_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_bytes(b"\xff\xfe{not json")
    handwritten = ROOT / "tests" / "data" / "arm" / "handwritten-bad.json"
    result = CliRunner().invoke(
        cli, ["check", str(handwritten), "--baseline", str(baseline)]
    )
    assert result.exit_code == 2
    assert "not an azfn-profile baseline" in result.stderr


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_disk_is_a_clean_error_and_leaves_nothing(
    error: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel's answer is simulated (no tmpfs can be mounted here): the write
    fails as os.write/os.open would fail on a full or read-only file system."""
    real_open = os.open

    def failing_open(path: Any, flags: int, mode: int = 0o777) -> int:
        if str(path).startswith(str(tmp_path)) and flags & os.O_CREAT:
            raise OSError(error, os.strerror(error), str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", failing_open)
    target = tmp_path / "out" / "settings.json"
    result = CliRunner().invoke(
        cli,
        ["render", str(ROOT / "examples" / "orders-api.yaml"), "-o", str(target)],
    )
    assert result.exit_code == 2
    assert os.strerror(error) in result.stderr
    assert not target.exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == []


@pytest.mark.parametrize(
    "command",
    [
        ["render", "{example}", "-o", "{out}/settings.json"],
        ["render", "{example}", "--format", "all", "-o", "{out}/bundle"],
        ["check", "{example}", "--format", "sarif", "-o", "{out}/report.sarif"],
        ["check", "{example}", "--write-baseline", "{out}/baseline.json"],
        ["init", "{app}", "-o", "{out}/profile.yaml"],
    ],
    ids=["render", "render-all", "check", "write-baseline", "init"],
)
def test_every_output_into_a_read_only_folder_is_exit_2(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command that writes refuses a folder it may not write into with a
    located message and exit 2 (the tests run as root, so permission is simulated:
    every creation of a file or folder in it fails as on a read-only mount)."""
    out = tmp_path / "locked"
    out.mkdir()
    real_open, real_mkdir = os.open, os.mkdir

    def no_open(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        if str(path).startswith(str(out)) and flags & (os.O_CREAT | os.O_WRONLY):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, mode, **kw)

    def no_mkdir(path: Any, mode: int = 0o777, **kw: Any) -> None:
        if str(path).startswith(str(out)):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        real_mkdir(path, mode, **kw)

    monkeypatch.setattr(os, "open", no_open)
    monkeypatch.setattr(os, "mkdir", no_mkdir)
    args = [
        a.format(
            example=ROOT / "examples" / "orders-api.yaml",
            app=ROOT / "examples" / "apps" / "io_async",
            out=out,
        )
        for a in command
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert os.strerror(errno.EACCES) in result.stderr
    assert "internal error" not in result.stderr
    assert list(out.iterdir()) == []
