"""Expected failures: errors the user can fix, each carrying where it happened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located message about the user's input (1-based line and column)."""

    file: str
    message: str
    line: int | None = None
    col: int | None = None

    def format(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.col or 1}: {self.message}"


class AzfnProfileError(Exception):
    """Base class for failures caused by input or environment, not by a bug."""


class InputError(AzfnProfileError):
    """The user's input is unreadable or invalid; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


class OutputError(AzfnProfileError):
    """An output file cannot be written as asked (e.g. it would clobber a file)."""
