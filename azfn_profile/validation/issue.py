"""A problem with profile data, at the path of the key it concerns."""

from __future__ import annotations

from dataclasses import dataclass

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One problem; `at_key` points at the key rather than its value."""

    path: Path
    message: str
    at_key: bool = False


class ProfileInvalid(Exception):
    """Raised with every issue found in one pass."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{dotted(i.path)}: {i.message}" for i in issues))


def dotted(path: Path) -> str:
    """("triggers", 1) -> "triggers[1]"; ("workload", "kind") -> "workload.kind"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
