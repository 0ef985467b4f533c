"""A Pulumi project (`Pulumi.yaml`) as a check source: never passed silently.

A Python project's program is read by `pulumi_program`; a program in another
language is listed as not inspected, with the route that judges it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from azfn_profile.checking import SourceTarget
from azfn_profile.errors import InputError
from azfn_profile.files import Unreadable, inside, read_text
from azfn_profile.sources.graph import NotInspected
from azfn_profile.sources.result import Scan, unreadable

if TYPE_CHECKING:
    from azfn_profile.sources.discover import SourceFile
    from azfn_profile.sources.pulumi_program_components import Loader

ROUTE = "run `pulumi preview --json | azfn-profile check -` or use the policy pack"


def _runtime(data: Any) -> str | None:
    runtime = data.get("runtime") if isinstance(data, dict) else None
    if isinstance(runtime, dict):
        runtime = runtime.get("name")
    return runtime.lower() if isinstance(runtime, str) else None


def _program(f: SourceFile, main: Any) -> tuple[Path, str]:
    folder, shown = f.path.parent, Path(f.display).parent
    relative = Path(main) if isinstance(main, str) and main.strip() else Path()
    if relative.suffix != ".py":
        relative = relative / "__main__.py"
    return folder / relative, str(shown / relative)


def project_targets(f: SourceFile, result: Scan) -> tuple[list[SourceTarget], str]:
    """The apps a project's program deploys, and why it was skipped ("" if not)."""
    from azfn_profile.yamlload import parse

    try:
        document = parse(f.text, f.display)
    except InputError as exc:
        for p in exc.problems:
            result.findings.append(
                unreadable(
                    f.display, f"invalid Pulumi.yaml: {p.message}", p.line, p.col
                )
            )
        return [], ""
    data = document.data
    runtime = _runtime(data)
    if runtime is None:
        result.findings.append(
            unreadable(f.display, "Pulumi.yaml names no runtime", 1, 1)
        )
        return [], ""
    if runtime != "python":
        mark = document.mark_for(("runtime",))
        result.not_inspected.append(
            NotInspected(
                f.display,
                mark.line,
                f"Pulumi program ({runtime})",
                f"not read: {ROUTE}",
            )
        )
        return [], ""
    program, display = _program(f, data.get("main"))
    if not inside(program, f.path.parent):
        result.findings.append(
            unreadable(f.display, "main: names a program outside the project", 1, 1)
        )
        return [], ""
    return _python(program, display, result, f.path.parent)


def module_loader(folder: Path, shown: Path, project: Path) -> Loader:
    """The project's own modules, as the program imports them: `a.b` is `a/b.py` or
    `a/b/__init__.py` beside the program, read only inside the project folder."""

    def load(name: str) -> tuple[str, str] | str | None:
        parts = name.split(".")
        if not all(part.isidentifier() for part in parts):
            return None
        for relative in (Path(*parts).with_suffix(".py"), Path(*parts, "__init__.py")):
            path = folder / relative
            try:
                if not path.is_file():
                    continue
            except OSError:
                continue
            if not inside(path, project):
                return "it resolves outside the project folder"
            try:
                return read_text(path), str(shown / relative)
            except Unreadable as exc:
                return exc.message
        return None

    return load


def _python(
    program: Path, display: str, result: Scan, project: Path
) -> tuple[list[SourceTarget], str]:
    from azfn_profile.sources.join import join
    from azfn_profile.sources.pulumi_program import ProgramError, program_graph

    loader = module_loader(program.parent, Path(display).parent, project)
    try:
        graph = program_graph(read_text(program), display, loader)
    except Unreadable as exc:
        result.findings.append(unreadable(display, exc.message, exc.line, exc.col))
        return [], ""
    except ProgramError as exc:
        result.findings.append(unreadable(display, exc.message, exc.line, exc.col))
        return [], ""
    result.not_inspected.extend(graph.not_inspected)
    result.read_through |= graph.read
    targets = join(graph)
    if not targets:
        return [], f"no function app in its program ({display})"
    return targets, ""
