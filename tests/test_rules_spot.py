"""Hand-worked cases: each expected number below is derived in the comment beside it."""

from __future__ import annotations

import pytest

from azfn_profile.checks import REGISTRY, NotApplicable, Target
from azfn_profile.spec import AppSpec
from azfn_profile.validation import ProfileInvalid, validate
from tests.conftest import TODAY, profile_data, spec_for


def rules_of(spec, setting):  # type: ignore[no-untyped-def]
    return [d.rule for d in spec.decisions if d.setting == setting]


def test_sync_io_spreads_declared_concurrency_over_processes() -> None:
    # P1v3: 2 vCPU, 8192 MB -> c=2, fit=floor(0.8*8192/256)=25, p=min(10,2,25)=2;
    # threads = max(2+4, ceil(64/2)) = 32; C = 2*32 = 64.
    spec = spec_for(workload={"kind": "io", "concurrency": 64}, plan={"sku": "P1v3"})
    assert spec.app_settings["FUNCTIONS_WORKER_PROCESS_COUNT"] == "2"
    assert spec.app_settings["PYTHON_THREADPOOL_THREAD_COUNT"] == "32"
    assert spec.host_json["extensions"] == {"http": {"maxConcurrentRequests": 64}}


def test_mixed_threads_round_half_up() -> None:
    # EP1: c=1 -> (1+4)*0.5 = 2.5 -> 3 (half up; Python's round() would give 2).
    spec = spec_for(workload={"kind": "mixed"}, plan={"sku": "EP1"})
    assert spec.app_settings["PYTHON_THREADPOOL_THREAD_COUNT"] == "3"
    assert spec.workload is not None and spec.workload.io_share == 0.5


def test_sync_mixed_threads_cover_the_declared_io_waits() -> None:
    # EP2: c=2, p=2; (2+4)*0.8 = 4.8 -> 5, but 0.8*64 = 51.2 invocations wait on I/O
    # at once, ceil(51.2/2) = 26 per process; 0.6*50 = 30 exactly -> 30, not 31.
    spec = spec_for(
        workload={"kind": "mixed", "io_share": 0.8, "concurrency": 64},
        plan={"sku": "EP2"},
    )
    assert spec.app_settings["PYTHON_THREADPOOL_THREAD_COUNT"] == "26"
    exact = spec_for(
        workload={"kind": "mixed", "io_share": 0.6, "concurrency": 50},
        plan={"sku": "EP1"},
    )
    assert exact.app_settings["PYTHON_THREADPOOL_THREAD_COUNT"] == "30"
    coroutines = spec_for(
        workload={
            "kind": "mixed",
            "style": "async",
            "io_share": 0.8,
            "concurrency": 64,
        },
        plan={"sku": "EP2"},
    )
    assert coroutines.app_settings["PYTHON_THREADPOOL_THREAD_COUNT"] == "5"


def memory_findings(spec: AppSpec) -> list[str]:
    try:
        return [f.message for f in REGISTRY["AZFN114"].run(Target(spec), TODAY)]
    except NotApplicable:
        return []


def test_memory_limits_processes_and_names_a_roomier_sku() -> None:
    # EP2: 2 cores, 7168 MB, 4000 MB/process -> fit=floor(5734.4/4000)=1 < 2 -> p=1.
    # EP3 (4 cores, 14336 MB): fit=floor(11468.8/4000)=2 < 4 -> does not fit either.
    # No premium SKU fits one per core, so the finding says to lower the memory.
    spec = spec_for(
        workload={"kind": "cpu", "memory_per_process_mb": 4000}, plan={"sku": "EP2"}
    )
    assert spec.app_settings["FUNCTIONS_WORKER_PROCESS_COUNT"] == "1"
    (message,) = memory_findings(spec)
    assert message.endswith(
        "no premium SKU fits one per core, so lower workload.memory_per_process_mb"
    )
    # B2: 2 cores, 3584 MB, 2000 MB/process -> fit=floor(2867.2/2000)=1 < 2.
    # Dedicated SKUs with >= 2 cores, by (cores, memory): B2/S2 (3584 MB, fit 1),
    # then P2v2 (7168 MB, fit=floor(5734.4/2000)=2 >= 2) -> P2v2.
    spec = spec_for(
        workload={"kind": "mixed", "memory_per_process_mb": 2000}, plan={"sku": "B2"}
    )
    (message,) = memory_findings(spec)
    assert message.endswith("P2v2 would fit one per core")


