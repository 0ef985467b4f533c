"""Findings -> text / json / sarif / github / junit, and the exit code, decided once.

Every format escapes for its consumer (GitHub workflow commands, XML, JSON). Secrets
need no step here: the readers hold them as `secret.Secret` values, whose text is
only their masked form, so no report can hold one. Besides findings, a report says which
apps were judged, which files were skipped as not function-app infrastructure and
what could not be inspected.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from azfn_profile import CHECKS_URL, REPOSITORY_URL, __version__, sink
from azfn_profile.checking import AppInfo
from azfn_profile.checks import REGISTRY
from azfn_profile.checks.examples import doc_examples
from azfn_profile.findings import SEVERITY_RANK, Finding, Severity, shown_via
from azfn_profile.sink import one_line

if TYPE_CHECKING:
    from azfn_profile.sources.scan import Scan

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_BASELINE_BYTES = 16 * 1024 * 1024
# How readers word a resource a false condition or a zero count leaves out.
NOT_DEPLOYED = "not deployed"
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}


@dataclass(frozen=True)
class Report:
    findings: Sequence[Finding]
    fail_on: Severity = "error"
    targets: Sequence[AppInfo] = ()  # what each judged app was
    skipped: Sequence[tuple[str, str, bool]] = ()  # (file, reason, named by the user)
    not_inspected: Sequence[tuple[str, int | None, str, str]] = ()
    files: int = 0
    fatal: bool = False  # an explicit path could not be read
    # SARIF URIs are relative to this folder (uriBaseId SRCROOT), so they do not
    # depend on where the tool ran; None: as the files were named.
    root: Path | None = None
    show_passed: bool = False  # list each app's passing checks too (--passed)

    @classmethod
    def from_scan(
        cls,
        found: Scan,
        today: date,
        *,
        fail_on: Severity = "error",
        baseline: frozenset[str] = frozenset(),
        root: Path | None = None,
        select: Callable[[str, str], bool] = lambda check_id, name: True,
        show_passed: bool = False,
    ) -> Report:
        """Judge what a scan found: run every check over its targets, add what
        reading found wrong, and mark what the baseline already records."""
        from azfn_profile.checking import run_checks

        findings = [
            f
            for f in found.findings + run_checks(found.targets, today)
            if select(f.check_id, f.name)
        ]
        if baseline:
            findings = apply_baseline(findings, baseline)
        declared = {(t.info.resource, t.info.file) for t in found.targets}
        return cls(
            ordered(findings, declared),
            fail_on,
            targets=[t.info for t in found.targets],
            skipped=[(s.file, s.reason, s.explicit) for s in found.skipped],
            not_inspected=[
                (n.file, n.line, n.what, n.reason) for n in found.not_inspected
            ],
            files=found.files,
            fatal=found.fatal,
            root=root,
            show_passed=show_passed,
        )

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "fail"]

    def blocks(self, f: Finding) -> bool:
        """A failure at or above --fail-on: it makes the exit code 1."""
        return f.status == "fail" and (
            SEVERITY_RANK[f.severity] >= SEVERITY_RANK[self.fail_on]
        )

    @property
    def exit_code(self) -> int:
        if self.fatal:
            return EXIT_INPUT
        if any(self.blocks(f) for f in self.failures):
            return EXIT_FINDINGS
        return EXIT_CLEAN

    def summary(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.failures)
        statuses = Counter(f.status for f in self.findings)
        return {
            "error": counts["error"],
            "warning": counts["warning"],
            "info": counts["info"],
            "passed": statuses["pass"],
            "not_applicable": statuses["not-applicable"],
            "unknown": statuses["unknown"],
            "suppressed": statuses["suppressed"],
            "baselined": statuses["baselined"],
            "apps": len(self.targets),
            "files": self.files,
            "skipped": len(self.skipped),
            "not_inspected": sum(
                1 for n in self.not_inspected if not n[3].startswith(NOT_DEPLOYED)
            ),
            "not_deployed": sum(
                1 for n in self.not_inspected if n[3].startswith(NOT_DEPLOYED)
            ),
        }

    def message(self, f: Finding) -> str:
        return f.message + f.location.through()

    def reason(self, f: Finding) -> str:
        return f.reason


def _line(report: Report, f: Finding) -> str:
    return (
        f"{f.location.format()}: {f.check_id} [{f.severity}] {report.message(f)} "
        f"({f.doc_url})"
    )


def passed_per_app(report: Report) -> list[tuple[str, list[str]]]:
    """Each judged app (where it is declared, and its name) with the checks it
    passes, in the report's order."""
    by_app: dict[str, list[str]] = {}
    for f in report.findings:
        if f.status == "pass":
            ids = by_app.setdefault(f.location.resource or f.location.file, [])
            if f.check_id not in ids:
                ids.append(f.check_id)
    out = []
    for t in report.targets:
        key = t.resource or t.file
        if key in by_app:
            where = f"{t.file}:{t.line}" if t.line else t.file
            out.append(
                (f"{where}: {t.resource}" if t.resource else where, by_app.pop(key))
            )
    out += list(by_app.items())
    return out


