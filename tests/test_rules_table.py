"""The rules' formulas, recomputed independently, over every SKU x kind x style x
function mix."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest

from azfn_profile.catalog import skus
from azfn_profile.checks import REGISTRY, Target
from tests.conftest import TODAY, spec_for

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
    # Flex's documented HTTP defaults by instance size; 16 elsewhere.
    loop = {512: 4, 2048: 16, 4096: 32}[mem] if flex else 16
    if kind == "cpu":
        capacity = p
    elif style == "async":
        capacity = p * (math.ceil(concurrency / p) if concurrency else loop)
    else:
        capacity = p * threads
    if kind == "cpu":
        per_instance = 1
    elif kind == "io" and style == "async":
        per_instance = concurrency or loop
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
        "target_scaling": row.family != "dedicated",
    }


MIXES = (
    {"http": 1, "queue": 1, "servicebus": 1},
    {"http": 2, "queue": 3, "blob": 2, "timer": 1},
    {"queue": 1},
)


def shares(capacity: int, mix: dict[str, int], flex: bool) -> dict[str, int]:
    """Each function's limit: on one instance they add up to at most the capacity."""
    sized = {t: n for t, n in mix.items() if t in ("queue", "servicebus", "blob")}
    if flex:
        out = dict.fromkeys(sized, capacity)
        if "blob" in sized:
            out["blob"] = max(1, capacity // sized["blob"])
        if "http" in mix:
            out["http"] = capacity
        return out
    units = sum(sized.values()) + (1 if "http" in mix else 0)
    each = max(1, capacity // units)
    out = dict.fromkeys(sized, each)
    if "http" in mix:
        out["http"] = max(1, capacity - each * (units - 1))
    return out


CASES = [
    (sku, kind, style, concurrency, mpp, mix)
    for sku in skus()
    for kind in ("io", "cpu", "mixed")
    for style in ("sync", "async")
    for concurrency, mpp in ((None, 640), (96, 640), (96, 3000))
    for mix in range(len(MIXES))
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


@pytest.mark.parametrize(("sku", "kind", "style", "concurrency", "mpp", "mix"), CASES)
def test_formulas(
    sku: str, kind: str, style: str, concurrency: int | None, mpp: int, mix: int
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
        functions=MIXES[mix],
    )
    want = expected(sku, kind, style, concurrency, mpp, io_share, memory)
    settings = spec.app_settings

    assert settings["PYTHON_THREADPOOL_THREAD_COUNT"] == str(want["threads"])
    extensions = spec.host_json["extensions"]
    assert isinstance(extensions, dict)
    share = shares(int(want["capacity"]), MIXES[mix], bool(want["flex"]))
    if "queue" in share:
        each = share["queue"]
        batch = (
            min(32, each)
            if want["target_scaling"]
            else min(32, max(1, math.ceil(each / 2)))
        )
        assert extensions["queues"] == {
            "batchSize": batch,
            "newBatchThreshold": each - batch,
        }
    if "servicebus" in share:
        assert extensions["serviceBus"] == {"maxConcurrentCalls": share["servicebus"]}
    if "blob" in share:
        assert extensions["blobs"] == {"maxDegreeOfParallelism": share["blob"]}
    assert set(extensions) == {
        {"queue": "queues", "servicebus": "serviceBus", "blob": "blobs"}.get(t, t)
        for t in share
        if not (t == "http" and want["flex"])
    }
    if want["flex"]:
        assert not FLEX_DEPRECATED & set(settings)
        fac = spec.function_app_config
        assert fac is not None
        assert fac["runtime"] == {"name": "python", "version": python}
        scale = fac["scaleAndConcurrency"]
        assert (
            scale
            == {
                "instanceMemoryMB": memory,
                "maximumInstanceCount": 100,
                "triggers": {"http": {"perInstanceConcurrency": want["per_instance"]}},
            }
            if "http" in MIXES[mix]
            else True
        )
        assert spec.site.linux_fx_version is None and spec.site.always_on is None
    else:
        assert settings["FUNCTIONS_WORKER_PROCESS_COUNT"] == str(want["p"])
        assert settings["FUNCTIONS_WORKER_RUNTIME"] == "python"
        assert settings["FUNCTIONS_EXTENSION_VERSION"] == "~4"
        if "http" in share:
            assert extensions["http"] == {"maxConcurrentRequests": share["http"]}
        assert spec.function_app_config is None
        assert spec.site.linux_fx_version == "Python|3.12"
        assert spec.site.always_on is want["always_on"]
    if kind in ("cpu", "mixed") and not want["flex"]:
        warned = list(REGISTRY["AZFN114"].run(Target(spec), TODAY))
        assert bool(warned) is bool(want["memory_limited"])
