"""What the code reader finds in a function app: its functions and the evidence of
what each one does, with the place in the code every piece of evidence comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from azfn_profile.code.pins import Pin
from azfn_profile.errors import Problem  # a file of the app that could not be read

EvidenceKind = Literal[
    "blocking", "file", "async_io", "cpu", "loop_runner", "nondeterministic"
]


@dataclass(frozen=True)
class Evidence:
    kind: EvidenceKind
    call: str  # "requests.get", "a pure-Python loop", "await session.get"
    file: str  # the module's path as shown to the user
    line: int
    col: int
    via: tuple[str, ...] = ()  # helpers that reached it: ("helpers.py:12 fetch_all",)
    what: str = ""  # "HTTP request", "database", ...
    alternative: str = ""  # the async way to do it

    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def chain(self) -> str:
        """' (through helpers.py:12 fetch_all)' when reached through helpers."""
        return f" (through {' > '.join(self.via)})" if self.via else ""


@dataclass(frozen=True)
class Unread:
    """What the reader saw but could not follow (a web app made at run time)."""

    file: str
    line: int | None
    what: str  # "the routes http_app_func serves"
    reason: str


@dataclass(frozen=True)
class CodeSuppression:
    """`# azfn: ignore[AZFN401] reason` on a line (or a function's `def` line)."""

    ids: tuple[str, ...]
    reason: str
    expires: date | None
    file: str
    line: int
    # The lines it covers: the innermost statement holding the comment (a call
    # formatted over several lines; a whole function for its `def` line).
    first: int = 0
    last: int = 0


@dataclass(frozen=True)
class FunctionInfo:
    name: str  # the function's name in Azure (function_name(...) or the def)
    trigger: str  # http, queue, ..., durable, or "" when no trigger decorator
    is_async: bool
    file: str
    line: int  # the `def` line
    col: int
    awaits: bool  # its own body awaits (await, async for, async with)
    evidence: tuple[Evidence, ...] = ()
    # Durable Functions: orchestration, activity or entity ("" for other functions).
    role: str = ""
    # A web framework's route: "GET /items/{item_id}" ("" for other functions).
    route: str = ""
    # The framework behind a route, or behind the one HTTP function that serves
    # them all (fastapi, starlette, quart, flask, django).
    framework: str = ""
    # That HTTP function: "asgi" or "wsgi", and the framework's routes it serves.
    server: str = ""
    routes: tuple[FunctionInfo, ...] = ()

    @property
    def label(self) -> str:
        """The name as findings show it: `items (GET /items)` for a route."""
        return f"{self.name} ({self.route})" if self.route else self.name

    def of(self, *kinds: EvidenceKind) -> list[Evidence]:
        return [e for e in self.evidence if e.kind in kinds]

    @property
    def classification(self) -> str:
        """cpu, io, mixed, or unknown, from the evidence."""
        cpu = bool(self.of("cpu"))
        io = bool(self.of("blocking", "file", "async_io"))
        if cpu and io:
            return "mixed"
        return "cpu" if cpu else "io" if io else "unknown"

    @property
    def blocks_event_loop(self) -> bool:
        """An async function that makes a blocking call (its own or a helper's); for
        the function serving a framework, an async route that does."""
        if self.routes:
            return self.is_async and any(r.blocks_event_loop for r in self.routes)
        return self.is_async and bool(self.of("blocking"))

    @property
    def sync_routes(self) -> tuple[FunctionInfo, ...]:
        return tuple(r for r in self.routes if not r.is_async)

    @property
    def on_anyio_threads(self) -> bool:
        """Every route it serves is a def that FastAPI or Starlette runs on anyio's
        worker threads (facts.ANYIO_DEFAULT_THREADS at once per process)."""
        return (
            self.server == "asgi"
            and self.framework in ("fastapi", "starlette")
            and bool(self.routes)
            and len(self.sync_routes) == len(self.routes)
        )


@dataclass(frozen=True)
class AppCode:
    root: str  # the app folder as shown to the user
    entry: str  # function_app.py as shown
    functions: tuple[FunctionInfo, ...]
    suppressions: tuple[CodeSuppression, ...] = ()
    problems: tuple[Problem, ...] = ()
    files: tuple[str, ...] = ()  # modules read
    # The app's requirement on azure-functions-runtime (Python 3.13+), if any.
    runtime_pin: Pin | None = None
    # What the reader saw but could not follow (a web app made at run time), to be
    # listed as not inspected.
    unread: tuple[Unread, ...] = ()
    lines: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def function(self, name: str) -> FunctionInfo | None:
        return next((f for f in self.functions if f.name == name), None)

    @property
    def blocking_async(self) -> tuple[FunctionInfo, ...]:
        return tuple(f for f in self.functions if f.blocks_event_loop)

    @property
    def judged(self) -> tuple[FunctionInfo, ...]:
        """The code the checks judge: each function, or the framework routes of one
        that serves a framework (its own body only hands the request over)."""
        return tuple(r for f in self.functions for r in (f.routes or (f,)))
