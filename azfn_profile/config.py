"""`check`'s settings kept in the repository: `.azfn-profile.yaml`, or the
`[tool.azfn-profile]` table of `pyproject.toml`, in the repository's root folder.

Keys (the options' long names, `-` or `_` alike): `check`, `skip-check`, `skip-path`
(each a list of patterns, or one), `fail-on`. An option given on the command line
replaces the file's value for that key.
"""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azfn_profile.errors import InputError, Problem

FILE_NAME = ".azfn-profile.yaml"
SEVERITIES = ("error", "warning", "info")
_LISTS = ("check", "skip-check", "skip-path")
MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class CheckConfig:
    check: tuple[str, ...] = ()  # only these checks (IDs or names, wildcards)
    skip_check: tuple[str, ...] = ()  # never these
    skip_path: tuple[str, ...] = ()  # files and folders not to read (globs)
    fail_on: str | None = None
    source: str | None = None  # the file the settings came from
    # The check-pattern settings whose values came from that file (the command line
    # replaces a setting it gives): errors about them name the file.
    from_file: frozenset[str] = frozenset()

    def selects(self, check_id: str, name: str) -> bool:
        """Whether a check's findings are reported. Input findings (AZFN000-003)
        are reported unless skipped by name: an unreadable file is never silent."""
        if matches(self.skip_check, check_id, name):
            return False
        if not self.check or name.startswith("input."):
            return True
        return matches(self.check, check_id, name)

    def unmatched(self, checks: Sequence[tuple[str, str]]) -> list[str]:
        """The check patterns that match none of `checks` (ID, name): a typo would
        select nothing or skip nothing, silently."""
        out = []
        for key, patterns in (("check", self.check), ("skip_check", self.skip_check)):
            option = key.replace("_", "-")
            where = (
                f"{self.source}: {option}:"
                if key in self.from_file and self.source
                else f"--{option}"
            )
            out += [
                f"{where} {p}"
                for p in patterns
                if not any(matches([p], check_id, name) for check_id, name in checks)
            ]
        return out


def matches(patterns: Iterable[str], check_id: str, name: str) -> bool:
    """A pattern matches a check's ID or its name, case-insensitively, with shell
    wildcards: `AZFN1*`, `security.*`, `azfn104`."""
    for pattern in patterns:
        folded = pattern.casefold()
        if fnmatch.fnmatchcase(check_id.casefold(), folded) or fnmatch.fnmatchcase(
            name.casefold(), folded
        ):
            return True
    return False


def skipped_path(relative: str, patterns: Sequence[str]) -> str | None:
    """The pattern that skips a file, given by its path relative to the folder
    checked: a glob matched against the path or any of its leading folders."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    # `**/x` matches x at any depth: every tail of the path is tried too.
    tails = ["/".join(parts[i:]) for i in range(len(parts))]
    for pattern in patterns:
        clean = pattern.strip("/")
        anywhere = clean.startswith("**/")
        if anywhere:
            clean = clean[3:]
        candidates = [*prefixes, *parts, *(tails if anywhere else ())]
        if any(fnmatch.fnmatchcase(c, clean) for c in candidates):
            return pattern
    return None


def load(root: Path) -> CheckConfig:
    """The settings in `root` (empty when there are none); InputError when the
    file is not what it should be."""
    yaml_file, pyproject = root / FILE_NAME, root / "pyproject.toml"
    if yaml_file.is_file():
        from azfn_profile.yamlload import parse, read_text

        shown = str(yaml_file)
        data = parse(read_text(yaml_file, shown), shown).data
        return _config(data if data is not None else {}, shown)
    if pyproject.is_file():
        table = _pyproject_table(pyproject)
        if table is not None:
            return _config(table, f"{pyproject} [tool.azfn-profile]")
    return CheckConfig()


def _pyproject_table(path: Path) -> Any:
    from azfn_profile.files import Unreadable
    from azfn_profile.files import read_text as read_bounded

    try:
        text = read_bounded(path)
    except Unreadable as exc:
        raise InputError([Problem(str(path), exc.message)]) from None
    if "azfn-profile" not in text:
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(str(path), f"invalid TOML: {exc}")]) from None
    tool = document.get("tool")
    return tool.get("azfn-profile") if isinstance(tool, dict) else None


def _config(data: Any, shown: str) -> CheckConfig:
    if not isinstance(data, dict):
        raise InputError([Problem(shown, "expected a mapping of check's options")])
    values: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = str(raw_key).replace("_", "-")
        if key in _LISTS:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(
                isinstance(v, str) for v in items
            ):
                raise InputError(
                    [Problem(shown, f"{key}: expected a pattern or a list of them")]
                )
            # "AZFN104,AZFN112" holds two patterns, as on the command line
            values[key.replace("-", "_")] = tuple(
                part.strip()
                for item in items
                for part in item.split(",")
                if part.strip()
            )
        elif key == "fail-on":
            if value not in SEVERITIES:
                raise InputError(
                    [
                        Problem(
                            shown, f"fail-on: expected one of {', '.join(SEVERITIES)}"
                        )
                    ]
                )
            values["fail_on"] = value
        else:
            known = ", ".join([*_LISTS, "fail-on"])
            raise InputError(
                [Problem(shown, f"unknown key {raw_key!r}; expected one of {known}")]
            )
    return CheckConfig(**values, source=shown)


def merged(
    file: CheckConfig,
    *,
    check: Sequence[str],
    skip_check: Sequence[str],
    skip_path: Sequence[str],
    fail_on: str | None,
) -> CheckConfig:
    """The file's settings with the command line's in their place where given."""
    return CheckConfig(
        tuple(check) or file.check,
        tuple(skip_check) or file.skip_check,
        tuple(skip_path) or file.skip_path,
        fail_on or file.fail_on,
        file.source,
        frozenset(
            key
            for key, given, kept in (
                ("check", check, file.check),
                ("skip_check", skip_check, file.skip_check),
            )
            if kept and not given
        ),
    )
