"""`check` on Terraform plans (`terraform show -json tfplan`): the fixture
tests/data/repos/tf-plan (a root with count-indexed apps on count-indexed plans, a
module that creates a plan and an app, a data source and a deleted app), on
standard input, with the site-plan link broken, and malformed.

The fixture was written from Terraform's documented JSON output format
(developer.hashicorp.com/terraform/internals/json-format).
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from tests.conftest import ROOT
from tests.fuzzing import mutate_json
from tests.repo_reports import check, mutant_changes_view, rel

REPO = ROOT / "tests" / "data" / "repos" / "tf-plan"
PLAN = REPO / "tfplan.json"
KEY = "c3RvcmFnZS1hY2NvdW50LWtleS1ub3QtcmVhbA=="  # the fixture's storage key
API = "module.api.azurerm_linux_function_app.this[0]"
WORKER0 = "azurerm_linux_function_app.workers[0]"
WORKER1 = "azurerm_linux_function_app.workers[1]"


def run(args: list[str], stdin: str | None = None) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["check", *args, "--format", "json"], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output
    )
    return result.exit_code, json.loads(result.stdout)


def apps(report: dict[str, Any], repo: Path = REPO) -> list[tuple[Any, ...]]:
    return sorted(
        (
            rel(t["file"], repo),
            t["line"],
            t["resource"],
            tuple(t["via"]),
            t["runtime"],
            t["plan_sku"],
            t["kind"],
        )
        for t in report["targets"]
    )


def outcomes(report: dict[str, Any], status: str) -> list[tuple[Any, ...]]:
    return sorted(
        (
            f["id"],
            f["location"]["resource"],
            f["location"]["line"],
            f["location"]["col"],
        )
        for f in report["findings"]
        if f["status"] == status
    )


def status_of(report: dict[str, Any], check_id: str, resource: str) -> str | None:
    """The check's status for the app (None: not listed, as a pass is not)."""
    found = [
        f["status"]
        for f in report["findings"]
        if f["id"] == check_id and f["location"]["resource"] == resource
    ]
    assert len(found) <= 1
    return str(found[0]) if found else None


def write_plan(tmp_path: Path, doc: Any, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=1))
    return path


def fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PLAN.read_text())
    return data


# -- the fixture ---------------------------------------------------------------------


def test_plan_apps_found() -> None:
    """Three apps: the module's (count-indexed) and the root's two count-indexed
    workers; not the deleted app, not the data source."""
    code, report = check(REPO)
    assert code == 1
    assert apps(report) == [
        (
            "tfplan.json",
            471,
            WORKER0,
            (),
            "python",
            "Y1",
            "functionapp,linux",
        ),
        (
            "tfplan.json",
            595,
            WORKER1,
            (),
            "python",
            "EP1",
            "functionapp,linux",
        ),
        (
            "tfplan.json",
            800,
            API,
            ("module.api",),
            "python",
            "B1",
            "functionapp,linux",
        ),
    ]
    resources = {t["resource"] for t in report["targets"]}
    assert "azurerm_linux_function_app.old" not in resources  # actions ["delete"]
    assert "data.azurerm_linux_function_app.peer" not in resources
    assert report["skipped"] == [] and report["not_inspected"] == []


def test_plan_failures_are_located_in_the_plan() -> None:
    _, report = check(REPO)
    assert outcomes(report, "fail") == [
        ("AZFN101", API, 803, 47),  # FUNCTIONS_WORKER_PROCESS_COUNT "12"
        ("AZFN110", WORKER0, 727, 23),  # Y1, from the linked plan's sku_name
        ("AZFN202", API, 832, 28),  # always_on false on B1
        ("AZFN507", WORKER0, 531, 41),  # storage_account_access_key
        ("AZFN507", WORKER1, 655, 41),
    ]
    lines = PLAN.read_text().splitlines()
    assert '"FUNCTIONS_WORKER_PROCESS_COUNT": "12"' in lines[802]
    assert '"always_on": false' in lines[831]
    assert '"sku_name": "Y1"' in lines[726]
    (message,) = [
        f["message"]
        for f in report["findings"]
        if f["id"] == "AZFN101" and f["status"] == "fail"
    ]
    assert "'12'" in message and "module.api" in message


