"""What checks produce: findings with a severity and a place, and per-check outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
Status = Literal["fail", "pass", "not-applicable", "unknown", "suppressed", "baselined"]
# A longer chain of module calls or deployments prints its outermost 3 steps and its
# innermost 4 (where the resource is), so no finding prints more than a fixed share
# of a deep chain: each finding of each app in it would otherwise repeat the whole.
MAX_VIA_SHOWN = 8


def shown_via(via: tuple[str, ...]) -> tuple[str, ...]:
    """The steps of `via` a report prints."""
    if len(via) <= MAX_VIA_SHOWN:
        return via
    return (*via[:3], f"... {len(via) - 7} more ...", *via[-4:])


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None = None
    col: int | None = None
    resource: str | None = None  # e.g. the site's name in a template
    # The module calls that reached a resource (outermost first): one module file
    # called twice defines two apps, told apart by this.
    via: tuple[str, ...] = ()
    # The parameter file the template was judged with, when it was given one.
    parameters: str | None = None

    def format(self) -> str:
        where = (
            self.file
            if self.line is None
            else f"{self.file}:{self.line}:{self.col or 1}"
        )
        return where

    def through(self) -> str:
        """' (via main.bicep:36 module legacy)' for module-reached resources, and
        ' (with main.prod.parameters.json)' for a template judged with one."""
        via = f" (via {' > '.join(shown_via(self.via))})" if self.via else ""
        return via + (f" (with {self.parameters})" if self.parameters else "")


@dataclass(frozen=True)
class Suppression:
    """A check accepted for one app, with why, and until when (None: no end)."""

    check_id: str
    reason: str
    expires: date | None
    location: Location
    # A code comment (`# azfn: ignore[...]`) covers lines of its file, whatever app
    # reached them; None: the app's findings anywhere (a profile's `suppress`).
    lines: frozenset[int] | None = None

    def active(self, today: date) -> bool:
        return self.expires is None or today <= self.expires

    def covers(self, finding: Finding) -> bool:
        if self.check_id != finding.check_id:
            return False
        if self.lines is None:
            return True
        return (
            finding.location.file == self.location.file
            and finding.location.line in self.lines
        )


@dataclass(frozen=True)
class Finding:
    check_id: str
    name: str
    severity: Severity
    message: str
    location: Location
    status: Status = "fail"
    reason: str = ""  # why not applicable / unknown / suppressed
    # The same failure found for other apps at this place (a host.json two apps
    # share), reported once: where each of those was found (SARIF relatedLocations).
    related: tuple[Location, ...] = ()

    @property
    def doc_url(self) -> str:
        from azfn_profile import CHECKS_URL

        return f"{CHECKS_URL}#{self.check_id.lower()}"

    def fingerprint(self) -> str:
        """Stable across line moves: check, file, resource and message."""
        import hashlib

        key = "|".join(
            [
                self.check_id,
                self.location.file,
                self.location.resource or "",
                " > ".join(self.location.via),
                self.message,
            ]
        )
        # any code point, lone surrogates included, has bytes here
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
