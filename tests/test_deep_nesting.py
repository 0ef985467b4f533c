"""Nesting in every construct of every grammar, ten times past the readers' bounds
(200 levels): `check` reports a located finding (or judges what it can), never an
internal error (exit 3), within the time budget. The readers' own bounds must be
reached before Python's stack is (`azfn_profile.deep`); what is not is caught per
file (`sources.pairing`)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli

pytestmark = pytest.mark.slow  # builds and reads deeply nested inputs

N = 2000  # ten times the readers' bound of 200 levels
SITE = (
    "resource site 'Microsoft.Web/sites@2023-12-01' = {{\n  name: {name}\n"
    "  location: 'westeurope'\n  kind: 'functionapp,linux'\n  properties: {{}}\n}}\n"
)


def _arm(name: str, extra: dict[str, object] | None = None) -> str:
    template: dict[str, object] = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
        "deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Web/sites",
                "apiVersion": "2023-12-01",
                "name": name,
                "kind": "functionapp,linux",
                "location": "westeurope",
                "properties": {},
            }
        ],
    }
    template.update(extra or {})
    return json.dumps(template)


def _nested_resources() -> str:
    """Child resources nested N deep (written as text: too deep for json.dumps)."""
    child = '{"type": "config", "name": "web", "resources": ['
    chain = child * N + '{"type": "config", "name": "web"}' + "]}" * N
    return _arm("app").replace(
        '"properties": {}}]', f'"properties": {{}}, "resources": [{chain}]}}]'
    )


def _nested_deployments() -> str:
    inner = json.loads(_arm("app"))
    for _ in range(N // 10):
        inner = json.loads(
            _arm(
                "app",
                {
                    "resources": [
                        {
                            "type": "Microsoft.Resources/deployments",
                            "apiVersion": "2022-09-01",
                            "name": "d",
                            "properties": {"mode": "Incremental", "template": inner},
                        }
                    ]
                },
            )
        )
    return json.dumps(inner)


CASES: dict[str, tuple[str, Callable[[], str]]] = {
    "bicep-parentheses": (
        "main.bicep",
        lambda: SITE.format(name="(" * N + "'a'" + ")" * N),
    ),
    "bicep-arrays": ("main.bicep", lambda: SITE.format(name="[" * N + "]" * N)),
    "bicep-objects": (
        "main.bicep",
        lambda: SITE.format(name="{a: " * N + "1" + "}" * N),
    ),
    "bicep-calls": (
        "main.bicep",
        lambda: SITE.format(name="string(" * N + "1" + ")" * N),
    ),
    "bicep-ternaries": (
        "main.bicep",
        lambda: SITE.format(name="true ? " * N + "'a'" + " : 'b'" * N),
    ),
    "bicep-members": ("main.bicep", lambda: SITE.format(name="x" + ".a" * N)),
    "bicep-variables": (
        "main.bicep",
        lambda: (
            "".join(f"var v{i} = v{i + 1}\n" for i in range(N))
            + f"var v{N} = 'a'\n"
            + SITE.format(name="v0")
        ),
    ),
    "bicep-params": (
        "main.bicep",
        lambda: (
            "".join(f"param p{i} string = p{i + 1}\n" for i in range(N))
            + f"param p{N} string = 'a'\n"
            + SITE.format(name="p0")
        ),
    ),
    "arm-expression": (
        "azuredeploy.json",
        lambda: _arm("[" + "concat(" * N + "'a'" + ")" * N + "]"),
    ),
    "arm-variables": (
        "azuredeploy.json",
        lambda: _arm(
            "[variables('v0')]",
            {
                "variables": {
                    **{f"v{i}": f"[variables('v{i + 1}')]" for i in range(N)},
                    f"v{N}": "a",
                }
            },
        ),
    ),
    "arm-parameters": (
        "azuredeploy.json",
        lambda: _arm(
            "[parameters('p0')]",
            {
                "parameters": {
                    **{
                        f"p{i}": {
                            "type": "string",
                            "defaultValue": f"[parameters('p{i + 1}')]",
                        }
                        for i in range(N)
                    },
                    f"p{N}": {"type": "string", "defaultValue": "a"},
                }
            },
        ),
    ),
    "arm-nested-resources": ("azuredeploy.json", _nested_resources),
    "arm-nested-deployments": ("azuredeploy.json", _nested_deployments),
    "json-arrays": ("azuredeploy.json", lambda: "[" * (N * 10) + "]" * (N * 10)),
    "terraform-parentheses": (
        "main.tf",
        lambda: (
            'resource "azurerm_linux_function_app" "a" {\n  name = '
            + "(" * N
            + '"a"'
            + ")" * N
            + "\n}\n"
        ),
    ),
    "terraform-locals": (
        "main.tf",
        lambda: (
            "locals {\n"
            + "".join(f"  l{i} = local.l{i + 1}\n" for i in range(N))
            + f'  l{N} = "a"\n}}\n'
            'resource "azurerm_linux_function_app" "a" {\n  name = local.l0\n}\n'
        ),
    ),
    "terraform-objects": (
        "main.tf",
        lambda: (
            'resource "azurerm_linux_function_app" "a" {\n  name = "a"\n  app_settings = '
            + "{a = " * N
            + "1"
            + "}" * N
            + "\n}\n"
        ),
    ),
    "python-attributes": (
        "function_app.py",
        lambda: (
            "import azure.functions as func\napp = func.FunctionApp()\n\n\n"
            "@app.route(route='r')\ndef f(req):\n    return x" + ".a" * N + "\n"
        ),
    ),
    "python-calls": (
        "function_app.py",
        lambda: (
            "import azure.functions as func\napp = func.FunctionApp()\n\n\n"
            "@app.route(route='r')\ndef f(req):\n    return "
            + "g(" * N
            + ")" * N
            + "\n"
        ),
    ),
    "yaml-profile": (
        "profile.yaml",
        lambda: "name: a\nplan: " + "[" * N + "]" * N + "\n",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_nesting_far_past_every_bound_is_a_finding(tmp_path: Path, case: str) -> None:
    name, build = CASES[case]
    (tmp_path / name).write_text(build())
    started = time.perf_counter()
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    seconds = time.perf_counter() - started
    assert result.exit_code in (0, 1, 2), result.output[-2000:]
    assert "internal error" not in result.output, result.output[-2000:]
    assert seconds < 60, seconds
    report = json.loads(result.stdout)
    for finding in report["findings"]:
        if finding["id"] == "AZFN000":
            assert finding["location"]["line"] is not None, finding
