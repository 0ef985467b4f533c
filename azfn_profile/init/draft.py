"""`azfn-profile init`: a profile drafted from what an app's code does.

Every decided value carries a YAML comment naming its evidence (the function, the
call, the file and line). Values the code cannot show (the SKU, the concurrency) come
from the command line or stay as commented placeholders. The draft names the app's
folder (`app:`, relative to the folder the draft is written to, or to the current
folder when it goes to standard output, which the draft then says), so the rules and
`check` keep reading the code it came from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from azfn_profile.code.model import AppCode, FunctionInfo
from azfn_profile.code.workload import SIZED, read_workload
from azfn_profile.errors import AzfnProfileError
from azfn_profile.sink import escape_controls
from azfn_profile.terms import FUNCTION_NAME_PATTERN

_COMMENT_AT = 28  # the column comments start at, as in the examples


class DraftError(AzfnProfileError):
    """The app gives nothing to draft from, or the options contradict it."""


@dataclass(frozen=True)
class Options:
    sku: str | None = None
    concurrency: int | None = None
    function: str | None = None
    name: str | None = None
    python: str | None = None
    app_path: str = "."  # how the draft names the app folder (relative to the draft)
    # The draft goes to standard output: `app_path` is relative to the current folder,
    # since the folder it will be saved in is unknown, and the draft says so.
    to_stdout: bool = False


@dataclass(frozen=True)
class Measured:
    """What `init --measure` measured: memory per process and the I/O share."""

    memory_mb: int
    io_share: float
    seconds: float
    invocations: int
    function: str


@dataclass(frozen=True)
class Draft:
    data: dict[str, Any]  # the profile, for validation
    text: str  # the same profile as commented YAML


def draft(
    code: AppCode, options: Options, today: date, measured: Measured | None = None
) -> Draft:
    functions = _chosen(code, options.function)
    w = read_workload(functions)
    kind, kind_note, style, style_note = w.kind, w.kind_note, w.style, w.style_note
    sized = list(w.sized)
    lines = [
        f"# Drafted by azfn-profile init from {code.root} (read, not run). Check each",
        "# value: the comment beside it gives the evidence.",
    ]
    for unread in code.unread:
        where = f"{unread.file}:{unread.line}" if unread.line else unread.file
        lines += _wrap(f"Not read: {unread.what}: {unread.reason} ({where}).")
    lines += _mix_note([r for f in sized for r in (f.routes or (f,))])
    lines += _server_notes(sized)
    data: dict[str, Any] = {"name": options.name or site_name(code.root)}
    lines.append(_line(f"name: {data['name']}", "the site name; change it to yours"))
    data["python"], python_note = _python_of(options, code, today)
    lines.append(_line(f'python: "{data["python"]}"', python_note))
    data["app"] = options.app_path
    if options.to_stdout:
        lines += _wrap(
            "The app path below is relative to the folder this file is saved in; "
            "it is written for the current directory (init -o FILE writes it for "
            "FILE's folder)."
        )
    lines.append(
        _line(
            f"app: {_yaml_str(options.app_path)}",
            "the app's code, relative to this file's folder",
        )
    )
    blocked = [r for f in functions for r in (f.routes or (f,)) if r.blocks_event_loop]
    if blocked:
        f = blocked[0]
        e = f.of("blocking")[0]
        lines += _wrap(
            f"{f.label} is async def but calls {e.call} at {e.where()}: it blocks "
            "the event loop (AZFN401). Fix the code; until then the rules size it "
            "as blocking work."
        )
    workload: dict[str, Any] = {"kind": kind, "style": style}
    lines.append("workload:")
    lines.append(_line(f"  kind: {kind}", kind_note))
    lines.append(_line(f"  style: {style}", style_note))
    if kind == "mixed":
        share = measured.io_share if measured else 0.5
        workload["io_share"] = share
        note = (
            f"measured: {measured.function}, {measured.invocations} invocations"
            if measured
            else "an estimate: measure it (init --measure, or tune)"
        )
        lines.append(_line(f"  io_share: {share:g}", note))
    threads = _route_threads(sized)
    if options.concurrency is not None:
        workload["concurrency"] = options.concurrency
        lines.append(
            _line(f"  concurrency: {options.concurrency}", "from --concurrency")
        )
    elif style == "async" and threads is not None:
        workload["concurrency"] = threads[0]
        lines.append(_line(f"  concurrency: {threads[0]}", threads[1]))
    elif kind != "cpu":
        lines.append(
            _line("  # concurrency: 64", "the peak in-flight invocations per instance")
        )
    if measured is not None:
        workload["memory_per_process_mb"] = measured.memory_mb
        lines.append(
            _line(
                f"  memory_per_process_mb: {measured.memory_mb}",
                f"measured peak RSS of one worker ({measured.seconds:.0f} s run)",
            )
        )
    data["workload"] = workload
    lines += _plan(options, data)
    lines += _functions(functions, data)
    return Draft(data, "\n".join(lines) + "\n")


def _chosen(code: AppCode, name: str | None) -> list[FunctionInfo]:
    functions = list(code.functions)
    if not functions:
        raise DraftError(
            f"{code.entry}: no functions registered on a FunctionApp or a registered "
            "Blueprint (the Python v2 programming model)"
        )
    if name is None:
        return functions
    chosen = [f for f in functions if f.name == name]
    if not chosen:
        available = ", ".join(f.name for f in functions)
        raise DraftError(
            f"{code.entry}: no function named {name!r}; available: {available}"
        )
    return chosen


def _server_notes(functions: Sequence[FunctionInfo]) -> list[str]:
    """How the worker runs a web framework's routes (cite.ASGI_FUNCTION_APP)."""
    lines: list[str] = []
    for f in functions:
        if not f.server:
            continue
        framework = f.framework or "the framework"
        if f.server == "wsgi":
            lines += _wrap(
                f"{f.name} serves {framework} through WSGI: a def the worker runs on "
                f"its thread pool, one request per thread; {len(f.routes)} route(s) "
                "read."
            )
            continue
        asynchronous = [r for r in f.routes if r.is_async]
        text = (
            f"{f.name} serves {framework} through ASGI on the worker's event loop: "
            f"{len(asynchronous)} async route(s) run on the loop"
        )
        if f.sync_routes:
            runner = _SYNC_RUNNERS.get(f.framework, "threads of the framework's own")
            text += f", {len(f.sync_routes)} def route(s) on {runner}"
        lines += _wrap(text + ".")
    return lines