def text(report: Report) -> str:
    lines = [_line(report, f) for f in report.failures]
    if report.show_passed:
        lines += [
            f"{app}: passed {len(ids)}: {', '.join(sorted(ids))}"
            for app, ids in passed_per_app(report)
        ]
    for file, reason, explicit in report.skipped:
        if explicit:
            lines.append(f"{file}: not checked: {reason}")
    for file, line, what, reason in report.not_inspected:
        where = f"{file}:{line}" if line else file
        if reason.startswith(NOT_DEPLOYED):
            why = reason[len(NOT_DEPLOYED) :].lstrip(": ")
            lines.append(f"{where}: {NOT_DEPLOYED}: {what} ({why})")
        else:
            lines.append(f"{where}: not inspected: {what} ({reason})")
    s = report.summary()
    if report.files or report.skipped:
        lines.append(
            f"checked {s['apps']} app(s) and profile(s) in {s['files']} file(s); "
            f"skipped {s['skipped']} file(s), not function-app infrastructure"
            + (
                f"; {s['not_inspected']} module(s) not inspected"
                if s["not_inspected"]
                else ""
            )
            + (
                f"; {s['not_deployed']} resource(s) not deployed"
                if s["not_deployed"]
                else ""
            )
        )
    lines.append(
        f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info; "
        f"{s['passed']} passed, {s['not_applicable']} not applicable, "
        f"{s['unknown']} unknown, {s['suppressed']} suppressed"
        + (f", {s['baselined']} in the baseline" if s["baselined"] else "")
    )
    # Each entry is one line: a value holding a line break (a file name, a route's
    # path) is shown escaped, never as a line of its own.
    return "\n".join(one_line(line) for line in lines) + "\n"


def _finding_dict(report: Report, f: Finding) -> dict[str, object]:
    return {
        "id": f.check_id,
        "name": f.name,
        "severity": f.severity,
        "status": f.status,
        "message": report.message(f),
        "reason": report.reason(f) or None,
        "location": {
            "file": f.location.file,
            "line": f.location.line,
            "col": f.location.col,
            "resource": f.location.resource or None,
            "via": list(shown_via(f.location.via)),
            "parameters": f.location.parameters,
        },
        "fingerprint": f.fingerprint(),
        "doc": f.doc_url,
        "related": [
            {"file": r.file, "line": r.line, "resource": r.resource or None}
            for r in f.related
        ],
    }


def to_json(report: Report) -> str:
    hidden = ("baselined",) if report.show_passed else ("pass", "baselined")
    listed = [
        _finding_dict(report, f) for f in report.findings if f.status not in hidden
    ]
    targets = [t.as_dict() for t in report.targets]
    document = {
        "tool": "azfn-profile",
        "version": __version__,
        "summary": report.summary(),
        "findings": listed,
        "targets": targets,
        "skipped": [{"file": f, "reason": r} for f, r, _ in report.skipped],
        "not_inspected": [
            {"file": f, "line": line, "what": what, "reason": reason}
            for f, line, what, reason in report.not_inspected
        ],
    }
    return _listing(document)


