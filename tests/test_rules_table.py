"""The rules' formulas, recomputed independently, over every kind x style x load x
function mix on representative SKUs of each plan family and the catalog's edge cases;
every other SKU is spot-checked at two points of that grid."""

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
    # Flex without a size runs the default instance, whose memory is the row's
    mem = instance_memory if flex and instance_memory else row.memory_mb
    cores = row.instance_sizes[mem] if flex else row.vcpu
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
        "c": c,
        "fit": fit,
        "memory_limited": fit < min(10, c),
        "always_on": row.family == "dedicated",
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


# The formulas read a SKU only through its family, its cores and its memory (and the
# Flex instance size), so SKUs alike in those are interchangeable: the full grid runs
# on one SKU per behaviour rather than on all 29. (An explicit table, not hypothesis:
# the edge cases are listed rather than left to chance, every run checks the same
# cases, and a failure's test id names its row.) The notes fit 3000 MB processes
# into 0.8 x the instance's memory.
# (sku, Flex instance memory MB, kind, style, concurrency, memory per process MB, mix)
Case = tuple[str, int | None, str, str, int | None, int, int]
REPRESENTATIVE: dict[tuple[str, int | None], str] = {
    ("Y1", None): "Consumption's only SKU",
    ("FC1", 512): "Flex 512 MB: a quarter core, HTTP default 4 per instance",
    ("FC1", 2048): "Flex 2048 MB: the default size, HTTP default 16",
    ("FC1", 4096): "Flex 4096 MB: 2 cores, HTTP default 32",
    ("EP1", None): "Premium's smallest: 1 core",
    ("EP2", None): "Premium: 3000 MB processes fit once on 2 cores (memory-limited)",
    ("EP3", None): "Premium's largest: fit 3 on 4 cores (memory-limited, p > 1)",
    ("B1", None): "Dedicated's smallest cores and memory: a process bigger than it",
    ("B3", None): "memory limits 4 cores to 1 process",
    ("P2v3", None): "fit equals the cores (4 and 4): not memory-limited",
    ("I4v2", None): "the smallest SKU above the cap of 10 processes: 16 cores",
    ("I6v2", None): "Dedicated's largest cores and memory: 64 cores, 256 GB",
}
KINDS = ("io", "cpu", "mixed")
STYLES = ("sync", "async")
# (concurrency, memory per process MB)
LOADS = ((None, 640), (96, 640), (96, 3000))
GRID: list[tuple[str, str, int | None, int, int]] = [
    (kind, style, concurrency, mpp, mix)
    for kind in KINDS
    for style in STYLES
    for concurrency, mpp in LOADS
    for mix in range(len(MIXES))
]
# Memory below the cap on SKUs above it: 12000 MB processes fit 4 times on I4v2
# (16 cores) and 17 times on I6v2 (capped at 10).
ABOVE_CAP: list[Case] = [
    (sku, None, kind, style, 96, 12000, mix)
    for sku in ("I4v2", "I6v2")
    for kind in KINDS
    for style in STYLES
    for mix in range(len(MIXES))
]
# Every other SKU at two points: memory-sized mixed sync work with all the sized
# triggers, and io async with the default event loop (guards against a rule keyed
# on a SKU's name rather than its size).
SPOT: tuple[tuple[str, str, int | None, int, int], ...] = (
    ("mixed", "sync", 96, 3000, 1),
    ("io", "async", None, 640, 0),
)
OTHERS = [sku for sku in skus() if sku not in {s for s, _ in REPRESENTATIVE}]
CASES: list[Case] = (
    [(sku, memory, *point) for sku, memory in REPRESENTATIVE for point in GRID]
    + ABOVE_CAP
    + [(sku, None, *point) for sku in OTHERS for point in SPOT]
)


def case_id(case: Case) -> str:
    sku, memory, kind, style, concurrency, mpp, mix = case
    size = f"@{memory}" if memory else ""
    return f"{sku}{size}-{kind}-{style}-c{concurrency or 0}-m{mpp}-mix{mix}"


def numbers(case: Case) -> dict[str, int]:
    """expected()'s numbers (booleans as 0/1) for a row of the table."""
    sku, memory, kind, style, concurrency, mpp, _ = case
    io_share = 0.35 if kind == "mixed" else None
    got = expected(sku, kind, style, concurrency, mpp, io_share, memory)
    return {k: int(v) for k, v in got.items() if isinstance(v, int)}


def test_representatives_hold_each_familys_extremes() -> None:
    """Smallest and largest cores and memory of every family are in the full grid,
    and so is every Flex instance size: the table follows the catalog."""
    rows = skus()
    chosen = {sku for sku, _ in REPRESENTATIVE}
    for family in {row.family for row in rows.values()}:
        members = [row for row in rows.values() if row.family == family]
        picked = [rows[sku] for sku in chosen if rows[sku].family == family]
        for size in ("vcpu", "memory_mb"):
            values = [getattr(row, size) for row in members]
            got = {getattr(row, size) for row in picked}
            assert {min(values), max(values)} <= got, (family, size)
    assert {m for s, m in REPRESENTATIVE if s == "FC1"} == set(
        rows["FC1"].instance_sizes
    )
    assert set(OTHERS) | chosen == set(rows)


def test_table_reaches_edge_cases() -> None:
    rows = [(case, numbers(case)) for case in CASES]
    # where AZFN114 (memory-limited processes) is asked
    sized = [(c, w) for c, w in rows if not w["flex"] and c[2] in ("cpu", "mixed")]
    limited = [w for _, w in sized if w["memory_limited"]]
    assert len(limited) > 20
    # memory, not cores, sets the process count: down to 1, to more than 1, and
    # below the cap on a SKU above it
    assert any(w["p"] == 1 < w["c"] for w in limited)
    assert any(1 < w["p"] < w["c"] <= 10 for w in limited)
    assert any(w["p"] < 10 < w["c"] for w in limited)
    # the cap of 10 binds; memory that exactly fits the cores does not limit them
    assert any(w["p"] == 10 < w["c"] for _, w in rows)
    assert any(w["fit"] == w["c"] > 1 and not w["memory_limited"] for _, w in sized)
    # a process larger than the whole instance still gets one
    assert any(c[5] > skus()[c[0]].memory_mb and w["p"] == 1 for c, w in sized)
    assert {w["always_on"] for _, w in rows} == {0, 1}


@pytest.mark.parametrize(
    ("sku", "memory", "kind", "style", "concurrency", "mpp", "mix"),
    [pytest.param(*case, id=case_id(case)) for case in CASES],
)
def test_formulas(
    sku: str,
    memory: int | None,
    kind: str,
    style: str,
    concurrency: int | None,
    mpp: int,
    mix: int,
) -> None:
    io_share = 0.35 if kind == "mixed" else None
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
    capacity = want["capacity"]
    assert isinstance(capacity, int)
    share = shares(capacity, MIXES[mix], bool(want["flex"]))
    if "queue" in share:
        each = share["queue"]
        # Half per batch on every plan: the scale controller sizes an instance for
        # batchSize + newBatchThreshold (Storage Queues extension 5.3.1+).
        batch = min(32, max(1, math.ceil(each / 2)))
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
