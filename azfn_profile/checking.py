"""Run every registered check over targets; one outcome per check and target."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from azfn_profile.checks import REGISTRY, NotApplicable, Target, Unknown
from azfn_profile.findings import Finding, Location

Locate = Callable[[str], Location]  # dotted path -> where it is in the source


@dataclass(frozen=True)
class SourceTarget:
    target: Target
    locate: Locate


def run_checks(sources: Iterable[SourceTarget], today: date) -> list[Finding]:
    findings: list[Finding] = []
    for source in sources:
        for check in REGISTRY.values():
            if check.id in ("AZFN000", "AZFN001"):
                continue
            base = source.locate("")
            try:
                failures = list(check.run(source.target, today))
            except NotApplicable as exc:
                findings.append(
                    Finding(
                        check.id,
                        check.name,
                        check.severity,
                        check.title,
                        base,
                        "not-applicable",
                        str(exc),
                    )
                )
                continue
            except Unknown as exc:
                findings.append(
                    Finding(
                        check.id,
                        check.name,
                        check.severity,
                        check.title,
                        base,
                        "unknown",
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
            findings.extend(
                Finding(
                    check.id,
                    check.name,
                    f.severity or check.severity,
                    f.message,
                    source.locate(f.path),
                )
                for f in failures
            )
    return findings