def _listing(document: Mapping[str, Any]) -> str:
    """JSON with each list item on a line of its own: readable, and encoded by the
    C encoder (an indented dump of 60,000 findings takes seconds)."""
    lines = []
    for i, (key, value) in enumerate(document.items()):
        comma = "," if i < len(document) - 1 else ""
        if isinstance(value, list) and value:
            items = ",\n".join(
                "    " + json.dumps(v, ensure_ascii=False, default=str) for v in value
            )
            lines.append(f"  {json.dumps(key)}: [\n{items}\n  ]{comma}")
        else:
            encoded = json.dumps(value, ensure_ascii=False, default=str)
            lines.append(f"  {json.dumps(key)}: {encoded}{comma}")
    return sink.json_text("{\n" + "\n".join(lines) + "\n}\n")


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(check: Any) -> dict[str, object]:
    fails, passes = doc_examples(check.id)
    rule: dict[str, object] = {
        "id": check.id,
        "name": check.name,
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.why},
        "helpUri": f"{CHECKS_URL}#{check.id.lower()}",
        "help": {
            "text": f"{check.why}\n\nFails:\n{fails.plain()}\n\nPasses:\n{passes.plain()}"
        },
        "defaultConfiguration": {"level": _SARIF_LEVEL[check.severity]},
    }
    if check.id.startswith("AZFN5"):
        rule["properties"] = {
            "security-severity": _SECURITY_SEVERITY[check.severity],
            "tags": ["security"],
        }
    return rule


def sarif(report: Report) -> str:
    """Failures (and suppressed failures, with their suppression) are results, as
    GitHub code scanning expects; not-applicable and unknown outcomes, skipped files
    and modules not inspected go to the run's invocation and properties."""
    rules = [_rule(c) for c in REGISTRY.values()]
    index = {c.id: i for i, c in enumerate(REGISTRY.values())}
    results = []
    outcomes = []
    outcome_statuses = ("not-applicable", "unknown") + (
        ("pass",) if report.show_passed else ()
    )
    for f in report.findings:
        if f.status in outcome_statuses:
            outcomes.append(
                {
                    "ruleId": f.check_id,
                    "status": f.status,
                    "reason": report.reason(f),
                    "file": f.location.file,
                    "resource": f.location.resource,
                }
            )
            continue
        if f.status not in ("fail", "suppressed"):
            continue
        physical: dict[str, object] = {
            "artifactLocation": _artifact(f.location.file, report.root)
        }
        if f.location.line:
            physical["region"] = {
                "startLine": f.location.line,
                "startColumn": f.location.col or 1,
            }
        result: dict[str, object] = {
            "ruleId": f.check_id,
            "ruleIndex": index[f.check_id],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": report.message(f)},
            "locations": [{"physicalLocation": physical}],
            "partialFingerprints": {"azfnProfile/v1": f.fingerprint()},
        }
        related = _related(report, f)
        if related:
            result["relatedLocations"] = related
        if f.status == "suppressed":
            result["suppressions"] = [
                {"kind": "external", "justification": report.reason(f)}
            ]
        results.append(result)
    notifications = [
        {
            "level": "note",
            "message": {"text": f"not inspected: {what} ({reason})"},
            "locations": [
                {"physicalLocation": {"artifactLocation": _artifact(file, report.root)}}
            ],
        }
        for file, _line, what, reason in report.not_inspected
    ]
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "azfn-profile",
                "version": __version__,
                "informationUri": REPOSITORY_URL,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": not report.fatal,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
        "properties": {
            "outcomes": outcomes,
            "skipped": [{"file": f, "reason": r} for f, r, _ in report.skipped],
        },
    }
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    if report.root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": report.root.as_uri() + "/"}}
    return json.dumps(log, indent=2) + "\n"


def _related(report: Report, f: Finding) -> list[dict[str, object]]:
    """The other apps a merged failure applies to, each where it is declared."""
    declared = {t.resource: t for t in report.targets}
    out: list[dict[str, object]] = []
    for i, where in enumerate(f.related, start=1):
        app = declared.get(where.resource or "")
        file, line = (app.file, app.line) if app else (where.file, where.line)
        physical: dict[str, object] = {"artifactLocation": _artifact(file, report.root)}
        if line:
            physical["region"] = {"startLine": line}
        label = (app.symbol if app and app.symbol else None) or where.resource
        place = f"{file}:{line}" if line else file
        out.append(
            {
                "id": i,
                "physicalLocation": physical,
                "message": {"text": f"also found for {label}, declared at {place}"},
            }
        )
    return out


