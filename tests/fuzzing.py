"""Mutations of real-shaped inputs, shared by the suite (a bounded run) and
benchmarks/fuzz.py (a long one).

Seeds are the fixture repositories' templates, Terraform files and Pulumi programs,
the examples' profiles, the fixture apps' code and a preview document; a seed number picks the mutations
deterministically, so any failing input can be written out and replayed as a
regression case (tests/data/fuzz/).
"""

from __future__ import annotations

import json
import random
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from azfn_profile.cli import cli

ROOT = Path(__file__).resolve().parent.parent
REPOS = ROOT / "tests" / "data" / "repos"
REGRESSIONS = ROOT / "tests" / "data" / "fuzz"

VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    10**30,
    1.5,
    "",
    "x",
    "²",
    "１１",
    "\ud800",
    "\x00",
    "a" * 5000,
    '${file("/etc/passwd")}',
    "%0A::add-mask::x",
    "[concat('a', parameters('p'))]",
    "[[literal",
    "[",
    "]",
    "[parameters('missing')]",
    "[variables('v')]",
    "[uniqueString(resourceGroup().id)]",
    "[if(equals(1, 1), 'a', 1)]",
    "[union(createObject('a', 1), json('{}'))]",
    "[reference('x').properties]",
    "[copyIndex()]",
    "[format('{0}{1}', 'a')]",
    "[range(0, 100000)]",
    [],
    {},
    [[]],
    {"a": {}},
    {"name": "FUNCTIONS_WORKER_PROCESS_COUNT", "value": "12"},
]
TOKENS = [
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "'",
    "'''",
    "${",
    "if (",
    "[for x in ",
    ": ",
    "\n",
    "@secure()",
    "resource ",
    "module ",
    "param ",
    "var ",
    "?",
    "??",
    ".?",
    "!",
    "::",
    "...",
    "#",
    "/*",
    "//",
    "\x00",
    "\t",
    "é",
    "\ud800",
    "existing",
    "=",
    "=>",
    "*",
    "&",
    "!!int ",
    "!f ",
    "<<: ",
    "2026-02-30",
]


def json_seeds() -> list[tuple[str, Any]]:
    seeds = []
    for path in sorted(REPOS.rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        try:
            seeds.append((path.name, json.loads(text)))
        except ValueError:  # a template with comments: keep it as text
            seeds.append((path.name, text))
    seeds.append(("preview.json", _preview_seed()))
    return seeds


def text_seeds(suffix: str) -> list[tuple[str, str]]:
    if suffix == ".yaml":
        files = sorted((ROOT / "examples").glob("*.yaml"))
    elif suffix == ".py":  # apps: each mutated entry is checked as function_app.py
        files = sorted((ROOT / "tests" / "data" / "apps").rglob("function_app.py"))
        files += sorted((ROOT / "examples" / "apps").rglob("function_app.py"))
        return [("function_app.py", p.read_text(encoding="utf-8")) for p in files]
    else:
        files = sorted(REPOS.rglob(f"*{suffix}"))
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def _preview_seed() -> dict[str, Any]:
    return {
        "steps": [
            {
                "op": "create",
                "urn": "urn:pulumi:dev::p::azure-native:web:AppServicePlan::plan",
                "newState": {
                    "type": "azure-native:web:AppServicePlan",
                    "urn": "urn:pulumi:dev::p::azure-native:web:AppServicePlan::plan",
                    "inputs": {
                        "name": "plan",
                        "sku": {"name": "EP1"},
                        "reserved": True,
                    },
                },
            },
            {
                "op": "create",
                "urn": "urn:pulumi:dev::p::azure-native:web:WebApp::site",
                "newState": {
                    "type": "azure-native:web:WebApp",
                    "urn": "urn:pulumi:dev::p::azure-native:web:WebApp::site",
                    "inputs": {
                        "name": "site",
                        "kind": "functionapp,linux",
                        "httpsOnly": True,
                        "siteConfig": {
                            "linuxFxVersion": "Python|3.12",
                            "appSettings": [
                                {"name": "FUNCTIONS_WORKER_PROCESS_COUNT", "value": "2"}
                            ],
                        },
                    },
                    "dependencies": [
                        "urn:pulumi:dev::p::azure-native:web:AppServicePlan::plan"
                    ],
                },
            },
        ]
    }


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*path, i))
    return out


