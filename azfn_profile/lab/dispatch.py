"""The host side: spawn workers, spread invocations round-robin, measure.

Closed loop: `concurrency` invocations are kept in flight; each completion dispatches
the next to the next worker in turn. Completions during the warm-up are not measured.
Workers never outlive a run: a crash, an exception or Ctrl-C terminates them all.
"""

from __future__ import annotations

import base64
import contextlib
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from azfn_profile.lab.app import LabError
from azfn_profile.lab.interpreter import Shim

START_TIMEOUT_S = 60.0
# The real worker's host says itself why a worker did not start within its own 60 s.
HOSTED_START_TIMEOUT_S = START_TIMEOUT_S + 20
DRAIN_TIMEOUT_S = 10.0


def _rounded(ms: float | None) -> float | None:
    return None if ms is None else round(ms, 3)


@dataclass
class Point:
    processes: int
    threads: int
    concurrency: int
    throughput: float  # invocations per second in the measured window
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    rss_mb: float  # peak RSS of the largest worker process
    measured: int = 0
    total: int = 0
    first_error: str | None = None
    per_worker: dict[int, int] = field(default_factory=dict)  # pid -> invocations
    results: list[str] = field(default_factory=list)  # what functions returned (sample)
    rate: float | None = None  # open loop: invocations sent per second
    # CPU seconds the workers spent from ready to stop, and the invocations' summed
    # wall time (every invocation, warm-up included): their ratio is the CPU share.
    cpu_s: float = 0.0
    busy_s: float = 0.0
    # The host's own CPU (the real worker's host, grpc_host.py), apart from the
    # workers'; None with the lab's workers, whose host is the dispatcher itself.
    host_cpu_s: float | None = None
    # True when busy_s sums the host's round trips (the real worker does not say how
    # long a call ran), not the calls' own time.
    round_trips: bool = False

    @property
    def load(self) -> str:
        """The load this point was measured under, in words."""
        if self.rate is not None:
            return f"open loop, {self.rate:g}/s sent"
        return f"{self.concurrency} in flight"

    @property
    def call_ms(self) -> float | None:
        """One invocation's mean wall time in the worker, in ms (None when only the
        host's round trips are known)."""
        return None if self.round_trips else self._per_call_ms(self.busy_s)

    @property
    def cpu_ms(self) -> float | None:
        """The workers' CPU per invocation, in ms (the function's and the worker's)."""
        return self._per_call_ms(self.cpu_s)

    def _per_call_ms(self, seconds: float | None) -> float | None:
        """`seconds` spread over every invocation, in ms (None when none ran)."""
        if seconds is None or not self.total:
            return None
        return seconds / self.total * 1000

    def record(self) -> dict[str, Any]:
        return {
            "processes": self.processes,
            "threads": self.threads,
            "concurrency": None if self.rate is not None else self.concurrency,
            "rate": self.rate,
            "throughput": round(self.throughput, 2),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "errors": self.errors,
            "rss_mb": round(self.rss_mb, 1),
            # One invocation's mean wall time and CPU time in the worker (capacity
            # reads them: `capacity --from-bench`).
            "call_ms": _rounded(self.call_ms),
            "cpu_ms": _rounded(self.cpu_ms),
            "round_trip_ms": _rounded(
                self._per_call_ms(self.busy_s) if self.round_trips else None
            ),
            "host_cpu_ms": _rounded(self._per_call_ms(self.host_cpu_s)),
        }


@dataclass(frozen=True)
class Settings:
    app: Path
    function: str
    concurrency: int = 64
    duration: float = 10.0
    warmup: float = 2.0
    cores: list[int] | None = None
    body: bytes = b"{}"
    env: dict[str, str] = field(default_factory=dict)
    rate: float | None = None  # open loop: invocations per second, whatever completes
    python: Path | None = None  # the interpreter that runs the app (default: this one)
    # The user's own Python worker, driven by grpc_host.py instead of the lab's
    # worker; `specialize` starts it as a placeholder and reloads the app's settings.
    worker_dir: Path | None = None
    specialize: bool = False


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Start children with SIGINT ignored (the dispatcher stops them on Ctrl-C)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _wait(conns: list[Connection], timeout: float) -> list[Connection]:
    return [c for c in wait(conns, timeout=timeout) if isinstance(c, Connection)]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


