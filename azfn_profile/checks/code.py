"""AZFN4xx: the app's Python code, read without running it.

Findings sit on the line of the call that causes them; a call reached through the
app's own helpers names the function it was reached from and the helpers in between.
Only calls the reader recognises are judged (docs/code.md lists them).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from azfn_profile import cite
from azfn_profile.checks._base import Failure, NotApplicable, Target, check
from azfn_profile.terms import DURABLE_COORDINATORS

if TYPE_CHECKING:  # the code model loads only when an app's code is read
    from azfn_profile.code.model import AppCode, Evidence, FunctionInfo

CODE_PATH = "code"


def code_path(file: str, line: int, col: int, function: str) -> str:
    """The Failure path of a place in the code (sources turn it into a Location)."""
    return f"{CODE_PATH}:{line}:{col}:{function}:{file}"


def parse_code_path(path: str) -> tuple[str, int, int, str] | None:
    """(file, line, col, function) of a code path, or None for other paths."""
    if not path.startswith(CODE_PATH + ":"):
        return None
    _, line, col, function, file = path.split(":", 4)
    return file, int(line), int(col), function


def _code(t: Target) -> AppCode:
    if t.code is None:  # pragma: no cover - checking skips code checks without code
        raise NotApplicable("no app code")
    return t.code


def _at(e: Evidence, f: FunctionInfo) -> str:
    return code_path(e.file, e.line, e.col, f.name)


@check(
    "AZFN401",
    "code.blocking-call-in-async",
    "error",
    "An async function must not make a blocking call",
    why="`async def` functions run on the worker's single event loop. A blocking call "
    "in one (its own, or a helper's it calls) stops every other invocation of that "
    "process until it returns: the process serves one invocation at a time, whatever "
    "the thread count. Await an async client, or run the call in a thread with "
    "`await asyncio.to_thread(...)`.",
    source=f"{cite.GUIDE}; {cite.PYTHON_WORKER_DISPATCHER}",
    code=True,
)
def blocking_in_async(t: Target, today: date) -> Iterator[Failure]:
    for f in _code(t).judged:
        if not f.is_async:
            continue
        for e in f.of("blocking"):
            yield Failure(
                f"{f.label} is async def but calls {e.call} ({e.what}), which blocks "
                f"the event loop{e.chain()}; use {e.alternative}",
                _at(e, f),
            )


@check(
    "AZFN406",
    "code.orchestrator-replay",
    "error",
    "A Durable orchestrator must be deterministic and leave I/O to activities",
    why="Durable Functions replays an orchestrator from its history every time it "
    "resumes, and the replay must take the same path: a call that returns another "
    "value each time (the clock, random numbers, new UUIDs, environment variables) "
    "sends a replay down another path, and I/O in the orchestrator runs again on "
    "every replay and blocks the worker while it does. Use "
    "context.current_utc_datetime and context.new_uuid(), and do the I/O in an "
    "activity (context.call_activity).",
    source=cite.DURABLE_CODE_CONSTRAINTS,
    code=True,
)
def orchestrator_replay(t: Target, today: date) -> Iterator[Failure]:
    for f in _code(t).judged:
        if f.role != "orchestration":
            continue
        for e in f.of("nondeterministic", "blocking", "file", "async_io"):
            if e.kind == "nondeterministic":
                why = f"returns another value on each replay; use {e.alternative}"
            else:
                what = f" ({e.what})" if e.what else ""
                why = (
                    f"does I/O{what} again on every replay; call an activity for it "
                    "(context.call_activity)"
                )
            yield Failure(
                f"{f.label} is a Durable orchestrator, and {e.call}{e.chain()} {why}",
                _at(e, f),
            )


@check(
    "AZFN402",
    "code.cpu-in-async",
    "warning",
    "An async function should not do CPU-heavy work",
    why="CPU work in an `async def` holds the event loop: other invocations of the "
    "process wait for it. Run it in a sync function (the thread pool and more worker "
    "processes), or `await asyncio.to_thread(...)` for libraries that release the GIL.",
    source=cite.GUIDE,
    code=True,
)
def cpu_in_async(t: Target, today: date) -> Iterator[Failure]:
    for f in _code(t).judged:
        if not f.is_async:
            continue
        lines: set[tuple[str, int]] = set()
        for e in f.of("cpu"):
            if (e.file, e.line) in lines:
                continue  # np.linalg.norm(np.ones(n)): one finding for the line
            lines.add((e.file, e.line))
            yield Failure(
                f"{f.label} is async def but does CPU work ({e.call}){e.chain()}, "
                "which holds the event loop",
                _at(e, f),
            )


@check(
    "AZFN403",
    "code.async-never-awaits",
    "info",
    "An async function that never awaits gains nothing from being async",
    why="An `async def` runs on the event loop and only lets other invocations run "
    "when it awaits. One that never awaits runs start to finish on the loop, one at "
    "a time per process, where a plain `def` would run in the thread pool.",
    source=cite.GUIDE,
    code=True,
)
def never_awaits(t: Target, today: date) -> Iterator[Failure]:
    for f in _code(t).judged:
        if f.is_async and not f.awaits and not f.server:
            yield Failure(
                f"{f.label} is async def but never awaits: it runs on the event loop "
                "one invocation at a time; make it a def",
                code_path(f.file, f.line, f.col, f.name),
            )


@check(
    "AZFN404",
    "code.event-loop-in-function",
    "error",
    "A function must not start its own event loop",
    why="The Python worker already runs an event loop. `asyncio.run` or "
    "`loop.run_until_complete` inside a function fails in an async function and, in "
    "a sync one, starts a loop per invocation on a pool thread. Make the function "
    "`async def` and await the coroutine.",
    source=f"{cite.GUIDE}; {cite.PYTHON_WORKER_DISPATCHER}",
    code=True,
)
def loop_in_function(t: Target, today: date) -> Iterator[Failure]:
    for f in _code(t).judged:
        for e in f.of("loop_runner"):
            yield Failure(
                f"{f.label} runs an event loop of its own ({e.call}){e.chain()}; make "
                "it async def and await the coroutine",
                _at(e, f),
            )


@check(
    "AZFN405",
    "code.profile-contradicts-code",
    "warning",
    "The profile's workload should match what the app's code does",
    why="The rules size workers from the profile's kind and style; when the code the "
    "profile names (app: <folder>) does something else, the settings serve the "
    "wrong workload. Both sides are shown; fix whichever is wrong.",
    source=cite.GUIDE,
    code=True,
    python_only=True,
)
def profile_contradicts_code(t: Target, today: date) -> Iterator[Failure]:
    code = _code(t)
    workload = t.spec.workload
    if workload is None or t.code_only:
        raise NotApplicable("no profile names this code")
    # Orchestrators and entities coordinate; the work is in the other functions.
    functions = [f for f in code.functions if f.trigger not in DURABLE_COORDINATORS]
    if not functions:
        return
    asynchronous = [f for f in functions if f.is_async]
    declared = f"the profile declares {workload.kind}/{workload.style}"
    if workload.style == "async" and not asynchronous:
        yield Failure(
            f"{declared}, but no function is async def ("
            + ", ".join(f"{f.name} at {f.file}:{f.line}" for f in functions[:3])
            + ")",
            "workload.style",
        )
    elif workload.style == "sync" and len(asynchronous) == len(functions):
        yield Failure(
            f"{declared}, but every function is async def ("
            + ", ".join(f"{f.name} at {f.file}:{f.line}" for f in functions[:3])
            + ")",
            "workload.style",
        )
    kinds = {f.classification for f in functions} - {"unknown"}
    if workload.kind == "io" and kinds == {"cpu"}:
        e = [e for f in functions for e in f.of("cpu")]
        yield Failure(
            f"{declared}, but the code only computes: {e[0].call} at {e[0].where()}",
            "workload.kind",
        )
    elif workload.kind == "cpu" and kinds == {"io"}:
        e = [e for f in functions for e in f.of("blocking", "async_io", "file")]
        yield Failure(
            f"{declared}, but the code only waits on I/O: {e[0].call} at "
            f"{e[0].where()}",
            "workload.kind",
        )


@check(
    "AZFN407",
    "code.route-threads-below-concurrency",
    "warning",
    "A framework's def routes cannot run more at once than its thread limiter",
    why="AsgiFunctionApp hands every request to the framework on the worker's event "
    "loop; FastAPI and Starlette run a def route on anyio's worker threads, 40 at "
    "once per process by default, not on the worker's thread pool. When every route "
    "is a def, a declared concurrency above 40 per process is never reached: the "
    "rest wait for a thread while the instance looks idle. Make the routes async "
    "def (with async clients), declare 40, or raise anyio's limiter at startup.",
    source=f"{cite.ASGI_FUNCTION_APP}; {cite.STARLETTE_THREADPOOL}; "
    f"{cite.ANYIO_THREADS}; {cite.FASTAPI_DEF_ROUTES}",
    code=True,
    python_only=True,
)
def route_threads(t: Target, today: date) -> Iterator[Failure]:
    from azfn_profile import facts

    workload = t.spec.workload
    if workload is None or t.code_only or workload.style != "async":
        raise NotApplicable("no profile declares async concurrency for this code")
    limit = facts.ANYIO_DEFAULT_THREADS
    for f in _code(t).functions:
        if not f.on_anyio_threads:
            continue
        declared = workload.concurrency
        if declared is not None and declared > limit:
            shown = ", ".join(r.label for r in f.routes[:3])
            more = f" and {len(f.routes) - 3} more" if len(f.routes) > 3 else ""
            yield Failure(
                f"the profile declares {declared} invocations at once per process, "
                f"but all {len(f.routes)} route(s) {f.name} serves are def "
                f"({shown}{more}): {f.framework} runs them on anyio's {limit} "
                "worker threads",
                "workload.concurrency",
            )


CHECKS = (
    blocking_in_async,
    cpu_in_async,
    never_awaits,
    loop_in_function,
    profile_contradicts_code,
    orchestrator_replay,
    route_threads,
)