def test_the_joined_plan_is_judged() -> None:
    _, report = check(REPO)
    for app in (API, WORKER0, WORKER1):
        assert status_of(report, "AZFN201", app) is None  # passes: a Linux plan


def test_value_known_after_apply_is_unknown() -> None:
    """The workers' FUNCTIONS_WORKER_PROCESS_COUNT is null in `after` and `true`
    in `after_unknown`: unknown to the checks, never a failure or a default."""
    _, report = check(REPO)
    for worker in (WORKER0, WORKER1):
        assert status_of(report, "AZFN101", worker) == "unknown"
        (target,) = [t for t in report["targets"] if t["resource"] == worker]
        assert "app_settings.FUNCTIONS_WORKER_PROCESS_COUNT" in target["unknown"]
    (api,) = [t for t in report["targets"] if t["resource"] == API]
    assert api["unknown"] == []


def test_sensitive_values_never_reach_the_report() -> None:
    for fmt in ("text", "json", "sarif", "markdown"):
        result = CliRunner().invoke(cli, ["check", str(PLAN), "--format", fmt])
        assert result.exit_code == 1 and KEY not in result.output


def test_plan_on_stdin_is_read_as_the_file() -> None:
    text = PLAN.read_text()
    code_file, from_file = run([str(PLAN)])
    code_stdin, from_stdin = run(["-"], stdin=text)
    assert code_file == code_stdin == 1
    assert [t["file"] for t in from_stdin["targets"]] == ["<stdin>"] * 3
    for report in (from_file, from_stdin):
        for finding in report["findings"]:
            finding["location"]["file"] = finding["fingerprint"] = None
    assert from_stdin["findings"] == from_file["findings"]


def test_plan_found_by_content_whatever_its_name(tmp_path: Path) -> None:
    write_plan(tmp_path, PLAN.read_text(), "output-from-ci.json")
    _, report = check(tmp_path)
    assert [t["resource"] for t in report["targets"]] == [WORKER0, WORKER1, API]


# -- the site-plan link ----------------------------------------------------------------


def test_breaking_the_reference_leaves_the_plan_unknown(tmp_path: Path) -> None:
    """The module app's service_plan_id is known only after apply: its plan is the
    one `configuration` says it refers to. Point the reference elsewhere and the
    plan, and the check that needs it, become unknown."""
    doc = fixture()
    module = doc["configuration"]["root_module"]["module_calls"]["api"]["module"]
    app = next(r for r in module["resources"] if r["name"] == "this")
    app["expressions"]["service_plan_id"]["references"] = [
        "azurerm_service_plan.elsewhere.id",
        "azurerm_service_plan.elsewhere",
    ]
    _, report = check(write_plan(tmp_path, doc))
    by_resource = {t["resource"]: t for t in report["targets"]}
    assert by_resource[API]["plan_sku"] is None
    assert {"plan.sku", "plan.reserved"} <= set(by_resource[API]["unknown"])
    assert status_of(report, "AZFN201", API) == "unknown"  # passes when joined
    assert ("AZFN202", API) not in {(f[0], f[1]) for f in outcomes(report, "fail")}
    assert by_resource[WORKER0]["plan_sku"] == "Y1"  # the others still join


def test_count_index_picks_the_plan_of_the_same_index(tmp_path: Path) -> None:
    """`azurerm_service_plan.shared[count.index].id`: without `count.index` in
    the references the two plans are ambiguous, and stay unknown."""
    doc = fixture()
    workers = doc["configuration"]["root_module"]["resources"][0]
    workers["expressions"]["service_plan_id"]["references"] = [
        "azurerm_service_plan.shared",
        "var.which",
    ]
    _, report = check(write_plan(tmp_path, doc))
    skus = {t["resource"]: t["plan_sku"] for t in report["targets"]}
    assert skus == {WORKER0: None, WORKER1: None, API: "B1"}
    assert status_of(report, "AZFN110", WORKER0) == "unknown"