def _uri(file: str) -> str:
    from urllib.parse import quote

    return quote(file.replace("\\", "/"), safe="/:@!$&'()*+,;=-._~")


SRCROOT = "SRCROOT"


def _artifact(file: str, root: Path | None) -> dict[str, str]:
    """A file as SARIF names it: relative to the root (uriBaseId SRCROOT) when it is
    inside it, else as an absolute file URI, else as named."""
    if root is None:
        return {"uri": _uri(file)}
    path = Path(file).absolute()
    try:
        relative = path.relative_to(root)
    except ValueError:
        return {"uri": path.as_uri()}
    return {"uri": _uri(relative.as_posix()), "uriBaseId": SRCROOT}


def github_data(value: str) -> str:
    """Escape a workflow command's message (actions/runner ActionCommand); other
    control characters as the sink writes them (annotations bypass it)."""
    escaped = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return sink.escape_controls(escaped)


def github_property(value: str) -> str:
    """Escape a workflow command's property value (also `,` and `:`)."""
    return github_data(value).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in report.failures:
        props = [f"file={github_property(f.location.file)}"]
        if f.location.line:
            props += [f"line={f.location.line}", f"col={f.location.col or 1}"]
        props.append(f"title={github_property(f'{f.check_id} {f.name}')}")
        lines.append(
            f"::{level[f.severity]} {','.join(props)}::{github_data(report.message(f))}"
        )
    return "\n".join(lines) + ("\n" if lines else "")


def _xml(value: str) -> str:
    return _XML_BAD.sub("\ufffd", value)


def junit(report: Report) -> str:
    """One test case per check and app. A failure below --fail-on is not a JUnit
    failure (CI would fail the build the exit code passes): it is reported as a
    passing case with the finding in its output."""
    cases = []
    failures = skipped = 0
    for f in report.findings:
        if f.status == "baselined":
            continue
        resource = f.location.resource or f.location.file
        name = quoteattr(_xml(f"{f.check_id} {f.name} [{resource}]"))
        body = ""
        if report.blocks(f):
            failures += 1
            body = (
                f"<failure type={quoteattr(f.severity)} "
                f"message={quoteattr(_xml(report.message(f)))}>"
                f"{escape(_xml(_line(report, f)))}</failure>"
            )
        elif f.status == "fail":
            body = (
                f"<system-out>below --fail-on {escape(report.fail_on)}: "
                f"{escape(_xml(_line(report, f)))}</system-out>"
            )
        elif f.status != "pass":
            skipped += 1
            body = f"<skipped message={quoteattr(_xml(f'{f.status}: {report.reason(f)}'))}/>"
        cases.append(
            f"  <testcase classname={quoteattr(_xml(f.location.file))} name={name}>"
            f"{body}</testcase>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="azfn-profile" tests="{len(cases)}" '
        f'failures="{failures}" errors="0" skipped="{skipped}">\n'
        + "\n".join(cases)
        + "\n</testsuite>\n"
    )


def ordered(
    findings: Sequence[Finding], declared: Collection[tuple[str, str]] = ()
) -> list[Finding]:
    """Findings in a stable reading order (file, line, column, check), each failure
    once. A file several apps share (a host.json beside a bundle's ARM and Bicep
    files describing one app, code two profiles name) fails the same check at the
    same place with the same message for each of them: that is one finding. In the
    file that declares an app (`declared`: resource and file), apps stay apart,
    such as the instances of a loop."""
    first: dict[tuple[str, ...], int] = {}
    unique: list[Finding] = []
    for f in findings:
        if f.status == "fail":
            where = f.location
            own = (where.resource or "", where.file) in declared
            key = (
                f.check_id,
                where.format(),
                f.message,
                " > ".join(where.via),
                where.parameters or "",
                (where.resource or "") if own else "",
            )
            if key in first:
                kept = unique[first[key]]
                if where.resource and where.resource not in (
                    kept.location.resource,
                    *(r.resource for r in kept.related),
                ):
                    unique[first[key]] = replace(kept, related=(*kept.related, where))
                continue
            first[key] = len(unique)
        unique.append(f)
    return sorted(
        unique,
        key=lambda f: (
            f.location.file,
            f.location.line or 0,
            f.location.col or 0,
            f.check_id,
            f.location.resource or "",
        ),
    )


