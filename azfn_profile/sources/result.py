"""What a scan found: apps to judge, findings about the input, and what it skipped."""

from __future__ import annotations

from dataclasses import dataclass, field

from azfn_profile.checking import SourceTarget
from azfn_profile.checks import raised
from azfn_profile.findings import Finding, Location
from azfn_profile.sources.graph import NotInspected


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str
    explicit: bool = False  # named on the command line: the report says why


@dataclass
class Scan:
    targets: list[SourceTarget] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    not_inspected: list[NotInspected] = field(default_factory=list)
    files: int = 0  # files read
    read_through: set[str] = field(default_factory=set)  # read through another file
    found: int = 0  # files found, read or not
    fatal: bool = False  # an explicitly named path could not be read


def unreadable(
    display: str, message: str, line: int | None = None, col: int | None = None
) -> Finding:
    return raised("AZFN000", message, Location(display, line, col))
