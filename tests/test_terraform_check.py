"""`check` on Terraform: repositories shaped like real ones (tests/data/repos/tf-*),
what `render` writes read back, hostile and mutated input.

Each fixture pins the apps found (file, line, address, module calls, runtime, plan
SKU), the exact failures with their locations, what was skipped and what was not
inspected, and that every `.tf`, `.tf.json` and `.tfvars` file is accounted for.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.engine import resolve_file
from azfn_profile.sources.scan import scan
from tests.conftest import EXAMPLES, ROOT, TODAY
from tests.fuzzing import mutate_text, run_check
from tests.repo_reports import check, mutant_changes_view, rel

REPOS = ROOT / "tests" / "data" / "repos"
TF_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
NO_APP = "no function app (azurerm_*function_app*) in this Terraform configuration"
NO_APP_READ = (
    "no function app (azurerm_*function_app*) in what was read of this Terraform "
    "configuration; its registry or remote modules were not inspected"
)


def apps(report: dict[str, Any], repo: Path) -> list[tuple[Any, ...]]:
    return sorted(
        (
            rel(t["file"], repo),
            t["line"],
            t["resource"],
            tuple(rel(v, repo) for v in t["via"]),
            t["runtime"],
            t["plan_sku"],
            t["conditional"],
        )
        for t in report["targets"]
    )


def failures(report: dict[str, Any], repo: Path) -> list[tuple[Any, ...]]:
    return sorted(
        (
            f["id"],
            f["location"]["resource"],
            rel(f["location"]["file"], repo),
            f["location"]["line"],
            f["location"]["col"],
        )
        for f in report["findings"]
        if f["status"] == "fail"
    )


def view(report: dict[str, Any], repo: Path) -> tuple[Any, ...]:
    """What the fixture tests compare: the apps and the failures."""
    return apps(report, repo), failures(report, repo)


def skipped(report: dict[str, Any], repo: Path) -> list[tuple[str, str]]:
    return sorted((rel(s["file"], repo), s["reason"]) for s in report["skipped"])


def not_inspected(report: dict[str, Any], repo: Path) -> list[tuple[Any, ...]]:
    return [
        (rel(n["file"], repo), n["line"], n["what"]) for n in report["not_inspected"]
    ]


def assert_every_file_accounted_for(report: dict[str, Any], repo: Path) -> None:
    """Each Terraform file is judged (in a root or module folder an app was read
    from, or a variables file applied), or skipped with a reason; none is dropped
    silently, and none is both."""
    found = {
        str(p.relative_to(repo))
        for p in repo.rglob("*")
        if p.is_file()
        and p.name.endswith(TF_SUFFIXES)
        and not any(part.startswith(".") for part in p.relative_to(repo).parts)
    }
    skip = {f for f, _ in skipped(report, repo)}
    folders, applied = set(), set()
    for t in report["targets"]:
        for file in [t["file"], *(v.split(":")[0] for v in t["via"])]:
            folders.add(str(Path(rel(file, repo)).parent))
        applied |= {rel(p, repo) for p in (t["parameters"] or "").split(", ") if p}
    judged = {f for f in found if str(Path(f).parent) in folders and ".tfvars" not in f}
    assert found == skip | judged | applied, found - (skip | judged | applied)
    assert not skip & (judged | applied)


def test_a_root_with_a_python_app_on_elastic_premium() -> None:
    repo = REPOS / "tf-simple"
    code, report = check(repo)
    assert apps(report, repo) == [
        (
            "infra/main.tf",
            25,
            "azurerm_linux_function_app.api",
            (),
            "python",
            "EP1",
            False,
        ),
        (
            "infra/main.tf",
            67,
            "azurerm_linux_function_app_slot.staging",
            (),
            "python",
            "EP1",  # the slot runs on its site's plan
            False,
        ),
    ]
    assert failures(report, repo) == [
        # FUNCTIONS_WORKER_PROCESS_COUNT = "12", at the setting itself
        ("AZFN101", "azurerm_linux_function_app.api", "infra/main.tf", 54, 5),
        ("AZFN504", "azurerm_linux_function_app_slot.staging", "infra/main.tf", 81, 5),
        # the slot leaves basic-auth publishing at the provider's default (on)
        ("AZFN505", "azurerm_linux_function_app_slot.staging", "infra/main.tf", 67, 1),
    ]
    assert code == 1
    # The storage account of storage.tf.json joined: no public blob access (a pass,
    # which the report does not list; not applicable would be).
    listed = {(f["id"], f["location"]["resource"]) for f in report["findings"]}
    assert ("AZFN506", "azurerm_linux_function_app.api") not in listed
    assert report["summary"]["files"] == 4 and not report["skipped"]
    (app, _) = report["targets"]
    assert app["unknown"] == [] and app["kind"] == "functionapp,linux"
    assert_every_file_accounted_for(report, repo)


def test_flex_consumption() -> None:
    repo = REPOS / "tf-flex"
    code, report = check(repo)
    assert apps(report, repo) == [
        (
            "infra/main.tf",
            42,
            "azurerm_function_app_flex_consumption.this",
            (),
            "python",
            "FC1",
            False,
        )
    ]
    assert failures(report, repo) == [
        # I/O-bound (its azfn-profile tags) without a thread count or HTTP concurrency
        (
            "AZFN104",
            "azurerm_function_app_flex_consumption.this",
            "infra/main.tf",
            73,
            3,
        ),
        (
            "AZFN112",
            "azurerm_function_app_flex_consumption.this",
            "infra/main.tf",
            52,
            3,
        ),
        # allow_nested_items_to_be_public is left at the provider's default (true)
        (
            "AZFN506",
            "azurerm_function_app_flex_consumption.this",
            "infra/main.tf",
            20,
            1,
        ),
    ]
    assert code == 0  # warnings only
    statuses = {f["id"]: f["status"] for f in report["findings"]}
    assert statuses["AZFN504"] == "not-applicable"  # no FTP on Flex
    assert_every_file_accounted_for(report, repo)


def test_dev_and_prod_roots_call_one_local_module() -> None:
    repo = REPOS / "tf-envs"
    code, report = check(repo)
    app = "modules/function-app/main.tf"
    assert apps(report, repo) == [
        (
            app,
            26,
            "azurerm_linux_function_app.app",
            ("dev/main.tf:6 module invoices",),
            "python",
            "Y1",
            False,
        ),
        (
            app,
            26,
            "azurerm_linux_function_app.app",
            ("prod/main.tf:6 module invoices",),
            "python",
            "EP2",
            False,
        ),
    ]
    fails = sorted(
        (f["id"], f["location"]["via"][0].split(" ")[0], f["location"]["line"])
        for f in report["findings"]
        if f["status"] == "fail"
    )
    root = str(repo)
    assert fails == [
        ("AZFN106", f"{root}/prod/main.tf:6", 50),  # 16 threads on 2 cores, CPU-bound
        ("AZFN110", f"{root}/dev/main.tf:6", 22),  # Y1 from the dev call's sku_name
        ("AZFN504", f"{root}/prod/main.tf:6", 43),  # ftps_state from the prod call
    ]
    assert code == 0
    assert not report["skipped"]  # the module's files are judged through each call
    assert_every_file_accounted_for(report, repo)


def test_a_module_choosing_linux_windows_or_flex_by_count() -> None:
    repo = REPOS / "tf-variants"
    code, report = check(repo)
    app = "modules/function-app/main.tf"
    assert apps(report, repo) == [
        (
            app,
            15,
            "azurerm_linux_function_app.this[0]",
            ("main.tf:32 module orders",),
            "python",
            "P1v3",
            False,
        ),
        # for_each over a variable with no value: one app standing for all, conditional
        (
            app,
            15,
            "azurerm_linux_function_app.this[0]",
            ("main.tf:67 module reports[*]",),
            "python",
            "EP1",
            True,
        ),
        (
            app,
            42,
            "azurerm_windows_function_app.this[0]",
            ("main.tf:45 module billing",),
            "dotnet-isolated",
            "EP1",
            False,
        ),
        (
            app,
            67,
            "azurerm_function_app_flex_consumption.this[0]",
            ("main.tf:54 module events",),
            "python",
            "FC1",
            False,
        ),
    ]
    assert failures(report, repo) == [
        (
            "AZFN202",
            "azurerm_linux_function_app.this[0]",
            app,
            33,
            3,
        ),  # P1v3, alwaysOn off
        ("AZFN505", "azurerm_windows_function_app.this[0]", app, 42, 1),
    ]
    for f in report["findings"]:  # .NET on Windows: no Python check judges it
        if f["location"]["via"] == [f"{repo}/main.tf:45 module billing"] and f[
            "id"
        ] in (
            "AZFN201",
            "AZFN109",
            "AZFN104",
        ):
            assert f["status"] == "not-applicable", f
    reports = [t for t in report["targets"] if t["conditional"]]
    assert [t["unknown"] for t in reports] == [[]]
    assert code == 0
    assert_every_file_accounted_for(report, repo)


def test_tfvars_override_defaults_and_each_var_file_is_a_reading() -> None:
    repo = REPOS / "tf-tfvars"
    code, report = check(repo)
    assert apps(report, repo) == [
        (
            "infra/main.tf",
            34,
            "azurerm_linux_function_app.this",
            (),
            "python",
            "B1",
            False,
        ),
        (
            "infra/main.tf",
            34,
            "azurerm_linux_function_app.this",
            (),
            "python",
            "EP2",
            False,
        ),
    ]
    assert [
        tuple(rel(p, repo) for p in t["parameters"].split(", "))
        for t in report["targets"]
    ] == [
        ("infra/terraform.tfvars", "infra/env/dev.tfvars"),
        ("infra/terraform.tfvars", "infra/env/prod.tfvars"),
    ]
    by_plan = {
        t["plan_sku"]: {
            f["id"]
            for f in report["findings"]
            if f["status"] == "fail" and f["location"]["resource"] == t["resource"]
        }
        for t in report["targets"]
    }
    # python_version "3.9" from terraform.tfvars, over the default "3.12", in both;
    # B1 from env/dev.tfvars is dedicated, and always_on stays false there.
    assert sorted(set(failures(report, repo))) == [
        ("AZFN109", "azurerm_linux_function_app.this", "infra/main.tf", 34, 1),
        ("AZFN202", "azurerm_linux_function_app.this", "infra/main.tf", 51, 5),
    ]
    assert "AZFN109" in by_plan["B1"] and "AZFN109" in by_plan["EP2"]
    statuses = _statuses_per_reading(repo)
    assert statuses["env/dev.tfvars"]["AZFN202"] == "fail"
    assert statuses["env/prod.tfvars"]["AZFN202"] == "pass"
    assert code == 1
    assert_every_file_accounted_for(report, repo)


def _statuses_per_reading(repo: Path) -> dict[str, dict[str, str]]:
    """Each check's status per variables file, from the scan itself."""
    from azfn_profile.checking import run_checks

    found = scan([repo], TODAY)
    out: dict[str, dict[str, str]] = {}
    for target in found.targets:
        label = (target.info.parameters or "").split(", ")[-1]
        key = str(Path(label).relative_to(repo / "infra"))
        out[key] = {r.check_id: r.status for r in run_checks([target], TODAY)}
    return out


