"""A profile as a check source: resolved through the engine, located by its keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from azfn_profile.checking import AppInfo, SourceTarget
from azfn_profile.checks import Target, problem_finding
from azfn_profile.errors import InputError
from azfn_profile.findings import Finding, Location, Suppression
from azfn_profile.loader import LoadedProfile, load_profile, resolved
from azfn_profile.sources.code import code_locator, code_suppressions, problem_findings
from azfn_profile.yamlload import Document, Mark


def profile_targets(
    path: Path, display: str, today: date, document: Document | None = None
) -> tuple[LoadedProfile | None, list[SourceTarget], list[Finding]]:
    """A profile file read once for `check` (from `document` when the scan parsed it
    already): its target, or the input findings that kept it from being one."""
    try:
        loaded = load_profile(
            path, today=today, display=display, judge=False, document=document
        )
    except InputError as exc:
        return None, [], [problem_finding(p) for p in exc.problems]
    source, findings = check_profile(loaded)
    return loaded, [source], findings


def check_profile(loaded: LoadedProfile) -> tuple[SourceTarget, list[Finding]]:
    """A loaded profile ready to judge, for `check` and `explain` alike: its target
    and what reading its app's code found wrong."""
    return profile_source(loaded, loaded.display), code_findings(loaded)


def code_findings(loaded: LoadedProfile) -> list[Finding]:
    """What reading the code of the app the profile names found wrong (unreadable
    modules, suppression comments without a reason)."""
    if loaded.code is None:
        return []
    return code_suppressions(loaded.code)[1] + problem_findings(loaded.code)


def profile_source(loaded: LoadedProfile, display: str) -> SourceTarget:
    """A loaded profile as a check target, resolved, locating findings by its keys
    (and findings about its app's code at their line in the code)."""
    spec = resolved(loaded)
    document = loaded.document

    def locate_key(dotted: str) -> Location:
        key = loaded.key_for(dotted)
        mark = document.mark_for(key, key=bool(key))
        return Location(display, mark.line, mark.col, spec.name)

    locate = code_locator(display, spec.name, locate_key)

    suppressions = tuple(
        Suppression(
            s.id,
            s.reason,
            s.expires,
            Location(
                display, *_line_col(document.mark_for(("suppress", i))), spec.name
            ),
        )
        for i, s in enumerate(loaded.profile.suppress)
    )
    if loaded.code is not None:
        suppressions += code_suppressions(loaded.code)[0]
    info = AppInfo(
        file=display,
        line=1,
        resource=spec.name,
        kind="profile",
        runtime="python",
        plan_sku=spec.plan.sku,
        describes=loaded.profile.site,
    )
    return SourceTarget(
        Target(spec, suppressions=suppressions, code=loaded.code), locate, info
    )


def _line_col(mark: Mark) -> tuple[int, int]:
    return mark.line, mark.col
