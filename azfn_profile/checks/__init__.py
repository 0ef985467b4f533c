"""The check registry: every check, by id, from an explicit list of modules.

AZFN000/001 are input findings (an unreadable or invalid source); they are documented
here with the checks but raised by the sources, not run over a Target.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date

from azfn_profile.checks import code, plan, scaling, security, workers
from azfn_profile.checks._base import (
    Check,
    Failure,
    NotApplicable,
    Target,
    Unknown,
    check,
)


def _input_only(t: Target, today: date) -> Iterator[Failure]:
    raise NotApplicable("raised by sources")


INPUT_CHECKS = (
    check(
        "AZFN000",
        "input.unreadable",
        "error",
        "The file could not be read or parsed",
        why="A file that is not valid YAML/JSON/Bicep cannot be checked at all.",
        fails="name: [unclosed",
        passes="name: orders-api",
        source="azfn-profile",
    )(_input_only),
    check(
        "AZFN001",
        "input.invalid-profile",
        "error",
        "The profile is not valid",
        why="The profile must match the schema (`azfn-profile schema`) before its "
        "settings can be judged.",
        fails="workload: {kind: gpu}",
        passes="workload: {kind: io}",
        source="azfn-profile",
    )(_input_only),
    check(
        "AZFN002",
        "input.suppression-expired",
        "warning",
        "A suppression has passed its expiry date",
        why="Suppressions carry an end date so accepted risks get reviewed; once it "
        "passes, the suppressed findings are reported again and so is the lapse.",
        fails="suppress:\n  - {id: AZFN104, reason: load test pending, expires: 2026-01-31}",
        passes="suppress:\n  - {id: AZFN104, reason: load test pending, expires: 2027-01-31}",
        source="azfn-profile",
    )(_input_only),
    check(
        "AZFN003",
        "input.suppression-invalid",
        "warning",
        "A suppression comment must give a reason",
        why="`# azfn: ignore[AZFN401] reason` accepts a finding on its line (or, on a "
        "def line, in the function); like a profile's suppressions it needs a "
        "reason, and takes an optional `expires=YYYY-MM-DD`. Without a reason it "
        "suppresses nothing.",
        fails="requests.get(url)  # azfn: ignore[AZFN401]",
        passes="requests.get(url)  # azfn: ignore[AZFN401] moving to aiohttp in Q3",
        source="azfn-profile",
    )(_input_only),
)

INPUT_IDS = frozenset(c.id for c in INPUT_CHECKS)

REGISTRY: Mapping[str, Check] = {
    c.id: c
    for c in (
        *INPUT_CHECKS,
        *workers.CHECKS,
        *plan.CHECKS,
        *scaling.CHECKS,
        *code.CHECKS,
        *security.CHECKS,
    )
}

__all__ = [
    "INPUT_IDS",
    "REGISTRY",
    "Check",
    "Failure",
    "NotApplicable",
    "Target",
    "Unknown",
]
