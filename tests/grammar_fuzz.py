"""Grammar-aware generators for every source `check` reads, shared by the suite (a
bounded run, tests/test_grammar_fuzz.py) and benchmarks/campaign.py (a long one).

Where tests/fuzzing.py mutates real files, these compose each reader's constructs
(expressions, loops, modules, nested resources, chains of variables that double
their values, ...) and plant hostile payloads in names and values: workflow
commands at the start of a line, CR/LF, ANSI escapes, NUL, lone surrogates, very
long strings, `${file(...)}`, module paths out of the repository (relative,
absolute, symlinks) and secrets (secure parameters with a unique marker, and
connection strings carrying a credential marker) that flow into names, settings,
tags, outputs and module parameters through string functions.

Every case is a function of (reader, number, size): `build(reader, number, size)`
gives the same files each time, so a failing case can be written out and replayed
(`python -m tests.grammar_fuzz replay READER NUMBER SIZE FOLDER`).

A case is checked by `judge(folder)` in the current process (an audit hook records
every file opened) or by `python -m tests.grammar_fuzz worker FOLDER` in a child
process (benchmarks/campaign.py), which prints the verdict as JSON.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

OUTSIDE = "@@OUTSIDE@@"  # replaced by the absolute path of the case's honeypot folder
FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")
# What a verdict records from a case's output, each a list of what was found.
OUTPUT_CLASSES = (
    "injection",
    "control",
    "unparseable",
    "escape",
    "secret_leak",
    "cred_leak",
)
READERS = (
    "bicep",
    "arm",
    "terraform",
    "tfplan",
    "preview",
    "pulumi",
    "python",
    "hostjson",
    "profile",
)


def secret_marker(n: int) -> str:
    return f"SECRETMARK-{n}-zz"


def conn_marker(n: int) -> str:
    return f"CONNMARK-{n}-zz"


def honeypot_marker(n: int) -> str:
    return f"HONEYPOT-{n}-qq"


# -- hostile payloads ------------------------------------------------------------

HOSTILE = [
    "::error::injected",
    "::add-mask::injected",
    "\n::error file=x,line=1::nl",
    "\r::warning::cr",
    "\r\n::error::crlf",
    "x\x1b[31mred\x1b[0m",
    "\x1b]0;title\x07",
    "nul\x00byte",
    "lone\ud800surrogate",
    "\udc00",
    "\x0b::error::vt",
    "\x0c::error::ff",
    "\x85::error::nel",
    "\u2028::error::ls",
    "%0A::error::encoded",
    '${file("/etc/passwd")}',
    "%{ if true }x%{ endif }",
    "[concat('::error::', 'arm')]",
    "[[literal",
    "'quote\"double`back",
    "{{template}}",
    "é²１１",
]


def hostile(rng: random.Random, size: int) -> str:
    r = rng.random()
    if r < 0.08:
        return "L" * rng.choice([300, 5000, 1000 * size])
    return rng.choice(HOSTILE)


def conn_string(rng: random.Random, n: int) -> str:
    m = conn_marker(n)
    return rng.choice(
        [
            (
                f"DefaultEndpointsProtocol=https;AccountName=st1;AccountKey={m};"
                "EndpointSuffix=core.windows.net"
            ),
            (
                "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=R;"
                f"SharedAccessKey={m}"
            ),
            f"Endpoint=https://x.azconfig.io;Id=abc;AccessKey={m}",
            f"StorageAccountKey={m}",
            f'Server=db;User Id=u;Password="{m}";',
            f"Server=db;Password={m};",
            f"https://user:{m}@host.example.com/path",
            f"https://fn.azurewebsites.net/api/x?code={m}",
        ]
    )


# -- case model ------------------------------------------------------------------


@dataclass
class Case:
    reader: str
    number: int
    size: int
    files: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # repo path -> target
    secrets: list[str] = field(default_factory=list)  # secure-parameter markers
    creds: list[str] = field(default_factory=list)  # connection-string markers


class Gen:
    """Per-case state: the random source, the size, the markers."""

    def __init__(self, reader: str, number: int, size: int) -> None:
        self.rng = random.Random(f"grammar-{reader}-{number}-{size}")
        self.n = number
        self.size = max(1, size)
        self.case = Case(reader, number, size)
        self.counter = 0
        self.raw = self.rng.random() < 0.05  # raw control characters, bad UTF-8

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def ident(self, prefix: str = "v") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def secret(self) -> str:
        m = secret_marker(self.n)
        if m not in self.case.secrets:
            self.case.secrets.append(m)
        return m

    def cred(self) -> str:
        c = conn_string(self.rng, self.n)
        m = conn_marker(self.n)
        if m not in self.case.creds:
            self.case.creds.append(m)
        return c

    def hostile(self) -> str:
        return hostile(self.rng, self.size)

    def word(self) -> str:
        if self.chance(0.3):
            return self.hostile()
        return self.rng.choice(["orders", "api", "x", "func", "py", "a-b", "Q1"])

    def pick(self, items: Sequence[T]) -> T:
        return self.rng.choice(items)

    def escape_path(self, kind: str) -> str:
        """A module/file path that leaves the repository."""
        return self.pick(
            [
                f"../../outside/x.{kind}",
                f"../outside/x.{kind}",
                f"{OUTSIDE}/x.{kind}",
                f"./link/x.{kind}",
                f"./linked.{kind}",
                "/etc/passwd",
                "../" * 12 + "etc/passwd",
            ]
        )

    def plant_links(self, kind: str) -> None:
        self.case.links["link"] = OUTSIDE
        self.case.links[f"linked.{kind}"] = f"{OUTSIDE}/x.{kind}"
        if self.chance(0.5):
            self.case.links[f"sub/linked.{kind}"] = f"{OUTSIDE}/x.{kind}"


# -- Bicep -----------------------------------------------------------------------


def bicep_str(g: Gen, value: str) -> str:
    out = []
    raw = g.raw  # sometimes raw control characters (bad input)
    for c in value:
        if c == "'":
            out.append("\\'")
        elif c == "\\":
            out.append("\\\\")
        elif c == "$":
            out.append("\\$")
        elif c == "\n" and not raw:
            out.append("\\n")
        elif c == "\r" and not raw:
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif (
            ord(c) < 32 or 0xD800 <= ord(c) < 0xE000 or ord(c) in (0x85, 0x2028)
        ) and not raw:
            out.append(f"\\u{{{ord(c):X}}}")
        else:
            out.append(c)
    return "'" + "".join(out) + "'"


def compose(
    g: Gen, depth: int, leaf: Callable[[], str], forms: Sequence[str], stop: float
) -> str:
    """An expression `depth` deep at most: a form whose each § is a sub-expression
    and # a small number, or (at the bottom, or with chance `stop`) a leaf."""
    if depth <= 0 or g.chance(stop):
        return leaf()
    form = g.pick(forms).replace("#", str(g.rng.randint(0, 5)))
    return re.sub("§", lambda _: compose(g, depth - 1, leaf, forms, stop), form)


def leaf(
    g: Gen,
    refs: list[str],
    quoted: Callable[[str], str],
    odds: tuple[float, float, int],
) -> Callable[[], str]:
    """A name in scope, a quoted word or a number (from `low` to 40), by `odds`:
    (names below, words below, low)."""
    named, worded, low = odds

    def make() -> str:
        r = g.rng.random()
        if refs and r < named:
            return g.pick(refs)
        if r < worded:
            return quoted(g.word())
        return str(g.rng.randint(low, 40))

    return make


# The string functions ARM and Bicep share (same names, same arguments).
STRING_FORMS = (
    "replace(string(§), 'a', §)",
    "toLower(string(§))",
    "toUpper(string(§))",
    "base64(string(§))",
    "string(§)",
    "split(string(§), '-')",
)
BICEP_FORMS = (
    "'${§}-${§}'",
    "concat(§, §)",
    "format('{0}-{1}', §, §)",
    *STRING_FORMS,
    "join([string(§), string(§)], ',')",
    "uniqueString(§)",
    "length(string(§)) > 3 ? § : §",
    "[§, §]",
    "{ a: §, b: § }",
    "map(range(0, #), i => '${i}${§}')",
    "filter([§, §], x => x != '')",
    "reduce([§, §], '', (c, n) => '${c}${n}')",
    "(§)",
    "§ ?? §",
    "union({ a: § }, { b: § })",
    "first([§])",
    "empty(§) ? 'e' : 'n'",
)


