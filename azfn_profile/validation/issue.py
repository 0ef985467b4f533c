"""A problem with profile data, at the path of the key it concerns."""

from __future__ import annotations

from dataclasses import dataclass

from azfn_profile.yamlload import KeyPath


@dataclass(frozen=True)
class Issue:
    """One problem; `at_key` points at the key rather than its value. `check_id`
    names the rulebook check it fails (None: the profile's schema, AZFN001)."""

    path: KeyPath
    message: str
    at_key: bool = False
    check_id: str | None = None


class ProfileInvalid(Exception):
    """Raised with every issue found in one pass."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{dotted(i.path)}: {i.message}" for i in issues))


def dotted(path: KeyPath) -> str:
    """("triggers", 1) -> "triggers[1]"; ("workload", "kind") -> "workload.kind"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
