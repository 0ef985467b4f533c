"""The Python worker's own CPU per invocation: the model, the rules' use of it, and
what `bench` says about short work."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azfn_profile import facts
from azfn_profile.lab.bench import overhead_note
from azfn_profile.lab.dispatch import Point
from azfn_profile.overhead import estimate, per_process_ceiling, short
from tests.conftest import spec_for


def test_one_process_completes_one_call_per_cpu_and_overhead() -> None:
    assert per_process_ceiling(2.0, 0.6) == pytest.approx(1000 / 2.6)
    assert per_process_ceiling(0.0, 0.8) == pytest.approx(1250.0)
    assert per_process_ceiling(-1.0, 0.5) == pytest.approx(2000.0)  # never below 0


def test_short_work_is_a_short_call_or_a_fast_process() -> None:
    assert short(4.9) and not short(5.0) and not short(None)
    assert short(50.0, per_process_rate=1001) and not short(50.0, 999)


def test_a_cpu_bound_measurement_loses_the_overhead_to_the_cores() -> None:
    # 2 ms of CPU a call, 2 processes on 2 cores: 1000/s measured, 2 x 1000/2.6 real.
    e = estimate(1000.0, 2, 2.0, 2.0, 0.6, in_flight=64)
    assert e.real == pytest.approx(2000 / 2.6)
    assert e.bound == "cores"
    assert e.drop == pytest.approx(1 - 2000 / 2.6 / 1000)


def test_one_call_in_flight_takes_the_overhead_longer() -> None:
    # 1 in flight, 0.2 ms round trip (5000/s), almost no CPU on 4 cores: Little's law.
    e = estimate(5000.0, 1, 4.0, 0.01, 0.6, in_flight=1)
    assert e.real == pytest.approx(1 / (0.0002 + 0.0006))
    assert e.bound == "latency"


def test_long_io_calls_keep_their_throughput() -> None:
    # 64 in flight of 50 ms on one process: 1280/s, 0.2 ms of CPU a call. The real
    # worker's 0.6 ms more still fits in the core (1000/0.8 = 1250/s): a 2 % cut.
    e = estimate(1280.0, 1, 1.0, 0.2, 0.6, in_flight=64)
    assert e.real == pytest.approx(1250.0)
    long = estimate(100.0, 1, 1.0, 0.2, 0.6, in_flight=64)
    assert long.real == pytest.approx(64 / (64 / 100 + 0.0006))
    assert long.drop < 0.001


@settings(max_examples=300, deadline=None)
@given(
    throughput=st.floats(0.01, 1e6),
    processes=st.integers(1, 10),
    cores=st.floats(0.25, 64),
    cpu_ms=st.floats(0, 1000),
    overhead_ms=st.floats(0.01, 5),
    more=st.floats(0, 5),
    in_flight=st.one_of(st.none(), st.integers(1, 10_000)),
)
def test_the_estimate_never_raises_and_falls_with_more_overhead(
    throughput: float,
    processes: int,
    cores: float,
    cpu_ms: float,
    overhead_ms: float,
    more: float,
    in_flight: int | None,
) -> None:
    e = estimate(throughput, processes, cores, cpu_ms, overhead_ms, in_flight)
    heavier = estimate(
        throughput, processes, cores, cpu_ms, overhead_ms + more, in_flight
    )
    assert 0 < e.real <= throughput
    assert heavier.real <= e.real * (1 + 1e-12)
    # Never above what the cores can run at cpu + overhead a call.
    assert (
        e.real
        <= min(cores, processes) * per_process_ceiling(cpu_ms, overhead_ms) * (1 + 1e-9)
        or e.real == throughput
    )


def test_every_worker_generation_has_an_overhead() -> None:
    assert facts.worker_overhead_ms("3.11") == facts.WORKER_OVERHEAD_MS["worker"]
    assert facts.worker_overhead_ms("3.12") == facts.WORKER_OVERHEAD_MS["worker"]
    assert facts.worker_overhead_ms("3.13") == facts.WORKER_OVERHEAD_MS["proxy"]
    assert all(0 < o < facts.SHORT_WORK_MS for o in facts.WORKER_OVERHEAD_MS.values())


# The rules ------------------------------------------------------------------------


def process_decision(**overrides: object):  # type: ignore[no-untyped-def]
    spec = spec_for(**overrides)
    return next(d for d in spec.decisions if d.setting == facts.PROCESS_COUNT)


def test_a_2_ms_cpu_function_is_sized_with_the_overhead() -> None:
    decision = process_decision(
        python="3.11",
        workload={"kind": "cpu"},
        plan={"sku": "EP2"},
        load={"rps": 2000, "call_ms": 2},
    )
    assert decision.rule == "workers.processes.short-work"
    assert decision.value == 2
    assert decision.inputs["per_process_ceiling"] == pytest.approx(1000 / 2.8, 0.001)
    assert "1000 / (2 + 0.8) = 357 calls/s" in decision.note


def test_long_calls_keep_the_plain_process_rule() -> None:
    decision = process_decision(
        workload={"kind": "cpu"}, plan={"sku": "EP2"}, load={"rps": 20, "call_ms": 50}
    )
    assert decision.rule == "workers.processes"
    assert "worker_overhead_ms" not in decision.inputs


def test_short_blocking_async_work_runs_one_process_per_core() -> None:
    from azfn_profile.code.model import AppCode, Evidence, FunctionInfo
    from azfn_profile.rules import resolve
    from azfn_profile.validation import validate
    from tests.conftest import TODAY, profile_data

    blocking = Evidence("blocking", "requests.get", "function_app.py", 4, 8)
    fetch = FunctionInfo(
        "fetch", "http", True, "function_app.py", 3, 0, False, (blocking,)
    )
    code = AppCode(".", "function_app.py", (fetch,))
    base = {"workload": {"kind": "io", "style": "async"}, "plan": {"sku": "EP2"}}
    long = resolve(validate(profile_data(**base), TODAY), code)
    brief = resolve(
        validate(profile_data(**base, load={"rps": 100, "call_ms": 1}), TODAY), code
    )
    assert long.app_settings[facts.PROCESS_COUNT] == "10"  # one per wait
    assert brief.app_settings[facts.PROCESS_COUNT] == "2"  # one per core
    decision = next(d for d in brief.decisions if d.setting == facts.PROCESS_COUNT)
    assert "fetch" in decision.note and "beyond the cores" in decision.note


# bench ----------------------------------------------------------------------------


def point(throughput: float, calls: int, call_ms: float, cpu_ms: float) -> Point:
    return Point(
        processes=1,
        threads=4,
        concurrency=64,
        throughput=throughput,
        p50_ms=1.0,
        p95_ms=2.0,
        p99_ms=3.0,
        errors=0,
        rss_mb=30.0,
        measured=calls,
        total=calls,
        cpu_s=cpu_ms * calls / 1000,
        busy_s=call_ms * calls / 1000,
    )


def test_bench_notes_short_work_as_an_upper_bound() -> None:
    note = overhead_note(point(5600, 10_000, 0.012, 0.19), 2.0, "3.11")
    assert note is not None
    assert "is an upper bound" in note and "0.8 ms more CPU" in note
    assert f"{1000 / (0.19 + 0.8):,.0f} inv/s" in note  # 1 core at 0.99 ms a call
    proxy = overhead_note(point(5600, 10_000, 0.012, 0.19), 2.0, "3.13")
    assert proxy is not None and "proxy worker" in proxy and "0.9 ms" in proxy


def test_bench_says_nothing_about_long_work() -> None:
    assert overhead_note(point(640, 10_000, 50.0, 0.2), 2.0, "3.11") is None


def test_a_long_call_at_a_high_rate_is_not_called_short() -> None:
    note = overhead_note(point(2300, 10_000, 84.8, 0.47), 1.0, "3.11")
    assert note is not None
    assert note.startswith("a high call rate (2,300/s per process, 84.8 ms a call)")
    assert "short work" not in note