def test_registry_modules_are_listed_and_fetched_ones_are_read() -> None:
    repo = REPOS / "tf-registry"
    code, report = check(repo)
    # The web-site AVM (0.17.2) is mapped from its inputs; the git module is listed.
    assert not_inspected(report, repo) == [
        (
            "infra/main.tf",
            39,
            (
                "network: module git::https://github.com/contoso-platform/"
                "terraform-azurerm-network.git?ref=v2.3.0"
            ),
        ),
    ]
    assert skipped(report, repo) == []
    # .terraform/modules/modules.json maps the other root's registry module to the
    # folder `terraform init` fetched: that module is read.
    assert apps(report, repo) == [
        (
            "fetched/.terraform/modules/api/main.tf",
            17,
            "azurerm_linux_function_app.this",
            ("fetched/main.tf:2 module api",),
            "python",
            "S1",
            False,
        ),
        (
            "infra/main.tf",
            20,
            "azurerm_linux_function_app.this[0]",
            ("infra/main.tf:20 module catalog_api",),
            "python",
            None,  # the call names no service_plan_resource_id
            False,
        ),
    ]
    fetched = "azurerm_linux_function_app.this"
    avm = "azurerm_linux_function_app.this[0]"
    assert [(f[0], f[1]) for f in failures(report, repo)] == [
        ("AZFN104", fetched),
        ("AZFN104", avm),
        ("AZFN501", avm),  # https_only defaults to false
        ("AZFN505", fetched),
        ("AZFN505", avm),  # ftps_state "FtpsOnly" keeps basic auth on
        ("AZFN508", fetched),
        ("AZFN508", avm),
    ]
    assert code == 1
    assert_every_file_accounted_for(report, repo)


