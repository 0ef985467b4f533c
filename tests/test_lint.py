"""Lint, format and type checks are part of the suite: a failing lint fails it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # mypy --strict over the whole package in a subprocess

COMMANDS = {
    "ruff-check": [sys.executable, "-m", "ruff", "check", "."],
    "ruff-format": [sys.executable, "-m", "ruff", "format", "--check", "."],
    "mypy-strict": [sys.executable, "-m", "mypy"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_tool_passes(name: str) -> None:
    done = subprocess.run(
        COMMANDS[name], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