def test_the_link_is_what_joins_site_and_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    assert mutant_changes_view(
        REPO,
        (
            "azfn_profile.sources.terraform_plan._Reader._link",
            lambda self, p, arg: None,
        ),
        lambda report, path: (apps(report, path), outcomes(report, "fail")),
        monkeypatch,
    )


def _plan_doc(
    resources: list[dict[str, Any]], configuration: dict[str, Any]
) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": resources,
        "configuration": {"root_module": configuration},
    }


def _change(
    address: str, after: dict[str, Any], unknown: dict[str, Any], module: str = ""
) -> dict[str, Any]:
    rtype, name = address.split(".")[-2:]
    index: Any = None
    if "[" in name:
        name, _, rest = name.partition("[")
        index = json.loads(rest.rstrip("]"))
    entry: dict[str, Any] = {
        "address": f"{module}.{address}" if module else address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "change": {"actions": ["create"], "after": after, "after_unknown": unknown},
    }
    if module:
        entry["module_address"] = module
    if index is not None:
        entry["index"] = index
    return entry


def _site(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "https_only": True,
        "site_config": [{"application_stack": [{"python_version": "3.12"}]}],
        "app_settings": {"PYTHON_THREADPOOL_THREAD_COUNT": "4"},
    }


def _refs(*refs: str) -> dict[str, Any]:
    return {"references": list(refs)}


def test_links_through_module_arguments_and_outputs(tmp_path: Path) -> None:
    """`var.plan_id` in a module called with count is the caller's
    `azurerm_service_plan.p[count.index].id`; `module.plans.id` is that module's
    output's `azurerm_service_plan.this.id`."""
    unknown = {"service_plan_id": True}
    doc = _plan_doc(
        [
            _change("azurerm_service_plan.p[0]", {"name": "p0", "sku_name": "EP2"}, {}),
            _change(
                "azurerm_service_plan.p[1]", {"name": "p1", "sku_name": "P1v3"}, {}
            ),
            _change(
                "azurerm_service_plan.this",
                {"name": "pm", "sku_name": "B2"},
                {},
                "module.plans",
            ),
            _change(
                "azurerm_linux_function_app.a", _site("a0"), unknown, "module.app[0]"
            ),
            _change(
                "azurerm_linux_function_app.a", _site("a1"), unknown, "module.app[1]"
            ),
            _change("azurerm_linux_function_app.b", _site("b"), unknown),
        ],
        {
            "resources": [
                {
                    "mode": "managed",
                    "type": "azurerm_linux_function_app",
                    "name": "b",
                    "expressions": {
                        "service_plan_id": _refs("module.plans.id", "module.plans")
                    },
                }
            ],
            "module_calls": {
                "app": {
                    "expressions": {
                        "plan_id": _refs("azurerm_service_plan.p", "count.index")
                    },
                    "module": {
                        "resources": [
                            {
                                "mode": "managed",
                                "type": "azurerm_linux_function_app",
                                "name": "a",
                                "expressions": {
                                    "service_plan_id": _refs("var.plan_id")
                                },
                            }
                        ]
                    },
                },
                "plans": {
                    "module": {
                        "outputs": {
                            "id": {
                                "expression": _refs(
                                    "azurerm_service_plan.this.id",
                                    "azurerm_service_plan.this",
                                )
                            }
                        }
                    }
                },
            },
        },
    )
    _, report = check(write_plan(tmp_path, doc))
    assert sorted((t["resource"], t["plan_sku"]) for t in report["targets"]) == [
        ("azurerm_linux_function_app.b", "B2"),
        ("module.app[0].azurerm_linux_function_app.a", "EP2"),
        ("module.app[1].azurerm_linux_function_app.a", "P1v3"),
    ]
    vias = {t["resource"]: t["via"] for t in report["targets"]}
    assert vias["module.app[1].azurerm_linux_function_app.a"] == ["module.app[1]"]