def test_the_deprecated_function_app_and_app_service_plan() -> None:
    repo = REPOS / "tf-legacy"
    code, report = check(repo)
    assert apps(report, repo) == [
        ("main.tf", 47, "azurerm_function_app.reports", (), "python", "Y1", False)
    ]
    (app,) = report["targets"]
    assert app["kind"] == "functionapp,linux"  # os_type = "linux"
    site = "azurerm_function_app.reports"
    assert failures(report, repo) == [
        ("AZFN109", site, "main.tf", 47, 1),  # PYTHON|3.10, past end of support
        ("AZFN110", site, "main.tf", 43, 5),  # sku { size = "Y1" }
        ("AZFN501", site, "main.tf", 47, 1),  # https_only defaults to false
        ("AZFN504", site, "main.tf", 57, 3),  # ftps_state defaults to AllAllowed
        ("AZFN505", site, "main.tf", 47, 1),
        ("AZFN506", site, "main.tf", 31, 3),  # allow_blob_public_access = true
        ("AZFN507", site, "main.tf", 53, 3),  # AzureWebJobsStorage from the key
        ("AZFN507", site, "main.tf", 53, 3),  # AzureWebJobsDashboard too
        ("AZFN508", site, "main.tf", 47, 1),
    ]
    assert code == 1
    assert_every_file_accounted_for(report, repo)


