"""Expected failures: errors the user can fix, each carrying where it happened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located message about the user's input (1-based line and column).

    `check_id` is the rulebook check the problem is a failure of, set where the
    problem is found: AZFN000 (unreadable), AZFN001 (not a valid profile), or the
    platform rule a profile breaks (AZFN101, AZFN203, ...).
    """

    file: str
    message: str
    line: int | None = None
    col: int | None = None
    check_id: str = "AZFN000"

    def format(self) -> str:
        # A platform rule names its check, as `check` does; reading and schema
        # problems read as plain messages.
        text = (
            self.message
            if self.check_id in ("AZFN000", "AZFN001")
            else f"{self.check_id} {self.message}"
        )
        if self.line is None:
            return f"{self.file}: {text}"
        return f"{self.file}:{self.line}:{self.col or 1}: {text}"


class AzfnProfileError(Exception):
    """Base class for failures caused by input or environment, not by a bug."""


class InputError(AzfnProfileError):
    """The user's input is unreadable or invalid; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


class OutputError(AzfnProfileError):
    """An output file cannot be written as asked (e.g. it would clobber a file)."""
