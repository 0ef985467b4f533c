"""What `check` reads: the files under the paths given, sorted into what they are.

A repository folder holds much that is not function-app infrastructure; like
checkov or cfn-lint, `check` skips it and counts it. Templates (ARM JSON, Bicep) are
roots unless another checked file calls them as a module; each root is judged once
per parameter file that names it (or once with its defaults). Profiles,
`pulumi preview --json` output and `host.json` files are read too: a `host.json` is
joined to the app it belongs to (azd's `azure.yaml` service folder, or the one app of
the repository) and judged on its own otherwise. Directories are walked without
following links out of them, hidden folders and dependency folders left out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from azfn_profile.checking import SourceTarget
from azfn_profile.checks import Target
from azfn_profile.findings import Finding, Location
from azfn_profile.sources.files import Unreadable, inside, read_text
from azfn_profile.sources.graph import Graph, NotInspected, Resource
from azfn_profile.sources.jsonc import (
    JsonError,
    Positions,
    check_depth,
    loads,
    too_deep,
)
from azfn_profile.sources.values import BudgetExceeded
from azfn_profile.spec import AppSpec, PlanSpec, SiteSpec, WorkloadSpec

SOURCE_SUFFIXES = (".json", ".yaml", ".yml", ".bicep", ".bicepparam", ".py")
# Python files a folder scan reads: an app's entry; its modules are read through it.
APP_ENTRY = "function_app.py"
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "bin", "obj", "site-packages"})
NOT_INFRA = {
    "local.settings.json": "Functions local settings",
    "function.json": "a function's bindings",
    "package.json": "a Node.js package",
    "package-lock.json": "a Node.js lock file",
    "abbreviations.json": "azd resource-name abbreviations",
    "appsettings.json": "app settings, not a template",
    "launch.json": "editor settings",
    "settings.json": "editor settings",
    "extensions.json": "editor settings",
    "tasks.json": "editor settings",
    "devcontainer.json": "a dev container",
    "bicepconfig.json": "Bicep configuration",
    "metadata.json": "module metadata",
    "version.json": "module metadata",
    "testdata.json": "test data",
}
_TEMPLATE_NAME = re.compile(
    r"(azuredeploy|template|deploy|main)[^/]*\.json$", re.IGNORECASE
)
_PROFILE_KEYS = re.compile(r"^(workload|plan)\s*:", re.MULTILINE)


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str
    explicit: bool = False  # named on the command line: the report says why


@dataclass
class Scan:
    targets: list[SourceTarget] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    not_inspected: list[NotInspected] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    files: int = 0  # files read
    found: int = 0  # files found, read or not
    fatal: bool = False  # an explicitly named path could not be read


@dataclass
class _File:
    path: Path
    display: str
    explicit: bool
    root: Path
    kind: str = ""
    text: str = ""
    data: Any = None
    used: bool = False  # a parameter file that found its template


def unreadable(
    display: str, message: str, line: int | None = None, col: int | None = None
) -> Finding:
    return Finding(
        "AZFN000", "input.unreadable", "error", message, Location(display, line, col)
    )


def scan(paths: Sequence[Path], today: date, parameters: Path | None = None) -> Scan:
    result = Scan()
    files = list(_expand(paths, result))
    for f in files:
        _classify(f, result)
    result.files = sum(1 for f in files if f.kind)
    result.found = len(files)
    explicit_params = _explicit_parameters(parameters, result)
    _Assemble(files, result, today, explicit_params).run()
    return result


# -- finding the files -----------------------------------------------------------


def display_of(path: Path) -> str:
    """A file as the user named it (or as found below a folder they named)."""
    return str(path)


def _expand(paths: Sequence[Path], result: Scan) -> Iterator[_File]:
    for path in paths:
        if path.is_dir():
            found = sorted(_walk(path))
            if not found:
                continue
            for file in found:
                yield _File(file, display_of(file), False, path)
        elif path.exists() or path.is_symlink():
            root = Path.cwd() if inside(path, Path.cwd()) else path.parent
            yield _File(path, display_of(path), True, root)
        else:
            result.findings.append(unreadable(str(path), "no such file"))
            result.fatal = True


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in SKIP_DIRS
            and not (here / d / "pyvenv.cfg").exists()
        )
        for name in names:
            path = here / name
            if not name.lower().endswith(SOURCE_SUFFIXES) or name.startswith("."):
                continue
            if name.endswith(".py") and name != APP_ENTRY:
                continue  # an app's modules are read through its function_app.py
            if path.is_symlink() and not inside(path, root):
                continue  # links are not followed out of the checked folder
            yield path


# -- what each file is -------------------------------------------------------------


def _classify(f: _File, result: Scan) -> None:
    name = f.path.name.lower()
    if not name.endswith(SOURCE_SUFFIXES):
        f.kind = "skip"
        result.skipped.append(
            _skip(f, "not a profile, template, parameter, preview or host.json file")
        )
        return
    if name.endswith(".py"):
        f.kind = "pyapp"  # read by the code reader, module by module
        return
    try:
        f.text = read_text(f.path)
    except Unreadable as exc:
        result.findings.append(unreadable(f.display, exc.message, exc.line, exc.col))
        result.fatal = result.fatal or f.explicit
        return
    if name.endswith(".bicep"):
        f.kind = "bicep"
    elif name.endswith(".bicepparam"):
        f.kind = "bicepparam"
    elif name.endswith(".json"):
        _classify_json(f, name, result)
    else:
        _classify_yaml(f, name, result)


def _classify_json(f: _File, name: str, result: Scan) -> None:
    if name == "host.json":
        f.kind = "host"
    elif name in NOT_INFRA or name.endswith(".tf.json"):
        reason = NOT_INFRA.get(name, "Terraform JSON (not judged by check)")
        f.kind = "skip"
        result.skipped.append(_skip(f, reason))
        return
    if f.kind == "host":
        return
    try:
        f.data = loads(f.text, depth_checked=False)  # templates bound their own depth
    except JsonError as exc:
        looks = _TEMPLATE_NAME.search(name) or "deploymentTemplate" in f.text[:4096]
        if f.explicit or looks:
            f.kind = "broken"
            result.findings.append(
                unreadable(f.display, f"invalid JSON: {exc.message}", exc.line, exc.col)
            )
        else:
            f.kind = "skip"
            result.skipped.append(_skip(f, "not valid JSON, not a template"))
        return
    from azfn_profile.sources.arm import is_template
    from azfn_profile.sources.params import is_parameters
    from azfn_profile.sources.preview import is_preview

    if is_template(f.data):
        f.kind = "arm"
        return
    if too_deep(f.data):
        f.kind = "broken"
        try:
            check_depth(f.text)
        except JsonError as exc:
            result.findings.append(
                unreadable(f.display, exc.message, exc.line, exc.col)
            )
        return
    if is_parameters(f.data):
        f.kind = "params"
    elif is_preview(f.data):
        f.kind = "preview"
    elif isinstance(f.data, dict) and {"workload", "plan"} & set(f.data):
        f.kind = "profile"
    else:
        f.kind = "skip"
        result.skipped.append(_skip(f, "JSON that is not function-app infrastructure"))


def _classify_yaml(f: _File, name: str, result: Scan) -> None:
    if name in ("azure.yaml", "azure.yml"):
        f.kind = "azd"
        return
    from azfn_profile.errors import InputError
    from azfn_profile.yamlload import parse

    try:
        document = parse(f.text, f.display)
    except InputError:
        if f.explicit or _PROFILE_KEYS.search(f.text):
            f.kind = "profile"  # reported as a broken profile
            return
        f.kind = "skip"
        result.skipped.append(_skip(f, "YAML that is not a profile"))
        return
    data = document.data
    if isinstance(data, dict) and {"workload", "plan"} & set(data):
        f.kind = "profile"
        return
    f.kind = "skip"
    result.skipped.append(_skip(f, "YAML that is not a profile"))


def _skip(f: _File, reason: str) -> Skipped:
    return Skipped(f.display, reason, f.explicit)


def _explicit_parameters(path: Path | None, result: Scan) -> dict[str, Any] | None:
    if path is None:
        return None
    from azfn_profile.sources.params import is_parameters, json_values

    try:
        data = loads(read_text(path))
    except (Unreadable, JsonError) as exc:
        message = exc.message if hasattr(exc, "message") else str(exc)
        result.findings.append(unreadable(str(path), f"--parameters: {message}"))
        result.fatal = True
        return None
    if not is_parameters(data):
        result.findings.append(
            unreadable(str(path), "--parameters: not a deploymentParameters file")
        )
        result.fatal = True
        return None
    return json_values(data)


# -- putting it together -------------------------------------------------------------


class _Assemble:
    def __init__(
        self,
        files: list[_File],
        result: Scan,
        today: date,
        explicit_params: dict[str, Any] | None,
    ) -> None:
        self.files, self.result, self.today = files, result, today
        self.explicit_params = explicit_params
        self.declared: dict[str, WorkloadSpec] = {}
        self.app_targets: list[SourceTarget] = []
        self.profile_code: dict[Path, str] = {}  # app folder -> profile naming it

    def run(self) -> None:
        by_kind: dict[str, list[_File]] = {}
        for f in self.files:
            by_kind.setdefault(f.kind, []).append(f)
        for f in by_kind.get("profile", []):
            self._profile(f)
        for f in by_kind.get("pyapp", []):
            self._code(f)
        params = self._parameter_sets(by_kind)
        modules = self._module_targets(by_kind.get("bicep", []))
        for f in by_kind.get("bicep", []) + by_kind.get("arm", []):
            if f.path.resolve() in modules and not f.explicit:
                self.result.skipped.append(
                    _skip(f, "called as a module; judged through its caller")
                )
                continue
            for label, values in params.get(f.path.resolve(), [(None, {})]):
                self._deployment(f, label, values)
        for f in by_kind.get("preview", []):
            self._preview(f)
        self._hosts(by_kind.get("host", []), by_kind.get("azd", []))
        for f in by_kind.get("params", []) + by_kind.get("bicepparam", []):
            if not f.used:
                self.result.skipped.append(
                    _skip(f, "parameters for no template checked here")
                )

    # profiles -----------------------------------------------------------------------
    def _profile(self, f: _File) -> None:
        from azfn_profile.engine import load_profile
        from azfn_profile.errors import InputError
        from azfn_profile.sources.profile import profile_targets

        targets, findings = profile_targets(f.path, f.display, self.today)
        self.result.targets.extend(targets)
        self.result.findings.extend(findings)
        if targets:
            try:
                loaded = load_profile(f.path, today=self.today, display=f.display)
            except InputError:  # pragma: no cover - profile_targets read it already
                return
            workload = targets[0].target.spec.workload
            if loaded.profile.app and workload is not None:
                self.declared[loaded.profile.app.lower()] = workload
            if loaded.code is not None and loaded.profile.app:
                named = (f.path.parent / loaded.profile.app).resolve()
                folder = named if named.is_dir() else named.parent
                self.profile_code[folder] = f.display

    # app code -------------------------------------------------------------------------
    def _code(self, f: _File) -> None:
        from azfn_profile.code.analyze import AppNotFound
        from azfn_profile.sources.code import code_target

        folder = f.path.parent.resolve()
        if folder in self.profile_code and not f.explicit:
            self.result.skipped.append(
                _skip(f, f"judged through {self.profile_code[folder]}, which names it")
            )
            return
        try:
            target, findings = code_target(f.path, f.display)
        except AppNotFound as exc:  # pragma: no cover - the scan found the file
            self.result.findings.append(unreadable(f.display, str(exc)))
            return
        if not target.target.code or not target.target.code.functions:
            if f.explicit or target.target.code is None:
                self.result.findings.extend(findings)
            self.result.skipped.append(_skip(f, "Python with no function app in it"))
            return
        self.result.targets.append(target)
        self.result.findings.extend(findings)

    def _declared(self, names: list[str]) -> WorkloadSpec | None:
        return next((self.declared[n] for n in names if n in self.declared), None)

    # parameter files ------------------------------------------------------------------
    def _parameter_sets(
        self, by_kind: dict[str, list[_File]]
    ) -> dict[Path, list[tuple[str | None, dict[str, Any]]]]:
        from azfn_profile.sources.params import json_values, template_candidates

        sets: dict[Path, list[tuple[str | None, dict[str, Any]]]] = {}
        templates = {
            f.path.resolve() for f in by_kind.get("bicep", []) + by_kind.get("arm", [])
        }
        if self.explicit_params is not None:
            for template in templates:
                sets[template] = [("--parameters", self.explicit_params)]
            return sets
        for f in by_kind.get("params", []):
            for candidate in template_candidates(f.path):
                if candidate.resolve() in templates:
                    sets.setdefault(candidate.resolve(), []).append(
                        (f.display, json_values(f.data))
                    )
                    f.used = True
                    break
        for f in by_kind.get("bicepparam", []):
            target, values = self._bicepparam(f)
            if target is not None and target.resolve() in templates:
                sets.setdefault(target.resolve(), []).append((f.display, values))
                f.used = True
        return sets

    def _bicepparam(self, f: _File) -> tuple[Path | None, dict[str, Any]]:
        from azfn_profile.sources.bicep import BicepFile, Deployment, Workspace
        from azfn_profile.sources.bicep_parser import parse

        program = parse(f.text)
        for error in program.errors:
            self.result.findings.append(
                unreadable(
                    f.display,
                    f"invalid Bicep parameters: {error.message}",
                    error.line,
                    error.col,
                )
            )
        using = next((d for d in program.decls if d.keyword == "using"), None)
        if using is None or not using.type:
            return None, {}
        deployment = Deployment(Graph(), Workspace(f.root), f.display)
        reader = BicepFile(deployment, f.path, f.display, program, {}, (), ())
        try:
            values = {name: reader.lookup(name, {}) for name in reader.params}
        except BudgetExceeded as exc:
            self.result.findings.append(
                unreadable(f.display, f"too large to evaluate: {exc}")
            )
            return None, {}
        self.result.secrets |= deployment.graph.secrets
        return f.path.parent / using.type, values

    # templates ------------------------------------------------------------------------
    def _module_targets(self, bicep_files: list[_File]) -> set[Path]:
        from azfn_profile.sources.bicep_parser import parse

        called: set[Path] = set()
        for f in bicep_files:
            for decl in parse(f.text).decls:
                if decl.keyword == "module" and not decl.type.startswith(
                    ("br:", "br/", "ts:", "ts/")
                ):
                    called.add((f.path.parent / decl.type).resolve())
        return called

    def _deployment(self, f: _File, label: str | None, values: dict[str, Any]) -> None:
        from azfn_profile.sources.join import join

        graph = Graph()
        name = f.display if label is None else f"{f.display} with {label}"
        problems: list[Finding] = []
        try:
            if f.kind == "arm":
                from azfn_profile.sources.arm import read_template

                read_template(
                    f.data,
                    file=f.display,
                    positions=Positions(f.text),
                    params=values,
                    graph=graph,
                    deployment=name,
                )
            else:
                from azfn_profile.sources.bicep import Deployment, Workspace, read_bicep

                dep = Deployment(graph, Workspace(f.root), name)
                read_bicep(f.path, f.display, values, dep)
                problems = [
                    unreadable(p.file, p.message, p.line, p.col) for p in dep.problems
                ]
        except BudgetExceeded as exc:
            self.result.findings.append(
                unreadable(f.display, f"too large to evaluate: {exc}", 1, 1)
            )
            return
        except Unreadable as exc:
            self.result.findings.append(
                unreadable(f.display, exc.message, exc.line, exc.col)
            )
            return
        self.result.findings.extend(problems)
        self.result.not_inspected.extend(graph.not_inspected)
        self.result.secrets |= graph.secrets

        def problem(site: Resource, message: str) -> None:
            self.result.findings.append(
                Finding(
                    "AZFN000",
                    "input.unreadable",
                    "error",
                    message,
                    site.where(("tags",)),
                )
            )

        targets = join(graph, self._declared, problem)
        for target in targets:
            info = dict(target.info)
            if label is not None:
                info["parameters"] = label
            self.app_targets.append(replace(target, info=info))
        if not targets and not problems:
            self.result.skipped.append(
                _skip(
                    f,
                    "no function app (Microsoft.Web/sites of kind functionapp) in it",
                )
            )

    def _preview(self, f: _File) -> None:
        from azfn_profile.sources.preview import preview_targets

        targets = preview_targets(f.data, f.display)
        if not targets:
            self.result.skipped.append(
                _skip(
                    f,
                    "no function app (azure-native:web:WebApp of kind functionapp) in this preview",
                )
            )
        self.app_targets.extend(targets)

    # host.json --------------------------------------------------------------------------
    def _hosts(self, hosts: list[_File], azd: list[_File]) -> None:
        services = self._azd_services(azd)
        apps = list(self.app_targets)
        paired: dict[int, dict[str, Any]] = {}
        for f in hosts:
            try:
                data = loads(f.text)
            except JsonError as exc:
                self.result.findings.append(
                    unreadable(
                        f.display, f"invalid JSON: {exc.message}", exc.line, exc.col
                    )
                )
                continue
            if not isinstance(data, dict):
                self.result.findings.append(
                    unreadable(f.display, "host.json is not a JSON object", 1, 1)
                )
                continue
            folder = f.path.parent.resolve()
            owners = [
                i
                for i, t in enumerate(apps)
                if services.get(
                    str(t.target.spec.tags.get("azd-service-name", "")).lower()
                )
                == folder
            ]
            if not owners:  # apps whose template sits beside this host.json
                owners = [
                    i
                    for i, t in enumerate(apps)
                    if Path(str(t.info.get("file", ""))).parent.resolve() == folder
                ]
            if not owners and len(apps) == 1 and len(hosts) == 1:
                owners = [0]
            if owners:
                for i in owners:
                    paired[i] = {"host": data, "file": f}
            else:
                self.result.targets.append(_host_only(f, data))
        for i, target in enumerate(apps):
            if i in paired:
                host: _File = paired[i]["file"]
                spec = replace(target.target.spec, host_json=paired[i]["host"])
                info = {**target.info, "host_json": host.display}
                target = SourceTarget(
                    replace(target.target, spec=spec),
                    _host_locator(host, target.locate),
                    info,
                )
            self.result.targets.append(target)

    def _azd_services(self, azd: list[_File]) -> dict[str, Path]:
        from azfn_profile.errors import InputError
        from azfn_profile.yamlload import parse

        services: dict[str, Path] = {}
        for f in azd:
            try:
                data = parse(f.text, f.display).data
            except InputError:
                continue
            entries = data.get("services") if isinstance(data, dict) else None
            for name, spec in entries.items() if isinstance(entries, dict) else []:
                project = spec.get("project") if isinstance(spec, dict) else None
                if isinstance(project, str):
                    services[str(name).lower()] = (f.path.parent / project).resolve()
        return services


def _host_locator(f: _File, otherwise: Any) -> Any:
    """Findings about host.json point into host.json; the rest as before."""
    positions = Positions(f.text)

    def locate(dotted: str) -> Location:
        if not dotted.startswith("host_json"):
            found: Location = otherwise(dotted)
            return found
        path = tuple(dotted.split(".")[1:])
        line, col = positions.at(path)
        return Location(f.display, line, col, otherwise("").resource)

    return locate


def _host_only(f: _File, data: dict[str, Any]) -> SourceTarget:
    spec = AppSpec(
        name="host.json",
        python="",
        plan=PlanSpec("", "", "", "", 0.0, 0, None, None),
        site=SiteSpec(None, None),
        app_settings={},
        host_json=data,
        function_app_config=None,
        runtime=None,
    )
    target = Target(spec, host_only=True)
    locate = _host_locator(f, lambda dotted: Location(f.display, resource="host.json"))
    info = {
        "file": f.display,
        "line": 1,
        "resource": "host.json",
        "kind": "host.json (no app joined)",
    }
    return SourceTarget(target, locate, info)