# -- what render writes, check reads back ------------------------------------------


@pytest.mark.parametrize(
    "example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem
)
@pytest.mark.parametrize(
    ("fmt", "name"), [("terraform", "main.tf"), ("terraform-json", "main.tf.json")]
)
def test_check_reads_rendered_terraform_back(
    example: Path, fmt: str, name: str, tmp_path: Path
) -> None:
    out = tmp_path / "infra"
    out.mkdir()
    result = CliRunner().invoke(
        cli, ["render", str(example), "--format", fmt, "-o", str(out / name)]
    )
    assert result.exit_code == 0, result.output
    spec = resolve_file(example, today=TODAY)
    found = scan([out], TODAY)
    assert not found.findings and not found.skipped and not found.not_inspected
    (target,) = found.targets
    got = target.target.spec
    assert (got.plan.sku, got.python, got.runtime) == (
        spec.plan.sku,
        spec.python,
        "python",
    )
    assert (
        got.plan.reserved is True
        and got.function_app_config == spec.function_app_config
    )
    for key, value in spec.app_settings.items():
        assert got.app_settings.get(key) == value, key
    # The provider writes linuxFxVersion as Python|<version> (Flex: none).
    flex = spec.function_app_config is not None
    assert got.site.linux_fx_version == (None if flex else f"Python|{spec.python}")
    assert got.site == spec.site.__class__(
        **{**spec.site.__dict__, "linux_fx_version": got.site.linux_fx_version}
    )
    assert target.info.plan_sku == spec.plan.sku
    code, report = check(out)
    assert code == 0 and report["targets"][0]["plan_sku"] == spec.plan.sku


