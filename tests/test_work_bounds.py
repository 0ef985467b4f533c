"""Work is bounded by what an input holds, not by what it expands to: shared structure,
loops that multiply resources, nesting the platform forbids, chains in app code and
lookups without case. Each test builds the input that used to cost more than linear
work and asserts the outcome (a judgement or a located AZFN000), never the time: the
growth slopes are measured in benchmarks/growth.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.findings import Finding, Location
from azfn_profile.sources.values import (
    Budget,
    BudgetExceeded,
    digest,
    expanded_size,
    known,
    same,
)

SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
)


def doubled(levels: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(levels):
        value = [value, value]
    return value


def test_shared_structure_is_measured_by_what_it_holds() -> None:
    value = doubled(200)  # 2**200 leaves written out, 200 lists in memory
    assert expanded_size(value, 10**6) == 10**6 + 1
    assert known(value) and len(digest(value)) == 32
    other = doubled(200)  # equal, but shares nothing with `value`
    assert same(value, other) and not same(value, doubled(200, "y"))


def test_the_digest_tells_structure_apart() -> None:
    assert digest([["a"], "b"]) != digest(["a", ["b"]])
    assert digest({"a": 1}) != digest({"a": "1"}) != digest(["a", 1])
    assert digest({"a": [1, 2]}) == digest({"a": [1, 2]})


def arm(variables: dict[str, Any], value: str, **extra: Any) -> str:
    site = {
        "type": "Microsoft.Web/sites",
        "apiVersion": "2023-12-01",
        "name": "app",
        "location": "westeurope",
        "kind": "functionapp,linux",
        "properties": {"siteConfig": {"appSettings": [{"name": "X", "value": value}]}},
        **extra,
    }
    return json.dumps(
        {
            "$schema": SCHEMA,
            "contentVersion": "1.0.0.0",
            "variables": variables,
            "resources": [site],
        }
    )


def check(path: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    assert result.exit_code in (0, 1, 2), result.output
    return result.exit_code, json.loads(result.stdout)


def unreadable(report: dict[str, Any]) -> list[str]:
    return [f["message"] for f in report["findings"] if f["id"] == "AZFN000"]


SHARED = {"b0": "x"} | {
    f"b{i}": f"[createArray(variables('b{i - 1}'), variables('b{i - 1}'))]"
    for i in range(1, 41)
}


@pytest.mark.parametrize(
    ("expression", "over_budget"),
    [
        ("contains(variables('b40'), 'y')", False),
        ("union(variables('b40'), variables('b40'))", False),
        ("unknownFunction(variables('b40'))", False),
        ("equals(variables('b40'), variables('b39'))", False),
        ("if(equals(1, 2), variables('b40'), variables('b40'))", False),
        ("string(variables('b40'))", True),
        ("length(string(variables('b40')))", True),
        ("uniqueString(string(variables('b40')))", True),
        ("json(string(variables('b40')))", True),
    ],
)
def test_every_function_over_shared_structure_costs_what_is_held(
    tmp_path: Path, expression: str, over_budget: bool
) -> None:
    """Before: each of these walked or wrote 2**40 leaves (minutes, gigabytes)."""
    path = tmp_path / "t.json"
    path.write_text(arm(SHARED, f"[{expression}]"))
    _, report = check(path)
    messages = unreadable(report)
    if over_budget:  # writing it out is the work: the budget stops it, located
        assert len(messages) == 1 and messages[0].startswith("too large to evaluate")
    else:
        assert messages == [] and report["targets"], "the app is judged"


def test_loops_that_multiply_resources_stop_at_arms_limit(tmp_path: Path) -> None:
    """Three copy loops of 800 (each allowed) make 2,400 resources from a kilobyte:
    ARM allows 800 per template, copy counts included."""
    sites = [
        {
            "type": "Microsoft.Web/sites",
            "apiVersion": "2023-12-01",
            "name": f"[concat('app{n}-', copyIndex())]",
            "location": "westeurope",
            "kind": "functionapp,linux",
            "copy": {"name": f"loop{n}", "count": 800},
            "properties": {},
        }
        for n in range(3)
    ]
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": sites})
    )
    _, report = check(path)
    (message,) = unreadable(report)
    assert "more than 800 resource instances" in message
    sites[0]["copy"]["count"] = 790  # 790 + 5 + 5: within the limit, judged
    sites[1]["copy"]["count"] = sites[2]["copy"]["count"] = 5
    path.write_text(
        json.dumps({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": sites})
    )
    _, report = check(path)
    assert unreadable(report) == [] and len(report["targets"]) == 800


def test_terraform_counts_share_the_same_limit(tmp_path: Path) -> None:
    blocks = "".join(
        f"""
