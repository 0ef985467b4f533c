"""Terraform configurations as a reader of the resource graph.

A root is a folder of `.tf` / `.tf.json` files that no other folder checked here
calls as a local module (a folder reached only as a module is judged through its
callers). A root is read once with its automatic variables files
(`terraform.tfvars`, `*.auto.tfvars`, and their `.json` forms), or once per other
variables file beside it or in a folder below it that holds no configuration (what
`-var-file` would name: `env/dev.tfvars`). Local modules (`source = "./..."`) are
read with the arguments of each call; registry and remote modules are listed as not
inspected unless `.terraform/modules/modules.json` maps them to a folder `terraform
init` fetched. Every file is read below the checked tree, once, through the bounded
reader, and parsed by python-hcl2.
Reference: developer.hashicorp.com/terraform/language/values/variables
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azfn_profile.errors import Problem
from azfn_profile.files import Unreadable, inside, read_text
from azfn_profile.sources.graph import Graph
from azfn_profile.sources.terraform_eval import Evaluator
from azfn_profile.sources.terraform_module import Module
from azfn_profile.sources.terraform_nodes import Attr, Body, HclError, HclLimit
from azfn_profile.sources.terraform_refs import Deployment, Source
from azfn_profile.sources.values import Budget, Opaque

MAX_TF_BYTES = 1024 * 1024  # one file: larger ones take the parser too long
CONFIG_SUFFIXES = (".tf", ".tf.json")
VARS_SUFFIXES = (".tfvars", ".tfvars.json")


def is_config(name: str) -> bool:
    return name.lower().endswith(CONFIG_SUFFIXES) and not name.startswith(".")


def is_auto_vars(name: str) -> bool:
    lowered = name.lower()
    return lowered in ("terraform.tfvars", "terraform.tfvars.json") or lowered.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )


class Workspace:
    """The Terraform files one run may read, each read and parsed once; a file that
    cannot be read or parsed is reported once."""

    def __init__(self, known: dict[Path, tuple[str, str]]) -> None:
        self.known = known  # resolved path -> (display, text) already read
        self.parsed: dict[Path, Source | None] = {}
        self.problems: list[Problem] = []
        self.root = Path()
        self.modules_json: dict[str, tuple[Path, str]] = {}

    def file(self, path: Path, display: str) -> Source | None:
        key = path.resolve()
        if key in self.parsed:
            return self.parsed[key]
        self.parsed[key] = None
        if key in self.known:
            display, text = self.known[key]
        else:
            try:
                text = read_text(path)
            except Unreadable as exc:
                self.problems.append(Problem(display, exc.message, exc.line, exc.col))
                return None
        body = self._parse(display, text, path.name.lower().endswith(".json"))
        self.parsed[key] = Source(display, body) if body is not None else None
        return self.parsed[key]

    def _parse(self, display: str, text: str, is_json: bool) -> Body | None:
        from azfn_profile.sources.terraform_json import parse_json
        from azfn_profile.sources.terraform_syntax import parse_hcl

        if len(text) > MAX_TF_BYTES:
            self.problems.append(
                Problem(display, f"larger than {MAX_TF_BYTES:,} characters: not parsed")
            )
            return None
        if is_json:
            from azfn_profile.sources.jsonc import JsonError, loads

            try:
                return parse_json(loads(text), text)
            except JsonError as exc:
                message = f"invalid Terraform JSON: {exc.message}"
                self.problems.append(Problem(display, message, exc.line, exc.col))
                return None
        try:
            return parse_hcl(text)
        except HclError as exc:
            what = (
                "too large" if isinstance(exc, HclLimit) else "invalid Terraform (HCL)"
            )
            message = f"{what}: {exc.message}"
            self.problems.append(Problem(display, message, exc.line, exc.col))
            return None

    def folder(self, path: Path, display: str) -> list[Source]:
        try:
            names = sorted(p.name for p in path.iterdir() if p.is_file())
        except OSError as exc:
            self.problems.append(Problem(display, f"cannot list the folder: {exc}"))
            return []
        sources = []
        for name in names:
            file = path / name
            if is_config(name) and (not file.is_symlink() or inside(file, self.root)):
                found = self.file(file, str(Path(display) / name))
                if found is not None:
                    sources.append(found)
        return sources

    def locate(self, caller: Module, name: str, source: str) -> tuple[Path, str] | str:
        if source in (".", "..") or source.startswith(("./", "../")):
            folder = caller.folder / source
            if not inside(folder, self.root):
                return "outside the checked tree"
            if not folder.is_dir():
                return "no such folder"
            return folder, os.path.normpath(Path(caller.display_dir) / source)
        found = self.modules_json.get(".".join((*caller.path, name)))
        if found is None:
            return (
                "registry and remote modules are not fetched (no entry in "
                ".terraform/modules/modules.json)"
            )
        return found

    def read_modules_json(self, root: Path, display: str) -> None:
        """Modules `terraform init` fetched for this root: key -> folder."""
        from azfn_profile.sources.jsonc import JsonError, loads

        self.modules_json = {}
        path = root / ".terraform" / "modules" / "modules.json"
        if not path.is_file() or not inside(path, self.root):
            return
        try:
            data = loads(read_text(path))
        except (Unreadable, JsonError):
            return
        entries = data.get("Modules") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            key, folder = entry.get("Key"), entry.get("Dir")
            if isinstance(key, str) and key and isinstance(folder, str):
                where = root / folder
                if inside(where, self.root) and where.is_dir():
                    shown = os.path.normpath(Path(display) / folder)
                    self.modules_json[key] = (where, shown)


@dataclass
class Root:
    """One root configuration and the variables files it is read with."""

    folder: Path
    display: str
    files: list[Any]  # the SourceFiles of its configuration
    auto: list[Any] = field(default_factory=list)  # automatic variables files
    var_files: list[Any] = field(default_factory=list)  # one reading each


def variables(workspace: Workspace, f: Any, budget: Budget) -> dict[str, Any]:
    """The values a variables file assigns."""
    from azfn_profile.sources.terraform_json import json_values
    from azfn_profile.sources.terraform_syntax import parse_hcl

    attrs: dict[str, Attr] = {}
    if f.display.lower().endswith(".json"):
        from azfn_profile.sources.jsonc import JsonError, loads

        try:
            attrs = json_values(loads(f.text), f.text)
        except JsonError as exc:
            problem = Problem(
                f.display, f"invalid JSON: {exc.message}", exc.line, exc.col
            )
            workspace.problems.append(problem)
    elif len(f.text) > MAX_TF_BYTES:
        workspace.problems.append(Problem(f.display, "too large: not parsed"))
    else:
        try:
            attrs = parse_hcl(f.text).attrs()
        except HclError as exc:
            message = f"invalid Terraform variables: {exc.message}"
            workspace.problems.append(Problem(f.display, message, exc.line, exc.col))
    evaluator = Evaluator(_NoReferences(budget))
    return {name: evaluator.eval(attr.expr, {}) for name, attr in attrs.items()}


class _NoReferences:
    """A variables file holds values only: a reference in one stays unknown."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def is_root(self, name: str) -> bool:
        return False

    def root(self, name: str, attr: str) -> Any:
        return Opaque(f"{name}.{attr}")

    def data(self, kind: str, name: str) -> Any:
        return Opaque(f"data.{kind}.{name}")


def read_root(
    workspace: Workspace,
    root: Root,
    values: dict[str, Any],
    graph: Graph,
    name: str,
    budget: Budget,
) -> Deployment:
    """Add what the root deploys (its modules included) to `graph`."""
    dep = Deployment(graph, workspace, name, budget)
    workspace.read_modules_json(root.folder, root.display)
    supplied = {key: _constant(value) for key, value in values.items()}
    sources = workspace.folder(root.folder, root.display)
    module = Module(
        dep,
        root.folder,
        root.display,
        sources,
        supplied,
        stack=(root.folder.resolve(),),
    )
    module.run()
    return dep


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


__all__ = ["Root", "Workspace", "is_auto_vars", "is_config", "read_root", "variables"]