# Where each framework runs a `def` route under ASGI (cite.STARLETTE_THREADPOOL,
# cite.ANYIO_THREADS, cite.QUART_SYNC, cite.DJANGO_ASYNC).
_SYNC_RUNNERS = {
    "fastapi": "anyio's worker threads (40 at once per process)",
    "starlette": "anyio's worker threads (40 at once per process)",
    "quart": "the event loop's default executor (min(32, cores + 4) threads)",
    "django": "asgiref's threads (sync_to_async)",
}


def _route_threads(functions: Sequence[FunctionInfo]) -> tuple[int, str] | None:
    """Per-process concurrency when every route of an ASGI app is a def that
    anyio runs: its limiter's 40 threads, whatever the thread pool says."""
    from azfn_profile import facts

    for f in functions:
        if f.on_anyio_threads:
            return facts.ANYIO_DEFAULT_THREADS, (
                f"{f.framework} runs every route of {f.name} (all def) on anyio's "
                f"{facts.ANYIO_DEFAULT_THREADS} worker threads per process"
            )
    return None


def _mix_note(functions: Sequence[FunctionInfo]) -> list[str]:
    kinds = {f.classification for f in functions} - {"unknown"}
    if len(kinds) >= 2:
        cpu = [f.label for f in functions if f.classification in ("cpu", "mixed")]
        io = [f.label for f in functions if f.classification == "io"]
        return _wrap(
            f"The functions disagree ({', '.join(cpu)} compute; {', '.join(io)} "
            f"wait on I/O): this profile serves the mix, its processes sized by "
            f"{cpu[0]}. Separate apps would size each better."
        )
    plain = [f for f in functions if not f.route]  # routes: see _server_notes
    asynchronous = [f.name for f in plain if f.is_async]
    synchronous = [f.name for f in plain if not f.is_async]
    if asynchronous and synchronous:
        return _wrap(
            f"Sync functions ({', '.join(synchronous)}) use the thread pool and async "
            f"ones ({', '.join(asynchronous)}) the event loop: this profile sizes the "
            "threads for the sync ones. Separate apps would size each better."
        )
    return []


