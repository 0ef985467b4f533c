"""What the fixture-repository tests share: `check` as a JSON report, paths shown
relative to the repository, and the join-mutation probe."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli

Report = dict[str, Any]
View = Callable[[Report, Path], Any]


def check(path: Path, *args: str) -> tuple[int, Report]:
    """`azfn-profile check PATH --format json`, which must judge (exit 0 or 1)."""
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def rel(path: str, repo: Path) -> str:
    """A reported path relative to the repository."""
    return path.replace(f"{repo}/", "")


def mutant_changes_view(
    path: Path,
    mutant: tuple[str, Any],
    view: View,
    monkeypatch: pytest.MonkeyPatch,
) -> bool:
    """Whether replacing `mutant`'s target (a dotted name) changes what `view`
    shows of the repository's report: a fixture that pins a join must notice
    when the join breaks."""
    _, before = check(path)
    target, replacement = mutant
    monkeypatch.setattr(target, replacement)
    _, after = check(path)
    return bool(view(after, path) != view(before, path))
