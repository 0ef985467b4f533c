"""Which `azure-functions-runtime` the app pins: the library that runs Python 3.13+
functions inside the proxy worker (the worker loads the app's own copy first).

Read from the app folder's `requirements.txt` (one requirement per line, comments,
markers and options ignored) and `pyproject.toml` (`[project] dependencies`), the
files `func` and the deployment install from. Files are read through the one path
policy (`files.read_text`), never run; a file that cannot be read or parsed is
treated as pinning nothing.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from azfn_profile.files import Unreadable, inside, read_text

LIBRARY = "azure-functions-runtime"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_VERSION = re.compile(r"[0-9][0-9A-Za-z.+!-]{0,63}")  # no wildcard, at most 64
_COMMENT = re.compile(r"(^|\s)#")
_MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class Pin:
    """The requirement as written, its exact version when it names one (`==X`),
    and where it is."""

    requirement: str
    version: str | None
    file: str
    line: int


def canonical(name: str) -> str:
    """PEP 503: runs of '-', '_' and '.' are one '-', case folded."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(requirement: str) -> tuple[str, str | None] | None:
    """(name, exact version or None) of one requirement line; None when it is not
    a plain requirement (an option, a URL, an editable install). A requirement
    with an environment marker has no exact version here: which Python it applies
    to is not evaluated."""
    text = requirement.split(";", 1)[0].strip()
    match = _NAME.match(text)
    if match is None or text.startswith("-"):
        return None
    rest = text[match.end() :].strip()
    if rest.startswith("["):
        rest = rest.partition("]")[2].strip()
    version = None
    exact = (
        rest[3:]
        if rest.startswith("===")
        else rest[2:]
        if rest.startswith("==")
        else None
    )
    if exact is not None and "," not in exact and ";" not in requirement:
        candidate = exact.strip()
        if _VERSION.fullmatch(candidate):
            version = candidate
    return match.group(0), version


def runtime_pin(root: Path, shown: str) -> Pin | None:
    """The app's requirement on azure-functions-runtime, if it has one."""
    found = _from_requirements(root / "requirements.txt", f"{shown}/requirements.txt")
    if found is not None:
        return found
    return _from_pyproject(root / "pyproject.toml", f"{shown}/pyproject.toml")


def _read(path: Path) -> str | None:
    if not path.is_file() or not inside(path, path.parent):
        return None
    try:
        return read_text(path, _MAX_BYTES)
    except Unreadable:
        return None


def _from_requirements(path: Path, shown: str) -> Pin | None:
    text = _read(path)
    if text is None:
        return None
    for number, line in enumerate(text.splitlines(), 1):
        requirement = _COMMENT.split(line, 1)[0].strip()  # pip: "#" after a blank
        if not requirement:
            continue
        parsed = parse(requirement)
        if parsed is not None and canonical(parsed[0]) == LIBRARY:
            return Pin(requirement[:200], parsed[1], shown, number)
    return None


def _from_pyproject(path: Path, shown: str) -> Pin | None:
    text = _read(path)
    if text is None:
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):  # nesting past the limit
        return None
    project = data.get("project")
    dependencies = project.get("dependencies") if isinstance(project, dict) else None
    if not isinstance(dependencies, list):
        return None
    for requirement in dependencies:
        if not isinstance(requirement, str):
            continue
        parsed = parse(requirement)
        if parsed is not None and canonical(parsed[0]) == LIBRARY:
            return Pin(requirement[:200], parsed[1], shown, _line_of(text, requirement))
    return None


def _line_of(text: str, needle: str) -> int:
    """The line of `needle` written as a TOML string (quoted, not in a comment);
    1 when it is not written plainly."""
    for number, line in enumerate(text.splitlines(), 1):
        code = _COMMENT.split(line, 1)[0]
        if f'"{needle}"' in code or f"'{needle}'" in code:
            return number
    return 1