def test_io_workload_is_not_warned_about_memory() -> None:
    spec = spec_for(
        workload={"kind": "io", "memory_per_process_mb": 4000}, plan={"sku": "EP2"}
    )
    assert memory_findings(spec) == []


def test_auto_picks_smallest_fitting_sku() -> None:
    # premium, cpu (min_cores default 2), 1536 MB/process: EP1 has 1 core (too few);
    # EP2 fit=floor(5734.4/1536)=3 >= 2 -> EP2.
    spec = spec_for(
        workload={"kind": "cpu", "memory_per_process_mb": 1536},
        plan={"sku": "auto", "family": "premium"},
    )
    assert spec.plan.sku == "EP2"
    assert rules_of(spec, "plan.sku") == ["plan.auto-sku"]
    # 3000 MB/process: EP2 fit=1 < 2; EP3 fit=floor(11468.8/3000)=3 < 4 -> none fits.
    with pytest.raises(ProfileInvalid) as caught:
        validate(
            profile_data(
                workload={"kind": "cpu", "memory_per_process_mb": 3000},
                plan={"sku": "auto", "family": "premium"},
            ),
            TODAY,
        )
    assert caught.value.issues[0].path == ("plan", "sku")


def test_auto_flex_picks_instance_size() -> None:
    # io default min_cores 1: 512 MB has 0.25 core (too few); 2048 MB has 1 core.
    spec = spec_for(workload={"kind": "io"}, plan={"sku": "auto", "family": "flex"})
    assert (spec.plan.sku, spec.plan.memory_mb, spec.plan.cores) == ("FC1", 2048, 1.0)


def test_overrides_win_are_traced_and_resize_host_json() -> None:
    # EP2 sync io: rules give p=2, threads=6; overrides p=3, threads=10 -> C=30.
    spec = spec_for(
        app_settings={
            "functions_worker_process_count": "3",
            "PYTHON_THREADPOOL_THREAD_COUNT": "10",
            "MY_FLAG": "on",
        }
    )
    assert spec.app_settings["FUNCTIONS_WORKER_PROCESS_COUNT"] == "3"
    assert spec.app_settings["PYTHON_THREADPOOL_THREAD_COUNT"] == "10"
    assert spec.app_settings["MY_FLAG"] == "on"
    assert spec.host_json["extensions"] == {"http": {"maxConcurrentRequests": 30}}
    overrides = [d for d in spec.decisions if d.rule == "override"]
    assert [(d.setting, d.inputs["computed"]) for d in overrides] == [
        ("FUNCTIONS_WORKER_PROCESS_COUNT", "2"),
        ("PYTHON_THREADPOOL_THREAD_COUNT", "6"),
    ]


def test_threads_for_io_use_the_overridden_process_count() -> None:
    # EP2, concurrency 90, processes overridden to 3 -> threads = max(6, ceil(90/3)) = 30.
    spec = spec_for(
        workload={"kind": "io", "concurrency": 90},
        app_settings={"FUNCTIONS_WORKER_PROCESS_COUNT": "3"},
    )
    assert spec.app_settings["PYTHON_THREADPOOL_THREAD_COUNT"] == "30"


def test_flex_always_ready_and_defaults() -> None:
    spec = spec_for(
        workload={"kind": "io", "style": "async"},
        plan={"sku": "FC1", "always_ready": 2},
    )
    assert spec.function_app_config == {
        "runtime": {"name": "python", "version": "3.12"},
        "scaleAndConcurrency": {
            "instanceMemoryMB": 2048,
            "maximumInstanceCount": 100,
            "alwaysReady": [{"name": "http", "instanceCount": 2}],
            "triggers": {"http": {"perInstanceConcurrency": 16}},
        },
    }
    assert spec.app_settings == {"PYTHON_THREADPOOL_THREAD_COUNT": "5"}


def test_consumption_and_premium_are_not_always_on_dedicated_is() -> None:
    assert spec_for(plan={"sku": "Y1"}).site.always_on is False
    assert spec_for(plan={"sku": "EP1"}).site.always_on is False
    assert spec_for(plan={"sku": "S1"}).site.always_on is True


def test_decisions_cover_every_computed_setting() -> None:
    spec = spec_for(triggers=["http", "queue"])
    decided = {d.setting for d in spec.decisions}
    assert set(spec.app_settings) <= decided
    assert {
        "host.json extensions.queues.batchSize",
        "host.json extensions.queues.newBatchThreshold",
        "host.json extensions.http.maxConcurrentRequests",
    } <= decided
    for d in spec.decisions:
        assert d.rule and d.guidance and d.source
