"""The declared workload read back from `azfn-profile:*` resource tags."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from azfn_profile.findings import Location, Suppression
from azfn_profile.spec import WorkloadSpec

SUPPRESS_TAG = "azfn-profile:suppress"
_ENTRY = re.compile(
    r"^\s*(AZFN\d{3})\s*:\s*(.+?)(?:\s+until\s+(\d{4}-\d{2}-\d{2}))?\s*$"
)


def suppressions_from_tags(
    tags: Mapping[str, Any], where: Location
) -> tuple[tuple[Suppression, ...], list[str]]:
    """`AZFN104: reason [until YYYY-MM-DD]; ...` -> suppressions, and bad entries."""
    value = tags.get(SUPPRESS_TAG)
    if not isinstance(value, str):
        return (), []
    found, bad = [], []
    for entry in filter(str.strip, value.split(";")):
        match = _ENTRY.match(entry)
        try:
            expires = (
                date.fromisoformat(match.group(3)) if match and match.group(3) else None
            )
        except ValueError:
            match = None
        if match is None:
            bad.append(entry.strip())
            continue
        found.append(Suppression(match.group(1), match.group(2), expires, where))
    return tuple(found), bad


def workload_from_tags(tags: Mapping[str, Any]) -> WorkloadSpec | None:
    kind = tags.get("azfn-profile:workload")
    if kind not in ("io", "cpu", "mixed"):
        return None
    style = tags.get("azfn-profile:style")
    concurrency = str(tags.get("azfn-profile:concurrency", ""))
    return WorkloadSpec(
        kind=str(kind),
        style=str(style) if style in ("sync", "async") else "sync",
        io_share=None,
        concurrency=int(concurrency) if concurrency.isdigit() else None,
        memory_per_process_mb=None,
    )
