"""The adaptive search on synthetic workloads (no processes started)."""

from __future__ import annotations

from collections.abc import Callable

from azfn_profile.lab.dispatch import Point
from azfn_profile.lab.tune import GRID_SIZE, Search


def model(
    rate: Callable[[int, int], float], rss: float = 50.0
) -> Callable[[int, int], Point]:
    def evaluate(p: int, t: int) -> Point:
        r = rate(p, t)
        return Point(
            p,
            t,
            64,
            r,
            10.0,
            1000.0 * p * t / max(r, 1e-9) / 64,
            0.0,
            0,
            rss,
            total=100,
        )

    return evaluate


def grid_best(rate: Callable[[int, int], float]) -> float:
    return max(rate(p, 2**k) for p in range(1, 11) for k in range(9))


def test_cpu_like_workload_finds_processes() -> None:
    cores = 4
    rate = lambda p, t: 50.0 * min(p, cores) / (1 + 0.02 * (t - 1))
    search = Search(model(rate))
    best = search.run()
    assert best.throughput >= 0.95 * grid_best(rate)
    assert best.processes >= cores and best.threads <= 2
    assert len(search.seen) <= 0.3 * GRID_SIZE


def test_io_like_workload_finds_threads() -> None:
    rate = lambda p, t: min(20.0 * p * t, 900.0)
    search = Search(model(rate))
    best = search.run()
    assert best.throughput >= 0.95 * grid_best(rate)
    assert len(search.seen) <= 0.3 * GRID_SIZE


def test_memory_limit_caps_processes() -> None:
    rate = lambda p, t: 50.0 * p
    search = Search(model(rate, rss=1000.0), memory_limit_mb=2500)
    assert search.run().processes == 2


def test_slo_excludes_slow_points() -> None:
    def evaluate(p: int, t: int) -> Point:
        return Point(p, t, 64, 10.0 * t, 1.0, float(t), 1.0, 0, 10.0, total=10)

    best = Search(evaluate, slo_p95_ms=16).run()
    assert best.threads == 16 and best.p95_ms <= 16


def test_noise_does_not_buy_threads() -> None:
    # CPU-bound: flat in threads, with a 2 % wobble that favours 256 threads.
    rate = lambda p, t: 50.0 * min(p, 2) * (1.02 if t == 256 else 1.0)
    assert Search(model(rate)).run().threads == 1