class _Workers:
    """Worker processes: plain subprocesses of `s.python`, each holding one end of a
    socket pair, so the app runs in its own interpreter and environment."""

    def __init__(self, s: Settings, processes: int, threads: int) -> None:
        self.conns: list[Connection] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.pids: dict[Connection, int] = {}
        self.cpu_at_ready: dict[Connection, float] = {}
        self.shim: Shim | None = None
        self.python = str(s.python or sys.executable)
        try:
            self._launch(s, processes, threads)
        except BaseException:  # Ctrl-C included: no worker outlives a failed start
            self.kill()
            raise

    def _launch(self, s: Settings, processes: int, threads: int) -> None:
        self.shim = Shim()
        args = json.dumps(
            {
                "app": str(s.app),
                "function": s.function,
                "threads": threads,
                "cores": s.cores,
                "body": base64.b64encode(s.body).decode(),
                "env": s.env,
            }
        )
        for _ in range(processes):
            self._start(args)

    def _start(self, args: str) -> None:
        parent, child = multiprocessing.Pipe()
        fd = child.fileno()
        try:
            with _sigint_ignored():  # inherited: workers ignore Ctrl-C from birth
                assert self.shim is not None
                proc = subprocess.Popen(
                    [self.python, "-c", self.shim.boot, str(fd), args],
                    pass_fds=(fd,),
                    stdin=subprocess.DEVNULL,
                )
        except OSError as exc:
            parent.close()
            raise LabError(f"cannot start {self.python}: {exc.strerror}") from None
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        self.conns.append(parent)
        self.procs.append(proc)

    start_timeout = START_TIMEOUT_S

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        pending = list(self.conns)
        while pending:
            ready = _wait(pending, max(0.0, deadline - time.monotonic()))
            if not ready:
                raise LabError(
                    f"worker processes did not start within {self.start_timeout:.0f} s"
                )
            for conn in ready:
                try:
                    message = conn.recv()
                except EOFError:
                    raise LabError(
                        f"a worker process ({self.python}) exited before importing "
                        "the app; its error is above"
                    ) from None
                if message[0] == "error":
                    raise LabError(message[1])
                self.pids[conn] = message[1]
                self.cpu_at_ready[conn] = message[2] if len(message) > 2 else 0.0
                pending.remove(conn)

    def stop(self) -> tuple[float, float, float | None]:
        """Stop the workers: the largest peak RSS, their CPU seconds since ready, and
        the real worker's host's CPU seconds (None for the lab's workers)."""
        rss = cpu = 0.0
        host: float | None = None
        for conn in self.conns:
            try:
                conn.send(("stop",))
            except (OSError, ValueError):  # noqa: PERF203 - a worker may be gone
                continue
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        for conn in self.conns:
            while time.monotonic() < deadline:
                if not conn.poll(max(0.0, deadline - time.monotonic())):
                    break
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    break
                if message[0] == "stopped":
                    rss = max(rss, message[1])
                    if len(message) > 2:
                        cpu += message[2] - self.cpu_at_ready.get(conn, 0.0)
                    if len(message) > 3:
                        host = (host or 0.0) + message[3]
                    break
        return rss, cpu, host

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # noqa: PERF203 - one per stuck worker
                proc.kill()
                proc.wait(timeout=5)
        for conn in self.conns:
            conn.close()
        if self.shim is not None:
            self.shim.close()


