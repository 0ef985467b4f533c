"""Work on nested input runs on a stack sized for the readers' own depth bounds.

The readers bound nesting in their own units (expression levels, variable chains,
module calls, JSON depth); each unit costs several Python frames, so on the default
stack (1,000 frames) input nested well below those bounds would exhaust Python's
first. `run` gives the work a thread with a stack of `STACK_BYTES` and a recursion
limit of `FRAMES`, which holds every bound times the frames a level costs with room
to spare: the readers' bounds are reached first and reported where they are. What
still exhausts it is caught per file by the caller (`sources.pairing`) and reported
as that file's finding, never an internal error.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024  # virtual: only the pages used are ever touched
FRAMES = 60_000
_lock = threading.Lock()  # the recursion limit is the interpreter's, not the thread's


def run(work: Callable[[], T]) -> T:
    """`work()` on a deep stack; its result, or its exception re-raised here."""
    if getattr(_local, "deep", False):
        return work()  # already on one
    outcome: list[T] = []
    failure: list[BaseException] = []

    def body() -> None:
        _local.deep = True
        try:
            outcome.append(work())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            failure.append(exc)

    with _lock:
        previous_limit = sys.getrecursionlimit()
        try:
            worker = _started(body, previous_limit)
            if worker is None:  # no thread of any size: the work runs here
                sys.setrecursionlimit(previous_limit)
                return work()
            worker.join()
        finally:
            sys.setrecursionlimit(previous_limit)
    if failure:
        raise failure[0]
    return outcome[0]


def _started(body: Callable[[], None], limit: int) -> threading.Thread | None:
    """A started thread with the largest stack the machine grants, the recursion
    limit raised in proportion to it before it starts."""
    previous = threading.stack_size()
    try:
        for share in (1, 4, 16):
            try:
                threading.stack_size(STACK_BYTES // share)
                worker = threading.Thread(
                    target=body, name="azfn-profile-deep", daemon=True
                )
                sys.setrecursionlimit(max(limit, FRAMES // share))
                worker.start()
            except (ValueError, RuntimeError, MemoryError):
                continue
            return worker
        return None
    finally:
        threading.stack_size(previous)


_local = threading.local()
