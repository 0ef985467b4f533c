from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from azfn_profile.rules import resolve
from azfn_profile.spec import AppSpec
from azfn_profile.validation import validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# The clock every test runs on: the engine's date-dependent checks (Python end of
# support) must not change results from one day to the next.
TODAY = date(2026, 11, 26)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden from the current output",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZFN_PROFILE_TODAY", TODAY.isoformat())


def profile_data(**overrides: Any) -> dict[str, Any]:
    """A valid profile as data; keyword sections replace the defaults."""
    data: dict[str, Any] = {
        "name": "test-app",
        "python": "3.12",
        "workload": {"kind": "io"},
        "plan": {"sku": "EP2"},
    }
    data.update(overrides)
    return data


def spec_for(**overrides: Any) -> AppSpec:
    return resolve(validate(profile_data(**overrides), TODAY))
