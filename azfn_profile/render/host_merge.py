"""`render --format host-json -o FILE` into an app's existing host.json.

The rendered document holds only the keys the tool decides (its leaves: a value that
is not an object). Merging replaces those and keeps every other key of the app's file
(logging, extension bundles, settings of other extensions) where it is. A decided key
the file already sets to another value is a conflict: changing it takes `--force`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azfn_profile.errors import InputError, OutputError, Problem
from azfn_profile.render import dumps

_MISSING = object()


@dataclass(frozen=True)
class KeyChange:
    """One decided key: its dotted path, the file's value (absent: `None` with
    `added`) and the tool's."""

    path: str
    before: Any
    after: Any
    added: bool

    def line(self) -> str:
        new = json.dumps(self.after, ensure_ascii=False)
        if self.added:
            return f"+ {self.path}: {new}"
        return f"~ {self.path}: {json.dumps(self.before, ensure_ascii=False)} -> {new}"


@dataclass(frozen=True)
class Merged:
    text: str
    changes: list[KeyChange]

    @property
    def conflicts(self) -> list[KeyChange]:
        """Decided keys the file sets to another value."""
        return [c for c in self.changes if not c.added]


def read_host_json(raw: bytes, display: str) -> dict[str, Any]:
    """The existing file as an object (JSON with comments, as the host reads it)."""
    from azfn_profile.sources.jsonc import JsonError, loads

    try:
        data = loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(
            [Problem(display, f"not UTF-8 text (byte {exc.start}); not merged")]
        ) from None
    except JsonError as exc:
        raise InputError(
            [
                Problem(
                    display, f"not JSON: {exc.message}; not merged", exc.line, exc.col
                )
            ]
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    display,
                    f"host.json must be a JSON object, found {type(data).__name__}; "
                    "not merged",
                    1,
                    1,
                )
            ]
        )
    return data


def merge_host_json(existing: dict[str, Any], decided: Mapping[str, Any]) -> Merged:
    """`existing` with every decided key set; the keys that changed, in order."""
    changes: list[KeyChange] = []
    merged = _merge(existing, decided, "", changes)
    return Merged(dumps(merged), changes)


def _merge(
    existing: dict[str, Any],
    decided: Mapping[str, Any],
    prefix: str,
    changes: list[KeyChange],
) -> dict[str, Any]:
    out = dict(existing)
    for key, value in decided.items():
        path = f"{prefix}{key}"
        old: Any = existing.get(key, _MISSING)
        if isinstance(value, Mapping) and (old is _MISSING or isinstance(old, dict)):
            out[key] = _merge(
                old if isinstance(old, dict) else {}, value, f"{path}.", changes
            )
            continue
        if old is _MISSING:
            changes.append(KeyChange(path, None, value, True))
        elif old != value or type(old) is not type(value):
            changes.append(KeyChange(path, old, value, False))
        out[key] = value
    return out


def merge_into_file(
    output: Path, decided: Mapping[str, Any], *, force: bool
) -> list[str]:
    """Merge the decided keys into the app's host.json at `output`, keeping its
    others, atomically; a decided key the file sets to another value changes only
    with `force`. The lines to tell the user."""
    from azfn_profile.fileio import replace_file
    from azfn_profile.files import Unreadable, read_bytes

    try:
        raw = read_bytes(output)
    except Unreadable as exc:
        raise InputError([Problem(str(output), exc.message)]) from None
    merged = merge_host_json(read_host_json(raw, str(output)), decided)
    if not merged.changes:
        return [f"unchanged: {output} (holds every decided key)"]
    conflicts = merged.conflicts
    if conflicts and not force:
        raise OutputError(
            f"{output}: sets {len(conflicts)} key(s) the tool decides to other "
            "values; pass --force to replace them (nothing was written):\n"
            + "\n".join(f"  {c.line()}" for c in conflicts)
        )

    def unchanged_meanwhile(_staged: Path) -> None:
        if read_bytes(output) != raw:
            raise OutputError(f"{output}: changed while merging; nothing written")

    replace_file(output, merged.text.encode("utf-8"), unchanged_meanwhile)
    done = (
        f"merged: {output} ({len(merged.changes)} decided key(s) set; "
        "every other key kept)"
    )
    return [f"  {change.line()}" for change in merged.changes] + [done]
