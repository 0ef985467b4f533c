"""A profile as a check source: resolved through the engine, located by its keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from azfn_profile.checking import SourceTarget
from azfn_profile.checks import Target
from azfn_profile.errors import InputError
from azfn_profile.findings import Finding, Location, Suppression
from azfn_profile.loader import LoadedProfile, load_profile
from azfn_profile.rules import resolve
from azfn_profile.sources.code import code_locator, code_suppressions, problem_findings
from azfn_profile.yamlload import Mark

# Where a computed value comes from in the profile, for locating findings about it.
_ORIGIN = {
    "python": ("python",),
    "plan": ("plan", "sku"),
    "site": ("plan", "sku"),
    "workload": ("workload",),
    "host_json": ("triggers",),
    "function_app_config": ("plan",),
    "storage": ("plan",),
}


def profile_targets(
    path: Path, display: str, today: date
) -> tuple[list[SourceTarget], list[Finding]]:
    try:
        loaded = load_profile(path, today=today, display=display)
    except InputError as exc:
        return [], [
            _input_finding(p.message, Location(display, p.line, p.col))
            for p in exc.problems
        ]
    return [profile_source(loaded, display)], code_findings(loaded)


def code_findings(loaded: LoadedProfile) -> list[Finding]:
    """What reading the code of the app the profile names found wrong (unreadable
    modules, suppression comments without a reason)."""
    if loaded.code is None:
        return []
    return code_suppressions(loaded.code)[1] + problem_findings(loaded.code)


def profile_source(loaded: LoadedProfile, display: str) -> SourceTarget:
    """A loaded profile as a check target, resolved, locating findings by its keys
    (and findings about its app's code at their line in the code)."""
    spec = resolve(loaded.profile, loaded.code)
    document, user_settings = loaded.document, loaded.profile.app_settings
    workload_keys = set(loaded.profile.workload.model_fields_set)

    def locate_key(dotted: str) -> Location:
        head, _, rest = dotted.partition(".")
        if head == "app_settings" and rest in user_settings:
            key: tuple[str | int, ...] = ("app_settings", rest)
        elif head == "app_settings":
            key = ("workload",)
        elif head == "plan" and rest == "instance_memory_mb":
            key = ("plan", "instance_memory_mb")
        elif head == "workload" and rest in workload_keys:
            key = ("workload", rest)
        else:
            key = _ORIGIN.get(head, ())
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
    info = {
        "file": display,
        "line": 1,
        "resource": spec.name,
        "kind": "profile",
        "runtime": "python",
        "plan_sku": spec.plan.sku,
        "describes": loaded.profile.app,
    }
    return SourceTarget(
        Target(spec, suppressions=suppressions, code=loaded.code), locate, info
    )


def _line_col(mark: Mark) -> tuple[int, int]:
    return mark.line, mark.col


def _input_finding(message: str, location: Location) -> Finding:
    invalid = location.line is not None and not message.startswith(
        ("invalid YAML", "tab ")
    )
    check_id, name = (
        ("AZFN001", "input.invalid-profile")
        if invalid
        else ("AZFN000", "input.unreadable")
    )
    return Finding(check_id, name, "error", message, location)