def bicep_expr(g: Gen, names: list[str], depth: int) -> str:
    """An expression over the names in scope."""
    words = leaf(g, names, lambda w: bicep_str(g, w), (0.5, 0.75, -5))
    return compose(g, depth, words, BICEP_FORMS, 0.25)


def bicep_module_file(g: Gen, depth: int) -> str:
    lines = [
        "@secure()",
        "param secretIn string",
        "param name string",
        "param settings object = {}",
        "param count int = 1",
    ]
    if depth > 0 and g.chance(0.5):
        lines += [
            f"module inner './inner{depth}.bicep' = {{",
            "  name: 'inner'",
            "  params: { secretIn: secretIn, name: '${name}-i' }",
            "}",
        ]
        g.case.files[f"modules/inner{depth}.bicep"] = bicep_module_file(g, depth - 1)
    lines += [
        "resource site 'Microsoft.Web/sites@2023-12-01' = {",
        "  name: name",
        "  location: 'westeurope'",
        "  kind: 'functionapp,linux'",
        "  tags: { s: secretIn, n: toUpper(secretIn) }",
        "  properties: {",
        "    siteConfig: {",
        "      linuxFxVersion: 'Python|3.12'",
        "      appSettings: concat([",
        "        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }",
        "        { name: 'FUNCTIONS_WORKER_PROCESS_COUNT', value: '${count}' }",
        "        { name: 'SECRET', value: secretIn }",
        "      ], [for item in items(settings): { name: item.key, value: string(item.value) }])",
        "    }",
        "  }",
        "}",
        "output leaked string = secretIn",
        "output upper string = toUpper(secretIn)",
    ]
    return "\n".join(lines) + "\n"


