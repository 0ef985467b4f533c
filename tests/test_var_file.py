"""`check --var-file FILE`: Terraform roots read with the files named, after their
automatic variables files, later files winning (as `terraform plan -var-file`),
instead of once per variables file found. Fixture: tests/data/repos/tf-tfvars
(terraform.tfvars, env/dev.tfvars and env/prod.tfvars beside one root)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.sources.scan import scan
from tests.conftest import ROOT, TODAY
from tests.repo_reports import check, rel

REPO = ROOT / "tests" / "data" / "repos" / "tf-tfvars"
INFRA = REPO / "infra"
DEV, PROD = INFRA / "env" / "dev.tfvars", INFRA / "env" / "prod.tfvars"
APP = "azurerm_linux_function_app.this"
NOT_APPLIED = "not applied: --var-file names the variables files to apply"


def readings(*var_files: Path) -> list[tuple[str, str, str | None, str]]:
    """Each app read: plan SKU, worker processes, environment tag, runtime."""
    found = scan([REPO], TODAY, var_files=var_files)
    assert not found.findings and not found.fatal
    out = []
    for t in found.targets:
        spec = t.target.spec
        out.append(
            (
                spec.plan.sku,
                spec.app_settings["FUNCTIONS_WORKER_PROCESS_COUNT"],
                spec.tags.get("environment"),
                spec.python,
            )
        )
    return out


def test_without_var_file_each_tfvars_is_one_reading() -> None:
    assert readings() == [("B1", "1", "dev", "3.9"), ("EP2", "2", "prod", "3.9")]


def test_one_var_file_is_the_one_reading() -> None:
    # terraform.tfvars (python 3.9) first, then prod.tfvars.
    assert readings(PROD) == [("EP2", "2", "prod", "3.9")]
    code, report = check(REPO, "--var-file", str(PROD))
    assert code == 1
    assert [(t["resource"], t["plan_sku"]) for t in report["targets"]] == [(APP, "EP2")]
    (target,) = report["targets"]
    assert [rel(p, REPO) for p in target["parameters"].split(", ")] == [
        "infra/terraform.tfvars",
        "infra/env/prod.tfvars",
    ]
    assert [(rel(s["file"], REPO), s["reason"]) for s in report["skipped"]] == [
        ("infra/env/dev.tfvars", NOT_APPLIED)
    ]
    assert sorted(
        {
            (f["id"], f["location"]["line"])
            for f in report["findings"]
            if f["status"] == "fail"
        }
    ) == [("AZFN109", 34)]


def test_later_var_files_win() -> None:
    # dev.tfvars sets plan_sku and tags, not worker_processes: prod's 2 stays.
    assert readings(PROD, DEV) == [("B1", "2", "dev", "3.9")]
    assert readings(DEV, PROD) == [("EP2", "2", "prod", "3.9")]


def test_var_file_outside_the_tree_and_in_json(tmp_path: Path) -> None:
    override = tmp_path / "override.tfvars.json"
    override.write_text(json.dumps({"python_version": "3.12", "plan_sku": "EP1"}))
    assert readings(PROD, override) == [("EP1", "2", "prod", "3.12")]
    code, report = check(REPO, "--var-file", str(PROD), "--var-file", str(override))
    assert code == 0  # python 3.12 on EP1: nothing fails
    (target,) = report["targets"]
    assert target["parameters"].endswith(f"prod.tfvars, {override}")


def test_var_file_that_does_not_parse_is_azfn000_at_that_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tfvars"
    broken.write_text('plan_sku = "EP1"\npython_version = \n')
    result = CliRunner().invoke(
        cli, ["check", str(REPO), "--var-file", str(broken), "--format", "json"]
    )
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    report: dict[str, Any] = json.loads(result.stdout)
    (problem,) = [f for f in report["findings"] if f["id"] == "AZFN000"]
    assert problem["location"]["file"] == str(broken)
    assert problem["location"]["line"] == 2
    assert "invalid Terraform variables" in problem["message"]


def test_missing_var_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.tfvars"
    result = CliRunner().invoke(cli, ["check", str(REPO), "--var-file", str(missing)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "'--var-file'" in result.output and "does not exist" in result.output
    folder = CliRunner().invoke(cli, ["check", str(REPO), "--var-file", str(tmp_path)])
    assert folder.exit_code == 2 and "is a directory" in folder.output


def test_var_file_with_no_terraform_is_listed_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "profile.yaml").write_text(
        (ROOT / "examples" / "catalog-api.yaml").read_text()
    )
    override = tmp_path / "x.tfvars"
    override.write_text('a = "b"\n')
    result = CliRunner().invoke(
        cli,
        ["check", str(tmp_path / "profile.yaml"), "--var-file", str(override)],
    )
    assert result.exit_code in (0, 1), result.output
    assert (
        f"{override}: not checked: --var-file: no Terraform configuration checked here"
        in result.output
    )


def test_help_documents_var_file() -> None:
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert "--var-file FILE" in result.output and "later files win" in result.output