def _set(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return document


def mutate_json(seed: Any, rng: random.Random) -> str:
    """A JSON document (or a commented template's text) with a few mutations."""
    if isinstance(seed, str):
        return mutate_text(seed, rng)
    document = json.loads(json.dumps(seed))
    for _ in range(rng.randint(1, 4)):
        paths = _paths(document)
        path = rng.choice(paths)
        op = rng.random()
        if op < 0.6:
            document = _set(document, path, json.loads(json.dumps(rng.choice(VALUES))))
        elif op < 0.75 and path:
            parent = document
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
        elif op < 0.9:  # graft a copy of another subtree here
            other = rng.choice(paths)
            source = document
            for part in other:
                source = source[part]
            document = _set(document, path, json.loads(json.dumps(source)))
        else:  # bury the value deep
            depth = rng.choice([5, 60, 300])
            value: Any = "x"
            for _ in range(depth):
                value = [value]
            document = _set(document, path, value)
    text = json.dumps(document, indent=rng.choice([None, 2]))
    if rng.random() < 0.1:
        text = "\ufeff" + text
    if rng.random() < 0.1:
        text = text.replace("{", "{ // note\n", 1)
    return text


def mutate_text(seed: str, rng: random.Random) -> str:
    text = seed
    for _ in range(rng.randint(1, 5)):
        op = rng.random()
        at = rng.randint(0, len(text))
        if op < 0.4:
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif op < 0.6:
            end = min(len(text), at + rng.randint(1, 40))
            text = text[:at] + text[end:]
        elif op < 0.8:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines.insert(rng.randrange(len(lines) + 1), lines[i])
            text = "\n".join(lines)
        else:
            text = text[:at]
    return text


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    seconds: float
    peak_mb: float
    output: str


def run_check(path: Path, *, measure_memory: bool = False) -> Outcome:
    """`azfn-profile check PATH` in-process, timed (and, optionally, its memory)."""
    if measure_memory:
        tracemalloc.start()
    started = time.perf_counter()
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    seconds = time.perf_counter() - started
    peak = 0.0
    if measure_memory:
        peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        tracemalloc.stop()
    return Outcome(result.exit_code, seconds, peak, result.output)


def repo_case(seed_index: int, number: int) -> tuple[str, dict[str, str]]:
    """A fixture repository with one of its files mutated: (name, {path: text}),
    so that modules, parameter files and host.json pairing are fuzzed too."""
    rng = random.Random(f"repo-{seed_index}-{number}")
    repos = sorted(p for p in REPOS.iterdir() if p.is_dir())
    repo = repos[seed_index % len(repos)]
    files = {
        str(f.relative_to(repo)): f.read_text(encoding="utf-8")
        for f in sorted(repo.rglob("*"))
        if f.is_file()
    }
    target = rng.choice(sorted(k for k in files if not k.endswith((".py", ".txt"))))
    if target.endswith(".json") and rng.random() < 0.7:
        try:
            files[target] = mutate_json(json.loads(files[target]), rng)
        except ValueError:
            files[target] = mutate_text(files[target], rng)
    else:
        files[target] = mutate_text(files[target], rng)
    return repo.name, files


def write_case(folder: Path, name: str, content: str | bytes | dict[str, str]) -> Path:
    """Write a case under `folder`; the path to give `check`."""
    if isinstance(content, dict):
        root = folder / name
        for relative, text in content.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
        return root
    path = folder / name
    data = (
        content
        if isinstance(content, bytes)
        else content.encode("utf-8", "surrogatepass")
    )
    path.write_bytes(data)
    return path


def case(
    kind: str, seed_index: int, number: int
) -> tuple[str, str | bytes | dict[str, str]]:
    """The (file name, content) of fuzz case `number` for a source kind (for
    "repo", a folder name and its files)."""
    if kind == "repo":
        return repo_case(seed_index, number)
    rng = random.Random(f"{kind}-{seed_index}-{number}")
    if kind == "pulumi":  # a project whose Python program is mutated
        programs = sorted(REPOS.rglob("__main__.py"))
        program = programs[seed_index % len(programs)].read_text(encoding="utf-8")
        return "pulumi-project", {
            "Pulumi.yaml": "name: fuzzed\nruntime: python\n",
            "__main__.py": mutate_text(program, rng),
        }
    if kind == "json":
        seeds = json_seeds()
        name, seed = seeds[seed_index % len(seeds)]
        return name, mutate_json(seed, rng)
    suffix = {
        "bicep": ".bicep",
        "profile": ".yaml",
        "bicepparam": ".bicepparam",
        "python": ".py",
        "terraform": ".tf",
    }[kind]
    text_seeds_ = text_seeds(suffix)
    name, text = text_seeds_[seed_index % len(text_seeds_)]
    return name, mutate_text(text, rng)


KINDS = (
    "json",
    "bicep",
    "profile",
    "bicepparam",
    "python",
    "terraform",
    "pulumi",
    "repo",
)
