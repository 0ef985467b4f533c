"""Findings -> text / json / sarif / github / junit, and the exit code, decided once."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from azfn_profile import REPOSITORY_URL, RULES_URL, __version__
from azfn_profile.checks import REGISTRY
from azfn_profile.findings import SEVERITY_RANK, Finding, Severity

UNREADABLE = frozenset({"AZFN000", "AZFN001"})
EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


@dataclass(frozen=True)
class Report:
    findings: Sequence[Finding]
    fail_on: Severity = "error"

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "fail"]

    @property
    def exit_code(self) -> int:
        if any(f.check_id in UNREADABLE for f in self.failures):
            return EXIT_INPUT
        threshold = SEVERITY_RANK[self.fail_on]
        if any(SEVERITY_RANK[f.severity] >= threshold for f in self.failures):
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
        }


def _line(f: Finding) -> str:
    return (
        f"{f.location.format()}: {f.check_id} [{f.severity}] {f.message} ({f.doc_url})"
    )


def text(report: Report) -> str:
    lines = [_line(f) for f in report.failures]
    s = report.summary()
    lines.append(
        f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info; "
        f"{s['passed']} passed, {s['not_applicable']} not applicable, "
        f"{s['unknown']} unknown, {s['suppressed']} suppressed"
        + (f", {s['baselined']} in the baseline" if s["baselined"] else "")
    )
    return "\n".join(lines) + "\n"


def _finding_dict(f: Finding) -> dict[str, object]:
    return {
        "id": f.check_id,
        "name": f.name,
        "severity": f.severity,
        "status": f.status,
        "message": f.message,
        "reason": f.reason or None,
        "location": {
            "file": f.location.file,
            "line": f.location.line,
            "col": f.location.col,
            "resource": f.location.resource,
        },
        "fingerprint": f.fingerprint(),
        "doc": f.doc_url,
    }


def to_json(report: Report) -> str:
    listed = [
        _finding_dict(f)
        for f in report.findings
        if f.status not in ("pass", "baselined")
    ]
    return (
        json.dumps(
            {
                "tool": "azfn-profile",
                "version": __version__,
                "summary": report.summary(),
                "findings": listed,
            },
            indent=2,
        )
        + "\n"
    )


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_SARIF_KIND = {
    "fail": "fail",
    "not-applicable": "notApplicable",
    "unknown": "review",
    "suppressed": "fail",
    "baselined": "fail",
}


def sarif(report: Report) -> str:
    rules = [
        {
            "id": c.id,
            "name": c.name,
            "shortDescription": {"text": c.title},
            "fullDescription": {"text": c.why},
            "helpUri": f"{RULES_URL}#{c.id.lower()}",
            "help": {"text": f"{c.why}\n\nFails:\n{c.fails}\n\nPasses:\n{c.passes}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[c.severity]},
        }
        for c in REGISTRY.values()
    ]
    index = {c["id"]: i for i, c in enumerate(rules)}
    results = []
    for f in report.findings:
        if f.status in ("pass", "baselined"):
            continue
        region = (
            {"startLine": f.location.line, "startColumn": f.location.col or 1}
            if f.location.line
            else None
        )
        physical: dict[str, object] = {"artifactLocation": {"uri": f.location.file}}
        if region:
            physical["region"] = region
        result: dict[str, object] = {
            "ruleId": f.check_id,
            "ruleIndex": index[f.check_id],
            "kind": _SARIF_KIND[f.status],
            "level": _SARIF_LEVEL[f.severity] if f.status == "fail" else "none",
            "message": {
                "text": f.message
                if f.status == "fail"
                else f"{f.message} ({f.status}: {f.reason})"
            },
            "locations": [{"physicalLocation": physical}],
            "partialFingerprints": {"azfnProfile/v1": f.fingerprint()},
        }
        if f.status == "suppressed":
            result["suppressions"] = [{"kind": "external", "justification": f.reason}]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "azfn-profile",
                        "version": __version__,
                        "informationUri": REPOSITORY_URL,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def github(report: Report) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in report.failures:
        where = f"file={f.location.file}"
        if f.location.line:
            where += f",line={f.location.line},col={f.location.col or 1}"
        message = f.message.replace("%", "%25").replace("\n", "%0A")
        lines.append(
            f"::{level[f.severity]} {where},title={f.check_id} {f.name}::{message}"
        )
    return "\n".join(lines) + ("\n" if lines else "")


def junit(report: Report) -> str:
    cases = []
    for f in report.findings:
        if f.status == "baselined":
            continue
        name = quoteattr(
            f"{f.check_id} {f.name} [{f.location.resource or f.location.file}]"
        )
        body = ""
        if f.status == "fail":
            body = (
                f"<failure type={quoteattr(f.severity)} message={quoteattr(f.message)}>"
                f"{escape(_line(f))}</failure>"
            )
        elif f.status != "pass":
            body = f"<skipped message={quoteattr(f'{f.status}: {f.reason}')}/>"
        cases.append(
            f"  <testcase classname={quoteattr(f.location.file)} name={name}>"
            f"{body}</testcase>"
        )
    failures = len(report.failures)
    skipped = sum(1 for f in report.findings if f.status not in ("pass", "fail"))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="azfn-profile" tests="{len(report.findings)}" '
        f'failures="{failures}" errors="0" skipped="{skipped}">\n'
        + "\n".join(cases)
        + "\n</testsuite>\n"
    )


FORMATS: dict[str, Callable[[Report], str]] = {
    "text": text,
    "json": to_json,
    "sarif": sarif,
    "github": github,
    "junit": junit,
}


def write_baseline(report: Report) -> str:
    """The fingerprints of today's failures: later runs report only new ones."""
    prints = sorted({f.fingerprint() for f in report.failures})
    document = {"tool": "azfn-profile", "version": 1, "fingerprints": prints}
    return json.dumps(document, indent=2) + "\n"


def read_baseline(text: str, name: str) -> frozenset[str]:
    from azfn_profile.errors import AzfnProfileError

    try:
        prints = json.loads(text)["fingerprints"]
        if not isinstance(prints, list) or not all(isinstance(p, str) for p in prints):
            raise TypeError
    except (ValueError, KeyError, TypeError):
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
