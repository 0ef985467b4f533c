"""The lab reproduces the guide's claims on the reference apps (short runs, wide margins)."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from azfn_profile.lab.bench import lab_environment
from azfn_profile.lab.dispatch import Settings, run_point
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # lab measurements on real worker processes

APPS = ROOT / "examples" / "apps"


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str]]:
    with lab_environment(50.0) as environment:  # 50 ms upstream
        yield environment


def throughput(
    env: dict[str, str],
    app: str,
    function: str,
    processes: int,
    threads: int,
    concurrency: int = 32,
) -> float:
    s = Settings(
        APPS / app, function, concurrency=concurrency, duration=1.5, warmup=0.5, env=env
    )
    # Best of two short runs: a shared, noisy machine only ever makes a run slower.
    points = [run_point(s, processes, threads) for _ in range(2)]
    assert all(p.errors == 0 for p in points), points[0].first_error
    return max(p.throughput for p in points)


def side_by_side(claim: Callable[[], bool], rounds: int = 3) -> bool:
    """A comparison of two measurements, taken again (both sides) when it fails: a
    burst of load from outside can hide a real difference in one round, but a
    claim that is false fails every round."""
    return any(claim() for _ in range(rounds))


def _spin(seconds: float, counter: Any) -> None:
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    with counter.get_lock():
        counter.value += n


def machine_parallel_gain(seconds: float = 0.5) -> float:
    """How much more pure-Python work two processes do than one, right now: what
    the machine can give a second worker process (about 2 on two idle cores, less
    when other work shares them)."""
    context = multiprocessing.get_context("spawn")

    def work(processes: int) -> int:
        counter = context.Value("q", 0)
        workers = [
            context.Process(target=_spin, args=(seconds, counter))
            for _ in range(processes)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return int(counter.value)

    return work(2) / max(1, work(1))


def test_cpu_grows_with_processes_not_threads(env: dict[str, str]) -> None:
    def more_processes_help() -> bool:
        # A second worker process gains at least a third of what a second process
        # gains on this machine at this moment (1.3x on two idle cores): a shared
        # CI machine's load lowers both alike.
        gain = machine_parallel_gain()
        one = throughput(env, "cpu", "crunch", 1, 1)
        two = throughput(env, "cpu", "crunch", 2, 1)
        return gain > 1.15 and two > (1 + min(gain - 1, 0.9) / 3) * one

    def more_threads_do_not() -> bool:
        one = throughput(env, "cpu", "crunch", 1, 1)
        return throughput(env, "cpu", "crunch", 1, 8) < 1.3 * one

    assert side_by_side(more_processes_help, rounds=5)
    assert side_by_side(more_threads_do_not)


def test_io_sync_grows_with_threads(env: dict[str, str]) -> None:
    def threads_help() -> bool:
        few = throughput(env, "io_sync", "fetch", 1, 2)
        return throughput(env, "io_sync", "fetch", 1, 16) > 2.5 * few

    assert side_by_side(threads_help)


def test_io_async_is_insensitive_to_threads(env: dict[str, str]) -> None:
    def threads_change_nothing() -> bool:
        one = throughput(env, "io_async", "fetch", 1, 1)
        many = throughput(env, "io_async", "fetch", 1, 32)
        # 32 in flight on one event loop, far above 1 / 50 ms
        return one > 100 and 0.7 * one < many < 1.3 * one

    assert side_by_side(threads_change_nothing)


def test_async_blocking_is_stuck_at_one_call_per_latency(env: dict[str, str]) -> None:
    # One process: at most 1 / 50 ms = 20 calls/s, whatever the threads or clients. The
    # lower bounds catch a measurement that misses completions (a window that fell
    # between two bursts of reports once read 0 calls/s here and passed).
    for threads, concurrency in ((1, 4), (32, 64)):
        assert (
            10
            < throughput(env, "async_blocking", "fetch", 1, threads, concurrency)
            < 24
        )
    assert 20 < throughput(env, "async_blocking", "fetch", 2, 32, 64) < 48
