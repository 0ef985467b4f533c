"""`check` on repositories shaped like real ones (tests/data/repos/*).

Each folder reproduces how public repositories write function-app infrastructure:
an azd Python template on Flex through Azure Verified Modules, a shared local module
whose caller decides kind and runtime, a quickstart-style ARM template with
`uniqueString` names, `if()`, config children, a slot, a nested and a linked
deployment, a language-version-2.0 template, AVM `configs` with a slot, a .NET Flex
app, a Node app on Windows, and conditional and looped sites. For each: the exact
apps found, how they were reached, their runtime and plan, the exact failures, and
the files skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.checks import REGISTRY
from azfn_profile.cli import cli
from tests.conftest import ROOT
from tests.repo_reports import check, mutant_changes_view, rel

REPOS = ROOT / "tests" / "data" / "repos"


def apps(report: dict[str, Any], repo: Path) -> list[tuple[Any, ...]]:
    return sorted(
        (
            rel(t["file"], repo),
            t["line"],
            t["resource"],
            tuple(
                rel(v.split(":")[0], repo) + ":" + v.split(":", 1)[1]
                for v in t.get("via", [])
            ),
            t["runtime"],
            t["plan_sku"],
        )
        for t in report["targets"]
        if t.get("kind") not in ("profile", "code")
    )


def failures(report: dict[str, Any], repo: Path) -> list[tuple[Any, ...]]:
    return sorted(
        (
            f["id"],
            f["location"]["resource"],
            rel(f["location"]["file"], repo),
            f["location"]["line"],
        )
        for f in report["findings"]
        if f["status"] == "fail"
    )


def skipped(report: dict[str, Any], repo: Path) -> list[str]:
    return sorted(rel(s["file"], repo) for s in report["skipped"])


def test_azd_python_flex_through_azure_verified_modules() -> None:
    repo = REPOS / "azd-python-flex"
    code, report = check(repo)
    assert apps(report, repo) == [
        (
            "infra/app/api.bicep",
            21,
            "site",
            ("infra/main.bicep:75 module api",),
            "python",
            "FC1",
        )
    ]
    (app,) = [t for t in report["targets"] if t.get("kind") not in ("profile", "code")]
    (code_target,) = [t for t in report["targets"] if t.get("kind") == "code"]
    # The app's code is read too (two sync functions: nothing to report).
    assert (rel(code_target["file"], repo), code_target["functions"]) == (
        "src/function_app.py",
        2,
    )
    assert rel(app["parameters"], repo) == "infra/main.parameters.json"
    assert rel(app["host_json"], repo) == "src/host.json"
    assert failures(report, repo) == [
        ("AZFN104", "site", "infra/app/api.bicep", 21),
        (
            "AZFN112",
            "site",
            "infra/app/api.bicep",
            21,
        ),  # workload from profiles/api.yaml
        ("AZFN301", "site", "src/host.json", 9),  # host.json joined through azure.yaml
    ]
    assert code == 1
    assert skipped(report, repo) == [
        "infra/abbreviations.json",
        "src/local.settings.json",
    ]
    assert sorted(n["what"].split(":")[0] for n in report["not_inspected"]) == [
        "insights",
        "logs",
    ]


def test_a_shared_local_module_is_judged_once_per_call() -> None:
    repo = REPOS / "local-module"
    code, report = check(repo)
    assert apps(report, repo) == [
        (
            "infra/core/host/functions.bicep",
            11,
            "functions",
            ("infra/main.bicep:21 module api",),
            "python",
            "EP2",
        ),
        (
            "infra/core/host/functions.bicep",
            11,
            "functions",
            ("infra/main.bicep:36 module legacy",),
            "python",
            "EP2",
        ),
    ]
    fails = [
        (f["id"], f["location"]["via"][0].rsplit(" ", 1)[-1], f["location"]["line"])
        for f in report["findings"]
        if f["status"] == "fail"
    ]
    assert sorted(fails) == [
        ("AZFN101", "legacy", 28),  # the caller's FUNCTIONS_WORKER_PROCESS_COUNT: '12'
        ("AZFN104", "legacy", 28),
        ("AZFN504", "legacy", 22),  # the caller's ftpsState
        ("AZFN507", "legacy", 28),
    ]
    assert code == 1
    for t in report["targets"]:
        assert rel(t["parameters"], repo) == "infra/main.bicepparam"


def test_the_key_from_a_secure_parameter_never_reaches_a_report() -> None:
    repo = REPOS / "local-module"
    secret = "c2VjcmV0LWtleS1mcm9tLXBhcmFtcw=="
    for fmt in ("text", "json", "sarif", "github", "junit"):
        result = CliRunner().invoke(cli, ["check", str(repo), "--format", fmt])
        assert secret not in result.stdout, fmt


def test_quickstart_arm_with_unique_names_conditions_children_and_nesting() -> None:
    repo = REPOS / "arm-quickstart"
    code, report = check(repo)
    assert apps(report, repo) == [
        ("azuredeploy.json", 48, "[parameters('appName')]", (), "python", "Y1"),
        (
            "azuredeploy.json",
            89,
            "[format('{0}/staging', parameters('appName'))]",
            (),
            "python",
            "Y1",
        ),
        (
            "azuredeploy.json",
            120,
            "[parameters('siteName')]",
            ("azuredeploy.json:104 deployment reports",),
            "python",
            "Y1",
        ),
    ]
    ids = {(f[0], f[3]) for f in failures(report, repo)}
    assert ids == {
        ("AZFN104", 66),  # no thread count in the union()-built settings
        ("AZFN110", 45),
        ("AZFN503", 62),  # scmMinTlsVersion from the sites/config web child
        ("AZFN507", 66),  # the listKeys() connection string
        ("AZFN104", 100),  # the slot
        ("AZFN501", 97),
        ("AZFN505", 95),
        ("AZFN508", 89),
        ("AZFN109", 120),  # the nested deployment's Python 3.9
        ("AZFN504", 129),
        ("AZFN505", 126),
        ("AZFN508", 120),
    }
    assert code == 1
    (linked,) = report["not_inspected"]
    assert linked["what"].startswith("linked template https://")
    # The parameter file made the site Linux (linux: true); without it, a Windows
    # plan: AZFN201 fails for each app.
    assert not any(f[0] == "AZFN201" for f in failures(report, repo))


def test_language_version_2_symbolic_resources_in_a_nested_deployment() -> None:
    repo = REPOS / "arm-symbolic"
    code, report = check(repo)
    assert apps(report, repo) == [
        (
            "main.json",
            43,
            "jobs-worker",
            ("main.json:20 deployment worker",),
            "python",
            "EP3",
        )
    ]
    assert [(f[0], f[3]) for f in failures(report, repo)] == [("AZFN105", 59)]
    assert code == 1


def test_avm_configs_and_a_slot_with_its_own_settings() -> None:
    repo = REPOS / "avm-configs"
    code, report = check(repo)
    assert apps(report, repo) == [
        ("infra/main.bicep", 31, "orders-func", (), "python", "P1v3"),
        ("infra/main.bicep", 31, "orders-func/staging", (), "python", "P1v3"),
    ]
    assert failures(report, repo) == [
        ("AZFN101", "orders-func/staging", "infra/main.bicep", 71),
        ("AZFN104", "orders-func/staging", "infra/main.bicep", 31),
        ("AZFN507", "orders-func", "infra/main.bicep", 31),  # key-based storage
    ]
    assert [n["what"] for n in report["not_inspected"]] == [
        "network: registry module br:contoso.azurecr.io/bicep/modules/network:1.2.0"
    ]
    assert code == 1


@pytest.mark.parametrize(
    ("repo", "runtime", "expected"),
    [
        ("dotnet-flex", "dotnet-isolated", {"AZFN505", "AZFN506"}),
        ("node-windows", "node", {"AZFN505", "AZFN508"}),
    ],
)
def test_no_python_check_on_other_runtimes(
    repo: str, runtime: str, expected: set[str]
) -> None:
    code, report = check(REPOS / repo)
    (app,) = report["targets"]
    assert app["runtime"] == runtime
    assert {f[0] for f in failures(report, REPOS / repo)} == expected
    python_only = {c.id for c in REGISTRY.values() if c.python_only}
    for f in report["findings"]:
        if f["id"] in python_only:
            assert f["status"] == "not-applicable", f
            assert f["reason"] == f"the app runs {runtime}, not Python"
    assert code == 0  # warnings only


def test_conditional_and_looped_sites_are_judged() -> None:
    repo = REPOS / "bicep-conditional"
    code, report = check(repo)
    assert [(t["resource"], t["conditional"]) for t in report["targets"]] == [
        ("func-good", False),
        ("func-legacy", True),  # deployed when deployLegacy: judged
        ("func-westeurope", False),
        ("func-northeurope", False),
    ]  # `if (false)` is never deployed: not judged
    assert failures(report, repo) == [
        ("AZFN501", "func-legacy", "main.bicep", 51),
        ("AZFN502", "func-northeurope", "main.bicep", 73),
        ("AZFN505", "func-legacy", "main.bicep", 49),
        ("AZFN505", "func-northeurope", "main.bicep", 68),
        ("AZFN505", "func-westeurope", "main.bicep", 68),
    ]
    assert [(n["line"], n["what"], n["reason"]) for n in report["not_inspected"]] == [
        (
            83,
            "disabled: Microsoft.Web/sites func-never",
            "not deployed: condition is false",
        )
    ]
    assert code == 1


def test_every_repository_exits_0_or_1_and_python_checks_only_judge_python() -> None:
    python_only = {c.id for c in REGISTRY.values() if c.python_only}
    for repo in sorted(REPOS.iterdir()):
        result = CliRunner().invoke(cli, ["check", str(repo), "--format", "json"])
        assert result.exit_code in (0, 1), (repo.name, result.output)
        report = json.loads(result.stdout)
        runtimes = {t["resource"]: t["runtime"] for t in report["targets"]}
        for f in report["findings"]:
            if f["id"] in python_only and f["status"] in ("fail", "pass"):
                assert runtimes.get(f["location"]["resource"]) == "python", (
                    repo.name,
                    f,
                )


def test_rendered_output_directory_checks_clean(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    examples = ROOT / "examples"
    for profile in sorted(examples.glob("*.yaml")):
        target = out / profile.stem
        result = CliRunner().invoke(
            cli, ["render", str(profile), "--format", "all", "-o", str(target)]
        )
        assert result.exit_code == 0, result.output
    code, report = check(out)
    assert code in (0, 1)
    assert len(report["targets"]) == 3 * len(
        list(examples.glob("*.yaml"))
    )  # ARM + Bicep + Terraform
    assert not [
        f
        for f in report["findings"]
        if f["status"] == "fail" and f["severity"] == "error"
    ]


MUTANTS = {
    # The site no longer finds its plan: plan SKUs go unknown.
    "plan join": ("azfn_profile.sources.join.ref_key", lambda ref: ("none", ())),
    # sites/config and publishing-policy children no longer join their site.
    "child join": ("azfn_profile.sources.join._children", lambda *a: []),
    # Names compared as written, not as values: uniqueString names stop joining.
    "identity": (
        "azfn_profile.sources.join.identity",
        lambda k, s: (k, tuple(map(repr, s))),
    ),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
@pytest.mark.parametrize("repo", ["arm-quickstart", "local-module", "azd-python-flex"])
def test_breaking_a_join_changes_what_these_tests_see(
    mutant: str, repo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixtures pin the joins: each broken join changes the apps or findings."""
    assert mutant_changes_view(
        REPOS / repo,
        MUTANTS[mutant],
        lambda report, path: (apps(report, path), failures(report, path)),
        monkeypatch,
    )


