"""Terraform in a scan: which folders are roots, which variables files go with them
(those found, or the `--var-file` files named), and each root read into the apps the
join builds (see `terraform`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from azfn_profile.checking import SourceTarget
from azfn_profile.checks import raised
from azfn_profile.sources.discover import SourceFile, skip
from azfn_profile.sources.graph import Graph, NotInspected, Resource
from azfn_profile.sources.join import Declared, join
from azfn_profile.sources.result import Scan, unreadable
from azfn_profile.sources.terraform import (
    Root,
    Workspace,
    is_auto_vars,
    read_root,
    variables,
)
from azfn_profile.sources.values import Budget, BudgetExceeded

NO_APP = "no function app (azurerm_*function_app*) in this Terraform configuration"
NO_APP_READ = (
    "no function app (azurerm_*function_app*) in what was read of this Terraform "
    "configuration; its registry or remote modules were not inspected"
)


@dataclass
class Plan:
    roots: list[Root] = field(default_factory=list)
    skipped: list[tuple[SourceFile, str]] = field(default_factory=list)


def _local_source(value: Any) -> bool:
    return isinstance(value, str) and (
        value in (".", "..") or value.startswith(("./", "../"))
    )


def plan_roots(
    workspace: Workspace, configs: list[SourceFile], var_files: list[SourceFile]
) -> Plan:
    """Group configuration files by folder; a folder another one calls as a local
    module is not a root (unless named on the command line); each variables file
    goes to the root it belongs to, or is skipped with the reason."""
    plan = Plan()
    folders: dict[Path, list[SourceFile]] = {}
    for f in configs:
        folders.setdefault(f.path.parent.resolve(), []).append(f)
    called: set[Path] = set()
    for folder, files in folders.items():
        for f in files:
            src = workspace.file(f.path, f.display)
            for block in src.body.blocks("module", 1) if src is not None else []:
                attr = block.body.attrs().get("source")
                if attr is not None and _local_source(attr.expr.value):
                    target = (f.path.parent / attr.expr.value).resolve()
                    if target != folder:
                        called.add(target)
    for folder, files in sorted(folders.items()):
        if folder in called and not any(f.explicit for f in files):
            continue  # read, and judged, through the configurations that call it
        display = str(Path(files[0].display).parent)
        plan.roots.append(Root(folder, display, files))
    by_folder = {r.folder: r for r in plan.roots}
    for f in var_files:
        owner = _owner(f, folders)
        root = by_folder.get(owner) if owner is not None else None
        if (
            root is not None
            and owner == f.path.parent.resolve()
            and is_auto_vars(f.path.name)
        ):
            root.auto.append(f)
        elif root is not None:
            root.var_files.append(f)
        elif owner is not None:
            reason = "variables of a folder called as a module (read only in a root)"
            plan.skipped.append((f, reason))
        else:
            plan.skipped.append((f, "Terraform variables for no configuration here"))
    for root in plan.roots:
        root.auto.sort(
            key=lambda f: (not f.path.name.startswith("terraform."), f.path.name)
        )
        root.var_files.sort(key=lambda f: f.display)
    return plan


def _owner(f: SourceFile, folders: dict[Path, list[SourceFile]]) -> Path | None:
    """The configuration folder a variables file belongs to: its own folder, else the
    nearest folder above it (up to the folder checked) that holds one."""
    here = f.path.parent.resolve()
    top = f.root.resolve()
    while True:
        if here in folders:
            return here
        if here == top or here.parent == here:
            return None
        here = here.parent


NOT_APPLIED = "not applied: --var-file names the variables files to apply"
NO_ROOT = "--var-file: no Terraform configuration checked here"


def _given(plan: Plan, explicit: list[SourceFile], result: Scan) -> list[SourceFile]:
    """With --var-file, each root is read once, with its automatic variables files
    and then the files named, in order (later ones win, as with `terraform plan
    -var-file`); the other variables files found are listed as not applied."""
    named = {f.path.resolve() for f in explicit}
    for root in plan.roots:
        for f in root.var_files:
            if f.path.resolve() not in named:
                result.skipped.append(skip(f, NOT_APPLIED))
        root.var_files = []
    plan.skipped = [(f, r) for f, r in plan.skipped if f.path.resolve() not in named]
    if not plan.roots:
        result.skipped += [skip(f, NO_ROOT) for f in explicit]
    return explicit


class TerraformScan:
    """Each root read once per variables file (or once, or with the --var-file
    files), joined into targets."""

    def __init__(
        self, result: Scan, declared: Declared, targets: list[SourceTarget]
    ) -> None:
        self.result, self.declared, self.targets = result, declared, targets
        self.listed: set[tuple[str, int | None, str]] = set()
        self.given: dict[Path, dict[str, Any]] = {}  # --var-file values, read once

    def run(
        self,
        configs: list[SourceFile],
        var_files: list[SourceFile],
        explicit: list[SourceFile] | None = None,
    ) -> None:
        known = {f.path.resolve(): (f.display, f.text) for f in configs}
        workspace = Workspace(known)
        plan = plan_roots(workspace, configs, var_files)
        given = _given(plan, explicit, self.result) if explicit else []
        self.result.skipped += [skip(f, reason) for f, reason in plan.skipped]
        for root in plan.roots:
            workspace.root = root.files[0].root
            before = len(workspace.problems)
            listed = len(self.result.not_inspected)
            found = False
            readings = [[f] for f in root.var_files] or [given]
            for extra in readings:
                found |= self._read(workspace, root, extra)
            broken = {p.file for p in workspace.problems}
            clean = not any(f.display in broken for f in root.files)
            seen = self.result.not_inspected[listed:]
            dropped = any(n.reason.startswith("not deployed") for n in seen)
            if (
                not found
                and not dropped
                and clean
                and len(workspace.problems) == before
            ):
                unread = len(seen) > 0
                for f in root.files + root.auto + root.var_files:
                    self.result.skipped.append(
                        skip(f, NO_APP_READ if unread else NO_APP)
                    )
        self.result.findings += [
            unreadable(p.file, p.message, p.line, p.col) for p in workspace.problems
        ]
        named = {f.display for f in given}
        if any(p.file in named for p in workspace.problems):
            self.result.fatal = True  # a file named on purpose could not be read

    def _read(self, workspace: Workspace, root: Root, extra: list[SourceFile]) -> bool:
        auto = {f.path.resolve() for f in root.auto}
        applied = root.auto + [f for f in extra if f.path.resolve() not in auto]
        budget = Budget()
        graph = Graph()
        shown = ", ".join(f.display for f in extra)
        name = f"{root.display} with {shown}" if extra else root.display
        try:
            values: dict[str, Any] = {}
            for f in applied:
                values.update(self._variables(workspace, f, budget))
                f.used = True
            read_root(workspace, root, values, graph, name, budget)
        except BudgetExceeded as exc:
            self.result.findings.append(exc.finding(root.files[0].display))
            return True
        for item in graph.not_inspected:
            self._not_inspected(item)
        label = ", ".join(f.display for f in applied) or None
        targets = join(graph, self.declared, self._problem)
        for target in targets:
            self.targets.append(
                replace(target, info=replace(target.info, parameters=label))
            )
        return bool(targets)

    def _variables(
        self, workspace: Workspace, f: SourceFile, budget: Budget
    ) -> dict[str, Any]:
        """A variables file's values; a --var-file file is read (and any problem
        in it reported) once, whatever the number of roots."""
        if not f.explicit or f.kind != "tfvars":
            return variables(workspace, f, budget)
        key = f.path.resolve()
        if key not in self.given:
            self.given[key] = variables(workspace, f, budget)
        return self.given[key]

    def _not_inspected(self, item: NotInspected) -> None:
        key = (item.file, item.line, item.what)
        if key not in self.listed:
            self.listed.add(key)
            self.result.not_inspected.append(item)

    def _problem(self, site: Resource, message: str) -> None:
        self.result.findings.append(raised("AZFN000", message, site.where(("tags",))))