def gen_bicep(g: Gen) -> None:
    size = g.size
    lines: list[str] = []
    names: list[str] = []
    # parameters, one of them secure with a marker default
    lines += ["@secure()", f"param secretParam string = {bicep_str(g, g.secret())}"]
    lines += [
        f"@description({bicep_str(g, g.hostile())})",
        "param location string = 'westeurope'",
    ]
    lines += [f"param appName string = {bicep_str(g, g.word())}"]
    lines += [
        "@secure()",
        "param secureObj object = {",
        f"  key: {bicep_str(g, g.secret())}",
        "}",
    ]
    lines += [f"param count int = {g.rng.randint(0, 20)}"]
    names += ["secretParam", "location", "appName"]
    lines.append(f"var conn = {bicep_str(g, g.cred())}")
    names.append("conn")
    # a chain of variables, some doubling
    prev = "secretParam"
    for i in range(g.rng.randint(1, 4 * size)):
        name = f"chain{i}"
        if g.chance(0.3):
            expr = f"'${{{prev}}}${{{prev}}}'"
        elif g.chance(0.2):
            expr = f"[{prev}, {prev}]"
        else:
            expr = bicep_expr(
                g, [*names, prev], g.rng.randint(0, min(5, 2 + size // 2))
            )
        lines.append(f"var {name} = {expr}")
        names.append(name)
        prev = name
    # shared structure: one variable referenced many times
    wide = ", ".join([prev] * g.rng.randint(2, 10 * size))
    lines.append(f"var wide = [{wide}]")
    lines.append(
        f"var looped = [for i in range(0, {g.rng.randint(0, 30 * size)}): "
        f"{{ name: 'S${{i}}', value: {g.pick(names)} }}]"
    )
    if g.chance(0.3):
        lines.append(
            f"var text = loadTextContent({bicep_str(g, g.escape_path('txt'))})"
        )
        g.plant_links("txt")
    # storage and plan
    lines += [
        "resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {",
        f"  name: {bicep_expr(g, names, 2)}",
        "  location: location",
        "  sku: { name: 'Standard_LRS' }",
        "  kind: 'StorageV2'",
        "}",
        "resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {",
        f"  name: {bicep_str(g, g.word())}",
        "  location: location",
        f"  sku: {{ name: {bicep_str(g, g.pick(['Y1', 'EP1', 'EP3', 'FC1', 'B1', g.hostile()]))} }}",
        "  properties: { reserved: true }",
        "}",
    ]
    for s in range(g.rng.randint(1, 1 + size // 2)):
        loop = g.chance(0.3)
        cond = g.chance(0.2)
        head = f"resource site{s} 'Microsoft.Web/sites@2023-12-01' = "
        if loop:
            head += f"[for i in range(0, {g.rng.randint(0, 5)}): "
        if cond:
            head += f"if ({bicep_expr(g, names, 1)} != 'x') "
        lines.append(head + "{")
        lines += [
            f"  name: {bicep_expr(g, names + (['i'] if loop else []), 2)}",
            "  location: location",
            "  kind: 'functionapp,linux'",
            (
                f"  tags: {{ secret: {g.pick(names)}, h: {bicep_str(g, g.hostile())}, "
                "'azfn-profile:workload': "
                f"{bicep_str(g, g.pick(['io', 'cpu', g.hostile()]))} }}"
            ),
            "  properties: {",
            "    serverFarmId: plan.id",
            "    httpsOnly: true",
            "    siteConfig: {",
            f"      linuxFxVersion: {bicep_str(g, g.pick(['Python|3.12', 'Python|3.8', g.hostile()]))}",
            "      appSettings: concat([",
            "        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }",
            f"        {{ name: 'FUNCTIONS_WORKER_PROCESS_COUNT', value: {bicep_expr(g, names, 2)} }}",
            "        { name: 'Conn', value: conn }",
            "        { name: 'Key', value: toLower(secretParam) }",
            f"        {{ name: {bicep_str(g, g.hostile())}, value: {bicep_str(g, g.cred())} }}",
            "        { name: 'Obj', value: string(secureObj) }",
            "      ], looped)",
            "    }",
            "  }",
        ]
        # nested children
        depth = g.rng.randint(0, 2 + size)
        for d in range(depth):
            lines.append("  " * (d + 1) + f"resource c{d} 'config' = {{")
            lines.append(
                "  " * (d + 2)
                + f"name: {bicep_str(g, g.pick(['web', 'appsettings', g.hostile()]))}"
            )
            lines.append("  " * (d + 2) + f"properties: {{ v: {g.pick(names)} }}")
        for d in reversed(range(depth)):
            lines.append("  " * (d + 1) + "}")
        lines.append("}]" if loop else "}")
    # modules
    for m in range(g.rng.randint(0, min(5, 2 + size // 2))):
        r = g.rng.random()
        if r < 0.55:
            path = f"./modules/m{m}.bicep"
            g.case.files[f"modules/m{m}.bicep"] = bicep_module_file(
                g, g.rng.randint(0, 3)
            )
        elif r < 0.9:
            path = g.escape_path("bicep")
            g.plant_links("bicep")
        else:
            path = g.pick(
                [
                    "br/public:avm/res/web/site:0.1.0",
                    "ts:sub/rg/spec:v1",
                    "./missing.bicep",
                ]
            )
        loop = g.chance(0.25)
        lines += [
            f"module mod{m} {bicep_str(g, path)} = "
            + (f"[for j in range(0, {g.rng.randint(0, 4)}): {{" if loop else "{"),
            f"  name: {bicep_str(g, g.word())}",
            "  params: {",
            f"    secretIn: {g.pick(['secretParam', 'conn', prev, 'secureObj.key'])}",
            f"    name: {bicep_expr(g, names, 2)}",
            f"    settings: {{ A: conn, B: secretParam, C: {bicep_str(g, g.hostile())} }}",
            f"    count: {g.rng.randint(-1, 30)}",
            "  }",
            "}]" if loop else "}",
        ]
    # outputs
    lines += [
        "output s string = secretParam",
        f"output t string = {bicep_expr(g, names, 2)}",
        "output c string = conn",
        f"output {g.ident('o')} array = wide",
    ]
    text = "\n".join(lines) + "\n"
    if g.chance(0.05):
        text = "\ufeff" + text
    g.case.files["main.bicep"] = text
    if g.chance(0.5):
        g.case.files["main.bicepparam"] = (
            "using './main.bicep'\n"
            f"param secretParam = {bicep_str(g, g.secret())}\n"
            f"param appName = {bicep_str(g, g.hostile())}\n"
            f"param count = {g.rng.randint(0, 40)}\n"
        )


# -- ARM JSON --------------------------------------------------------------------


def arm_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


ARM_FORMS = (
    "concat(§, §)",
    "format('{0}/{1}', §, §)",
    *STRING_FORMS,
    "join(createArray(string(§), string(§)), ',')",
    "if(equals(§, §), §, §)",
    "createObject('a', §)",
    "union(createObject('a', §), createObject('b', §))",
    "createArray(§, §)",
    "uniqueString(§)",
    "substring(string(§), 0, 1)",
    "length(§)",
    "first(createArray(§))",
    "coalesce(§, §)",
    "json(string(§))",
    "resourceId('Microsoft.Web/sites', string(§))",
)


def arm_expr(g: Gen, refs: list[str], depth: int) -> str:
    """An ARM expression body (no brackets)."""
    return compose(g, depth, leaf(g, refs, arm_quote, (0.6, 0.85, 0)), ARM_FORMS, 0.2)


def arm_template(g: Gen, depth: int, top: bool) -> dict[str, Any]:
    size = g.size
    params: dict[str, Any] = {
        "secretParam": {"type": "securestring", "defaultValue": g.secret()},
        "secureObj": {"type": "secureObject", "defaultValue": {"key": g.secret()}},
        "appName": {
            "type": "string",
            "defaultValue": g.word(),
            "metadata": {"description": g.hostile()},
        },
        "count": {"type": "int", "defaultValue": g.rng.randint(0, 20)},
    }
    refs = [
        "parameters('secretParam')",
        "parameters('appName')",
        "parameters('count')",
        "parameters('secureObj').key",
        "variables('conn')",
    ]
    variables: dict[str, Any] = {"conn": g.cred()}
    prev = "parameters('secretParam')"
    for i in range(g.rng.randint(1, 4 * size)):
        name = f"chain{i}"
        if g.chance(0.3):
            expr = f"concat({prev}, {prev})"
        else:
            expr = arm_expr(g, [*refs, prev], g.rng.randint(0, min(5, 2 + size // 2)))
        variables[name] = f"[{expr}]"
        prev = f"variables('{name}')"
        refs.append(prev)
    variables["copy"] = [
        {
            "name": "looped",
            "count": g.pick([0, 3, g.rng.randint(0, 50 * size), 900]),
            "input": {
                "name": "[concat('S', copyIndex('looped'))]",
                "value": f"[{arm_expr(g, refs, 2)}]",
            },
        }
    ]
    variables["wide"] = (
        "[createArray(" + ", ".join([prev] * g.rng.randint(2, 10 * size)) + ")]"
    )
    if g.chance(0.2):  # a parameter defaulting to another parameter
        params["derived"] = {
            "type": "string",
            "defaultValue": f"[{arm_expr(g, refs, 2)}]",
        }
    resources: list[dict[str, Any]] = [
        {
            "type": "Microsoft.Web/serverfarms",
            "apiVersion": "2023-12-01",
            "name": "plan",
            "location": "westeurope",
            "sku": {"name": g.pick(["Y1", "EP1", "EP3", "FC1", g.hostile()])},
            "properties": {"reserved": True},
        }
    ]
    for s in range(g.rng.randint(1, 1 + size // 2)):
        settings: list[Any] = [
            {"name": "FUNCTIONS_WORKER_RUNTIME", "value": "python"},
            {
                "name": "FUNCTIONS_WORKER_PROCESS_COUNT",
                "value": f"[{arm_expr(g, refs, 2)}]",
            },
            {"name": "Conn", "value": "[variables('conn')]"},
            {"name": "Key", "value": "[toLower(parameters('secretParam'))]"},
            {"name": g.hostile(), "value": g.cred()},
            {
                "name": "Fmt",
                "value": "[format('{0};{1}', parameters('secretParam'), variables('conn'))]",
            },
        ]
        site: dict[str, Any] = {
            "type": "Microsoft.Web/sites",
            "apiVersion": "2023-12-01",
            "name": f"[{arm_expr(g, refs, 2)}]",
            "location": "westeurope",
            "kind": "functionapp,linux",
            "tags": {
                "secret": f"[{g.pick(refs)}]",
                "h": g.hostile(),
                "azfn-profile:workload": g.pick(["io", "cpu", g.hostile()]),
            },
            "dependsOn": ["[resourceId('Microsoft.Web/serverfarms', 'plan')]"],
            "properties": {
                "serverFarmId": "[resourceId('Microsoft.Web/serverfarms', 'plan')]",
                "httpsOnly": True,
                "siteConfig": {
                    "linuxFxVersion": g.pick(
                        ["Python|3.12", "Python|3.7", g.hostile()]
                    ),
                    "appSettings": settings
                    if g.chance(0.7)
                    else "[concat(createArray(), variables('looped'))]",
                },
            },
        }
        if g.chance(0.3):
            site["copy"] = {
                "name": f"sites{s}",
                "count": g.pick([2, 5, g.rng.randint(0, 1000)]),
            }
            site["name"] = "[concat('app', copyIndex())]"
        if g.chance(0.2):
            site["condition"] = f"[equals({g.pick(refs)}, 'x')]"
        # nested children
        node = site
        for _ in range(g.rng.randint(0, 2 + size)):
            child = {
                "type": g.pick(
                    ["config", "slots", "basicPublishingCredentialsPolicies"]
                ),
                "apiVersion": "2023-12-01",
                "name": g.pick(
                    ["web", "appsettings", "[parameters('secretParam')]", g.hostile()]
                ),
                "properties": {"v": f"[{g.pick(refs)}]", "c": g.cred()},
            }
            node.setdefault("resources", []).append(child)
            node = child
        resources.append(site)
    # nested deployments, inline or linked
    if depth > 0:
        for _ in range(g.rng.randint(0, 2)):
            inner = arm_template(g, depth - 1, top=False)
            scope = g.pick(["inner", "outer"])
            deployment: dict[str, Any] = {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": g.pick(["nested", g.hostile(), "[parameters('secretParam')]"]),
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": scope},
                    "parameters": {
                        "secretParam": {"value": f"[{g.pick(refs)}]"},
                        "appName": {"value": "[variables('conn')]"},
                    },
                    "template": inner,
                },
            }
            resources.append(deployment)
    if g.chance(0.35):
        g.plant_links("json")
        resources.append(
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "linked",
                "properties": {
                    "mode": "Incremental",
                    "templateLink": {"relativePath": g.escape_path("json")},
                    "parameters": {
                        "secretParam": {"value": "[parameters('secretParam')]"}
                    },
                },
            }
        )
    template: dict[str, Any] = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": params,
        "variables": variables,
        "resources": resources,
        "outputs": {
            "s": {"type": "string", "value": "[parameters('secretParam')]"},
            "t": {"type": "string", "value": f"[{arm_expr(g, refs, 2)}]"},
            "c": {"type": "string", "value": "[variables('conn')]"},
        },
    }
    return template


def gen_arm(g: Gen) -> None:
    template = arm_template(g, g.rng.randint(0, 1 + g.size // 2), top=True)
    text = json.dumps(template, indent=g.pick([None, 2]), ensure_ascii=not g.raw)
    g.case.files["azuredeploy.json"] = text
    if g.chance(0.7):
        parameters: dict[str, Any] = {
            "secretParam": {"value": g.secret()},
            "appName": {"value": g.hostile()},
            "count": {"value": g.pick([3, "12", None, 10**30, g.hostile()])},
        }
        if g.chance(0.3):
            parameters["kv"] = {
                "reference": {
                    "keyVault": {"id": g.hostile()},
                    "secretName": g.secret(),
                }
            }
        g.case.files["azuredeploy.parameters.json"] = json.dumps(
            {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
                "deploymentParameters.json#",
                "contentVersion": "1.0.0.0",
                "parameters": parameters,
            },
            ensure_ascii=not g.raw,
        )


# -- Terraform -------------------------------------------------------------------


def hcl_str(g: Gen, value: str) -> str:
    out = []
    for c in value:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 32 or ord(c) in (0x85, 0x2028) or 0xD800 <= ord(c) < 0xE000:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    text = "".join(out)
    if g.chance(0.7):  # keep ${ and %{ live only sometimes
        text = text.replace("${", "$${").replace("%{", "%%{")
    return '"' + text + '"'


HCL_FORMS = (
    '"${§}-${§}"',
    "lower(§)",
    "upper(§)",
    'format("%s/%s", §, §)',
    'join(",", [§, §])',
    'replace(§, "a", §)',
    "jsonencode({ a = § })",
    "tostring(§)",
    "base64encode(§)",
    "length(§) > 2 ? § : §",
    "[for x in [§, §] : upper(x)]",
    "{ for k, v in { a = § } : k => v }",
    '"%{ for x in [§] }${x},%{ endfor }"',
    '"%{ if § != "" }y%{ else }n%{ endif }"',
    "merge({ a = § }, { b = § })",
    "concat([§], [§])",
    "coalesce(§, §)",
    'split("-", §)',
    "try(§, §)",
    "sensitive(§)",
    "nonsensitive(§)",
    "(§)",
)


def hcl_expr(g: Gen, refs: list[str], depth: int) -> str:
    words = leaf(g, refs, lambda w: hcl_str(g, w), (0.6, 0.85, 0))
    return compose(g, depth, words, HCL_FORMS, 0.2)


def tf_site(g: Gen, refs: list[str], label: str) -> list[str]:
    meta = ""
    r = g.rng.random()
    if r < 0.25:
        meta = f"  count = {g.pick([0, 2, g.rng.randint(0, 50 * g.size), 'length(local.wide)'])}\n"
    elif r < 0.45:
        fe = g.pick(['toset(["a", "b"])', "local.mapped", "var.apps"])
        meta = f"  for_each = {fe}\n"
    lines = [
        f'resource "azurerm_linux_function_app" "{label}" {{',
        meta.rstrip("\n"),
        f"  name                = {hcl_expr(g, refs, 2)}",
        '  resource_group_name = "rg"',
        '  location            = "westeurope"',
        "  service_plan_id     = azurerm_service_plan.plan.id",
        "  https_only          = true",
        "  site_config {",
        "    application_stack {",
        f"      python_version = {hcl_str(g, g.pick(['3.12', '3.8', g.hostile()]))}",
        "    }",
    ]
    if g.chance(0.4):
        lines += [
            '    dynamic "ip_restriction" {',
            "      for_each = local.wide",
            "      content {",
            "        name = ip_restriction.value",
            "      }",
            "    }",
        ]
    lines += [
        "  }",
        "  app_settings = merge({",
        "    FUNCTIONS_WORKER_PROCESS_COUNT = " + hcl_expr(g, refs, 2),
        "    Conn = local.conn",
        "    Key  = lower(var.secret)",
        f"    {hcl_str(g, g.hostile())} = {hcl_str(g, g.cred())}",
        '    Fmt  = format("%s;%s", var.secret, local.conn)',
        "    Json = jsonencode({ s = var.secret })",
        "  }, local.mapped)",
        "  connection_string {",
        '    name  = "db"',
        '    type  = "SQLAzure"',
        f"    value = {hcl_str(g, g.cred())}",
        "  }",
        "  tags = {",
        "    secret = var.secret",
        f"    h      = {hcl_str(g, g.hostile())}",
        f'    "azfn-profile:workload" = {hcl_str(g, g.pick(["io", "cpu", g.hostile()]))}',
        "  }",
        "}",
    ]
    return [line for line in lines if line]


def tf_module_files(g: Gen, folder: str, depth: int) -> None:
    lines = [
        'variable "secret" {',
        "  type      = string",
        "  sensitive = true",
        "}",
        'variable "name" { type = string }',
        'variable "settings" {',
        "  type    = map(string)",
        "  default = {}",
        "}",
        'resource "azurerm_service_plan" "plan" {',
        '  name     = "plan"',
        '  os_type  = "Linux"',
        '  sku_name = "EP1"',
        '  resource_group_name = "rg"',
        '  location = "westeurope"',
        "}",
        'resource "azurerm_linux_function_app" "app" {',
        "  name = var.name",
        '  resource_group_name = "rg"',
        '  location = "westeurope"',
        "  service_plan_id = azurerm_service_plan.plan.id",
        "  site_config {}",
        "  app_settings = merge(var.settings, { SECRET = var.secret, UP = upper(var.secret) })",
        "  tags = { s = var.secret }",
        "}",
        'output "leaked" { value = var.secret }',
    ]
    if depth > 0 and g.chance(0.5):
        lines += [
            'module "inner" {',
            '  source = "./inner"',
            "  secret = var.secret",
            '  name   = "${var.name}-inner"',
            "}",
        ]
        tf_module_files(g, f"{folder}/inner", depth - 1)
    g.case.files[f"{folder}/main.tf"] = "\n".join(lines) + "\n"


def gen_terraform(g: Gen) -> None:
    size = g.size
    variables = [
        'variable "secret" {',
        "  type      = string",
        "  sensitive = true",
        f"  default   = {hcl_str(g, g.secret())}",
        "}",
        'variable "name" {',
        "  type    = string",
        f"  default = {hcl_str(g, g.word())}",
        "}",
        'variable "apps" {',
        "  type    = map(string)",
        '  default = { a = "x" }',
        "}",
        'variable "list" {',
        "  type    = list(string)",
        '  default = ["p", "q"]',
        "}",
    ]
    g.case.files["variables.tf"] = "\n".join(variables) + "\n"
    refs = ["var.secret", "var.name", "local.conn", "var.list[0]"]
    locals_ = ["locals {", f"  conn = {hcl_str(g, g.cred())}"]
    prev = "var.secret"
    for i in range(g.rng.randint(1, 4 * size)):
        name = f"chain{i}"
        if g.chance(0.3):
            expr = f'"${{local.{name}_src}}${{local.{name}_src}}"'.replace(
                f"local.{name}_src", prev
            )
        else:
            expr = hcl_expr(g, [*refs, prev], g.rng.randint(0, min(5, 2 + size // 2)))
        locals_.append(f"  {name} = {expr}")
        prev = f"local.{name}"
        refs.append(prev)
    locals_.append("  wide = [" + ", ".join([prev] * g.rng.randint(2, 10 * size)) + "]")
    locals_.append(
        f'  mapped = {{ for i in range({g.rng.randint(0, 30 * size)}) : "S${{i}}" => {g.pick(refs)} }}'
    )
    if g.chance(0.3):
        g.plant_links("txt")
        locals_.append(f"  text = file({hcl_str(g, g.escape_path('txt'))})")
    if g.chance(0.2):
        locals_.append(
            "  heredoc = <<-EOT\n    ${var.secret}\n    ::error::heredoc\n  EOT"
        )
    locals_.append("}")
    lines = [
        *locals_,
        'resource "azurerm_service_plan" "plan" {',
        '  name                = "plan"',
        '  resource_group_name = "rg"',
        '  location            = "westeurope"',
        '  os_type             = "Linux"',
        f"  sku_name            = {hcl_str(g, g.pick(['Y1', 'EP1', 'FC1', 'B1', g.hostile()]))}",
        "}",
    ]
    for s in range(g.rng.randint(1, 1 + size // 2)):
        lines += tf_site(g, refs, f"site{s}")
    for m in range(g.rng.randint(0, min(5, 2 + size // 2))):
        r = g.rng.random()
        if r < 0.55:
            source = f"./modules/m{m}"
            tf_module_files(g, f"modules/m{m}", g.rng.randint(0, 3))
        elif r < 0.9:
            g.plant_links("tf")
            source = g.pick(["../../outside", "../outside", OUTSIDE, "./link", "/etc"])
        else:
            source = g.pick(
                ["Azure/avm-res-web-site/azurerm", "git::https://x/y.git", "./missing"]
            )
        meta = ""
        if g.chance(0.3):
            meta = f"  count = {g.rng.randint(0, 5)}\n"
        elif g.chance(0.2):
            meta = "  for_each = var.apps\n"
        lines += [
            f'module "mod{m}" {{',
            f"  source = {hcl_str(g, source)}",
            meta.rstrip("\n"),
            f"  secret = {g.pick(['var.secret', 'local.conn', prev])}",
            f"  name   = {hcl_expr(g, refs, 2)}",
            f"  settings = {{ A = local.conn, B = var.secret, C = {hcl_str(g, g.hostile())} }}",
            "}",
        ]
    lines += [
        'output "s" {',
        "  value = var.secret",
        "}",
        'output "t" {',
        f"  value = {hcl_expr(g, refs, 2)}",
        "}",
    ]
    g.case.files["main.tf"] = "\n".join(line for line in lines if line) + "\n"
    if g.chance(0.7):
        g.case.files["terraform.tfvars"] = (
            f"secret = {hcl_str(g, g.secret())}\n"
            f"name   = {hcl_str(g, g.hostile())}\n"
            f"apps   = {{ {', '.join(f'k{i} = {hcl_str(g, g.word())}' for i in range(g.rng.randint(0, 4 * size)))} }}\n"
        )


# -- Terraform plan JSON ---------------------------------------------------------


def tfplan_resource(
    g: Gen, address: str, index: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    settings = {
        "FUNCTIONS_WORKER_PROCESS_COUNT": g.pick(["4", "12", None, g.hostile()]),
        "Conn": g.cred(),
        "Key": g.secret(),
        g.hostile(): g.cred(),
    }
    values = {
        "name": g.pick([g.word(), g.secret()]),
        "app_settings": settings,
        "https_only": g.pick([True, False, None]),
        "site_config": [
            {
                "application_stack": [
                    {"python_version": g.pick(["3.12", "3.8", g.hostile()])}
                ],
                "always_on": g.pick([True, False]),
            }
        ],
        "tags": {"s": g.secret(), "h": g.hostile()},
        "connection_string": [{"name": "db", "type": "SQLAzure", "value": g.cred()}],
    }
    resource = {
        "address": address,
        "mode": "managed",
        "type": "azurerm_linux_function_app",
        "name": address.rsplit(".", 1)[-1].split("[")[0],
        "provider_name": "registry.terraform.io/hashicorp/azurerm",
        "values": values,
        "sensitive_values": {"app_settings": {"Key": True}, "tags": {}},
    }
    if index is not None:
        resource["index"] = index
    change = {
        "address": address,
        "mode": "managed",
        "type": "azurerm_linux_function_app",
        "name": resource["name"],
        "change": {
            "actions": [g.pick(["create", "update", "delete", "no-op"])],
            "before": None if g.chance(0.5) else values,
            "after": values,
            "after_unknown": {"id": True},
            "after_sensitive": {"app_settings": {"Key": True}},
            "before_sensitive": False,
        },
    }
    return resource, change


def gen_tfplan(g: Gen) -> None:
    changes: list[Any] = []

    def module(path: str, depth: int) -> dict[str, Any]:
        resources = [
            {
                "address": f"{path}azurerm_service_plan.plan",
                "mode": "managed",
                "type": "azurerm_service_plan",
                "name": "plan",
                "values": {
                    "name": "plan",
                    "sku_name": g.pick(["Y1", "EP1", g.hostile()]),
                    "os_type": "Linux",
                },
            }
        ]
        for i in range(g.rng.randint(1, 2 + g.size)):
            index = g.pick([None, i, g.word()])
            suffix = (
                ""
                if index is None
                else (f"[{index}]" if isinstance(index, int) else f'["{index}"]')
            )
            r, c = tfplan_resource(
                g, f"{path}azurerm_linux_function_app.app{suffix}", index
            )
            resources.append(r)
            changes.append(c)
        out: dict[str, Any] = {"resources": resources}
        if path:
            out["address"] = path.rstrip(".")
        if depth > 0:
            out["child_modules"] = [
                module(f"{path}module.{g.pick(['m', g.hostile()])}{k}.", depth - 1)
                for k in range(g.rng.randint(1, 2))
            ]
        return out

    root = module("", g.rng.randint(0, 2 + g.size // 2))
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {
            "secret": {"value": g.secret()},
            "conn": {"value": g.cred()},
            "h": {"value": g.hostile()},
        },
        "planned_values": {"root_module": root},
        "resource_changes": changes,
        "configuration": {
            "root_module": {
                "variables": {
                    "secret": {"sensitive": True},
                    "conn": {"sensitive": g.chance(0.5)},
                },
                "outputs": {
                    "s": {
                        "sensitive": g.chance(0.5),
                        "expression": {"references": ["var.secret"]},
                    }
                },
            }
        },
        "output_changes": {
            "s": {"after": g.secret(), "after_sensitive": g.chance(0.5)}
        },
    }
    g.case.files["tfplan.json"] = json.dumps(plan, ensure_ascii=not g.raw)


# -- Pulumi preview JSON ---------------------------------------------------------

PULUMI_SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def gen_preview(g: Gen) -> None:
    steps: list[Any] = []
    plan_urn = "urn:pulumi:dev::p::azure-native:web:AppServicePlan::plan"
    steps.append(
        {
            "op": "create",
            "urn": plan_urn,
            "newState": {
                "type": "azure-native:web:AppServicePlan",
                "urn": plan_urn,
                "inputs": {
                    "name": g.word(),
                    "sku": {"name": g.pick(["EP1", "Y1", g.hostile()])},
                    "reserved": True,
                },
            },
        }
    )
    for i in range(g.rng.randint(1, 2 + 2 * g.size)):
        name = g.pick([f"site{i}", g.hostile()])
        urn = f"urn:pulumi:dev::p::azure-native:web:WebApp::{name}"
        secret_value = (
            {**PULUMI_SECRET, "value": g.secret()} if g.chance(0.7) else g.secret()
        )
        settings = [
            {"name": "FUNCTIONS_WORKER_RUNTIME", "value": "python"},
            {
                "name": "FUNCTIONS_WORKER_PROCESS_COUNT",
                "value": g.pick(["2", "12", g.hostile()]),
            },
            {"name": "Secret", "value": secret_value},
            {"name": "Conn", "value": g.cred()},
            {"name": g.hostile(), "value": g.cred()},
        ]
        inputs: dict[str, Any] = {
            "name": g.pick([name, g.secret()]),
            "kind": "functionapp,linux",
            "httpsOnly": g.pick([True, False]),
            "tags": {"s": secret_value, "h": g.hostile()},
            "siteConfig": {
                "linuxFxVersion": g.pick(["Python|3.12", g.hostile()]),
                "appSettings": settings * g.rng.randint(1, 1 + g.size),
                "connectionStrings": [{"name": "db", "connectionString": g.cred()}],
            },
        }
        node = inputs
        for _ in range(g.rng.randint(0, 3 * g.size)):
            node["nested"] = {"v": g.hostile(), "s": secret_value}
            node = node["nested"]
        steps.append(
            {
                "op": g.pick(
                    ["create", "update", "same", "replace", "delete", g.hostile()]
                ),
                "urn": urn,
                "newState": {
                    "type": "azure-native:web:WebApp",
                    "urn": urn,
                    "inputs": inputs,
                    "dependencies": [plan_urn] * g.rng.randint(1, 3),
                },
                "oldState": {
                    "type": "azure-native:web:WebApp",
                    "urn": urn,
                    "inputs": {"name": g.secret()},
                }
                if g.chance(0.3)
                else None,
                "diffReasons": ["siteConfig"],
                "detailedDiff": {"siteConfig.appSettings[2].value": {"kind": "update"}},
            }
        )
    doc = {
        "config": {
            "p:secret": {**PULUMI_SECRET, "value": g.secret()},
            "p:conn": g.cred(),
        },
        "steps": steps,
        "diagnostics": [{"message": g.hostile(), "severity": "info"}],
        "changeSummary": {"create": len(steps)},
    }
    g.case.files["preview.json"] = json.dumps(
        doc, indent=g.pick([None, 2]), ensure_ascii=not g.raw
    )


# -- Python: Pulumi programs and function apps -----------------------------------


def py_str(g: Gen, value: str) -> str:
    if g.chance(0.1):
        return "f" + repr(value.replace("{", "{{").replace("}", "}}"))
    return repr(value)


def py_expr(g: Gen, refs: list[str], depth: int) -> str:
    if depth <= 0 or g.chance(0.25):
        if refs and g.chance(0.6):
            return g.pick(refs)
        return py_str(g, g.word())

    def sub() -> str:
        return py_expr(g, refs, depth - 1)

    forms: list[Callable[[], str]] = [
        lambda: f'f"{{{sub()}}}-{{{sub()}}}"',
        lambda: f"{sub()} + {sub()}",
        lambda: f"str({sub()}).lower()",
        lambda: f"str({sub()}).upper()",
        lambda: f'"{{}}/{{}}".format({sub()}, {sub()})',
        lambda: f'"-".join([{sub()}, {sub()}])',
        lambda: f"{sub()}.replace('a', 'b')",
        lambda: f"({sub()} if {sub()} else {sub()})",
        lambda: f"[{sub()} for _ in range({g.rng.randint(0, 4)})]",
        lambda: f"{{'a': {sub()}}}",
        lambda: f"pulumi.Output.concat({sub()}, {sub()})",
        lambda: f"pulumi.Output.secret({sub()})",
        lambda: f"pulumi.Output.format('{{0}}', {sub()})",
    ]
    return g.pick(forms)()


def gen_pulumi(g: Gen) -> None:
    size = g.size
    lines = [
        "import pulumi",
        "import pulumi_azure_native as azure_native",
        "from pulumi_azure_native import web",
        "",
        "config = pulumi.Config()",
        f"secret = config.get_secret('secret') or {py_str(g, g.secret())}",
        f"secret2 = pulumi.Output.secret({py_str(g, g.secret())})",
        f"conn = {py_str(g, g.cred())}",
        f"name = {py_str(g, g.word())}",
    ]
    refs = ["secret", "secret2", "conn", "name"]
    prev = "secret"
    for i in range(g.rng.randint(1, 4 * size)):
        var = f"chain{i}"
        if g.chance(0.3):
            expr = f"{prev} + {prev}"
        else:
            expr = py_expr(g, [*refs, prev], g.rng.randint(0, min(5, 2 + size // 2)))
        lines.append(f"{var} = {expr}")
        prev = var
        refs.append(var)
    lines += [
        "plan = web.AppServicePlan(",
        "    'plan',",
        "    resource_group_name='rg',",
        "    kind='elastic',",
        "    reserved=True,",
        f"    sku=web.SkuDescriptionArgs(name={py_str(g, g.pick(['EP1', 'Y1', g.hostile()]))}),",
        ")",
        "",
        "def make(label, settings):",
        "    return web.WebApp(",
        "        label,",
        "        name=label,",
        "        resource_group_name='rg',",
        "        kind='functionapp,linux',",
        "        server_farm_id=plan.id,",
        "        tags={'s': secret, 'h': " + py_str(g, g.hostile()) + "},",
        "        site_config=web.SiteConfigArgs(",
        f"            linux_fx_version={py_str(g, g.pick(['Python|3.12', g.hostile()]))},",
        "            app_settings=settings,",
        "        ),",
        "    )",
        "",
    ]
    for s in range(g.rng.randint(1, 1 + size // 2)):
        settings = [
            "web.NameValuePairArgs(name='FUNCTIONS_WORKER_RUNTIME', value='python')",
            f"web.NameValuePairArgs(name='FUNCTIONS_WORKER_PROCESS_COUNT', value={py_expr(g, refs, 1)})",
            "web.NameValuePairArgs(name='Secret', value=secret)",
            "{'name': 'Conn', 'value': conn}",
            f"{{'name': {py_str(g, g.hostile())}, 'value': {py_str(g, g.cred())}}}",
            f"web.NameValuePairArgs(name='X', value={py_expr(g, refs, 2)})",
        ]
        direct = g.chance(0.5)
        if g.chance(0.3):
            lines.append(f"for i in range({g.rng.randint(0, 6 * size)}):")
            indent = "    "
        else:
            indent = ""
        if direct:
            lines += [
                f"{indent}app{s} = web.WebApp(",
                f"{indent}    {py_expr(g, refs, 1)},",
                f"{indent}    name={py_expr(g, refs, 2)},",
                f"{indent}    resource_group_name='rg',",
                f"{indent}    kind='functionapp,linux',",
                f"{indent}    server_farm_id=plan.id,",
                f"{indent}    tags={{'s': secret, 'c': conn}},",
                f"{indent}    site_config=web.SiteConfigArgs(",
                f"{indent}        linux_fx_version='Python|3.12',",
                f"{indent}        app_settings=[{', '.join(settings)}],",
                f"{indent}    ),",
                f"{indent})",
            ]
        else:
            lines.append(
                f"{indent}app{s} = make({py_expr(g, refs, 2)}, [{', '.join(settings)}])"
            )
        lines.append(f"pulumi.export({py_str(g, g.hostile())}, {g.pick(refs)})")
    lines.append("pulumi.export('secret', secret)")
    g.case.files["__main__.py"] = "\n".join(lines) + "\n"
    g.case.files["Pulumi.yaml"] = f"name: {json.dumps(g.word())}\nruntime: python\n"
    if g.chance(0.5):
        g.case.files["Pulumi.dev.yaml"] = (
            "config:\n  p:secret:\n    secure: " + json.dumps(g.secret()) + "\n"
            "  p:conn: " + json.dumps(g.cred()) + "\n"
        )


def gen_python(g: Gen) -> None:
    size = g.size
    lines = [
        "import azure.functions as func",
        "import logging",
        "",
        "app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)",
        "bp = func.Blueprint()",
        f"CONN = {py_str(g, g.cred())}",
        f"SECRET = {py_str(g, g.secret())}",
        "",
    ]
    triggers: list[Callable[[], str]] = [
        lambda: (
            f"@app.route(route={py_str(g, g.word())}, methods=['GET'], auth_level=func.AuthLevel.ANONYMOUS)"
        ),
        lambda: (
            f"@app.queue_trigger(arg_name='msg', queue_name={py_str(g, g.word())}, connection={py_str(g, g.pick(['AzureWebJobsStorage', g.cred(), g.hostile()]))})"
        ),
        lambda: (
            f"@app.timer_trigger(schedule={py_str(g, g.pick(['0 */5 * * * *', g.hostile()]))}, arg_name='t')"
        ),
        lambda: (
            f"@app.blob_trigger(arg_name='b', path={py_str(g, g.word())}, connection='Conn')"
        ),
        lambda: (
            f"@bp.service_bus_queue_trigger(arg_name='m', queue_name='q', connection={py_str(g, g.cred())})"
        ),
        lambda: (
            f"@app.event_hub_message_trigger(arg_name='e', event_hub_name={py_str(g, g.word())}, connection='EH', cardinality=func.Cardinality.MANY)"
        ),
        lambda: f"@app.function_name(name={py_str(g, g.hostile())})",
        lambda: (
            f"@app.blob_output(arg_name='out', path={py_str(g, g.word())}, connection='Conn')"
        ),
        lambda: (
            "@app.retry(strategy='fixed_delay', max_retry_count='3', delay_interval='00:00:01')"
        ),
        lambda: "@app.app.app.route(route='x')",
        lambda: "@app.route()()()",
        lambda: "@(lambda f: f)",
        lambda: (
            f"@{g.pick(['app', 'bp'])}.{g.pick(['schedule', 'route', 'generic_trigger'])}({py_str(g, g.hostile())})"
        ),
    ]
    for i in range(g.rng.randint(1, 3 * size)):
        lines.extend(g.pick(triggers)() for _ in range(g.rng.randint(1, 4)))
        is_async = g.chance(0.5)
        lines.append(
            f"{'async ' if is_async else ''}def f{i}(req, msg=None, t=None, b=None, m=None, e=None, out=None):"
        )
        depth = g.rng.randint(0, 2 + size)
        indent = "    "
        for d in range(depth):
            stmt = g.pick(
                [
                    "if req:",
                    f"for x in range({g.rng.randint(0, 9)}):",
                    "with open('f') as fh:",
                    "try:",
                    "while False:",
                    f"def inner{d}():",
                    f"class C{d}:",
                ]
            )
            lines.append(indent + stmt)
            indent += "    "
            if stmt == "try:":
                lines.append(indent + "pass")
                lines.append(indent[:-4] + "except Exception:")
        body = g.pick(
            [
                "time.sleep(1)",
                "requests.get('http://x')",
                "await asyncio.sleep(0)" if is_async else "logging.info(SECRET)",
                f"logging.info({py_str(g, g.hostile())})",
                "return func.HttpResponse(CONN)",
                "a.b.c.d.e.f()()()",
                "hashlib.pbkdf2_hmac('sha256', b'x', b'y', 10**6)",
            ]
        )
        lines.append(indent + body)
        lines.append("")
    lines.append("app.register_functions(bp)")
    if g.chance(0.3):
        lines.append("from . import helpers")
        g.case.files["helpers.py"] = f"import os\nX = {py_str(g, g.hostile())}\n"
    if g.chance(0.2):
        g.plant_links("py")
        lines.append("from . import linked")
    g.case.files["function_app.py"] = "\n".join(lines) + "\n"
    g.case.files["requirements.txt"] = "azure-functions\n" + g.pick(
        ["", "requests\n", "aiohttp\n", g.hostile() + "\n"]
    )
    if g.chance(0.5):
        gen_hostjson(g)


# -- host.json and profiles ------------------------------------------------------


def gen_hostjson(g: Gen) -> None:
    def nested(depth: int) -> Any:
        if depth <= 0:
            return g.pick([1, "x", None, True, 10**30, g.hostile()])
        return {g.pick(["a", g.hostile()]): nested(depth - 1)}

    host: dict[str, Any] = {
        "version": g.pick(["2.0", "1.0", g.hostile()]),
        "extensionBundle": {
            "id": "Microsoft.Azure.Functions.ExtensionBundle",
            "version": g.pick(["[4.*, 5.0.0)", "[3.*, 4.0.0)", g.hostile()]),
        },
        "functionTimeout": g.pick(["00:10:00", "-1", "99:99:99", g.hostile()]),
        "extensions": {
            "queues": {
                "batchSize": g.pick([16, 64, -1, "8", 10**30, g.hostile()]),
                "newBatchThreshold": g.pick([8, None, g.hostile()]),
            },
            "serviceBus": {
                "maxConcurrentCalls": g.pick([16, 10**6, g.hostile()]),
                "connection": g.cred(),
            },
            "http": {
                "maxOutstandingRequests": g.pick([200, -5, g.hostile()]),
                "routePrefix": g.hostile(),
            },
        },
        "logging": {
            "logLevel": {
                g.hostile(): "Information",
                "default": g.pick(["Warning", g.hostile()]),
            },
            "applicationInsights": {"samplingSettings": {"isEnabled": True}},
        },
        "concurrency": {"dynamicConcurrencyEnabled": g.pick([True, "yes"])},
        "custom": nested(g.rng.randint(0, 5 * g.size)),
        "secret": g.secret(),
    }
    g.case.files["host.json"] = json.dumps(
        host, indent=g.pick([None, 2]), ensure_ascii=not g.raw
    )


def gen_host_only(g: Gen) -> None:
    gen_hostjson(g)
    if g.chance(0.7):
        g.case.files["function_app.py"] = (
            "import azure.functions as func\napp = func.FunctionApp()\n\n"
            "@app.queue_trigger(arg_name='m', queue_name='q', connection='C')\n"
            "def f(m):\n    pass\n"
        )


def yaml_str(g: Gen, value: str) -> str:
    if not g.raw:
        return json.dumps(value)  # a YAML double-quoted scalar (\\u escapes)
    return value.replace("\n", " ")  # plain (may be bad input)


def gen_profile(g: Gen) -> None:
    lines = [
        f"name: {yaml_str(g, g.word())}",
        f"site: {yaml_str(g, g.pick(['site', g.hostile(), g.secret()]))}",
        f"python: {yaml_str(g, g.pick(['3.12', '3.7', '3.13', g.hostile()]))}",
        "workload:",
        f"  kind: {g.pick(['io', 'cpu', 'mixed', yaml_str(g, g.hostile())])}",
        f"  style: {g.pick(['sync', 'async', yaml_str(g, g.hostile())])}",
        f"  concurrency: {g.pick([1, 32, 200, -1, 10**30, 1.5, yaml_str(g, g.hostile())])}",
        f"  memory_per_process_mb: {g.pick([300, 0, 99999999, '!!float nan'])}",
        "plan:",
        f"  sku: {g.pick(['EP2', 'Y1', 'FC1', 'B1', yaml_str(g, g.hostile())])}",
        f"  max_instances: {g.pick([20, 0, -3, 10**9])}",
        f"triggers: [{', '.join(g.pick(['http', 'queue', 'timer', 'servicebus', json.dumps(g.hostile())]) for _ in range(g.rng.randint(0, 4)))}]",
        "app_settings:",
        f"  CONN: {json.dumps(g.cred())}",
        f"  SECRET: {json.dumps(g.secret())}",
        f"  {json.dumps(g.hostile())}: {json.dumps(g.hostile())}",
        "tags:",
        f"  team: {yaml_str(g, g.hostile())}",
        f"  secret: {json.dumps(g.secret())}",
    ]
    if g.chance(0.4):  # shared structure: anchors doubling (a billion laughs)
        levels = g.rng.randint(2, 3 + 3 * g.size)
        lines.append("anchors:")
        lines.append('  l0: &l0 ["lol", "lol"]')
        lines.extend(
            f"  l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}]" for i in range(1, levels)
        )
        lines.append(f"  all: *l{levels - 1}")
    if g.chance(0.2):
        lines.append(
            g.pick(
                [
                    "extra: !!python/object/apply:os.system ['echo pwn']",
                    "<<: {name: merged}",
                    "date: 2026-02-30",
                ]
            )
        )
    if g.chance(0.2):
        depth = g.rng.randint(10, 100 * g.size)
        lines.append("deep: " + "[" * depth + "]" * depth)
    g.case.files["profile.yaml"] = "\n".join(lines) + "\n"
    if g.chance(0.4):  # pair with an app so the profile is judged against it
        gen_bicep_min(g)


def gen_bicep_min(g: Gen) -> None:
    g.case.files["main.bicep"] = (
        "@secure()\n"
        f"param s string = {bicep_str(g, g.secret())}\n"
        "resource site 'Microsoft.Web/sites@2023-12-01' = {\n"
        "  name: 'site'\n  location: 'westeurope'\n  kind: 'functionapp,linux'\n"
        "  tags: { k: s }\n"
        "  properties: { siteConfig: { linuxFxVersion: 'Python|3.12', appSettings: [\n"
        "    { name: 'S', value: s }\n  ] } }\n}\n"
    )


GENERATORS: dict[str, Callable[[Gen], None]] = {
    "bicep": gen_bicep,
    "arm": gen_arm,
    "terraform": gen_terraform,
    "tfplan": gen_tfplan,
    "preview": gen_preview,
    "pulumi": gen_pulumi,
    "python": gen_python,
    "hostjson": gen_host_only,
    "profile": gen_profile,
}


def build(reader: str, number: int, size: int) -> Case:
    g = Gen(reader, number, size)
    GENERATORS[reader](g)
    return g.case


# -- writing a case --------------------------------------------------------------


def honeypot_files(n: int) -> dict[str, str]:
    mark = honeypot_marker(n)
    site = {
        "type": "Microsoft.Web/sites",
        "apiVersion": "2023-12-01",
        "name": mark,
        "kind": "functionapp,linux",
        "properties": {
            "siteConfig": {
                "appSettings": [
                    {"name": "FUNCTIONS_WORKER_PROCESS_COUNT", "value": "99"}
                ]
            }
        },
    }
    return {
        "x.bicep": f"param secretIn string = '{mark}'\nparam name string = '{mark}'\n"
        f"resource s 'Microsoft.Web/sites@2023-12-01' = {{\n  name: '{mark}'\n"
        "  kind: 'functionapp,linux'\n}\n",
        "x.json": json.dumps(
            {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0",
                "resources": [site],
            }
        ),
        "x.tf": f'resource "azurerm_linux_function_app" "h" {{\n  name = "{mark}"\n  site_config {{}}\n}}\n',
        "main.tf": f'resource "azurerm_linux_function_app" "h" {{\n  name = "{mark}"\n  site_config {{}}\n}}\n',
        "x.txt": mark + "\n",
        "x.py": f"X = '{mark}'\n",
        "linked.py": f"X = '{mark}'\n",
        "function_app.py": f"import azure.functions as func\napp = func.FunctionApp()\n@app.route(route='{mark}')\ndef f(r): pass\n",
        "host.json": json.dumps(
            {"version": "2.0", "extensions": {"queues": {"batchSize": 999}}, "m": mark}
        ),
        "profile.yaml": f"name: {mark}\nworkload: {{kind: io}}\nplan: {{sku: EP1}}\n",
    }


def write(case: Case, folder: Path) -> Path:
    """Write `case` under folder: folder/repo (checked) and folder/outside (the
    honeypot). The path to check."""
    repo, outside = folder / "repo", folder / "outside"
    outside.mkdir(parents=True, exist_ok=True)
    repo.mkdir(parents=True, exist_ok=True)
    for name, text in honeypot_files(case.number).items():
        (outside / name).write_text(text)
    sub = str(outside.resolve())
    for relative, text in case.files.items():
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.replace(OUTSIDE, sub).encode("utf-8", "surrogatepass"))
    for relative, target in case.links.items():
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() and not path.is_symlink():
            path.symlink_to(target.replace(OUTSIDE, sub))
    (folder / "case.json").write_text(
        json.dumps(
            {
                "reader": case.reader,
                "number": case.number,
                "size": case.size,
                "secrets": case.secrets,
                "creds": case.creds,
                "honeypot": honeypot_marker(case.number),
            }
        )
    )
    return repo


# -- judging a case --------------------------------------------------------------

COMMAND = re.compile(r"^\s*::")
ESCAPE_TARGETS = ("/etc/passwd", "/etc/hostname", "/etc/shadow")


def _control_chars(text: str) -> list[str]:
    return sorted(
        {repr(c) for c in text if c not in "\n\t" and unicodedata.category(c) == "Cc"}
    )


def _command_lines(text: str, github: bool) -> list[str]:
    from tests.test_output_escaping import parse_workflow_command

    bad = []
    for line in text.split("\n"):
        if not COMMAND.match(line):
            continue
        if github:
            parsed = parse_workflow_command(line)
            if (
                parsed is not None
                and parsed[0] in ("error", "warning", "notice")
                and set(parsed[1]) <= {"file", "line", "col", "title"}
            ):
                continue
        bad.append(line[:300])
    return bad


def _variants(marker: str) -> list[str]:
    """The marker and what a string function makes of it alone (the check is
    case-insensitive, so toUpper/lower are covered)."""
    return [marker, base64.b64encode(marker.encode()).decode()]


class OpenWatch:
    """Records the paths opened, listed or scanned while it is active."""

    installed = False
    current: list[str] | None = None

    @classmethod
    def install(cls) -> None:
        if cls.installed:
            return

        def hook(event: str, args: tuple[Any, ...]) -> None:
            if cls.current is None:
                return
            if event in ("open", "os.listdir", "os.scandir") and args:
                target = args[0]
                if isinstance(target, (str, bytes, os.PathLike)):
                    cls.current.append(os.fsdecode(target))

        sys.addaudithook(hook)
        cls.installed = True


class Overtime(BaseException):
    """Raised by the per-format alarm (a BaseException: CliRunner lets it through)."""


class _deadline:
    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        if self.seconds:
            import signal

            def fire(signum: int, frame: Any) -> None:
                raise Overtime()

            self.previous = signal.signal(signal.SIGALRM, fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.seconds:
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def judge(
    folder: Path,
    formats: tuple[str, ...] = FORMATS,
    per_format_seconds: float | None = None,
) -> dict[str, Any]:
    """Run `check` on folder/repo in every format in this process; the verdict."""
    from click.testing import CliRunner

    from azfn_profile.cli import cli

    meta = json.loads((folder / "case.json").read_text())
    repo = folder / "repo"
    outside = str((folder / "outside").resolve())
    OpenWatch.install()
    verdict: dict[str, Any] = {
        "exit_codes": {},
        "seconds": 0.0,
        "crash": [],
        **{key: [] for key in OUTPUT_CLASSES},
        "budget": False,
        "masked": False,  # a value printed as *** (a secret, or a credential in one)
        "timeout": None,
        "memory_error": None,
    }
    for fmt in formats:
        opened: list[str] = []
        OpenWatch.current = opened
        started = time.perf_counter()
        try:
            with _deadline(per_format_seconds):
                result = CliRunner().invoke(cli, ["check", str(repo), "--format", fmt])
        except Overtime:
            verdict["seconds"] = max(verdict["seconds"], time.perf_counter() - started)
            verdict["timeout"] = fmt
            break
        finally:
            OpenWatch.current = None
        verdict["seconds"] = max(verdict["seconds"], time.perf_counter() - started)
        if result.exc_info is not None and isinstance(result.exc_info[1], MemoryError):
            verdict["memory_error"] = fmt
        code = result.exit_code
        verdict["exit_codes"][fmt] = code
        out = result.stdout
        try:
            err = result.stderr
        except ValueError:
            err = ""
        if (
            code not in (0, 1, 2)
            or "Traceback" in out + err
            or "internal error" in out + err
        ):
            tb = ""
            if result.exc_info is not None and result.exc_info[0] is not SystemExit:
                import traceback

                tb = "".join(traceback.format_exception(*result.exc_info))[-3000:]
            verdict["crash"].append(
                {"format": fmt, "code": code, "traceback": tb or (out + err)[-3000:]}
            )
        for stream, text in (("stdout", out), ("stderr", err)):
            for line in _command_lines(
                text, github=(fmt == "github" and stream == "stdout")
            ):
                verdict["injection"].append(
                    {"format": fmt, "stream": stream, "line": line}
                )
            controls = _control_chars(text)
            if controls:
                sample = next((ln for ln in text.split("\n") if _control_chars(ln)), "")
                verdict["control"].append(
                    {
                        "format": fmt,
                        "stream": stream,
                        "chars": controls,
                        "line": repr(sample[:300]),
                    }
                )
        low = (out + err).lower()
        if "***" in low:
            verdict["masked"] = True
        for kind, markers in (
            ("secret_leak", meta["secrets"]),
            ("cred_leak", meta["creds"]),
        ):
            for m in markers:
                for v in _variants(m):
                    if v.lower() in low:
                        i = low.index(v.lower())
                        verdict[kind].append(
                            {
                                "format": fmt,
                                "context": (out + err)[max(0, i - 120) : i + 60],
                            }
                        )
                        break
        if meta["honeypot"].lower() in low:
            verdict["escape"].append(
                {"format": fmt, "what": "honeypot marker in output"}
            )
        for path in opened:
            resolved = os.path.realpath(path)
            if (
                resolved.startswith(outside + os.sep)
                or resolved == outside
                or resolved in ESCAPE_TARGETS
            ):
                verdict["escape"].append(
                    {"format": fmt, "what": f"opened {path} -> {resolved}"}
                )
        if fmt in ("json", "sarif") and out.strip():
            try:
                json.loads(out)
            except ValueError as exc:
                verdict["unparseable"].append({"format": fmt, "error": str(exc)[:200]})
        if fmt == "junit" and out.strip():
            import xml.etree.ElementTree as ET

            try:
                ET.fromstring(out)
            except ET.ParseError as exc:
                verdict["unparseable"].append({"format": fmt, "error": str(exc)[:200]})
        if fmt == "json" and out.strip().startswith("{"):
            try:
                report = json.loads(out)
                for f in report.get("findings", []):
                    if f.get("id") == "AZFN000" and re.search(
                        r"too (large|complex|deep)|refusing|budget",
                        str(f.get("message", "")),
                    ):
                        verdict["budget"] = True
            except ValueError:
                pass
    # dedupe
    for key in ("crash", *OUTPUT_CLASSES):
        seen, unique = set(), []
        for item in verdict[key]:
            k = json.dumps(
                {a: b for a, b in item.items() if a != "format"}, sort_keys=True
            )
            if k not in seen:
                seen.add(k)
                unique.append(item)
        verdict[key] = unique[:5]
    return verdict


def main(argv: list[str]) -> None:
    if argv[:1] == ["worker"]:
        folder = Path(argv[1])
        formats = tuple(argv[2].split(",")) if len(argv) > 2 else FORMATS
        seconds = float(argv[3]) if len(argv) > 3 else 20.0
        verdict = judge(folder, formats, per_format_seconds=seconds)
        import resource

        # VmHWM, not ru_maxrss: the latter keeps the forked parent's peak across exec
        verdict["max_rss_mb"] = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    verdict["max_rss_mb"] = int(line.split()[1]) / 1024
        except OSError:
            pass
        # the real stdout: the verdict is the worker's last line whatever `check` did
        print(json.dumps(verdict), file=sys.__stdout__, flush=True)
    elif argv[:1] == ["replay"]:
        reader, number, size, folder = (
            argv[1],
            int(argv[2]),
            int(argv[3]),
            Path(argv[4]),
        )
        print(write(build(reader, number, size), folder))
    else:
        raise SystemExit(
            "usage: python -m tests.grammar_fuzz worker FOLDER [FORMATS [SECONDS]] | replay READER NUMBER SIZE FOLDER"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