resource "azurerm_linux_function_app" "a{n}" {{
  count                = 500
  name                 = "a{n}-${{count.index}}"
  resource_group_name  = "rg"
  location             = "westeurope"
  service_plan_id      = "plan"
  storage_account_name = "st"
  site_config {{}}
}}
"""
        for n in range(2)
    )
    (tmp_path / "main.tf").write_text(blocks)
    _, report = check(tmp_path)
    (message,) = unreadable(report)
    assert "more than 800 resource instances" in message


@pytest.mark.parametrize(("parents", "over"), [(100, True), (70, False)])
def test_children_of_a_looped_bicep_resource_count_toward_the_limit(
    tmp_path: Path, parents: int, over: bool
) -> None:
    """Each instance of a looped parent deploys its nested children again: 100
    parents with 10 children are 1,100 resources from a few lines."""
    children = "".join(
        f"  resource c{i} 'config' = {{\n    name: 'c{i}'\n  }}\n" for i in range(10)
    )
    (tmp_path / "main.bicep").write_text(
        "resource site 'Microsoft.Web/sites@2023-12-01' = "
        f"[for i in range(0, {parents}): {{\n"
        "  name: 'app${i}'\n  location: 'westeurope'\n"
        "  kind: 'functionapp,linux'\n" + children + "}]\n"
    )
    _, report = check(tmp_path)
    if over:
        (message,) = unreadable(report)
        assert "more than 800 resource instances" in message
        assert " in a loop: loops make more than" in message  # a child ran over
    else:
        assert unreadable(report) == [] and len(report["targets"]) == parents


def nested_children(levels: int) -> dict[str, Any]:
    inner: dict[str, Any] = {"type": "config", "name": "web", "properties": {}}
    for _ in range(levels - 1):
        inner = {"type": "config", "name": "web", "resources": [inner]}
    return inner


@pytest.mark.parametrize("levels", [5, 6, 400])
def test_child_resources_nest_as_deep_as_arm_allows(
    tmp_path: Path, levels: int
) -> None:
    path = tmp_path / "t.json"
    path.write_text(arm({}, "1", resources=[nested_children(levels)]))
    _, report = check(path)
    messages = unreadable(report)
    if levels <= 5:
        assert messages == [] and report["targets"]
    else:
        expected = (
            "too large to evaluate: child resources nested more than 5 levels deep "
            "(ARM allows five)"
        )
        assert messages == [expected]


def test_deployments_nested_past_the_bound_are_refused(tmp_path: Path) -> None:
    template: dict[str, Any] = {"$schema": SCHEMA, "resources": []}
    for i in range(100):
        template = {
            "$schema": SCHEMA,
            "resources": [
                {
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "2022-09-01",
                    "name": f"d{i}",
                    "properties": {"mode": "Incremental", "template": template},
                }
            ],
        }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    _, report = check(path)
    assert any("deployments nested more than 32" in m for m in unreadable(report))


def test_an_attribute_chain_in_app_code_is_resolved_once_per_link(
    tmp_path: Path,
) -> None:
    """Each call along `req.b().a.b()...` asked for the whole chain below it (the
    chain's length squared); a link is now resolved once per statement."""
    import ast

    from azfn_profile.code import analyze

    walked = 0
    original = analyze.resolve_expr

    def counting(*args: Any) -> Any:
        nonlocal walked
        memo = args[4] if len(args) > 4 else None
        before = len(memo) if memo is not None else 0
        result = original(*args)
        if memo is not None:
            walked += len(memo) - before + 1
        else:  # without a memo, the whole chain below is walked
            node = args[3]
            while isinstance(node, ast.Attribute | ast.Call):
                walked += 1
                node = node.value if isinstance(node, ast.Attribute) else node.func
        return result

    chain = "req" + "".join(".a" if j % 2 else ".b()" for j in range(400))
    (tmp_path / "function_app.py").write_text(
        "import azure.functions as func\napp = func.FunctionApp()\n\n"
        f'@app.route(route="r")\ndef f(req):\n    return {chain}\n'
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analyze, "resolve_expr", counting)
        result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert 400 <= walked <= 3 * 400, walked  # linear in the chain, not 200 * 400


def test_case_insensitive_parameter_lookups_use_one_map(tmp_path: Path) -> None:
    params = {f"P{i}": {"type": "string", "defaultValue": f"v{i}"} for i in range(3000)}
    variables = {f"x{i}": f"[parameters('p{i}')]" for i in range(3000)}
    site = json.loads(arm(variables, "[variables('x2999')]"))
    site["parameters"] = params
    path = tmp_path / "t.json"
    path.write_text(json.dumps(site))
    _, report = check(path)
    assert unreadable(report) == [] and report["targets"]


def test_lookups_without_case_build_each_objects_keys_once() -> None:
    from azfn_profile.sources.arm_functions import member

    big = {f"Key{i}": i for i in range(1000)}
    budget = Budget(steps=10_000)
    assert member(big, "key5", budget=budget) == 5
    assert budget.steps_left == 10_000 - 1000  # the keys, once
    for i in range(1000):  # one lookup each from then on
        assert member(big, f"KEY{i}", budget=budget) == i
    assert budget.steps_left == 10_000 - 1000
    with pytest.raises(BudgetExceeded):  # other objects are charged their own keys
        for _ in range(20):
            member(dict(big), "KEY7", budget=budget)


def test_fingerprints_take_any_code_point() -> None:
    finding = Finding(
        "AZFN101",
        "worker.process-count-valid",
        "error",
        "\udc00 lone surrogate",
        Location("f\udc80.json"),
    )
    assert len(finding.fingerprint()) == 16


def test_json_output_is_json_whatever_a_value_holds(tmp_path: Path) -> None:
    """U+0085 (NEL) and other C1 controls: JSON leaves them raw, the sink would have
    written them as `\\x85`, which is no JSON escape."""
    path = tmp_path / "main.bicep"
    path.write_text(
        "resource s 'Microsoft.Web/sites@2023-12-01' = {\n"
        "  name: 'app\\u{85}::error::x\\u{9b}\\u{7f}'\n"
        "  kind: 'functionapp,linux'\n"
        "  properties: { siteConfig: { linuxFxVersion: 'Python|3.12' } }\n}\n"
    )
    for fmt in ("json", "sarif"):
        out = CliRunner().invoke(cli, ["check", str(path), "--format", fmt]).stdout
        document = json.loads(out)
        assert document
        assert "\x85" not in out and not any(
            line.lstrip().startswith("::") for line in out.splitlines()
        )
    report = json.loads(
        CliRunner().invoke(cli, ["check", str(path), "--format", "json"]).stdout
    )
    assert report["targets"][0]["resource"] == "app\x85::error::x\x9b\x7f"


def test_each_bicep_file_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Module discovery and reading share one parse of each file (a Bicep file was
    parsed twice: to find module calls, then to read it)."""
    from collections import Counter

    from azfn_profile.sources import bicep, bicep_parser

    parsed: Counter[str] = Counter()
    original = bicep_parser.parse

    def counting(source: str) -> Any:
        parsed[source] += 1
        return original(source)

    monkeypatch.setattr(bicep_parser, "parse", counting)
    monkeypatch.setattr(bicep, "parse", counting)
    repo = Path(__file__).parent / "data" / "repos" / "local-module"
    result = CliRunner().invoke(cli, ["check", str(repo), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    files = [*repo.rglob("*.bicep"), *repo.rglob("*.bicepparam")]
    assert len(parsed) == len(files) > 1
    assert set(parsed.values()) == {1}, parsed.values()


def test_suppression_comments_are_matched_by_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every finding was tried against every comment of its file (findings x
    comments); it is now looked up by file, check and line."""
    from azfn_profile.findings import Suppression

    functions = "".join(
        f'\n@app.route(route="r{i}")\nasync def f{i}(req):\n'
        f'    return requests.get("https://x.invalid/{i}").text'
        f"  # azfn: ignore[AZFN401] measured at 20 ms\n"
        for i in range(400)
    )
    (tmp_path / "function_app.py").write_text(
        "import requests\nimport azure.functions as func\napp = func.FunctionApp()\n"
        + functions
    )
    tried = 0
    original = Suppression.covers

    def counting(self: Suppression, finding: Finding) -> bool:
        nonlocal tried
        tried += 1
        return original(self, finding)

    monkeypatch.setattr(Suppression, "covers", counting)
    _, report = check(tmp_path)
    suppressed = [f for f in report["findings"] if f["status"] == "suppressed"]
    assert len(suppressed) >= 400
    assert tried <= 2 * len(report["findings"]), tried  # was 400 x findings


def nested_deployments(levels: int) -> dict[str, Any]:
    """`levels` inline deployments, one inside the other, each with a function app."""
    inner: dict[str, Any] = {"$schema": SCHEMA, "resources": []}
    for i in range(levels):
        site = json.loads(arm({}, "v"))["resources"][0] | {"name": f"app{i}"}
        deployment = {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": f"d{i}",
            "properties": {"mode": "Incremental", "template": inner},
        }
        inner = {"$schema": SCHEMA, "resources": [site, deployment]}
    return inner


def nested_modules(folder: Path, levels: int) -> Path:
    """main.bicep calls m1.bicep, which calls m2.bicep, ...: each file holds an app."""
    for i in range(levels, -1, -1):
        call = (
            f"module next 'm{i + 1}.bicep' = {{\n  name: 'm{i + 1}'\n}}\n"
            if i < levels
            else ""
        )
        (folder / (f"m{i}.bicep" if i else "main.bicep")).write_text(
            f"resource app{i} 'Microsoft.Web/sites@2023-12-01' = {{\n"
            f"  name: 'app{i}'\n  location: 'westeurope'\n"
            "  kind: 'functionapp,linux'\n"
            "  properties: { siteConfig: { linuxFxVersion: 'Python|3.11' } }\n}\n"
            + call
        )
    return folder / "main.bicep"


def longest_lines(path: Path) -> dict[str, int]:
    """The longest line each format prints for `path`'s findings."""
    out = {}
    for fmt in ("text", "json", "sarif", "github", "junit"):
        result = CliRunner().invoke(cli, ["check", str(path), "--format", fmt])
        assert result.exit_code in (0, 1), result.output
        out[fmt] = max(map(len, result.stdout.splitlines()))
    return out


@pytest.mark.parametrize("reader", ["arm", "bicep"])
def test_a_deep_chain_prints_a_bounded_share_per_finding(
    tmp_path: Path, reader: str
) -> None:
    """Every app of a chain n deep has findings, and each used to print the whole
    chain: output grew with n squared. A finding prints the outermost and innermost
    steps, so its lines are no longer at 30 levels than at 10, in every format."""
    sizes = {}
    for levels in (10, 15 if reader == "bicep" else 30):
        folder = tmp_path / f"{reader}{levels}"
        folder.mkdir()
        if reader == "arm":
            path = folder / "t.json"
            path.write_text(json.dumps(nested_deployments(levels)))
        else:
            path = nested_modules(folder, levels)
        sizes[levels] = longest_lines(path)
        _, report = check(path)
        vias = [t["via"] for t in report["targets"]]
        assert all(len(v) <= 8 for v in vias)
        # an app k > 8 calls deep shows 3 + "... k-7 more ..." + 4 of them
        deepest = levels - 1 if reader == "arm" else levels
        assert sorted(v[3] for v in vias if len(v) == 8 and "more" in v[3]) == sorted(
            f"... {k - 7} more ..." for k in range(9, deepest + 1)
        )
        failing = [f for f in report["findings"] if f["location"]["via"]]
        assert failing and all(len(f["location"]["via"]) <= 8 for f in failing)
    small, large = sizes.values()
    for fmt, longest in large.items():
        assert longest <= small[fmt] + 40, (fmt, small[fmt], longest)


# Budgets that run out: each reader, each unit, in a root file and in a module. The
# AZFN000 names the construct that ran out (its file and line), never the top of
# the file, and the app in the other file is still judged.
BICEP_APP = """resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: 'fine'
  location: 'westeurope'
  kind: 'functionapp,linux'
  properties: { siteConfig: { linuxFxVersion: 'Python|3.11' } }
}
"""
TF_APP = """resource "azurerm_linux_function_app" "fine" {
  name                = "fine"
  location            = "westeurope"
  resource_group_name = "rg"
  service_plan_id     = "plan"
  site_config {
    application_stack {
      python_version = "3.11"
    }
  }
}
"""


def bicep_blowup(unit: str) -> tuple[str, str]:
    """A Bicep file that runs out of `unit`, and the text of the line that should
    be named."""
    pad = "// padding\n" * 5
    if unit == "cells":
        doubling = "var b0 = 'x'\n" + "".join(
            f"var b{i} = [b{i - 1}, b{i - 1}]\n" for i in range(1, 41)
        )
        culprit = "var big = string(b40)"
        return (
            pad
            + doubling
            + culprit
            + "\nresource s 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n"
            "  name: 's'\n  tags: { t: big }\n}\n",
            culprit,
        )
    culprit = (
        "resource many 'Microsoft.Storage/storageAccounts@2023-01-01' = "
        "[for i in range(0, 900): {"
    )
    return pad + culprit + "\n  name: 's${i}'\n}]\n", culprit


def tf_blowup(unit: str) -> tuple[str, str]:
    pad = "# padding\n" * 5
    if unit == "cells":
        doubling = (
            'locals {\n  b0 = "x"\n'
            + "".join(
                f"  b{i} = [local.b{i - 1}, local.b{i - 1}]\n" for i in range(1, 41)
            )
            + "}\n"
        )
        culprit = 'resource "azurerm_storage_account" "s" {'
        return (
            pad + doubling + culprit + '\n  name = "s"\n'
            "  tags = { t = jsonencode(local.b40) }\n}\n",
            culprit,
        )
    culprit = 'resource "azurerm_storage_account" "many" {'
    return pad + culprit + '\n  count = 900\n  name = "s${count.index}"\n}\n', culprit


def arm_blowup(unit: str) -> tuple[str, str]:
    marker = "Microsoft.Storage/storageAccounts"
    resource: dict[str, Any] = {"type": marker, "apiVersion": "2023-01-01"}
    if unit == "cells":
        resource["name"] = "[string(variables('b40'))]"
        variables = SHARED
    else:
        resource |= {
            "name": "[concat('s', copyIndex())]",
            "copy": {"name": "c", "count": 900},
        }
        variables = {}
    template = {"$schema": SCHEMA, "variables": variables, "resources": [resource]}
    return json.dumps(template, indent=2), f'"type": "{marker}"'


@pytest.mark.parametrize("unit", ["cells", "instances"])
@pytest.mark.parametrize("reader", ["arm", "bicep", "bicep-module", "tf", "tf-module"])
def test_a_budget_that_runs_out_names_the_construct(
    tmp_path: Path, reader: str, unit: str
) -> None:
    if reader == "arm":
        text, culprit = arm_blowup(unit)
        (tmp_path / "big.json").write_text(text)
        (tmp_path / "app.json").write_text(arm({}, "v"))
        named = "big.json"
    elif reader.startswith("bicep"):
        text, culprit = bicep_blowup(unit)
        if reader == "bicep":
            (tmp_path / "big.bicep").write_text(text)
            named = "big.bicep"
        else:
            (tmp_path / "mod").mkdir()
            (tmp_path / "mod" / "big.bicep").write_text(text)
            (tmp_path / "main.bicep").write_text(
                "module m 'mod/big.bicep' = {\n  name: 'm'\n}\n"
            )
            named = "mod/big.bicep"
        (tmp_path / "app").mkdir()
        (tmp_path / "app" / "app.bicep").write_text(BICEP_APP)
    else:
        text, culprit = tf_blowup(unit)
        root = tmp_path / "infra"
        root.mkdir()
        if reader == "tf":
            (root / "big.tf").write_text(text)
            named = "infra/big.tf"
        else:
            (root / "mod").mkdir()
            (root / "mod" / "big.tf").write_text(text)
            (root / "main.tf").write_text('module "m" {\n  source = "./mod"\n}\n')
            named = "infra/mod/big.tf"
        (tmp_path / "app").mkdir()
        (tmp_path / "app" / "main.tf").write_text(TF_APP)
    _, report = check(tmp_path)
    zero = [f for f in report["findings"] if f["id"] == "AZFN000"]
    assert len(zero) == 1, zero
    where = zero[0]["location"]
    assert "too large" in zero[0]["message"]
    assert where["file"].replace("\\", "/").endswith(named), where
    lines = (tmp_path / named).read_text().splitlines()
    assert where["line"] > 1 and culprit in lines[where["line"] - 1] + "".join(
        lines[where["line"] : where["line"] + 1]
    ), (where, lines[where["line"] - 1])
    judged = {t["resource"] for t in report["targets"]}
    assert judged & {"fine", "app", "azurerm_linux_function_app.fine"}, judged
