"""The workload an app's code shows: kind (cpu, io, mixed) from the calls its
functions make, style (sync, async) from their defs, each with its evidence. `init`
drafts it; `check` judges it for infrastructure that deploys the code when no
profile declares one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

from azfn_profile.code.model import Evidence, FunctionInfo
from azfn_profile.terms import DURABLE_COORDINATORS, Trigger

# The triggers whose functions a profile sizes: every one of its vocabulary.
SIZED = frozenset(get_args(Trigger))


@dataclass(frozen=True)
class Workload:
    """The workload the code shows, with the evidence for each part."""

    kind: str
    kind_note: str
    style: str
    style_note: str
    sized: tuple[FunctionInfo, ...]  # the functions that do the work

    def shown(self) -> str:
        """`cpu/sync (summarise: hashlib.sha256 at app/function_app.py:41 (CPU))`."""
        return f"{self.kind}/{self.style} ({self.kind_note})"


def read_workload(functions: Sequence[FunctionInfo]) -> Workload:
    """The workload the functions show (at least one): kind from what they (or the
    routes of a framework one serves) call, style from their defs. Durable
    orchestrators and entities coordinate, so the others decide."""
    if not functions:
        raise ValueError("no functions to read a workload from")
    sized = [
        f
        for f in functions
        if f.trigger in SIZED and f.trigger not in DURABLE_COORDINATORS
    ]
    # A function serving a web framework is judged by its routes' code.
    units = [r for f in sized or functions for r in (f.routes or (f,))]
    kind, kind_note = _kind(units)
    style, style_note = _style(sized or functions)
    return Workload(kind, kind_note, style, style_note, tuple(sized))


def _kind(functions: Sequence[FunctionInfo]) -> tuple[str, str]:
    known = [f for f in functions if f.classification != "unknown"]
    kinds = {f.classification for f in known}
    if not known:
        return "io", "no recognised CPU or I/O calls: io assumed"
    if kinds == {"cpu"}:
        return "cpu", _evidence(known[0], "cpu")
    if kinds == {"io"}:
        return "io", _evidence(known[0], "blocking", "async_io", "file")
    cpu = next(f for f in known if f.classification in ("cpu", "mixed"))
    io = next(f for f in known if f.classification in ("io", "mixed"))
    note = f"{_evidence(cpu, 'cpu')}; {_evidence(io, 'blocking', 'async_io', 'file')}"
    return "mixed", note


def _evidence(f: FunctionInfo, *kinds: str) -> str:
    found: list[Evidence] = f.of(*kinds)  # type: ignore[arg-type]
    if not found:
        return f"{f.label}: {f.classification}"
    e = found[0]
    label = {
        "cpu": "CPU",
        "blocking": "blocking I/O",
        "async_io": "awaited I/O",
        "file": "file I/O",
    }[e.kind]
    return f"{f.label}: {e.call} at {e.where()} ({label})"


def _style(functions: Sequence[FunctionInfo]) -> tuple[str, str]:
    asynchronous = [f for f in functions if f.is_async]
    if functions and len(asynchronous) == len(functions):
        f = asynchronous[0]
        return "async", f"{f.name} is async def ({f.file}:{f.line})"
    synchronous = [f for f in functions if not f.is_async]
    f = synchronous[0]
    if asynchronous:
        return "sync", (
            f"{f.name} is a def ({f.file}:{f.line}); {len(asynchronous)} async "
            "function(s) run on the event loop beside it"
        )
    return "sync", f"{f.name} is a def ({f.file}:{f.line})"