_MD_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "&#124;",
        "@": "&#64;",  # no mentions from a template's text
        "\\": "&#92;",
        "`": "&#96;",
        "*": "&#42;",
        "_": "&#95;",
        "[": "&#91;",
        "]": "&#93;",
        "#": "&#35;",
        "\n": " ",
        "\r": " ",
    }
)


def _md(value: str) -> str:
    """Text from inputs, inert in a Markdown table cell of a pull-request comment."""
    return _XML_BAD.sub("", value).translate(_MD_ESCAPES)


def markdown(report: Report) -> str:
    """A summary for a pull-request comment: the failures in a table, then counts."""
    s = report.summary()
    head = f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info"
    lines = [f"### azfn-profile: {head}", ""]
    if report.failures:
        lines += ["| severity | check | where | finding |", "|---|---|---|---|"]
        for f in report.failures:
            where = f.location.format()
            lines.append(
                f"| {f.severity} | [{f.check_id}]({f.doc_url}) {_md(f.name)} "
                f"| {_md(where)} | {_md(report.message(f))} |"
            )
        lines.append("")
    else:
        lines += ["No failures.", ""]
    if report.show_passed:
        lines += ["| app | passed |", "|---|---|"]
        lines += [
            f"| {_md(app)} | {_md(', '.join(sorted(ids)))} |"
            for app, ids in passed_per_app(report)
        ]
        lines.append("")
    lines.append(
        f"Checked {s['apps']} app(s) and profile(s) in {s['files']} file(s): "
        f"{s['passed']} passed, {s['not_applicable']} not applicable, "
        f"{s['unknown']} unknown, {s['suppressed']} suppressed"
        + (f", {s['baselined']} in the baseline" if s["baselined"] else "")
        + "."
    )
    return "\n".join(lines) + "\n"


FORMATS: dict[str, Callable[[Report], str]] = {
    "text": text,
    "json": to_json,
    "sarif": sarif,
    "github": github,
    "junit": junit,
    "markdown": markdown,
}


def write_baseline(report: Report) -> str:
    """The fingerprints of today's failures: later runs report only new ones."""
    prints = sorted({f.fingerprint() for f in report.failures})
    document = {"tool": "azfn-profile", "version": 1, "fingerprints": prints}
    return json.dumps(document, indent=2) + "\n"


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file records (AzfnProfileError when it is not
    one or cannot be read)."""
    from azfn_profile.errors import AzfnProfileError
    from azfn_profile.files import Unreadable, read_bytes

    try:
        blob = read_bytes(path, MAX_BASELINE_BYTES)
    except Unreadable as exc:
        raise AzfnProfileError(f"--baseline {path}: {exc.message}") from None
    return read_baseline(blob, str(path))


def read_baseline(blob: bytes, name: str) -> frozenset[str]:
    from azfn_profile.errors import AzfnProfileError
    from azfn_profile.files import Unreadable, decode
    from azfn_profile.sources.jsonc import JsonError, loads

    try:
        document = loads(decode(blob))
        prints = document["fingerprints"] if isinstance(document, dict) else None
        if not isinstance(prints, list) or not all(isinstance(p, str) for p in prints):
            raise TypeError
    except (Unreadable, JsonError, KeyError, TypeError):
        raise AzfnProfileError(
            f"{name}: not an azfn-profile baseline (write one with --write-baseline)"
        ) from None
    return frozenset(prints)


def apply_baseline(
    findings: Sequence[Finding], prints: frozenset[str]
) -> list[Finding]:
    from dataclasses import replace

    return [
        replace(f, status="baselined")
        if f.status == "fail" and f.fingerprint() in prints
        else f
        for f in findings
    ]