def _hook_and_workflow_commands() -> list[list[str]]:
    """The commands the pre-commit hook and the example workflow run."""
    import shlex

    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    commands = [[*shlex.split(hook["entry"]), *hook.get("args", [])]]
    workflow = yaml.safe_load(
        (ROOT / "docs" / "examples" / "github-actions.yml").read_text()
    )
    for step in workflow["jobs"]["check"]["steps"]:
        run = step.get("run", "")
        if run.startswith("azfn-profile check"):
            commands.append(shlex.split(run))
    return commands


def test_hook_and_workflow_pass_a_clean_repository_and_fail_a_seeded_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(REPOS / "azd-python-flex", repo)
    host = repo / "src" / "host.json"
    host.write_text(host.read_text().replace('"batchSize": 64', '"batchSize": 16'))
    monkeypatch.chdir(repo)
    commands = _hook_and_workflow_commands()
    assert len(commands) == 2  # the hook; the workflow's one run
    for command in commands:
        assert command[0] == "azfn-profile"
        result = CliRunner().invoke(cli, command[1:])
        assert result.exit_code == 0, (command, result.output)
    api = repo / "infra" / "app" / "api.bicep"
    api.write_text(
        api.read_text().replace(
            "    siteConfig: {\n", "    httpsOnly: false\n    siteConfig: {\n"
        )
    )
    for command in commands:
        result = CliRunner().invoke(cli, command[1:])
        assert result.exit_code == 1, (command, result.output)
    github = CliRunner().invoke(cli, commands[1][1:]).stdout
    assert "::error file=infra/app/api.bicep,line=" in github
    assert "title=AZFN501 security.https-only::httpsOnly is off" in github
    sarif = json.loads((repo / "azfn-profile.sarif").read_text())
    assert any(r["ruleId"] == "AZFN501" for r in sarif["runs"][0]["results"])
