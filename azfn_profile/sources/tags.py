"""The declared workload and suppressions, read back from `azfn-profile:*` tags.

Tag values are untrusted text: suppressions are parsed by splitting, not by a
backtracking pattern, so any value is read in linear time; counts go through
`ascii_int`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from azfn_profile.findings import Location, Suppression
from azfn_profile.numbers import ascii_int
from azfn_profile.spec import WorkloadSpec

SUPPRESS_TAG = "azfn-profile:suppress"
_ID = re.compile(r"AZFN[0-9]{3}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def suppressions_from_tags(
    tags: Mapping[str, Any], where: Location
) -> tuple[tuple[Suppression, ...], list[str]]:
    """`AZFN104: reason [until YYYY-MM-DD]; ...` -> suppressions, and bad entries."""
    value = tags.get(SUPPRESS_TAG)
    if not isinstance(value, str):
        return (), []
    found, bad = [], []
    for entry in value.split(";"):
        if not entry.strip():
            continue
        parsed = _entry(entry)
        if parsed is None:
            bad.append(entry.strip()[:200])
        else:
            found.append(Suppression(*parsed, where))
    return tuple(found), bad


def _entry(entry: str) -> tuple[str, str, date | None] | None:
    check_id, colon, rest = entry.partition(":")
    check_id, reason = check_id.strip(), rest.strip()
    if not colon or not _ID.fullmatch(check_id) or not reason:
        return None
    expires = None
    head, until, tail = reason.rpartition(" until ")
    if until and _DATE.fullmatch(tail.strip()):
        try:
            expires = date.fromisoformat(tail.strip())
        except ValueError:
            return None
        reason = head.strip()
    return (check_id, reason, expires) if reason else None


def workload_from_tags(tags: Mapping[str, Any]) -> WorkloadSpec | None:
    kind = tags.get("azfn-profile:workload")
    if kind not in ("io", "cpu", "mixed"):
        return None
    style = tags.get("azfn-profile:style")
    return WorkloadSpec(
        kind=str(kind),
        style=str(style) if style in ("sync", "async") else "sync",
        io_share=None,
        concurrency=_positive(ascii_int(tags.get("azfn-profile:concurrency"))),
        memory_per_process_mb=None,
    )


def _positive(value: int | None) -> int | None:
    return value if value is not None and value >= 1 else None
