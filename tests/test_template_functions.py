"""ARM template expressions and Bicep expressions, evaluated as ARM and Bicep do.

Expected values follow the template-function reference
(learn.microsoft.com/azure/azure-resource-manager/templates/template-functions) and
Bicep's operators (learn.microsoft.com/azure/azure-resource-manager/bicep/operators).
Deployment-time values stay opaque, but equal when computed the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from azfn_profile.sources.arm import _Scope
from azfn_profile.sources.arm_expr import evaluate_text
from azfn_profile.sources.bicep import Deployment, Workspace, read_bicep
from azfn_profile.sources.graph import Graph
from azfn_profile.sources.values import Budget, Opaque, ResourceId, Text, known


def arm(expression: str, **variables: Any) -> Any:
    template = {
        "parameters": {"name": {"type": "string", "defaultValue": "Orders"}},
        "variables": variables,
    }
    return evaluate_text(expression, _Scope(template, {}, Budget(), Graph()))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[if(equals(parameters('name'), 'Orders'), 'a', 'b')]", "a"),
        ("[not(equals(1, 2))]", True),
        ("[and(true, or(false, true))]", True),
        ("[coalesce(null(), 'x', 'y')]", "x"),
        ("[empty('')]", True),
        ("[empty(createObject())]", True),
        ("[contains(createArray('a', 'b'), 'b')]", True),
        ("[contains(createObject('Key', 1), 'key')]", True),
        ("[union(createObject('a', 1), createObject('b', 2))]", {"a": 1, "b": 2}),
        (
            "[union(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2)))]",
            {"a": {"x": 1, "y": 2}},
        ),
        ("[concat(createArray(1), createArray(2, 3))]", [1, 2, 3]),
        ("[concat('a', 1, true)]", "a1true"),
        ("[json('{\"a\": [1, 2]}')]", {"a": [1, 2]}),
        ("[toLower(parameters('name'))]", "orders"),
        ("[toUpper('py')]", "PY"),
        ("[format('{0}-{1}', parameters('name'), 3)]", "Orders-3"),
        ("[format('{{literal}} {0}', 'x')]", "{literal} x"),
        ("[length(createArray(1, 2, 3))]", 3),
        ("[take('abcdef', 3)]", "abc"),
        ("[split('a/b/c', '/')]", ["a", "b", "c"]),
        ("[replace('a-b', '-', '_')]", "a_b"),
        ("[int('42')]", 42),
        ("[add(2, mul(3, 4))]", 14),
        ("[createArray(1, 2)[1]]", 2),
        ("[createObject('a', createObject('b', 'deep')).a.b]", "deep"),
        ("[[literal]", "[literal]"),
        ("[variables('v')]", "value"),
    ],
)
def test_template_functions(expression: str, expected: Any) -> None:
    assert arm(expression, v="value") == expected


def test_deployment_values_are_opaque_but_equal_when_computed_alike() -> None:
    a = arm("[uniqueString(resourceGroup().id)]")
    b = arm("[uniqueString(resourceGroup().id)]")
    c = arm("[uniqueString(subscription().id)]")
    assert isinstance(a, Opaque) and a == b and a != c
    for expression in (
        "[guid(resourceGroup().id)]",
        "[deployment().name]",
        "[environment().suffixes.storage]",
        "[reference('x').properties.defaultHostName]",
        "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-01-01').keys[0].value]",
    ):
        assert not known(arm(expression)), expression


def test_names_built_alike_are_the_same_value() -> None:
    formatted = arm("[format('{0}-plan', uniqueString(resourceGroup().id))]")
    concatenated = arm("[concat(uniqueString(resourceGroup().id), '-plan')]")
    assert isinstance(formatted, Text) and formatted == concatenated
    ref = arm(
        "[resourceId('Microsoft.Web/serverfarms', format('{0}-plan', uniqueString(resourceGroup().id)))]"
    )
    assert ref == ResourceId("microsoft.web/serverfarms", (formatted,))


def test_if_evaluates_only_the_branch_taken() -> None:
    assert (
        arm("[if(true(), 'x', variables('loop'))]", loop="[variables('loop')]") == "x"
    )


BICEP = """
import { settingsType } from './types.bicep'
#disable-next-line no-unused-params
@description('''A multi-line
description.''')
@minLength(2)
param name string = 'orders'
@secure()
param key string = 'key-from-default'
param extra object?
param regions array = ['westeurope', 'northeurope']

type sizes = 'S' | 'M'
  | 'L'
func prefixed(value string) string => '${name}-${value}'

var base = {
  FUNCTIONS_WORKER_RUNTIME: 'python'
  'hidden-link:${name}': 'Resource'
}
var merged = {
  ...base
  ...(empty(extra ?? {}) ? {} : extra!)
  COUNT: string(length(filter(regions, r => startsWith(r, 'west'))))
  UPPER: join(map(regions, (r, i) => '${i}:${toUpper(r)}'), ',')
  SAFE: extra.?missing ?? 'fallback'
  FIRST: regions[?0] ?? 'none'
  MULTI: '''
line one
line two'''
  MODE: length(regions) > 1
    ? 'many'
    : 'one'
}

resource broken 'Microsoft.Web/sites@2024-04-01' = {
  name: 'x'
  properties: {
    httpsOnly: true true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: prefixed('func')
  kind: 'functionapp,linux'
  properties: {
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
    }
  }
  resource settings 'config' = {
    name: 'appsettings'
    properties: merged
  }
}
"""


def test_bicep_language_as_real_files_write_it(tmp_path: Path) -> None:
    path = tmp_path / "main.bicep"
    path.write_text(BICEP)
    graph = Graph()
    deployment = Deployment(graph, Workspace(tmp_path), "main")
    read_bicep(path, "main.bicep", {}, deployment)
    # One statement does not parse: it is reported with its place; the rest is read.
    ((problem),) = deployment.problems
    broken = BICEP.splitlines().index("    httpsOnly: true true") + 1
    assert (problem.line, problem.message) == (
        broken,
        "invalid Bicep: object: expected a new line, found 'true'",
    )
    site, settings = graph.resources
    assert (site.type, site.name) == ("Microsoft.Web/sites", "orders-func")
    assert settings.name == "orders-func/appsettings"
    assert settings.body["properties"] == {
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "hidden-link:orders": "Resource",
        "COUNT": "1",
        "UPPER": "0:WESTEUROPE,1:NORTHEUROPE",
        "SAFE": "fallback",
        "FIRST": "westeurope",
        "MULTI": "line one\nline two",
        "MODE": "many",
    }
