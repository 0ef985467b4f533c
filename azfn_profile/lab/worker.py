"""One worker process: the Python worker's dispatch model, fed over a pipe.

A reader thread receives invocation ids and hands them to the event loop with
call_soon_threadsafe (the real worker's gRPC thread does the same); coroutine
functions are awaited on the loop, sync ones run in the ThreadPoolExecutor.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MB."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _describe(result: Any) -> str:
    get_body = getattr(result, "get_body", None)
    if callable(get_body):
        return bytes(get_body())[:200].decode("utf-8", "replace")
    return "" if result is None else str(result)[:200]


def boot() -> None:
    """`python -c ... boot FD ARGS`: a worker started as a plain subprocess.

    The dispatcher passes one end of a socket pair as FD and the run's arguments as
    JSON, so the worker can run in any interpreter (the app's own virtualenv) that
    can import this package's lab modules, which use the standard library only.
    """
    import base64
    import json
    import sys

    fd, raw = int(sys.argv[1]), json.loads(sys.argv[2])
    main(
        Connection(fd),
        raw["app"],
        raw["function"],
        raw["threads"],
        raw["cores"],
        base64.b64decode(raw["body"]),
        raw["env"],
    )


def main(
    conn: Connection,
    app: str,
    function: str,
    threads: int,
    cores: list[int] | None,
    body: bytes,
    env: dict[str, str],
) -> None:
    """Entry point of a spawned worker process."""
    # Ctrl-C reaches the whole process group: the dispatcher stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(env)
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cores)
    from azfn_profile.lab.app import LabError, find_function

    try:
        fn = find_function(Path(app), function)
    except LabError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", os.getpid(), time.process_time()))
    asyncio.run(_serve(conn, fn, threads, body))


async def _serve(conn: Connection, fn: Any, threads: int, body: bytes) -> None:
    from azfn_profile.lab.app import trigger_input

    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=threads)
    stopped = loop.create_future()
    send_lock = threading.Lock()

    def reply(message: tuple[Any, ...]) -> None:
        with send_lock, contextlib.suppress(OSError, ValueError):
            conn.send(message)

    tasks: set[asyncio.Task[None]] = set()

    async def run(invocation: int) -> None:
        # The call's own time: a sync call is timed on its pool thread (it waits for
        # a thread first, and for the loop to take its result after), an async one
        # on the loop.
        started = time.perf_counter()
        took: list[float] = []
        arg = {fn.arg_name: trigger_input(fn, body)}

        def call() -> Any:
            began = time.perf_counter()
            try:
                return fn.user_function(**arg)
            finally:
                took.append(time.perf_counter() - began)

        try:
            if fn.is_async:
                result = await fn.user_function(**arg)
            else:
                result = await loop.run_in_executor(pool, call)
        except Exception as error:  # noqa: BLE001 - the app's error is the result
            ok, detail = False, f"{type(error).__name__}: {error}"
        else:
            ok, detail = True, _describe(result)
        # Reported the moment the call returns, before the loop runs anything else: a
        # done-callback waits for the next turn of the loop, so an `async def` that
        # blocks the loop would report a whole turn's completions in one burst.
        elapsed = took[0] if took else time.perf_counter() - started
        reply(("done", invocation, ok, detail, elapsed))

    def invoke(invocation: int) -> None:
        task = loop.create_task(run(invocation))
        tasks.add(task)  # the loop keeps only weak references to its tasks
        task.add_done_callback(tasks.discard)

    def stop() -> None:
        if not stopped.done():
            stopped.set_result(None)

    def read() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                message = ("stop",)
            if message[0] == "stop":
                loop.call_soon_threadsafe(stop)
                return
            loop.call_soon_threadsafe(invoke, message[1])

    threading.Thread(target=read, daemon=True).start()
    await stopped
    pool.shutdown(wait=False, cancel_futures=True)
    reply(("stopped", peak_rss_mb(), time.process_time()))
