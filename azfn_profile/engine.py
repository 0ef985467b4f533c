"""The engine's front door: the calls the CLI, the Pulumi program and tests share."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from azfn_profile.loader import load_profile
from azfn_profile.rules import resolve
from azfn_profile.spec import AppSpec

__all__ = ["load_profile", "profile_schema", "resolve", "resolve_file"]


def resolve_file(path: Path, *, today: date, display: str | None = None) -> AppSpec:
    """Load, validate and resolve one profile file (InputError on bad input).

    `display` is how the file is named in error messages (default: `path`).
    """
    loaded = load_profile(path, today=today, display=display)
    return resolve(loaded.profile, loaded.code)


def profile_schema() -> dict[str, Any]:
    from azfn_profile.profile import Profile

    schema = Profile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
