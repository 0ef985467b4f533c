"""`init`: read the app, draft the profile, validate it as written, maybe measure."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from azfn_profile.code.analyze import AppNotFound, read_app
from azfn_profile.errors import InputError
from azfn_profile.init.draft import DraftError, Options, draft, relative_app_path


def run_init(
    app: Path,
    output: Path | None,
    *,
    sku: str | None,
    concurrency: int | None,
    function: str | None,
    name: str | None,
    python: str | None,
    measure: bool,
    today: date,
    say: Callable[[str], None],
) -> tuple[str, str]:
    """The draft's text, and a note for the `wrote` line."""
    try:
        code = read_app(app, str(app))
    except AppNotFound as exc:
        raise DraftError(str(exc)) from None
    if code.problems and not code.functions:
        raise InputError(code.problems)
    for problem in code.problems:
        where = f"{problem.file}:{problem.line}" if problem.line else problem.file
        say(f"init: {where}: {problem.message} (the rest was read)")
    version, interpreter = _python(python)
    options = Options(
        sku=sku,
        concurrency=concurrency,
        function=function,
        name=name,
        python=version,
        app_path=relative_app_path(app, output),
        to_stdout=output is None,
    )
    measured = None
    if measure:
        from azfn_profile.init.measure import measure_app

        chosen = function or _measurable(code)
        measured = measure_app(app, chosen, say, python=interpreter)
    result = draft(code, options, today, measured)
    _validate(result.text, output, today)
    note = f" (measured for {measured.seconds:.0f} s)" if measured else ""
    return result.text, note


def _python(value: str | None) -> tuple[str | None, Path | None]:
    """`--python`: a version ("3.12"), or the app's interpreter, whose version the
    draft takes and which `--measure` runs the app with."""
    if value is None or re.fullmatch(r"\d+(\.\d+)+", value):
        return value, None
    from azfn_profile.lab.interpreter import version_of

    interpreter = Path(value)
    major, minor = version_of(interpreter)
    return f"{major}.{minor}", interpreter


def _measurable(code: object) -> str:
    from azfn_profile.code.model import AppCode

    assert isinstance(code, AppCode)
    http = [f.name for f in code.functions if f.trigger in ("http", "queue")]
    if not http:
        raise DraftError("--measure drives HTTP and queue functions; this app has none")
    return http[0]


def _validate(text: str, output: Path | None, today: date) -> None:
    """The draft must load as a profile, as written, from where it will be (its
    `app:` path is relative to that folder). Nothing is written to check it."""
    from azfn_profile.loader import load_profile
    from azfn_profile.yamlload import parse

    shown = "the draft"
    where = output if output is not None else Path.cwd() / "profile.yaml"
    load_profile(where, today=today, display=shown, document=parse(text, shown))
