"""Run every registered check over targets; one outcome per check and target."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from azfn_profile.checks import (
    INPUT_IDS,
    REGISTRY,
    Check,
    Failure,
    NotApplicable,
    Target,
    Unknown,
    raised,
)
from azfn_profile.findings import Finding, Location, Status, Suppression, shown_via

Locate = Callable[[str], Location]  # dotted path -> where it is in the source


@dataclass(frozen=True)
class AppInfo:
    """What the report lists about one judged app, whatever its source."""

    file: str
    line: int | None
    resource: str
    kind: str  # the site's kind, or "profile", "code", "host.json (no app joined)"
    runtime: str | None = None
    runtime_from: str | None = None  # where the runtime was read (a setting, ...)
    plan_sku: str | None = None
    symbol: str | None = None  # the Bicep symbol or Pulumi name, when there is one
    via: tuple[str, ...] = ()  # module calls that reached the app, outermost first
    conditional: bool = False  # deployed only when a condition holds
    unknown: tuple[str, ...] = ()  # `spec.Field` paths that stayed unknown
    describes: str | None = None  # a profile's `site:`
    functions: int | None = None  # functions found in the app's code
    parameters: str | None = None  # the parameter file applied
    host_json: str | None = None  # the host.json paired with the app

    def as_dict(self) -> dict[str, Any]:
        """For JSON output: every key, always, in this order."""
        out = asdict(self)
        out["via"], out["unknown"] = list(shown_via(self.via)), list(self.unknown)
        return out


@dataclass(frozen=True)
class SourceTarget:
    target: Target
    locate: Locate
    info: AppInfo


def run_checks(sources: Iterable[SourceTarget], today: date) -> list[Finding]:
    findings: list[Finding] = []
    for source in sources:
        for check in REGISTRY.values():
            if check.id in INPUT_IDS:
                continue
            base = source.locate("")
            try:
                _applies(check, source.target)
                failures = list(check.run(source.target, today))
            except (NotApplicable, Unknown) as exc:
                status: Status = (
                    "unknown" if isinstance(exc, Unknown) else "not-applicable"
                )
                findings.append(
                    Finding(
                        check.id,
                        check.name,
                        check.severity,
                        check.title,
                        base,
                        status,
                        str(exc),
                    )
                )
                continue
            if not failures:
                findings.append(
                    Finding(
                        check.id, check.name, check.severity, check.title, base, "pass"
                    )
                )
            read = source.target.workload_from if check.workload else ""
            findings.extend(
                Finding(
                    check.id,
                    check.name,
                    f.severity or check.severity,
                    f"{f.message} (the workload is read from {read})"
                    if read
                    else f.message,
                    source.locate(f.path),
                )
                for f in failures
            )
    return apply_suppressions(findings, sources, today)


def refusing_failures(target: Target, today: date) -> list[tuple[Check, Failure]]:
    """Failures at error severity of the checks marked `refuses_profile`."""
    out: list[tuple[Check, Failure]] = []
    for check in REGISTRY.values():
        if not check.refuses_profile:
            continue
        try:
            _applies(check, target)
            failures = list(check.run(target, today))
        except (NotApplicable, Unknown):
            continue
        out += [
            (check, f) for f in failures if (f.severity or check.severity) == "error"
        ]
    return out


def _applies(check: Check, target: Target) -> None:
    """Raise NotApplicable/Unknown when the check is not for this target at all."""
    if target.host_only and not check.host_json:
        raise NotApplicable("a host.json on its own: only host.json checks apply")
    if check.python_only:
        runtime = target.spec.runtime
        if runtime is None:
            raise Unknown(
                target.reasons.get("runtime", "the app's language runtime is not known")
            )
        if runtime != "python":
            raise NotApplicable(f"the app runs {runtime}, not Python")
    if target.code_only and not check.code:
        raise NotApplicable("an app's code on its own: only code checks apply")
    if check.code and target.code is None:
        raise NotApplicable("no app code: a profile names its app folder with app:")


def apply_suppressions(
    findings: list[Finding], sources: Iterable[SourceTarget], today: date
) -> list[Finding]:
    """Mark suppressed failures; report lapsed suppressions (AZFN002) and those
    that name no check (AZFN003)."""
    by_resource: dict[tuple[str, str | None], list[Suppression]] = {}
    # a code comment covers lines of its file: found by (file, check, line), so
    # matching costs one lookup per finding however many comments there are
    by_line: dict[tuple[str, str, int], list[Suppression]] = {}
    out: list[Finding] = []
    seen: set[Suppression] = set()
    for source in sources:
        base = source.locate("")
        for s in source.target.suppressions:
            if s.lines is not None:
                for line in s.lines:
                    key = (s.location.file, s.check_id, line)
                    by_line.setdefault(key, []).append(s)
            else:
                by_resource.setdefault((base.file, base.resource), []).append(s)
            if s in seen:
                continue  # one comment, read for two targets: reported once
            seen.add(s)
            if s.check_id.upper() not in REGISTRY:
                out.append(
                    raised(
                        "AZFN003",
                        f"the suppression names {s.check_id}, which is not a check, "
                        "so it suppresses nothing (`azfn-profile checks` lists them)",
                        s.location,
                    )
                )
            elif not s.active(today):
                assert s.expires is not None
                out.append(
                    raised(
                        "AZFN002",
                        f"the suppression of {s.check_id} expired on "
                        f"{s.expires.isoformat()} ({s.reason})",
                        s.location,
                    )
                )
    for f in findings:
        candidates = by_resource.get((f.location.file, f.location.resource), [])
        if f.location.line is not None:
            line_key = (f.location.file, f.check_id, f.location.line)
            candidates = candidates + by_line.get(line_key, [])
        active = [s for s in candidates if s.covers(f) and s.active(today)]
        out.append(
            replace(f, status="suppressed", reason=active[0].reason)
            if f.status == "fail" and active
            else f
        )
    return out