def test_a_known_plan_id_joins_by_name(tmp_path: Path) -> None:
    """An existing plan (a no-op change) has its id in `after`; the site joins it
    by the name in the id, as the other readers do."""
    plan_id = (
        "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/serverFarms/asp-1"
    )
    site = _site("func-1") | {"service_plan_id": plan_id}
    doc = _plan_doc(
        [
            _change("azurerm_service_plan.p", {"name": "asp-1", "sku_name": "Y1"}, {}),
            _change("azurerm_linux_function_app.f", site, {}),
        ],
        {},
    )
    doc["resource_changes"][0]["change"]["actions"] = ["no-op"]
    _, report = check(write_plan(tmp_path, doc))
    assert [(t["resource"], t["plan_sku"]) for t in report["targets"]] == [
        ("azurerm_linux_function_app.f", "Y1")
    ]


def test_replaced_is_judged_deleted_and_deposed_are_not(tmp_path: Path) -> None:
    doc = _plan_doc(
        [
            _change("azurerm_linux_function_app.kept", _site("kept"), {}),
            _change("azurerm_linux_function_app.swapped", _site("swapped"), {}),
            _change("azurerm_linux_function_app.gone", _site("gone"), {}),
            _change("azurerm_linux_function_app.kept", _site("old-kept"), {}),
        ],
        {},
    )
    changes = doc["resource_changes"]
    changes[1]["change"]["actions"] = ["create", "delete"]
    changes[2]["change"] |= {"actions": ["delete"], "after": None}
    changes[3]["deposed"] = "00000001"
    changes[3]["change"]["actions"] = ["delete"]
    _, report = check(write_plan(tmp_path, doc))
    assert [t["resource"] for t in report["targets"]] == [
        "azurerm_linux_function_app.kept",
        "azurerm_linux_function_app.swapped",
    ]


def test_planned_values_alone_make_every_null_unknown(tmp_path: Path) -> None:
    """Without a change, a null in `planned_values` may be an unknown value:
    always_on null is unknown, not the provider's default (false)."""
    site = _site("func-1") | {"service_plan_id": None}
    site["site_config"][0]["always_on"] = None
    doc = {
        "format_version": "1.0",
        "terraform_version": "1.3.0",
        "planned_values": {
            "root_module": {
                "child_modules": [
                    {
                        "address": "module.m",
                        "resources": [
                            {
                                "address": "module.m.azurerm_linux_function_app.f",
                                "mode": "managed",
                                "type": "azurerm_linux_function_app",
                                "name": "f",
                                "values": site,
                            },
                        ],
                    }
                ]
            }
        },
    }
    _, report = check(write_plan(tmp_path, doc))
    (target,) = report["targets"]
    assert target["resource"] == "module.m.azurerm_linux_function_app.f"
    assert target["via"] == ["module.m"] and target["plan_sku"] is None
    assert status_of(report, "AZFN202", target["resource"]) == "unknown"


def test_an_errored_plan_says_it_is_incomplete(tmp_path: Path) -> None:
    doc = fixture() | {"errored": True}
    _, report = check(write_plan(tmp_path, doc))
    assert len(report["targets"]) == 3
    assert [(n["what"], n["reason"][:38]) for n in report["not_inspected"]] == [
        ("the rest of the plan", "Terraform stopped planning at an error")
    ]


def test_a_plan_without_an_app_is_skipped(tmp_path: Path) -> None:
    doc = _plan_doc(
        [_change("azurerm_service_plan.p", {"name": "p", "sku_name": "Y1"}, {})], {}
    )
    code, report = check(write_plan(tmp_path, doc))
    assert code == 0 and report["targets"] == []
    assert [s["reason"] for s in report["skipped"]] == [
        "no function app (azurerm_*function_app*) in this Terraform plan"
    ]


# -- malformed plans -------------------------------------------------------------------

TRUNCATED = (
    '{"format_version": "1.2", "terraform_version": "1.9.8",\n "resource_changes": ['
)


