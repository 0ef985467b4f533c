"""input.*: findings about the input itself (AZFN000-003).

They are raised by the readers and the suppression logic where the problem is found,
never run over a Target; each reader names the check's ID when it raises one
(`errors.Problem.check_id`) and `checks.raised` builds the finding from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from azfn_profile.checks._base import Failure, NotApplicable, Target, check


def _input_only(t: Target, today: date) -> Iterator[Failure]:
    raise NotApplicable("raised by sources")


CHECKS = (
    check(
        "AZFN000",
        "input.unreadable",
        "error",
        "The file could not be read or parsed",
        why="A file that is not valid YAML/JSON/Bicep cannot be checked at all.",
        source="azfn-profile",
    )(_input_only),
    check(
        "AZFN001",
        "input.invalid-profile",
        "error",
        "The profile is not valid",
        why="The profile must match the schema (`azfn-profile schema`) before its "
        "settings can be judged.",
        source="azfn-profile",
    )(_input_only),
    check(
        "AZFN002",
        "input.suppression-expired",
        "warning",
        "A suppression has passed its expiry date",
        why="Suppressions carry an end date so accepted risks get reviewed; once it "
        "passes, the suppressed findings are reported again and so is the lapse.",
        source="azfn-profile",
    )(_input_only),
    check(
        "AZFN003",
        "input.suppression-invalid",
        "warning",
        "A suppression must name a check and give a reason",
        why="`# azfn: ignore[AZFN401] reason` accepts a finding on its line (or, on a "
        "def line, in the function); like a profile's suppressions it needs a "
        "reason, and takes an optional `expires=YYYY-MM-DD`. Without a reason it "
        "suppresses nothing, and so does a suppression (a comment, a profile's "
        "`suppress` entry or a template's tag) whose ID is no check: a typo would "
        "otherwise pass silently.",
        source="azfn-profile",
    )(_input_only),
)
