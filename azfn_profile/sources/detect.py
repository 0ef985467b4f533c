"""Find check sources under the paths given and turn each into targets."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from azfn_profile.checking import SourceTarget
from azfn_profile.findings import Finding, Location

SUFFIXES = {".yaml": "profile", ".yml": "profile", ".json": "json", ".bicep": "bicep"}
MAX_SOURCE_BYTES = (
    20 * 1024 * 1024
)  # ARM templates can be large; profiles stay at 1 MiB


def expand(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """(file, display name) for each file and each source file under each directory."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if (
                    found.is_file()
                    and found.suffix in SUFFIXES
                    and not any(
                        part.startswith(".") for part in found.relative_to(path).parts
                    )
                ):
                    yield found, str(found)
        else:
            yield path, str(path)


def unreadable(
    display: str, message: str, line: int | None = None, col: int | None = None
) -> Finding:
    return Finding(
        "AZFN000", "input.unreadable", "error", message, Location(display, line, col)
    )


def targets(
    path: Path, display: str, today: date
) -> tuple[list[SourceTarget], list[Finding]]:
    if not path.exists():
        return [], [unreadable(display, "no such file")]
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        return [], [
            unreadable(
                display,
                "not a profile (.yaml), ARM or preview JSON (.json) "
                "or Bicep (.bicep) file",
            )
        ]
    if kind == "profile":
        from azfn_profile.sources.profile import profile_targets

        return profile_targets(path, display, today)
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        return [], [
            unreadable(
                display, f"file is {size} bytes; sources over 20 MiB are refused"
            )
        ]
    text = path.read_bytes().decode("utf-8", errors="replace")
    if kind == "bicep":
        from azfn_profile.sources.bicep import bicep_targets

        return bicep_targets(text, display)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [
            unreadable(display, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
        ]
    from azfn_profile.sources.arm import arm_targets, is_template
    from azfn_profile.sources.preview import is_preview, preview_targets

    if is_template(data):
        return arm_targets(data, text, display)
    if is_preview(data):
        return preview_targets(data, display)
    if isinstance(data, dict) and {"workload", "plan"} <= set(data):
        from azfn_profile.sources.profile import profile_targets

        return profile_targets(path, display, today)  # a profile written as JSON
    return [], [
        unreadable(
            display,
            "JSON that is neither an ARM deployment template nor "
            "`pulumi preview --json` output",
        )
    ]
