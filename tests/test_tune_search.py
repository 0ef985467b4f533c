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
    assert search.measurements <= 0.3 * GRID_SIZE


def test_io_like_workload_finds_threads() -> None:
    rate = lambda p, t: min(20.0 * p * t, 900.0)
    search = Search(model(rate))
    best = search.run()
    assert best.throughput >= 0.95 * grid_best(rate)
    assert search.measurements <= 0.3 * GRID_SIZE


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


def noisy(
    rate: Callable[[int, int], float], first: dict[tuple[int, int], float]
) -> Callable[[int, int], Point]:
    """`rate`, except that the first measurement of some points is off by a factor."""
    counts: dict[tuple[int, int], int] = {}
    exact = model(rate)

    def evaluate(p: int, t: int) -> Point:
        counts[p, t] = counts.get((p, t), 0) + 1
        factor = first.get((p, t), 1.0) if counts[p, t] == 1 else 1.0
        point = exact(p, t)
        point.throughput *= factor
        return point

    return evaluate


def test_a_lucky_measurement_is_measured_again() -> None:
    # I/O-like, saturating at 4 processes; one lucky reading makes 1 x 256 look best.
    rate = lambda p, t: min(20.0 * p * min(t, 16), 1000.0)
    search = Search(noisy(rate, {(1, 256): 5.0}))
    best = search.run()
    assert best.throughput >= 0.95 * grid_best(rate)
    assert (best.processes, best.threads) != (1, 256)
    assert len(search.samples[1, 256]) == 1 + 2  # it was a finalist, measured again


def test_one_unlucky_step_does_not_end_the_process_climb() -> None:
    cores = 8
    rate = lambda p, t: 50.0 * min(p, cores)
    search = Search(noisy(rate, {(2, 1): 0.5}))
    best = search.run()
    assert best.processes >= cores
    assert best.throughput >= 0.95 * grid_best(rate)


def test_the_step_up_from_the_choice_is_measured_again() -> None:
    # Two processes double throughput, but both steps up read low the first time.
    rate = lambda p, t: 50.0 * min(p, 2)
    search = Search(noisy(rate, {(2, 1): 0.5, (4, 1): 0.5}))
    best = search.run()
    assert (best.processes, best.threads) == (2, 1)
    assert len(search.samples[2, 1]) == 1 + 2


def test_nothing_meets_the_slo_no_crash() -> None:
    # p95 never below 50 ms: no point is feasible at any process count.
    def evaluate(p: int, t: int) -> Point:
        return Point(p, t, 64, 10.0 * t, 1.0, 50.0 + t, 1.0, 0, 10.0, total=10)

    search = Search(evaluate, slo_p95_ms=5)
    best = search.run()
    assert not search.ok(best)
    assert search.measurements <= search.budget()


def test_declared_memory_bounds_processes_over_a_small_measurement() -> None:
    rate = lambda p, t: 50.0 * p
    search = Search(
        model(rate, rss=30.0), memory_limit_mb=5734, declared_memory_mb=1500
    )
    assert search.run().processes == 2  # 4 x 1500 MB would not fit


def test_budget_bounds_every_search() -> None:
    for rate in (
        lambda p, t: 50.0 * min(p, 4),
        lambda p, t: min(20.0 * p * t, 900.0),
        lambda p, t: 100.0,
    ):
        for max_processes in (1, 10):
            search = Search(model(rate), max_processes=max_processes)
            search.run()
            assert search.measurements <= search.budget()