def _plan(options: Options, data: dict[str, Any]) -> list[str]:
    if options.sku:
        data["plan"] = {"sku": options.sku}
        return ["plan:", _line(f"  sku: {options.sku}", "from --sku")]
    data["plan"] = {"sku": "auto", "family": "premium"}
    return [
        "plan:",
        _line("  sku: auto", "or a SKU (init --sku EP2); run azfn-profile skus"),
        _line("  family: premium", "with sku: auto, the family to pick from"),
    ]


def _functions(functions: Sequence[FunctionInfo], data: dict[str, Any]) -> list[str]:
    # A name read from code is data: one that is not a Functions name (the host
    # refuses it too) is never written as YAML, only shown in a comment.
    named = [f for f in functions if re.fullmatch(FUNCTION_NAME_PATTERN, f.name)]
    lines: list[str] = [
        f"# {_yaml_str(f.name)} ({_comment(f.file)}:{f.line}): not a function name "
        "the host accepts (letters, digits, '_' and '-'); not drafted"
        for f in functions
        if f not in named
    ]
    listed = [f for f in named if f.trigger in SIZED]
    if listed:
        data["functions"] = [{"name": f.name, "trigger": f.trigger} for f in listed]
        lines.append("functions:")
        lines.extend(
            _line(f"  - {{name: {f.name}, trigger: {f.trigger}}}", f"{f.file}:{f.line}")
            for f in listed
        )
    lines.extend(
        f"# {f.name} ({_comment(f.file)}:{f.line}): no trigger decorator recognised"
        for f in named
        if f.trigger not in SIZED
    )
    return lines


def _python_of(options: Any, code: AppCode, today: date) -> tuple[str, str]:
    """The Python version to draft, and why: --python, else 3.13+ when the app pins
    azure-functions-runtime (a library for Python 3.13 and newer only), else the
    newest every plan runs."""
    if options.python:
        return options.python, "from --python"
    from azfn_profile import catalog, facts

    pin = code.runtime_pin
    newest = catalog.supported_pythons(today)[-1]
    if pin is not None and facts.proxy_worker(newest):
        return newest, (
            f"{pin.file}:{pin.line} pins azure-functions-runtime, which runs on "
            "Python 3.13 and newer only"
        )
    return _python(today), "the newest every plan runs"


def _python(today: date) -> str:
    """The newest version every plan runs (Linux Consumption stops at 3.12)."""
    from azfn_profile import catalog

    versions = catalog.python_versions()
    everywhere = [
        v for v in catalog.supported_pythons(today) if versions[v].consumption
    ]
    return everywhere[-1] if everywhere else catalog.supported_pythons(today)[-1]


def site_name(root: str) -> str:
    """The app folder's name as an Azure site name (2-60 of a-z, 0-9, '-')."""
    base = Path(root).resolve().name if root in (".", "") else Path(root).name
    name = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:60].strip("-")
    return name if len(name) >= 2 else "function-app"


def relative_app_path(app: Path, draft_file: Path | None) -> str:
    """How the draft names the app folder: relative to the folder the draft is
    written to (`draft_file`), or to the current folder when it goes to standard
    output."""
    folder = app if app.is_dir() else app.parent
    start = draft_file.parent if draft_file is not None else Path.cwd()
    try:
        relative = os.path.relpath(folder.resolve(), start.resolve())
    except ValueError:  # another drive (Windows): no relative path exists
        relative = str(folder.resolve())
    relative = relative.replace(os.sep, "/")
    if not app.is_dir():
        relative = f"{relative}/{app.name}" if relative != "." else app.name
    return relative if relative.endswith(".py") else relative.rstrip("/") + "/"


def _line(text: str, comment: str) -> str:
    pad = max(1, _COMMENT_AT - len(text))
    return f"{text}{' ' * pad}# {_comment(comment)}"


def _comment(text: str) -> str:
    """Text from the app (a file name, a call) as it may sit in a YAML comment:
    one line, control characters shown escaped."""
    one_line = text.replace("\n", "\\n").replace("\u2028", "\\u2028")
    return escape_controls(one_line.replace("\u2029", "\\u2029"))


def _wrap(text: str) -> list[str]:
    import textwrap

    return [
        f"# {line}"
        for line in textwrap.wrap(_comment(text), 84, break_on_hyphens=False)
    ]


def _yaml_str(value: str) -> str:
    import json

    plain = re.fullmatch(r"[A-Za-z0-9_./-]+", value) and not value.startswith("-")
    return value if plain else json.dumps(value)
