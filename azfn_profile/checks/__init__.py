"""The check registry: every check, by ID, from an explicit list of modules.

This is the one rulebook. Each statement "this configuration is wrong on Azure"
lives here once, as a check with its ID and message, whatever the source: templates,
Terraform, Pulumi and profiles alike (profile validation runs the checks marked
`refuses_profile`). A check lives in the module its name's prefix names (`worker.*`
in worker.py, `plan.*` in plan.py, ...).

Check IDs (AZFNnnn) and names are stable public API: suppressions, baselines, SARIF
rule IDs and CI configurations refer to them. An ID is never reused or renumbered,
even when its check moves or is retired.
"""

from __future__ import annotations

from collections.abc import Mapping

from azfn_profile.checks import code, fleet, plan, runtime, scaling, security, worker
from azfn_profile.checks import input as inputs
from azfn_profile.checks._base import (
    Check,
    Failure,
    NotApplicable,
    Target,
    Unknown,
)
from azfn_profile.errors import Problem
from azfn_profile.findings import Finding, Location, Severity

INPUT_IDS = frozenset(c.id for c in inputs.CHECKS)

REGISTRY: Mapping[str, Check] = {
    c.id: c
    for c in sorted(
        (
            *inputs.CHECKS,
            *worker.CHECKS,
            *runtime.CHECKS,
            *plan.CHECKS,
            *scaling.CHECKS,
            *fleet.CHECKS,
            *code.CHECKS,
            *security.CHECKS,
        ),
        key=lambda c: c.id,
    )
}


def raised(
    check_id: str,
    message: str,
    location: Location,
    severity: Severity | None = None,
) -> Finding:
    """A failure of `check_id` found while reading (not by running the check)."""
    c = REGISTRY[check_id]
    return Finding(c.id, c.name, severity or c.severity, message, location)


def problem_finding(problem: Problem) -> Finding:
    """An input problem as the finding of the check it names."""
    return raised(
        problem.check_id,
        problem.message,
        Location(problem.file, problem.line, problem.col),
    )


__all__ = [
    "INPUT_IDS",
    "REGISTRY",
    "Check",
    "Failure",
    "NotApplicable",
    "Target",
    "Unknown",
    "problem_finding",
    "raised",
]
