"""Pairing: discovered files become targets. Profiles and app code first (a profile
names its code, `app:`, and the site it describes, `site:`), then templates with
their parameter files (each root once per parameter file that names it, or once with
its defaults; a Bicep file another one calls is judged through its caller), `pulumi
preview --json` output, Terraform plans (`terraform show -json`) and configurations
(with the `--var-file` files, when given), and last each `host.json` joined to the
app it belongs to (azd's `azure.yaml` service folder, or the one app beside it) or
judged on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from azfn_profile.checking import AppInfo, SourceTarget
from azfn_profile.checks import Target, raised
from azfn_profile.files import Unreadable
from azfn_profile.findings import Finding, Location
from azfn_profile.sources.discover import SourceFile, skip
from azfn_profile.sources.graph import Graph, NotInspected, Resource
from azfn_profile.sources.jsonc import JsonError, Positions, loads
from azfn_profile.sources.result import Scan, unreadable
from azfn_profile.sources.values import BudgetExceeded
from azfn_profile.spec import AppSpec, PlanSpec, SiteSpec, WorkloadSpec
from azfn_profile.yamlload import Document


class Pairing:
    def __init__(
        self,
        files: list[SourceFile],
        result: Scan,
        today: date,
        explicit_params: dict[str, Any] | None,
        var_files: list[SourceFile] | None = None,
    ) -> None:
        self.files, self.result, self.today = files, result, today
        self.explicit_params = explicit_params
        self.var_files = var_files  # --var-file: applied to every Terraform root
        self.bicep_programs: dict[Path, Any] = {}  # each Bicep file parsed once
        self.declared: dict[str, AppSpec] = {}
        self.app_targets: list[SourceTarget] = []
        self.profile_code: dict[Path, str] = {}  # app folder -> profile naming it
        # App code checked on its own: its folder and target, to lend its workload
        # to the infrastructure that deploys it (no profile declares one).
        self.code_targets: list[tuple[Path, SourceTarget]] = []

    def run(self) -> None:
        by_kind: dict[str, list[SourceFile]] = {}
        for f in self.files:
            by_kind.setdefault(f.kind, []).append(f)
        guard = self._guarded
        for f in by_kind.get("profile", []):
            guard(f.display, partial(self._profile, f))
        for f in by_kind.get("pyapp", []):
            guard(f.display, partial(self._code, f))
        params = self._parameter_sets(by_kind)
        modules = self._module_targets(by_kind.get("bicep", []))
        for f in by_kind.get("bicep", []) + by_kind.get("arm", []):
            if f.path.resolve() in modules and not f.explicit:
                continue  # read, and judged, through the files that call it
            for label, values in params.get(f.path.resolve(), [(None, {})]):
                guard(f.display, partial(self._deployment, f, label, values))
        for f in by_kind.get("preview", []):
            guard(f.display, partial(self._preview, f))
        for f in by_kind.get("pulumi", []):
            guard(f.display, partial(self._pulumi_project, f))
        for f in by_kind.get("tfplan", []):
            guard(f.display, partial(self._terraform_plan, f))
        terraform, tfvars = by_kind.get("terraform", []), by_kind.get("tfvars", [])
        if terraform or tfvars or self.var_files:
            first = (terraform or tfvars)[0].display if terraform or tfvars else "-"
            guard(first, partial(self._terraform, terraform, tfvars))
        services = self._azd_services(by_kind.get("azd", []))
        self._workloads_from_code(services)
        self._hosts(by_kind.get("host", []), services)
        for f in by_kind.get("params", []) + by_kind.get("bicepparam", []):
            if not f.used:
                self.result.skipped.append(
                    skip(f, "parameters for no template checked here")
                )

    def _guarded(self, display: str, read: Callable[[], None]) -> None:
        """Read one file (or one Terraform configuration); input nested deeper than
        the stack holds is that file's finding, and what it had added is dropped."""
        result = self.result
        marks = (len(result.targets), len(result.findings), len(self.app_targets))
        try:
            read()
        except RecursionError:
            del result.targets[marks[0] :]
            del result.findings[marks[1] :]
            del self.app_targets[marks[2] :]
            result.findings.append(
                unreadable(
                    display,
                    "nested too deeply to read: an expression, value or chain of "
                    "references deeper than any reader follows; simplify or split it",
                    1,
                    1,
                )
            )

    # profiles -----------------------------------------------------------------------
    def _profile(self, f: SourceFile) -> None:
        from azfn_profile.sources.profile import profile_targets

        document = f.data if isinstance(f.data, Document) else None
        loaded, targets, findings = profile_targets(
            f.path, f.display, self.today, document
        )
        self.result.targets.extend(targets)
        self.result.findings.extend(findings)
        if loaded is None:
            return
        if loaded.profile.site and targets:
            self.declared[loaded.profile.site.lower()] = targets[0].target.spec
        if loaded.code is not None and loaded.profile.app:
            named = (f.path.parent / loaded.profile.app).resolve()
            folder = named if named.is_dir() else named.parent
            self.profile_code[folder] = f.display

    # app code -------------------------------------------------------------------------
    def _code(self, f: SourceFile) -> None:
        from azfn_profile.code.analyze import AppNotFound
        from azfn_profile.sources.code import code_target

        folder = f.path.parent.resolve()
        if folder in self.profile_code and not f.explicit:
            self.result.skipped.append(
                skip(f, f"judged through {self.profile_code[folder]}, which names it")
            )
            return
        try:
            target, findings = code_target(f.path, f.display)
        except AppNotFound as exc:  # pragma: no cover - the scan found the file
            self.result.findings.append(unreadable(f.display, str(exc)))
            return
        if not target.target.code or not target.target.code.functions:
            # the entry file itself could not be read (not UTF-8, too large, ...):
            # a finding, never the silence of "no function app in it"
            unread = [
                x
                for x in findings
                if x.check_id == "AZFN000" and x.location.file == f.display
            ]
            if f.explicit or target.target.code is None:
                self.result.findings.extend(findings)
            else:
                self.result.findings.extend(unread)
            if not unread:
                self.result.skipped.append(skip(f, "Python with no function app in it"))
            return
        self.result.targets.append(target)
        self.result.findings.extend(findings)
        self.code_targets.append((folder, target))
        self.result.not_inspected.extend(
            NotInspected(u.file, u.line, u.what, u.reason)
            for u in target.target.code.unread
        )

    def _workloads_from_code(self, services: dict[str, Path]) -> None:
        """An app whose infrastructure declares no workload (no profile, no
        azfn-profile:* tags) takes the workload `init` would draft from its code:
        the azd service's `project` folder, the code folder that holds the template,
        or, with one app and one code folder in all, that one."""
        from azfn_profile.code.workload import read_workload

        if not self.code_targets:
            return
        for i, source in enumerate(self.app_targets):
            spec = source.target.spec
            if spec.workload is not None or spec.runtime not in ("python", None):
                continue
            found = self._code_for(source, services)
            if found is None:
                continue
            code = found.target.code
            assert code is not None  # code targets always carry their code
            if not code.functions:
                continue
            read = read_workload(code.functions)
            workload = WorkloadSpec(read.kind, read.style, None, None, None)
            self.app_targets[i] = replace(
                source,
                target=replace(
                    source.target,
                    spec=replace(spec, workload=workload),
                    workload_from=f"the code at {code.root}: {read.shown()}",
                ),
            )

    def _code_for(
        self, source: SourceTarget, services: dict[str, Path]
    ) -> SourceTarget | None:
        tag = str(source.target.spec.tags.get("azd-service-name", "")).lower()
        project = services.get(tag) if tag else None
        if project is not None:
            return next((t for f, t in self.code_targets if f == project), None)
        # Without a tag naming it, a code folder is lent only to an unambiguous
        # site: the one site of its template (parameter files may make it several
        # targets), or the one site in all.
        sites = {t.target.spec.name for t in self.app_targets}
        in_template = {
            t.target.spec.name
            for t in self.app_targets
            if t.info.file == source.info.file
        }
        template = Path(source.info.file).parent.resolve()
        holding = [(f, t) for f, t in self.code_targets if template.is_relative_to(f)]
        if holding and len(in_template) == 1:
            # the nearest code folder that holds the template
            return max(holding, key=lambda ft: len(ft[0].parts))[1]
        if len(sites) == 1 and len(self.code_targets) == 1:
            return self.code_targets[0][1]
        return None

    def _declared(self, names: list[str]) -> AppSpec | None:
        return next((self.declared[n] for n in names if n in self.declared), None)

    # parameter files ------------------------------------------------------------------
    def _parameter_sets(
        self, by_kind: dict[str, list[SourceFile]]
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

    def _bicepparam(self, f: SourceFile) -> tuple[Path | None, dict[str, Any]]:
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
            self.result.findings.append(exc.finding(f.display))
            return None, {}
        return f.path.parent / using.type, values

    # templates ------------------------------------------------------------------------
    def _module_targets(self, bicep_files: list[SourceFile]) -> set[Path]:
        from azfn_profile.sources.bicep_parser import parse

        called: set[Path] = set()
        for f in bicep_files:
            key = f.path.resolve()
            if key not in self.bicep_programs:
                self.bicep_programs[key] = parse(f.text)
            for decl in self.bicep_programs[key].decls:
                if decl.keyword == "module" and not decl.type.startswith(
                    ("br:", "br/", "ts:", "ts/")
                ):
                    called.add((f.path.parent / decl.type).resolve())
        return called

    def _deployment(
        self, f: SourceFile, label: str | None, values: dict[str, Any]
    ) -> None:
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

                dep = Deployment(graph, Workspace(f.root, self.bicep_programs), name)
                read_bicep(f.path, f.display, values, dep)
                problems = [
                    unreadable(p.file, p.message, p.line, p.col) for p in dep.problems
                ]
        except BudgetExceeded as exc:
            self.result.findings.append(exc.finding(f.display))
            return
        except Unreadable as exc:
            self.result.findings.append(
                unreadable(f.display, exc.message, exc.line, exc.col)
            )
            return
        self.result.findings.extend(problems)
        self.result.not_inspected.extend(graph.not_inspected)

        def problem(site: Resource, message: str) -> None:
            self.result.findings.append(
                raised("AZFN000", message, site.where(("tags",)))
            )

        targets = join(graph, self._declared, problem)
        for target in targets:
            if label is not None:
                target = replace(
                    target,
                    info=replace(target.info, parameters=label),
                    locate=_with_parameters(target.locate, label),
                )
            self.app_targets.append(target)
        if not targets and not problems:
            self.result.skipped.append(
                skip(
                    f,
                    "no function app (Microsoft.Web/sites of kind functionapp) in it",
                )
            )

    def _preview(self, f: SourceFile) -> None:
        from azfn_profile.sources.preview import preview_targets

        targets = preview_targets(f.data, f.display)
        if not targets:
            self.result.skipped.append(
                skip(
                    f,
                    "no function app (azure-native:web:WebApp of kind functionapp) in this preview",
                )
            )
        self.app_targets.extend(targets)

    def _pulumi_project(self, f: SourceFile) -> None:
        from azfn_profile.sources.pulumi_program_project import project_targets

        before = len(self.result.findings)
        targets, skipped = project_targets(f, self.result)
        if f.explicit and len(self.result.findings) > before:
            self.result.fatal = True  # named, and its program could not be read
        if skipped:
            self.result.skipped.append(skip(f, skipped))
        self.app_targets.extend(targets)

    def _terraform(
        self, configs: list[SourceFile], var_files: list[SourceFile]
    ) -> None:
        from azfn_profile.sources.terraform_roots import TerraformScan

        TerraformScan(self.result, self._declared, self.app_targets).run(
            configs, var_files, self.var_files
        )

    def _terraform_plan(self, f: SourceFile) -> None:
        from azfn_profile.sources.terraform_plan import NO_APP, plan_targets

        targets, read = plan_targets(f.data, f.text, f.display, self._declared)
        self.result.findings.extend(read.problems)
        self.result.not_inspected.extend(read.graph.not_inspected)
        if not targets and read.problems:
            self.result.fatal = self.result.fatal or f.stdin  # nothing read
        elif not targets:
            self.result.skipped.append(skip(f, NO_APP))
        self.app_targets.extend(targets)

    # host.json --------------------------------------------------------------------------
    def _hosts(self, hosts: list[SourceFile], services: dict[str, Path]) -> None:
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
                    if Path(t.info.file).parent.resolve() == folder
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
                host: SourceFile = paired[i]["file"]
                spec = replace(target.target.spec, host_json=paired[i]["host"])
                info = replace(target.info, host_json=host.display)
                target = SourceTarget(
                    replace(target.target, spec=spec),
                    _host_locator(host, target.locate),
                    info,
                )
            self.result.targets.append(target)

    def _azd_services(self, azd: list[SourceFile]) -> dict[str, Path]:
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


def _host_locator(f: SourceFile, otherwise: Any) -> Any:
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


def _host_only(f: SourceFile, data: dict[str, Any]) -> SourceTarget:
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
    info = AppInfo(
        file=f.display, line=1, resource="host.json", kind="host.json (no app joined)"
    )
    return SourceTarget(target, locate, info)


def _with_parameters(
    locate: Callable[[str], Location], label: str
) -> Callable[[str], Location]:
    """Findings of a template judged with a parameter file name that file."""

    def located(dotted: str) -> Location:
        return replace(locate(dotted), parameters=label)

    return located