def test_check_reads_the_rendered_root_and_module_through_the_call(
    tmp_path: Path,
) -> None:
    example = EXAMPLES / "orders-api.yaml"
    out = tmp_path / "all"
    result = CliRunner().invoke(
        cli, ["render", str(example), "--format", "all", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    code, report = check(out / "terraform")
    assert code == 0
    (app,) = report["targets"]
    assert rel(app["file"], out) == "terraform/modules/function-app/main.tf"
    assert [rel(v, out) for v in app["via"]] == ["terraform/main.tf:34 module app"]
    assert not report["skipped"]


# -- the join, pinned ---------------------------------------------------------------


def test_breaking_the_plan_reference_loses_the_plan(tmp_path: Path) -> None:
    """The test above pins the plan join: a site whose service_plan_id names no
    declared plan gets no SKU, and the apps the fixture test expects change."""
    repo = tmp_path / "tf-simple"
    shutil.copytree(REPOS / "tf-simple", repo)
    main = repo / "infra" / "main.tf"
    text = main.read_text()
    main.write_text(
        text.replace(
            "azurerm_service_plan.functions.id", "azurerm_service_plan.other.id"
        )
    )
    _, report = check(repo)
    assert [t["plan_sku"] for t in report["targets"]] == [None, None]
    reasons = {f["reason"] for f in report["findings"] if f["id"] == "AZFN110"}
    assert reasons == {"the plan is computed at deployment"}


MUTANTS = {
    "plan join": ("azfn_profile.sources.join.ref_key", lambda ref: ("none", ())),
    "child join": ("azfn_profile.sources.join._children", lambda *a: []),
    "identity": (
        "azfn_profile.sources.join.identity",
        lambda k, s: (k, tuple(map(repr, s))),
    ),
    # `azurerm_service_plan.x.id` no longer stands for the plan's id.
    "terraform ids": ("azfn_profile.sources.terraform_map.identity", lambda *a: None),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
@pytest.mark.parametrize("repo", ["tf-simple", "tf-envs", "tf-variants"])
def test_breaking_a_join_changes_what_the_fixture_tests_see(
    mutant: str, repo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert mutant_changes_view(REPOS / repo, MUTANTS[mutant], view, monkeypatch)


# -- discovery ------------------------------------------------------------------------


def test_a_folder_of_terraform_only_is_never_nothing_to_check(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "azurerm_resource_group" "rg" {\n}\n')
    (tmp_path / "extra.tf.json").write_text('{"locals": {"a": 1}}')
    (tmp_path / "terraform.tfvars").write_text('location = "westeurope"\n')
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "dev.tfvars").write_text("x = 1\n")
    (tmp_path / "vars").mkdir()
    (tmp_path / "vars" / "prod.tfvars.json").write_text('{"x": 2}')
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert skipped(report, tmp_path) == [
        ("extra.tf.json", NO_APP),
        ("main.tf", NO_APP),
        ("mod/dev.tfvars", NO_APP),  # a variables file below the root: a reading of it
        ("terraform.tfvars", NO_APP),
        ("vars/prod.tfvars.json", NO_APP),
    ]


def test_variables_files_without_a_configuration_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "dev.tfvars").write_text('sku = "EP1"\n')
    code, report = check(tmp_path)
    assert code == 0
    assert skipped(report, tmp_path) == [
        ("dev.tfvars", "Terraform variables for no configuration here")
    ]


def test_invalid_hcl_is_a_located_finding(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "x" "y" {\n  name = \n}\n')
    code, report = check(tmp_path)
    (finding,) = report["findings"]
    assert code == 1 and finding["id"] == "AZFN000"
    assert finding["message"].startswith("invalid Terraform (HCL): unexpected")
    assert (finding["location"]["line"], finding["location"]["col"]) == (2, 10)
    assert not report["skipped"]  # a file that could not be read is not "no app"


def test_a_sensitive_value_never_reaches_a_report(tmp_path: Path) -> None:
    secret = "c2VjcmV0LWtleS1mcm9tLXRmdmFycw=="
    shutil.copytree(REPOS / "tf-legacy", tmp_path / "repo")
    main = tmp_path / "repo" / "main.tf"
    main.write_text(
        main.read_text().replace(
            "azurerm_storage_account.sa.primary_access_key", "var.storage_key"
        )
        + 'variable "storage_key" {\n  type      = string\n  sensitive = true\n}\n'
    )
    (tmp_path / "repo" / "terraform.tfvars").write_text(f'storage_key = "{secret}"\n')
    for fmt in ("text", "json", "sarif", "github", "junit"):
        result = CliRunner().invoke(
            cli, ["check", str(tmp_path / "repo"), "--format", fmt]
        )
        assert result.exit_code == 1, result.output
        assert secret not in result.stdout, fmt


def test_a_suppression_tag_on_the_app_is_honoured(tmp_path: Path) -> None:
    shutil.copytree(REPOS / "tf-simple", tmp_path / "repo")
    main = tmp_path / "repo" / "infra" / "main.tf"
    main.write_text(
        main.read_text().replace(
            '  tags = local.common_tags\n}\n\nresource "azurerm_role_assignment"',
            '  tags = merge(local.common_tags, {\n    "azfn-profile:suppress" = '
            '"AZFN101: twelve processes on purpose until 2099-01-01"\n  })\n}\n\n'
            'resource "azurerm_role_assignment"',
        )
    )
    code, report = check(tmp_path / "repo")
    statuses = {
        f["id"]: f["status"]
        for f in report["findings"]
        if f["location"]["resource"] == "azurerm_linux_function_app.api"
    }
    assert statuses["AZFN101"] == "suppressed"
    assert code == 0


# -- hostile and mutated input ------------------------------------------------------------

APP = """
resource "azurerm_service_plan" "p" {{
  name     = "p"
  os_type  = "Linux"
  sku_name = "EP1"
}}

resource "azurerm_linux_function_app" "a" {{
  name            = "a"
  service_plan_id = azurerm_service_plan.p.id
  site_config {{}}
  app_settings = {{ X = {value} }}
}}
"""

HOSTILE = {
    "nested parentheses": APP.format(value="(" * 3000 + '"1"' + ")" * 3000),
    "nested lists": APP.format(value="[" * 3000 + "]" * 3000),
    "a chain of locals": "locals {\n"
    + "".join(f"  l{i} = local.l{i + 1}\n" for i in range(2000))
    + '  l2000 = "x"\n}\n'
    + APP.format(value="local.l0"),
    "doubling strings": 'locals {\n  l0 = "xxxxxxxxxxxxxxxx"\n'
    + "".join(f'  l{i + 1} = "${{local.l{i}}}${{local.l{i}}}"\n' for i in range(24))
    + "}\n"
    + APP.format(value="local.l24"),
    "huge count": APP.format(value='"1"').replace(
        'name            = "a"', "count = 100000"
    ),
    "nested for": APP.format(
        value="jsonencode([for i in range(1000) : [for j in range(1000) : j]])"
    ),
    "deep blocks": "".join(f"{'  ' * i}b{i} {{\n" for i in range(100))
    + "".join(f"{'  ' * (99 - i)}}}\n" for i in range(100)),
    "many tokens": "locals {\n"
    + "".join(f"  k{i} = [1, 2, 3]\n" for i in range(9000))
    + "}\n",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_terraform_is_a_located_finding_in_bounded_time(
    case: str, tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text(HOSTILE[case])
    started = time.perf_counter()
    code, report = check(tmp_path)
    assert time.perf_counter() - started < 20
    (finding,) = [f for f in report["findings"] if f["id"] == "AZFN000"]
    assert finding["location"]["file"] == str(tmp_path / "main.tf")
    assert finding["location"]["line"] is not None
    assert code == 1


def test_lists_that_repeat_lists_stay_bounded(tmp_path: Path) -> None:
    """l24 holds 2**24 strings by reference: encoding or searching it stops at a
    bound (the value is unknown), and copying it into a resource hits the budget."""
    shared = 'locals {\n  l0 = "x"\n' + "".join(
        f"  l{i + 1} = [local.l{i}, local.l{i}]\n" for i in range(24)
    )
    value = '{ A = jsonencode(local.l24), B = tostring(contains(local.l24, "y")) }'
    (tmp_path / "main.tf").write_text(
        shared + "}\n" + APP.format(value="1").replace("{ X = 1 }", value)
    )
    started = time.perf_counter()
    code, report = check(tmp_path)
    assert time.perf_counter() - started < 20
    assert code == 1 and not [f for f in report["findings"] if f["id"] == "AZFN000"]
    unknown = report["targets"][0]["unknown"]
    assert "app_settings.A" in unknown and "app_settings.B" in unknown
    main = tmp_path / "main.tf"
    main.write_text(
        main.read_text().replace("site_config {}", "site_config {}\n  tags = local.l24")
    )
    started = time.perf_counter()
    code, report = check(tmp_path)
    assert time.perf_counter() - started < 20
    (finding,) = [f for f in report["findings"] if f["id"] == "AZFN000"]
    assert "too large to evaluate" in finding["message"]


def test_references_that_loop_stay_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = local.b\n  b = local.a\n}\nmodule "me" {\n  source = "./"\n}\n'
        + APP.format(value="local.a")
    )
    code, report = check(tmp_path)
    assert code == 1 and not [f for f in report["findings"] if f["id"] == "AZFN000"]
    assert "app_settings.X" in report["targets"][0]["unknown"]
    assert [n["reason"] for n in report["not_inspected"]] == [
        "it calls itself, or modules nest too deep"
    ]


def _tf_seeds() -> list[tuple[Path, Path]]:
    return sorted(
        (repo, path)
        for repo in REPOS.glob("tf-*")
        for path in repo.rglob("*")
        if path.is_file() and path.name.endswith(TF_SUFFIXES)
    )


@pytest.mark.slow
@pytest.mark.parametrize("number", range(40))
def test_mutated_terraform_never_crashes(number: int, tmp_path: Path) -> None:
    """A fixture with one Terraform file mutated (tokens inserted, text cut, lines
    repeated): exit 0, 1 or 2, never 3, no traceback, in bounded time."""
    seeds = _tf_seeds()
    rng = random.Random(f"terraform-{number}")
    repo, path = seeds[rng.randrange(len(seeds))]
    copy = tmp_path / repo.name
    shutil.copytree(repo, copy)
    target = copy / path.relative_to(repo)
    text = path.read_text(encoding="utf-8")
    for _ in range(rng.randint(1, 3)):
        text = mutate_text(text, rng)
        if rng.random() < 0.3:  # nest what is there
            text = text.replace("= ", "= [(" * rng.choice([5, 70]), 1)
    target.write_text(text, encoding="utf-8", errors="surrogatepass")
    outcome = run_check(copy)
    assert outcome.exit_code in (0, 1, 2), (target, outcome.output)
    assert "Traceback" not in outcome.output and "internal error" not in outcome.output
    assert outcome.seconds < 20


def test_a_function_app_with_no_instance_is_listed_as_not_deployed(
    tmp_path: Path,
) -> None:
    """`count = 0` (a feature flag off) or an empty `for_each`: the app is listed,
    never judged, and its file counts as read."""
    (tmp_path / "main.tf").write_text(
        'variable "enabled" {\n  type    = bool\n  default = false\n}\n\n'
        'variable "regions" {\n  type    = set(string)\n  default = []\n}\n\n'
        'resource "azurerm_service_plan" "plan" {\n  name                = "plan"\n'
        '  resource_group_name = "rg"\n  location            = "westeurope"\n'
        '  os_type             = "Linux"\n  sku_name            = "EP1"\n}\n\n'
        'resource "azurerm_linux_function_app" "api" {\n'
        "  count                      = var.enabled ? 1 : 0\n"
        '  name                       = "func-api"\n'
        '  resource_group_name        = "rg"\n  location = "westeurope"\n'
        "  service_plan_id            = azurerm_service_plan.plan.id\n"
        '  storage_account_name       = "st"\n  https_only = false\n'
        "  site_config {}\n}\n\n"
        'resource "azurerm_linux_function_app" "regional" {\n'
        "  for_each            = var.regions\n"
        '  name                = "func-${each.key}"\n'
        '  resource_group_name = "rg"\n  location = each.key\n'
        "  service_plan_id     = azurerm_service_plan.plan.id\n"
        '  storage_account_name = "st"\n  https_only = false\n'
        "  site_config {}\n}\n"
    )
    lines = (tmp_path / "main.tf").read_text().splitlines()

    def line_of(header: str) -> int:
        return lines.index(header) + 1

    code, report = check(tmp_path)
    assert code == 0 and report["targets"] == [] and report["skipped"] == []
    api = line_of('resource "azurerm_linux_function_app" "api" {')
    regional = line_of('resource "azurerm_linux_function_app" "regional" {')
    assert [(n["line"], n["what"], n["reason"]) for n in report["not_inspected"]] == [
        (api, "azurerm_linux_function_app.api", "not deployed: count is 0"),
        (
            regional,
            "azurerm_linux_function_app.regional",
            "not deployed: for_each is empty",
        ),
    ]
    assert report["summary"]["files"] == 1


# -- modules not fetched: the web-site AVM and function-app arguments ----------------

AVM_SITE = "azurerm_linux_function_app.this[0]"
AVM_FLEX = "azurerm_function_app_flex_consumption.this[0]"


def _statuses(report: dict[str, Any], resource: str) -> dict[str, str]:
    """Each reported check's status for one app (a pass is not reported)."""
    return {
        f["id"]: f["status"]
        for f in report["findings"]
        if f["location"]["resource"] == resource
    }


def test_the_web_site_avm_is_mapped_from_its_inputs_when_not_fetched() -> None:
    repo = REPOS / "tf-avm"
    code, report = check(repo)
    assert apps(report, repo) == [
        (  # ~> 0.16.0 resolves to 0.16.4; the plan joins through its id
            "infra/main.tf",
            48,
            AVM_SITE,
            ("infra/main.tf:48 module invoice_api",),
            "python",
            "EP1",
            False,
        ),
        (  # Flex Consumption (0.19.3): runtime from fc1_runtime_name
            "infra/main.tf",
            83,
            AVM_FLEX,
            ("infra/main.tf:83 module invoice_events",),
            "python",
            "FC1",
            False,
        ),
        (  # a git module judged from the settings it is passed
            "infra/main.tf",
            119,
            "module.reminders",
            ("infra/main.tf:119 module reminders",),
            "python",
            None,
            False,
        ),
    ]
    assert failures(report, repo) == [
        # FUNCTIONS_WORKER_PROCESS_COUNT = "12", at the call's app_settings entry
        ("AZFN101", "module.reminders", "infra/main.tf", 128, 5),
        ("AZFN501", AVM_FLEX, "infra/main.tf", 83, 1),  # https_only: false
        ("AZFN505", AVM_FLEX, "infra/main.tf", 83, 1),
        ("AZFN505", AVM_SITE, "infra/main.tf", 48, 1),  # ftps_state "FtpsOnly"
        ("AZFN508", AVM_FLEX, "infra/main.tf", 83, 1),  # no managed_identities
    ]
    site = _statuses(report, AVM_SITE)
    for passed in ("AZFN201", "AZFN203", "AZFN501", "AZFN508"):  # EP1 Linux, ...
        assert passed not in site
    by_resource = {t["resource"]: t for t in report["targets"]}
    assert by_resource[AVM_SITE]["kind"] == "functionapp,linux"
    # The generic call: settings known, the rest of the app unknown, never failed.
    generic = by_resource["module.reminders"]
    for path in ("plan.sku", "site.https_only", "site.identity", "app_settings.*"):
        assert path in generic["unknown"]
    reminders = _statuses(report, "module.reminders")
    assert reminders["AZFN501"] == reminders["AZFN508"] == "unknown"
    # The web app deploys no function app; the generic call is still listed, noted.
    listed = {n["line"]: n["reason"] for n in report["not_inspected"]}
    assert sorted(listed) == [119, 132]
    assert "judged from the function-app arguments it passes" in listed[119]
    assert code == 1
    assert_every_file_accounted_for(report, repo)


def test_the_avm_plan_join_is_real(tmp_path: Path) -> None:
    """Break `service_plan_resource_id` and the plan-dependent outcomes go unknown."""
    shutil.copytree(REPOS / "tf-avm", tmp_path / "repo")
    main = tmp_path / "repo" / "infra" / "main.tf"
    source = main.read_text()
    _, before = check(tmp_path / "repo")
    main.write_text(
        source.replace(
            "service_plan_resource_id = azurerm_service_plan.premium.id",
            "service_plan_resource_id = azurerm_service_plan.missing.id",
            1,
        )
    )
    _, after = check(tmp_path / "repo")
    was, now = _statuses(before, AVM_SITE), _statuses(after, AVM_SITE)
    assert "AZFN203" not in was and now["AZFN203"] == "unknown"  # passed, then not
    (site,) = [t for t in after["targets"] if t["resource"] == AVM_SITE]
    assert site["plan_sku"] is None and "plan.sku" in site["unknown"]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.17.2", (0, 17, 2)),
        ("~> 0.16.0", (0, 16, 4)),
        ("~> 0.16", (0, 22, 0)),
        (">= 0.19.3, < 0.20.0", (0, 19, 3)),
        ("!= 0.20.0, < 0.21", (0, 19, 3)),
        (None, (0, 22, 0)),
        ("9.9.9", None),
        ("latest", None),
        (3, None),
    ],
)
def test_avm_version_constraints_pick_the_newest_release(
    version: Any, expected: Any
) -> None:
    from azfn_profile.sources.terraform_avm import version as resolve_version

    assert resolve_version(version) == expected


AVM_CALL = (
    'module "app" {\n'
    '  source  = "Azure/avm-res-web-site/azurerm"\n'
    '  version = "%s"\n'
    '  kind    = "functionapp"\n'
    '  os_type = "Linux"\n'
    '  name    = "func-odd"\n'
    "%s"
    "}\n"
)


@pytest.mark.parametrize(
    "args",
    [
        '  site_config = "always"\n',
        '  site_config = { application_stack = "python" }\n',
        '  site_config = { application_stack = { python = "3.11" } }\n',
        '  managed_identities = "system"\n',
        '  app_settings = "FUNCTIONS_WORKER_RUNTIME=python"\n',
        "  always_ready = [1, 2]\n  function_app_uses_fc1 = true\n",
        "  function_app_uses_fc1 = var.flex\n",
        "  storage_uses_managed_identity = var.msi\n",
        '  https_only = "yes"\n  service_plan_resource_id = 42\n',
    ],
)
def test_avm_inputs_of_the_wrong_shape_never_crash(tmp_path: Path, args: str) -> None:
    (tmp_path / "variables.tf").write_text(
        'variable "flex" {\n  type = bool\n}\nvariable "msi" {\n  type = bool\n}\n'
    )
    for version in ("0.4.0", "0.10.0", "0.19.3", "0.21.0"):
        (tmp_path / "main.tf").write_text(AVM_CALL % (version, args))
        check(tmp_path)  # judged: exit 0 or 1, never 3


def test_a_git_module_passing_function_settings_is_judged_at_the_call(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text(
        'module "worker" {\n'
        '  source = "git::https://github.com/contoso/tf-func.git?ref=v1"\n'
        "  app_settings = {\n"
        '    FUNCTIONS_WORKER_RUNTIME       = "python"\n'
        '    FUNCTIONS_WORKER_PROCESS_COUNT = "12"\n'
        "  }\n"
        "}\n"
        'module "site" {\n'
        '  source = "git::https://github.com/contoso/tf-web.git?ref=v1"\n'
        '  python_version = "3.12"\n'
        '  app_settings = { WEBSITES_PORT = "8000" }\n'
        "}\n"
    )
    code, report = check(tmp_path)
    assert apps(report, tmp_path) == [
        (
            "main.tf",
            1,
            "module.worker",
            ("main.tf:1 module worker",),
            "python",
            None,
            False,
        )
    ]
    assert failures(report, tmp_path) == [
        ("AZFN101", "module.worker", "main.tf", 5, 5),
    ]
    # A python_version alone is no sign of a function app (web apps take it too).
    assert [n["line"] for n in report["not_inspected"]] == [1, 8]
    assert code == 1
