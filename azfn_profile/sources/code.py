"""A function app's Python code as a check source: its functions, located by line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from azfn_profile.checking import AppInfo, SourceTarget
from azfn_profile.checks import Target, problem_finding, raised
from azfn_profile.checks.code import parse_code_path
from azfn_profile.code.analyze import read_app
from azfn_profile.code.model import AppCode
from azfn_profile.findings import Finding, Location, Suppression
from azfn_profile.spec import AppSpec, PlanSpec, SiteSpec


def code_target(path: Path, display: str) -> tuple[SourceTarget, list[Finding]]:
    """Read the app at `path` (its folder or a .py file) as a code-only target."""
    code = read_app(path, display)
    name = Path(code.root).name or code.root
    spec = AppSpec(
        name=name,
        python="",
        plan=PlanSpec("", "", "", "", 0.0, 0, None, None),
        site=SiteSpec(linux_fx_version=None, always_on=None),
        app_settings={},
        host_json={},
        function_app_config=None,
        runtime="python",
    )
    suppressions, findings = code_suppressions(code)
    target = Target(spec, suppressions=suppressions, code=code, code_only=True)
    info = AppInfo(
        file=code.entry,
        line=1,
        resource=name,
        kind="code",
        runtime="python",
        functions=len(code.functions),
    )
    return SourceTarget(target, code_locator(code.entry, name), info), findings + (
        problem_findings(code)
    )


def code_locator(
    file: str, resource: str, otherwise: Callable[[str], Location] | None = None
) -> Callable[[str], Location]:
    """Locate code paths at their line; anything else with `otherwise`, or at the
    app's entry file."""

    def locate(path: str) -> Location:
        place = parse_code_path(path)
        if place is not None:
            code_file, line, col, function = place
            return Location(code_file, line, col, function)
        if otherwise is not None:
            return otherwise(path)
        return Location(file, None, None, resource)

    return locate


def code_suppressions(code: AppCode) -> tuple[tuple[Suppression, ...], list[Finding]]:
    """`# azfn: ignore[...]` comments as suppressions; those without a reason as
    AZFN003 findings."""
    out: list[Suppression] = []
    findings: list[Finding] = []
    for comment in code.suppressions:
        where = Location(comment.file, comment.line, None)
        if not comment.reason:
            findings.append(
                raised(
                    "AZFN003",
                    f"azfn: ignore[{', '.join(comment.ids)}] has no reason, so it "
                    "suppresses nothing; write the reason after the brackets",
                    where,
                )
            )
            continue
        lines = frozenset(
            range(comment.first or comment.line, (comment.last or comment.line) + 1)
        )
        out += [
            Suppression(check_id, comment.reason, comment.expires, where, lines)
            for check_id in comment.ids
        ]
    return tuple(out), findings


def problem_findings(code: AppCode) -> list[Finding]:
    return [problem_finding(p) for p in code.problems]
