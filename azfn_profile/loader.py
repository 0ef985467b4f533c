"""Read a profile file into a validated `Profile`, with located errors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azfn_profile.errors import InputError, Problem
from azfn_profile.profile import Profile
from azfn_profile.validation import ProfileInvalid, validate
from azfn_profile.yamlload import Document, parse, read_text

if TYPE_CHECKING:  # read only for profiles that name their code (`app:`)
    from azfn_profile.code.model import AppCode

# Values that are text to Azure whatever YAML makes of them: an unquoted
# `python: 3.10` must not become the number 3.1, nor `FLAG: on` the boolean True.
_TEXT_MAPPINGS = ("app_settings", "tags")


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    document: Document
    display: str
    # The app's code, when `app:` names its folder (read, never imported).
    code: AppCode | None = None


def load_profile(
    path: Path, *, today: date, display: str | None = None
) -> LoadedProfile:
    """Load and validate one profile file; raise InputError on any problem."""
    shown = display if display is not None else str(path)
    text = read_text(path, shown)
    document = parse(text, shown)
    if document.data is None:
        raise InputError(
            [
                Problem(
                    shown,
                    "empty profile: expected a mapping with name, "
                    "python, workload and plan",
                    1,
                    1,
                )
            ]
        )
    data = _as_text(document)
    try:
        profile = validate(data, today)
    except ProfileInvalid as exc:
        raise InputError(
            [locate(document, shown, i.path, i.message, i.at_key) for i in exc.issues]
        ) from None
    return LoadedProfile(
        profile, document, shown, _app_code(profile, path, shown, document)
    )


def _app_code(
    profile: Profile, path: Path, shown: str, document: Document
) -> AppCode | None:
    """The code of the app `app:` names, when it names a folder (or a .py file)."""
    value = profile.app
    if value is None:
        return None
    candidate = path.parent / value
    is_app = (candidate.is_dir() and (candidate / "function_app.py").is_file()) or (
        candidate.suffix == ".py" and candidate.is_file()
    )
    looks_like_path = "/" in value or "\\" in value or value.endswith(".py")
    if not is_app:
        if looks_like_path:
            raise InputError(
                [
                    locate(
                        document,
                        shown,
                        ("app",),
                        f"app: {value} is not an app folder (no function_app.py "
                        "there) or a .py file",
                    )
                ]
            )
        return None  # a site name or a Bicep symbol
    from azfn_profile.code.analyze import read_app

    display = os.path.normpath(Path(shown).parent / value)
    return read_app(candidate, display)


def locate(
    document: Document,
    display: str,
    path: tuple[str | int, ...],
    message: str,
    at_key: bool = False,
) -> Problem:
    mark = document.mark_for(path, key=at_key)
    return Problem(display, message, mark.line, mark.col)


def _as_text(document: Document) -> Any:
    data = document.data
    if not isinstance(data, dict):
        return data
    raw = document.raw_scalars
    data = dict(data)
    if (
        not isinstance(data.get("python"), str)
        and ("python",) in raw
        and data["python"] is not None
    ):
        data["python"] = raw[("python",)]
    for section in _TEXT_MAPPINGS:
        values = data.get(section)
        if isinstance(values, dict):
            data[section] = {
                k: raw[(section, k)]
                if _is_plain_scalar(v) and (section, k) in raw
                else v
                for k, v in values.items()
            }
    return data


def _is_plain_scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float, date)) and not isinstance(value, str)