@pytest.mark.parametrize(
    ("text", "message", "line", "col"),
    [
        (TRUNCATED, "invalid JSON", 2, 23),
        ('{"resource_changes": []}', "needs a format_version", 1, 1),
        (
            '{"format_version": "2.0", "planned_values": {}}',
            "only formats 0.x and 1.x",
            1,
            20,
        ),
        (
            '{"format_version": "1.2",\n "resource_changes": {}}',
            "resource_changes is not a list",
            2,
            22,
        ),
        (
            '{"format_version": "1.2",\n "resource_changes": [{"address": "x"}]}',
            "x: a resource entry without the address",
            2,
            23,
        ),
    ],
)
def test_malformed_plan_is_azfn000_located(
    text: str, message: str, line: int, col: int, tmp_path: Path
) -> None:
    path = write_plan(tmp_path, text)
    for args, stdin, display in (
        ([str(path)], None, str(path)),
        (["-"], text, "<stdin>"),
    ):
        code, report = run(args, stdin)
        (finding,) = report["findings"]
        assert code == (2 if stdin else 1), report  # stdin: nothing else to judge
        assert finding["id"] == "AZFN000" and message in finding["message"]
        location = finding["location"]
        assert (location["file"], location["line"], location["col"]) == (
            display,
            line,
            col,
        )


def test_truncated_plan_in_a_folder_is_reported(tmp_path: Path) -> None:
    """Found in a folder (not named), invalid JSON that starts like a plan is
    still reported, not skipped."""
    write_plan(tmp_path, TRUNCATED, "tfplan.json")
    code, report = run([str(tmp_path)])
    assert code == 1
    assert [(f["id"], f["location"]["line"]) for f in report["findings"]] == [
        ("AZFN000", 2)
    ]


HOSTILE_VALUES: list[Any] = [None, "x", 3, [], {}, [1, "a"], {"a": True}, True]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
def test_wrong_shapes_never_crash(value: Any, tmp_path: Path) -> None:
    """Each part of the fixture replaced in turn by a value of the wrong type:
    exit 0, 1 or 2, never a traceback."""
    doc = fixture()
    first = doc["resource_changes"][1]
    places: list[tuple[Any, str]] = [
        (doc, "resource_changes"),
        (doc, "planned_values"),
        (doc, "configuration"),
        (first, "change"),
        (first, "index"),
        (first["change"], "after"),
        (first["change"], "after_unknown"),
        (first["change"], "after_sensitive"),
        (first["change"]["after"], "site_config"),
        (first["change"]["after"], "app_settings"),
        (first["change"]["after"], "identity"),
        (first["change"]["after"], "name"),
        (first["change"]["after_unknown"], "site_config"),
        (first["change"]["after_unknown"], "app_settings"),
    ]
    for i, (owner, key) in enumerate(places):
        mutated = copy.deepcopy(doc)
        holder = mutated
        path = _path_to(doc, owner)
        for step in path:
            holder = holder[step]
        holder[key] = value
        code, _ = run([str(write_plan(tmp_path, mutated, f"p{i}.json"))])
        assert code in (0, 1, 2), (key, value)


def _path_to(doc: Any, target: Any) -> list[Any]:
    """Where `target` (an object inside `doc`) is, as keys from `doc`."""
    stack: list[tuple[Any, list[Any]]] = [(doc, [])]
    while stack:
        value, path = stack.pop()
        if value is target:
            return path
        if isinstance(value, dict):
            stack.extend((v, [*path, k]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, [*path, i]) for i, v in enumerate(value))
    raise AssertionError("not in the document")


@pytest.mark.slow
@pytest.mark.parametrize("number", range(30))
def test_mutated_plan_never_crashes(number: int, tmp_path: Path) -> None:
    rng = random.Random(f"tfplan-{number}")
    text = mutate_json(fixture(), rng)
    code, _ = run([str(write_plan(tmp_path, text))])
    assert code in (0, 1, 2)