def _utf8(text: str) -> bool:
    """Whether `text` encodes as UTF-8 (a file name of other bytes does not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _HostedWorkers(_Workers):
    """The user's own Python worker processes behind one grpc_host.py process, which
    holds the other end of every pipe and speaks the worker protocol to them."""

    start_timeout = HOSTED_START_TIMEOUT_S

    def _launch(self, s: Settings, processes: int, threads: int) -> None:
        from azfn_profile.extras import hint, missing
        from azfn_profile.lab import grpc_host

        module = missing("worker")
        if module is not None:
            raise LabError(hint("worker", "--worker-dir", module))
        assert s.worker_dir is not None
        for option, path in (("--worker-dir", s.worker_dir), ("the app", s.app)):
            if not _utf8(str(path.resolve())):
                raise LabError(
                    f"{option} {path!s:.200}: the worker protocol carries UTF-8 "
                    "paths only; rename or link it to a UTF-8 name"
                )
        try:
            grpc_host.find_protos(s.worker_dir)
            grpc_host.worker_script(s.worker_dir)
        except grpc_host.HostError as exc:
            raise LabError(str(exc)) from None
        ends = [multiprocessing.Pipe() for _ in range(processes)]
        fds = [child.fileno() for _, child in ends]
        args = json.dumps(
            {
                "worker_dir": str(s.worker_dir.resolve()),
                "app": str(s.app.resolve()),
                "function": s.function,
                "threads": threads,
                "python": self.python,
                "body": s.body.hex(),
                "env": s.env,
                "cores": s.cores,
                "specialize": s.specialize,
            }
        )
        try:
            with _sigint_ignored():
                proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "azfn_profile.lab.grpc_host",
                        ",".join(map(str, fds)),
                        args,
                    ],
                    pass_fds=fds,
                    stdin=subprocess.DEVNULL,
                    # Its own process group, which its workers join: kill() stops
                    # them all, even a worker the host could not stop itself.
                    start_new_session=True,
                )
        finally:
            for _, child in ends:
                child.close()
        self.conns = [parent for parent, _ in ends]
        self.procs.append(proc)

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()  # the host stops its workers
            try:
                proc.wait(timeout=DRAIN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            with contextlib.suppress(OSError):  # any worker left in its group
                os.killpg(proc.pid, signal.SIGKILL)
        for conn in self.conns:
            conn.close()


def run_point(
    s: Settings,
    processes: int,
    threads: int,
    progress: Callable[[float], None] | None = None,
) -> Point:
    """Measure one (processes, threads) setting under closed-loop load."""
    workers = (
        _HostedWorkers(s, processes, threads)
        if s.worker_dir is not None
        else _Workers(s, processes, threads)
    )
    try:
        workers.wait_ready()
        return _drive(s, workers, processes, threads, progress)
    finally:
        workers.kill()


def _drive(
    s: Settings,
    workers: _Workers,
    processes: int,
    threads: int,
    progress: Callable[[float], None] | None,
) -> Point:
    conns, next_worker, next_id = workers.conns, 0, 0
    sent: dict[int, float] = {}
    latencies: list[float] = []
    per_worker: dict[int, int] = {}
    errors, total, measured, first_error = 0, 0, 0, None
    busy = 0.0
    results: list[str] = []
    alive = set(conns)

    def dispatch() -> None:
        nonlocal next_worker, next_id, first_error, errors
        for _ in range(len(conns)):
            conn = conns[next_worker % len(conns)]
            next_worker += 1
            if conn not in alive:
                continue
            try:
                conn.send(("invoke", next_id))
            except OSError:  # it died before its EOF was read: try the next worker
                alive.discard(conn)
                first_error = first_error or "a worker process crashed"
                errors += 1
                continue
            sent[next_id] = time.perf_counter()
            next_id += 1
            return
        raise LabError(f"every worker process died; first error: {first_error}")

    start = time.perf_counter()
    measure_from, end = start + s.warmup, start + s.warmup + s.duration
    interval = 1.0 / s.rate if s.rate else None
    next_send = start
    if interval is None:  # closed loop: keep `concurrency` in flight
        for _ in range(s.concurrency):
            dispatch()
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        if progress:
            progress(min(1.0, (now - start) / (s.warmup + s.duration)))
        if interval is not None:
            while next_send <= now:  # open loop: send on schedule, however many wait
                dispatch()
                next_send += interval
        wait_for = (
            min(0.2, end - now)
            if interval is None
            else max(0.0, min(next_send - now, end - now))
        )
        for conn in _wait(list(alive), wait_for):
            try:
                message = conn.recv()
            except (EOFError, OSError):
                alive.discard(conn)
                first_error = first_error or "a worker process crashed"
                errors += 1
                if not alive:
                    raise LabError(
                        f"every worker process died; first error: {first_error}"
                    ) from None
                continue
            if message[0] != "done":
                continue
            _, invocation, ok, detail, took = message
            finished = time.perf_counter()
            total += 1
            busy += took
            per_worker[workers.pids[conn]] = per_worker.get(workers.pids[conn], 0) + 1
            if len(results) < 1000:
                results.append(str(detail))
            if not ok:
                errors += 1
                first_error = first_error or str(detail)
            started = sent.pop(invocation, finished)
            if finished >= measure_from:  # completions inside the measured window
                measured += 1
                latencies.append((finished - started) * 1000)
            if finished < end and interval is None:
                dispatch()
    rss, cpu, host_cpu = workers.stop()
    latencies.sort()
    return Point(
        processes,
        threads,
        s.concurrency,
        measured / s.duration,
        _percentile(latencies, 50),
        _percentile(latencies, 95),
        _percentile(latencies, 99),
        errors,
        rss,
        measured,
        total,
        first_error,
        per_worker,
        results,
        s.rate,
        cpu,
        busy,
        host_cpu,
        s.worker_dir is not None,
    )
