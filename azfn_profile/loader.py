"""Read a profile file into a validated `Profile`, with located errors.

Three steps, each refusing with located problems: the schema and what resolution
needs (`validation`), then the platform rules: the profile is resolved and the
rulebook's checks marked `refuses_profile` run over it, so a bad value is refused
under the same ID and message `check` gives it in a template.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azfn_profile.errors import InputError, Problem
from azfn_profile.files import boundaries, inside
from azfn_profile.profile import Profile
from azfn_profile.spec import AppSpec, Field
from azfn_profile.validation import ProfileInvalid, validate
from azfn_profile.yamlload import Document, KeyPath, parse, read_text

if TYPE_CHECKING:  # read only for profiles that name their code (`app:`)
    from azfn_profile.code.model import AppCode

# Values that are text to Azure whatever YAML makes of them: an unquoted
# `python: 3.10` must not become the number 3.1, nor `FLAG: on` the boolean True.
_TEXT_MAPPINGS = ("app_settings", "tags")


# Where a computed value comes from in the profile, for locating findings about it.
_ORIGIN: dict[str, KeyPath] = {
    Field.PYTHON: ("python",),
    Field.PLAN: ("plan", "sku"),
    Field.SITE: ("plan", "sku"),
    Field.WORKLOAD: ("workload",),
    Field.HOST_JSON: ("triggers",),
    Field.FUNCTION_APP_CONFIG: ("plan",),
    "storage": ("plan",),
}


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    document: Document
    display: str
    # The app's code, which `app:` names (read, never imported).
    code: AppCode | None = None

    def key_for(self, dotted: str) -> KeyPath:
        """The profile key a value of the resolved AppSpec comes from (a `Field`
        path such as "app_settings.NAME" or "plan.sku")."""
        head, _, rest = dotted.partition(".")
        settings = self.profile.app_settings
        if head == Field.APP_SETTINGS and rest in settings:
            return (Field.APP_SETTINGS, rest)
        if head == Field.APP_SETTINGS:
            return ("workload",)  # a computed setting: the workload decided it
        if dotted in (
            Field.PLAN_INSTANCE_MEMORY,
            Field.PLAN_MAX_INSTANCES,
            Field.PLAN_ALWAYS_READY,
        ):
            return ("plan", rest)
        if head == Field.DOWNSTREAM and rest.isdigit():
            return (Field.DOWNSTREAM, int(rest))
        if head == Field.WORKLOAD and rest in self.profile.workload.model_fields_set:
            return ("workload", rest)
        return _ORIGIN.get(head, ())

    def problem(self, dotted: str, message: str, check_id: str) -> Problem:
        """A refusal, at the value the rule judged."""
        mark = self.document.mark_for(self.key_for(dotted))
        return Problem(self.display, message, mark.line, mark.col, check_id)


def load_profile(
    path: Path,
    *,
    today: date,
    display: str | None = None,
    judge: bool = True,
    document: Document | None = None,
) -> LoadedProfile:
    """Load and validate one profile file; raise InputError on any problem.

    With `judge` (the default), a profile that breaks a platform rule is refused
    too; `check` loads without it and reports those rules like any other finding.
    `document` is the file already parsed (a scan classifies files by parsing them).
    """
    shown = display if display is not None else str(path)
    if document is None:
        document = parse(read_text(path, shown), shown)
    if document.data is None:
        raise InputError(
            [
                Problem(
                    shown,
                    "empty profile: expected a mapping with name, "
                    "python, workload and plan",
                    1,
                    1,
                    "AZFN001",
                )
            ]
        )
    data = _as_text(document)
    try:
        profile = validate(data, today)
    except ProfileInvalid as exc:
        raise InputError(
            [
                locate(
                    document,
                    shown,
                    i.path,
                    i.message,
                    i.at_key,
                    i.check_id or "AZFN001",
                )
                for i in exc.issues
            ]
        ) from None
    loaded = LoadedProfile(
        profile, document, shown, _app_code(profile, path, shown, document)
    )
    if judge:
        refused = refusals(loaded, today)
        if refused:
            raise InputError(refused)
    return loaded


def resolved(loaded: LoadedProfile) -> AppSpec:
    from azfn_profile.rules import resolve

    return resolve(loaded.profile, loaded.code)


def refusals(loaded: LoadedProfile, today: date) -> list[Problem]:
    """The rulebook's verdict on a valid profile: each failure, at error severity, of
    a check marked `refuses_profile` that the profile does not suppress."""
    from azfn_profile.checking import refusing_failures
    from azfn_profile.checks import Target

    suppressed = loaded.profile.suppressed(today)
    target = Target(resolved(loaded), code=loaded.code)
    return [
        loaded.problem(failure.path, failure.message, check.id)
        for check, failure in refusing_failures(target, today)
        if check.id not in suppressed
    ]


def _app_code(
    profile: Profile, path: Path, shown: str, document: Document
) -> AppCode | None:
    """The code of the app `app:` names: a folder holding function_app.py, or a .py
    file, relative to the profile's folder."""
    value = profile.app
    if value is None:
        return None
    candidate = path.parent / value
    if not path.parent.exists():  # a draft validated where it will be written
        candidate = Path(os.path.normpath(candidate))
    roots = boundaries(path)
    if roots and candidate.exists() and not any(inside(candidate, r) for r in roots):
        raise InputError(
            [
                locate(
                    document,
                    shown,
                    ("app",),
                    f"app: {value} is outside {roots[0]}: a profile in a repository "
                    "reads code only inside it",
                )
            ]
        )
    is_app = (candidate.is_dir() and (candidate / "function_app.py").is_file()) or (
        candidate.suffix == ".py" and candidate.is_file()
    )
    if not is_app:
        looks_like_path = "/" in value or "\\" in value or value.endswith(".py")
        message = (
            f"app: {value} is not an app folder (no function_app.py there) or a .py "
            "file"
            if looks_like_path or candidate.exists()
            else _moved_to_site(value)
        )
        raise InputError([locate(document, shown, ("app",), message)])
    from azfn_profile.code.analyze import read_app

    display = os.path.normpath(Path(shown).parent / value)
    return read_app(candidate, display)


def _moved_to_site(value: str) -> str:
    """The refusal of a profile that names its infrastructure site with `app:` (the
    key's meaning before `site:`)."""
    return (
        f"app: {value} is not a folder or file beside this profile: `app:` names the "
        "app's code now (a folder holding function_app.py, or a .py file, relative "
        "to this file's folder); to describe the function app in infrastructure "
        f"code, write `site: {_yaml_scalar(value)}`"
    )


def _yaml_scalar(value: str) -> str:
    """`value` as YAML reads it back: plain when it can be, else double-quoted."""
    plain = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", value) is not None
    return value if plain else json.dumps(value)


def locate(
    document: Document,
    display: str,
    path: KeyPath,
    message: str,
    at_key: bool = False,
    check_id: str = "AZFN001",
) -> Problem:
    mark = document.mark_for(path, key=at_key)
    return Problem(display, message, mark.line, mark.col, check_id)


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
