"""The package's layers: a module imports from its own layer or from lower ones.

Every import counts, wherever it is written: at the top of a module, inside a function
(the lazy imports that keep start-up fast), under `if TYPE_CHECKING:`, or as
`importlib.import_module("azfn_profile....")` with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "azfn_profile"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# Module prefix -> layer, bottom (0) to top (5). The longest matching prefix decides.
LAYERS: dict[str, int] = {
    # L0 foundation: no knowledge of profiles, specs or formats.
    "azfn_profile": 0,  # the package's own __init__
    "azfn_profile.terms": 0,
    "azfn_profile.numbers": 0,
    "azfn_profile.errors": 0,
    "azfn_profile.facts": 0,
    "azfn_profile.cite": 0,
    "azfn_profile.clock": 0,
    "azfn_profile.extras": 0,
    "azfn_profile.secret": 0,
    "azfn_profile.sink": 0,
    "azfn_profile.deep": 0,
    "azfn_profile.fileio": 0,
    "azfn_profile.files": 0,
    "azfn_profile.config": 0,
    "azfn_profile.yamlload": 0,
    "azfn_profile.catalog": 0,
    "azfn_profile.guidance": 0,
    "azfn_profile.capacity": 0,  # queueing, prices, billing
    "azfn_profile.overhead": 0,
    # L1 models.
    "azfn_profile.profile": 1,
    "azfn_profile.spec": 1,
    "azfn_profile.findings": 1,
    "azfn_profile.infra": 1,
    "azfn_profile.code": 1,  # the code model and its reader
    # L2 decisions.
    "azfn_profile.rules": 2,
    "azfn_profile.explain": 2,
    "azfn_profile.fleet": 2,
    "azfn_profile.fleet_limits": 2,
    "azfn_profile.capacity.model": 2,
    # L3 the rulebook.
    "azfn_profile.checks": 3,
    "azfn_profile.checking": 3,
    # profile validation reports an unknown SKU as the rulebook's AZFN203
    "azfn_profile.validation": 3,
    # L4 readers and writers.
    "azfn_profile.loader": 4,
    "azfn_profile.engine": 4,
    "azfn_profile.render": 4,
    "azfn_profile.deploy": 4,
    "azfn_profile.sources": 4,
    "azfn_profile.lab": 4,
    "azfn_profile.capacity.plans": 4,
    "azfn_profile.capacity.inputs": 4,
    "azfn_profile.capacity.report": 4,
    "azfn_profile.capacity.run": 4,
    # L5 the front: commands and the adapters around them.
    "azfn_profile.report": 5,
    "azfn_profile.policy": 5,
    "azfn_profile.stack": 5,
    "azfn_profile.init": 5,
    "azfn_profile.docs_checks": 5,
    "azfn_profile.docgen": 5,
    "azfn_profile.cli": 5,
    "azfn_profile.__main__": 5,
}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def layer_of(module: str, layers: dict[str, int] = LAYERS) -> int | None:
    """The layer of the longest prefix of `module` in the table."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        found = layers.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


def imported(
    tree: ast.Module, module: str, is_package: bool, known: set[str]
) -> Iterator[str]:
    """Every module of the package that `tree` imports, at any depth."""
    here = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from pkg import name` imports the submodule pkg.name when there is one.
                sub = f"{base}.{alias.name}"
                yield sub if sub in known else base
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def violations(root: Path = ROOT, layers: dict[str, int] = LAYERS) -> list[str]:
    modules = package_modules(root)
    known = set(modules)
    found: set[str] = set()
    for name, path in modules.items():
        own = layer_of(name, layers)
        if own is None:
            continue  # reported by test_every_module_has_a_layer
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for target in imported(tree, name, path.name == "__init__.py", known):
            if target.split(".")[0] != root.name:
                continue
            theirs = layer_of(target, layers)
            if theirs is not None and theirs > own:
                found.add(f"{name} imports {target} (L{own} -> L{theirs})")
    return sorted(found)


def test_every_module_has_a_layer() -> None:
    unassigned = [m for m in package_modules() if layer_of(m) is None]
    assert not unassigned, "modules with no layer: " + ", ".join(unassigned)


def test_the_table_names_only_real_modules() -> None:
    modules = package_modules()
    stale = [
        prefix
        for prefix in LAYERS
        if not any(m == prefix or m.startswith(prefix + ".") for m in modules)
    ]
    assert not stale, "layer table names missing modules: " + ", ".join(stale)


def test_no_module_imports_from_a_higher_layer() -> None:
    found = violations()
    assert not found, "imports from a higher layer:\n" + "\n".join(found)


def test_a_violation_is_caught(tmp_path: Path) -> None:
    """The check itself: an upward import, however hidden, is reported."""
    package = tmp_path / PACKAGE
    (package / "code").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "code" / "__init__.py").write_text("")
    (package / "cli.py").write_text("from azfn_profile.code import model\n")
    (package / "code" / "model.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from azfn_profile import cli\n"
        "def later():\n"
        "    from .. import cli\n"
        "    import azfn_profile.cli\n"
    )
    assert violations(package) == [
        "azfn_profile.code.model imports azfn_profile.cli (L1 -> L5)"
    ]
