"""The issue's formulas, recomputed independently, over every SKU x kind x style."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest

from azfn_profile.catalog import skus
from tests.conftest import spec_for

FLEX_DEPRECATED = {
    "FUNCTIONS_WORKER_PROCESS_COUNT",
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
}


def expected(
    sku: str,
    kind: str,
    style: str,
    concurrency: int | None,
    mpp: int,
    io_share: float | None,
    instance_memory: int | None,
) -> dict[str, object]:
    row = skus()[sku]
    flex = row.family == "flex"
    cores = row.instance_sizes[instance_memory] if flex else row.vcpu
    mem = instance_memory if flex else row.memory_mb
    c = max(1, math.ceil(cores))
    fit = max(1, math.floor(Decimal("0.8") * mem / mpp))
    p = 1 if flex else min(10, c, fit)
    if kind == "cpu":
        threads = 1
    elif kind == "mixed":
        share = Decimal(str(io_share if io_share is not None else 0.5))
        threads = max(1, int(((c + 4) * share).quantize(Decimal(1), ROUND_HALF_UP)))
        if style == "sync" and concurrency:
            threads = max(threads, math.ceil(share * concurrency / p))
    elif style == "async":
        threads = c + 4
    else:
        threads = max(c + 4, math.ceil(concurrency / p)) if concurrency else c + 4
    if kind == "cpu":
        capacity = p
    elif style == "async":
        capacity = p * (math.ceil(concurrency / p) if concurrency else 16)
    else:
        capacity = p * threads
    if kind == "cpu":
        per_instance = 1
    elif kind == "io" and style == "async":
        per_instance = concurrency or 16
    else:
        per_instance = threads
    return {
        "p": p,
        "threads": threads,
        "capacity": capacity,
        "flex": flex,
        "per_instance": per_instance,
        "memory_limited": fit < min(10, c),
        "always_on": row.family == "dedicated",
    }


CASES = [
    (sku, kind, style, concurrency, mpp)
    for sku in skus()
    for kind in ("io", "cpu", "mixed")
    for style in ("sync", "async")
    for concurrency, mpp in ((None, 640), (96, 640), (96, 3000))
]


def test_table_reaches_memory_limited_cases() -> None:
    limited = [
        c
        for c in CASES
        if expected(
            c[0], c[1], c[2], c[3], c[4], 0.35, 4096 if c[0] == "FC1" else None
        )["memory_limited"]
    ]
    assert len(limited) > 20


@pytest.mark.parametrize(("sku", "kind", "style", "concurrency", "mpp"), CASES)
def test_formulas(
    sku: str, kind: str, style: str, concurrency: int | None, mpp: int
) -> None:
    io_share = 0.35 if kind == "mixed" else None
    memory = 4096 if sku == "FC1" else None
    python = "3.12"
    workload = {"kind": kind, "style": style, "memory_per_process_mb": mpp}
    if concurrency:
        workload["concurrency"] = concurrency
    if io_share is not None:
        workload["io_share"] = io_share
    plan = {"sku": sku, **({"instance_memory_mb": memory} if memory else {})}
    spec = spec_for(
        python=python,
        workload=workload,
        plan=plan,
        triggers=["http", "queue", "servicebus"],
    )
    want = expected(sku, kind, style, concurrency, mpp, io_share, memory)
    settings = spec.app_settings

    assert settings["PYTHON_THREADPOOL_THREAD_COUNT"] == str(want["threads"])
    extensions = spec.host_json["extensions"]
    assert isinstance(extensions, dict)
    batch = min(32, max(1, math.ceil(want["capacity"] / 2)))
    assert extensions["queues"] == {
        "batchSize": batch,
        "newBatchThreshold": max(0, want["capacity"] - batch),
    }
    assert extensions["serviceBus"] == {"maxConcurrentCalls": want["capacity"]}
    if want["flex"]:
        assert not FLEX_DEPRECATED & set(settings)
        assert "http" not in extensions
        fac = spec.function_app_config
        assert fac is not None
        assert fac["runtime"] == {"name": "python", "version": python}
        scale = fac["scaleAndConcurrency"]
        assert scale == {
            "instanceMemoryMB": memory,
            "maximumInstanceCount": 100,
            "triggers": {"http": {"perInstanceConcurrency": want["per_instance"]}},
        }
        assert spec.site.linux_fx_version is None and spec.site.always_on is None
    else:
        assert settings["FUNCTIONS_WORKER_PROCESS_COUNT"] == str(want["p"])
        assert settings["FUNCTIONS_WORKER_RUNTIME"] == "python"
        assert settings["FUNCTIONS_EXTENSION_VERSION"] == "~4"
        assert extensions["http"] == {"maxConcurrentRequests": want["capacity"]}
        assert spec.function_app_config is None
        assert spec.site.linux_fx_version == "Python|3.12"
        assert spec.site.always_on is want["always_on"]
    warned = any(d.rule == "workers.memory-limits-processes" for d in spec.decisions)
    assert warned is (
        bool(want["memory_limited"]) and kind in ("cpu", "mixed") and not want["flex"]
    )
