"""`azfn-profile capacity`: the queueing model, each billing model against hand
arithmetic, properties over generated loads, and the command as a user runs it.

Prices in the hand-computed cases are the shipped table's (eastus, USD), the
figures https://azure.microsoft.com/pricing/details/functions/ and
https://azure.microsoft.com/pricing/details/app-service/linux/ list:
Flex on demand $0.000026/GB-s past 100,000 GB-s and $0.40 per million executions
past 250,000; always ready baseline $0.000004/GB-s and execution $0.000016/GB-s;
Consumption $0.000016/GB-s past 400,000 GB-s and $0.20 per million past one million;
Elastic Premium $0.173 per vCPU hour and $0.0123 per GiB hour; P1v3 Linux $0.155 an
hour. A month is 730 hours (2,628,000 s).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from azfn_profile import facts
from azfn_profile.capacity import billing
from azfn_profile.capacity.model import CallTime, answer, declared
from azfn_profile.capacity.prices import shipped
from azfn_profile.capacity.queueing import Queue, instances_needed
from azfn_profile.cli import cli
from azfn_profile.rules import resolve
from azfn_profile.spec import AppSpec
from azfn_profile.validation import validate
from tests.conftest import EXAMPLES, TODAY, profile_data

PRICES = shipped()[0]
MONTH = 2_628_000


def spec_of(**overrides: Any) -> AppSpec:
    return resolve(validate(profile_data(**overrides), TODAY), None)


# The queueing model -----------------------------------------------------------


def test_mm1_matches_its_closed_form() -> None:
    # M/M/1: P(wait) = rho, time in system ~ Exp(mu - lam): p95 = ln 20 / (mu - lam).
    q = Queue(lam=6.0, service=0.1, c=1)
    assert q.wait == pytest.approx(0.6)
    assert q.percentile() == pytest.approx(math.log(20) / (10 - 6), rel=1e-6)
    assert q.idle_probability() == pytest.approx(0.4)


def test_erlang_c_matches_a_textbook_value() -> None:
    # c = 3 servers, offered load 2 Erlangs: C = 4/9, P0 = 1/9.
    q = Queue(lam=2.0, service=1.0, c=3)
    assert q.wait == pytest.approx(4 / 9)
    assert q.idle_probability() == pytest.approx(1 / 9)


def test_a_load_too_small_for_a_float_is_no_load() -> None:
    # 5e-324 calls/s x 0.5 s underflows to 0 Erlangs: P0 is 1, not log(0).
    for c in (1, 8, None):
        assert Queue(lam=5e-324, service=0.5, c=c).idle_probability() == 1.0


def test_a_large_server_count_stays_fast_and_exact() -> None:
    q = Queue(lam=90_000.0, service=0.1, c=100_000)  # 9,000 Erlangs
    assert q.wait == 0.0  # far below c: no call waits
    assert q.percentile() == pytest.approx(0.1 * math.log(20), rel=1e-6)


def test_an_unstable_instance_has_no_p95() -> None:
    assert math.isinf(Queue(lam=20.0, service=0.1, c=2).percentile())


@settings(max_examples=200, deadline=None)
@given(
    rps=st.floats(0.5, 50_000),
    more=st.floats(1.0, 10.0),
    service=st.floats(0.001, 5.0),
    slots=st.one_of(st.none(), st.integers(1, 2000)),
    p95_factor=st.one_of(st.none(), st.floats(3.1, 50.0)),
)
def test_more_load_never_needs_fewer_instances(
    rps: float, more: float, service: float, slots: int | None, p95_factor: float | None
) -> None:
    p95 = None if p95_factor is None else p95_factor * service
    n, _ = instances_needed(rps, service, slots, p95)
    n_more, _ = instances_needed(rps * more, service, slots, p95)
    assert n_more >= n
    # ... and the count found is the fewest: one fewer breaks stability or the p95.
    if n > 1:
        q = Queue(rps / (n - 1), service, slots)
        assert not q.stable or (p95 is not None and q.percentile() > p95)


# Billing, by hand ---------------------------------------------------------------


def test_dedicated_bills_every_instance_every_hour() -> None:
    bill = billing.dedicated(PRICES, "P1v3", 3)
    assert bill.total == pytest.approx(3 * 0.155 * 730)  # 339.45


def test_premium_bills_vcpu_and_memory_of_at_least_one_instance_and_the_buffer() -> (
    None
):
    per_instance = (1 * 0.173 + 3.5 * 0.0123) * 730  # EP1: 1 vCPU, 3.5 GB = 157.7165
    # In use (at least the always-ready ones, at least one) plus one pre-warmed.
    assert billing.premium(PRICES, 1, 3584, 2, 1).total == pytest.approx(
        3 * per_instance
    )
    assert billing.premium(PRICES, 1, 3584, 0, 0).total == pytest.approx(
        2 * per_instance
    )
    assert billing.premium(PRICES, 1, 3584, 1, 3).total == pytest.approx(
        4 * per_instance
    )
    assert billing.premium(PRICES, 1, 3584, 1, 0, prewarmed=0).total == pytest.approx(
        per_instance
    )


def test_flex_on_demand_bills_busy_memory_and_executions_past_the_free_grants() -> None:
    use = billing.Activity(rps=10, instances=1, active=1.0)
    bill = billing.flex(PRICES, 2048, use, always_ready=0)
    gbs = 2 * MONTH  # one 2 GB instance busy all month
    executions = 10 * MONTH
    expected = (gbs - 100_000) * 0.000026 + (executions - 250_000) * 0.4e-6
    assert bill.total == pytest.approx(expected)  # 134.056 + 10.412


def test_flex_always_ready_bills_the_baseline_without_free_grants() -> None:
    idle = billing.Activity(rps=0, instances=0, active=0.0)
    bill = billing.flex(PRICES, 2048, idle, always_ready=1)
    assert bill.total == pytest.approx(2 * MONTH * 0.000004)  # 21.024
    busy = billing.Activity(rps=1, instances=1, active=0.5)
    bill = billing.flex(PRICES, 2048, busy, always_ready=1)
    expected = 2 * MONTH * 0.000004 + 2 * MONTH * 0.5 * 0.000016 + MONTH * 0.4e-6
    assert bill.total == pytest.approx(expected)


def test_flex_bills_at_least_a_second_per_active_period() -> None:
    # Calls of 10 ms far apart: each is billed the 1 s minimum.
    assert billing.flex_active(0.001, 1 - 0.001 * 0.01, 0.01) == pytest.approx(
        0.001, rel=0.02
    )
    # Calls longer than a second: billed what they run.
    assert billing.flex_active(0.1, 0.8, 2.0) == pytest.approx(0.2)
    # 2 calls/s of 10 ms: about 1 - exp(-2 x 0.99) of the time is covered.
    q = Queue(2.0, 0.01, None)
    expected = 1 - q.idle_probability() * math.exp(-2 * 0.99)
    assert billing.flex_active(2.0, q.idle_probability(), 0.01) == pytest.approx(
        expected
    )


@settings(max_examples=200, deadline=None)
@given(
    lam=st.floats(0.0, 500.0),
    more=st.floats(1.0, 10.0),
    call_s=st.floats(0.001, 3.0),
    c=st.one_of(st.none(), st.integers(1, 200)),
)
def test_flex_activity_rises_with_the_load(
    lam: float, more: float, call_s: float, c: int | None
) -> None:
    low, high = Queue(lam, call_s, c), Queue(lam * more, call_s, c)
    if not high.stable:
        return
    a = billing.flex_active(lam, low.idle_probability(), call_s)
    b = billing.flex_active(lam * more, high.idle_probability(), call_s)
    assert b >= a - 1e-12


def test_consumption_rounds_memory_and_time_and_grants_the_free_tier() -> None:
    # 1 call/s of 50 ms at 300 MB: billed 100 ms at 384 MB.
    bill = billing.consumption(PRICES, 300, 0.05, 1)
    gbs = MONTH * 0.1 * 384 / 1024  # 98,550 GB-s: within the free 400,000
    assert gbs < 400_000
    assert bill.total == pytest.approx((MONTH - 1_000_000) * 0.2e-6)  # 0.3256
    big = billing.consumption(PRICES, 4000, 1.0, 10)  # capped at 1,536 MB
    expected = (10 * MONTH * 1.5 - 400_000) * 0.000016 + (
        10 * MONTH - 1_000_000
    ) * 0.2e-6
    assert big.total == pytest.approx(expected)


# Properties of whole answers ------------------------------------------------------


def flex_spec(per_instance: int) -> AppSpec:
    spec = spec_of(plan={"sku": "FC1", "instance_memory_mb": 2048})
    fac = json.loads(json.dumps(spec.function_app_config))
    fac["scaleAndConcurrency"]["triggers"] = {
        "http": {"perInstanceConcurrency": per_instance}
    }
    return dataclasses.replace(spec, function_app_config=fac)


@settings(max_examples=60, deadline=None)
@given(
    rps=st.floats(1, 20_000),
    call_ms=st.floats(5, 2000),
    low=st.integers(1, 64),
    extra=st.integers(0, 64),
)
def test_more_per_instance_concurrency_never_raises_the_flex_cost(
    rps: float, call_ms: float, low: int, extra: int
) -> None:
    call = CallTime(call_ms / 1000, None, "declared")
    few = answer("a", flex_spec(low), call, rps, None, PRICES)
    many = answer("b", flex_spec(low + extra), call, rps, None, PRICES)
    assert few.bill is not None and many.bill is not None
    assert many.bill.total <= few.bill.total * (1 + 1e-9)


SKUS = ["FC1", "EP1", "P1v3", "Y1", "B1"]


@settings(max_examples=80, deadline=None)
@given(
    sku=st.sampled_from(SKUS),
    rps=st.floats(0.1, 5_000),
    more=st.floats(1.0, 20.0),
    call_ms=st.floats(1, 3000),
)
def test_cost_never_decreases_with_load(
    sku: str, rps: float, more: float, call_ms: float
) -> None:
    spec = spec_of(plan={"sku": sku}, python="3.12")
    call = declared(spec, call_ms, "declared")
    low = answer(sku, spec, call, rps, None, PRICES)
    high = answer(sku, spec, call, rps * more, None, PRICES)
    assert low.bill is not None and high.bill is not None
    assert high.bill.total >= low.bill.total * (1 - 1e-9)
    assert high.instances >= low.instances


def test_cpu_work_is_bounded_by_the_cores() -> None:
    # EP3 (4 cores) with CPU-bound calls: 4 processes keep 4 calls computing.
    spec = spec_of(plan={"sku": "EP3"}, workload={"kind": "cpu"})
    found = answer("EP3", spec, declared(spec, 100, "declared"), 100, None, PRICES)
    assert found.capacity.servers == 4
    # Each call also costs its process the worker's own CPU (Python 3.12: 0.8 ms).
    assert found.capacity.overhead_ms == facts.WORKER_OVERHEAD_MS["worker"]
    assert found.capacity.rps == pytest.approx(4 / (0.100 + 0.0008))
    assert found.instances == 3  # 100/s over 39.7/s per instance, each below 100 %


@pytest.mark.parametrize(
    ("python", "generation"),
    [("3.11", "worker"), ("3.12", "worker"), ("3.13", "proxy")],
)
def test_short_calls_are_bounded_by_the_worker_overhead(
    python: str, generation: str
) -> None:
    # A 2 ms CPU call on one core: 1 / (2 ms + overhead) a second, not 500.
    o = facts.WORKER_OVERHEAD_MS[generation]
    spec = spec_of(
        python=python,
        plan={"sku": "EP1"},
        workload={"kind": "cpu"},
        app_settings={"FUNCTIONS_WORKER_PROCESS_COUNT": "1"},
    )
    cap = answer("EP1", spec, declared(spec, 2, "declared"), 100, None, PRICES).capacity
    assert cap.servers == 1
    assert cap.rps == pytest.approx(1000 / (2 + o))
    # An I/O call that only waits: the overhead alone bounds one process.
    io = spec_of(
        python=python,
        plan={"sku": "EP1"},
        workload={"kind": "io", "style": "async", "concurrency": 100_000},
        app_settings={"FUNCTIONS_WORKER_PROCESS_COUNT": "1"},
    )
    cap = answer("EP1", io, declared(io, 1, "declared"), 100, None, PRICES).capacity
    assert cap.rps == pytest.approx(1000 / o, rel=0.01)
    assert "worker's" in cap.why


# The command ---------------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["capacity", *args])


@pytest.mark.parametrize(
    "example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem
)
@pytest.mark.parametrize("rps", ["5", "500", "50000"])
@pytest.mark.parametrize("compare", [False, True])
def test_every_example_is_answered(example: Path, rps: str, compare: bool) -> None:
    args = [str(example), "--rps", rps, "--call-ms", "100", "--format", "json"]
    result = run(*args, *(["--compare"] if compare else []))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    declared = yaml.safe_load(example.read_text()).get("load") or {}
    assert doc["target"] == {"rps": float(rps), "p95_ms": declared.get("p95_ms")}
    plans = doc["plans"]
    assert plans[0]["label"].endswith("(profile)")
    assert len(plans) > (10 if compare else 0)
    for plan in plans:
        assert plan["instances"] >= 1
        assert plan["monthly_cost"] is not None and plan["monthly_cost"] > 0
        assert plan["currency"] == "USD" and plan["price_date"] == "2026-10-02"
        if (
            plan["instance_limit"] is not None
            and plan["instances"] > plan["instance_limit"]
        ):
            assert not plan["meets_target"] and "instances" in plan["why"]


def write_profile(tmp_path: Path, **overrides: Any) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(profile_data(**overrides)))
    return path


def test_a_measured_call_time_replaces_the_declared_one(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, load={"rps": 100, "call_ms": 500})
    bench = tmp_path / "bench.json"
    records = [
        {"processes": 2, "threads": 8, "call_ms": 60.0, "cpu_ms": 30.0, "rss_mb": 90},
        {"processes": 1, "threads": 1, "call_ms": 40.0, "cpu_ms": 10.0, "rss_mb": 80},
    ]
    bench.write_text(json.dumps(records))
    declared_doc = json.loads(run(str(profile), "--format", "json").stdout)
    measured = run(str(profile), "--from-bench", str(bench), "--format", "json")
    assert measured.exit_code == 0, measured.output
    doc = json.loads(measured.stdout)
    assert declared_doc["call"]["ms"] == 500 and not declared_doc["call"]["measured"]
    assert doc["call"]["ms"] == 40.0 and doc["call"]["cpu_share"] == 0.25
    assert doc["call"]["measured"] and "threads=1" in doc["call"]["source"]
    assert (
        doc["plans"][0]["per_instance_rps"]
        > declared_doc["plans"][0]["per_instance_rps"]
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([], "capacity needs the load: give --rps N"),
        (["--rps", "10"], "capacity needs the time one call takes"),
        (
            ["--rps", "10", "--call-ms", "5", "--region", "westeurope"],
            "no prices for region 'westeurope'; it has: eastus",
        ),
    ],
)
def test_missing_inputs_are_named(tmp_path: Path, args: list[str], words: str) -> None:
    result = run(str(write_profile(tmp_path)), *args)
    assert result.exit_code == 2
    assert words in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not JSON"),
        ('[{"processes": 1}]', "not a `bench --json` result with call times"),
        ('{"a": 1}', "not a `bench --json` result"),
        ('[{"processes": 1, "threads": 1, "call_ms": 5e-324, "cpu_ms": 0}]', "not a"),
        ('[{"processes": 0, "threads": 1, "call_ms": 5, "cpu_ms": 1}]', "not a"),
        ('[{"processes": 1.5, "threads": 1, "call_ms": 5, "cpu_ms": 1}]', "not a"),
        ('[{"processes": 1, "threads": true, "call_ms": 5, "cpu_ms": 1}]', "not a"),
        ('[{"processes": 1, "threads": 1, "call_ms": 5, "cpu_ms": -1}]', "not a"),
        (
            '[{"processes": 1, "threads": 1, "call_ms": 5, "cpu_ms": 1, "rss_mb": "9"}]',
            "not a",
        ),
    ],
)
def test_a_bad_bench_file_is_a_located_error(
    tmp_path: Path, text: str, words: str
) -> None:
    bench = tmp_path / "bench.json"
    bench.write_text(text)
    result = run(str(write_profile(tmp_path)), "--rps", "1", "--from-bench", str(bench))
    assert result.exit_code == 2
    assert str(bench) in result.stderr and words in result.stderr


def api_item(**fields: Any) -> dict[str, Any]:
    item = {
        "serviceName": "Azure App Service",
        "productName": "Azure App Service Premium v3 Plan - Linux",
        "skuName": "P1 v3",
        "meterName": "P1 v3 App",
        "unitOfMeasure": "1 Hour",
        "unitPrice": 0.2,
        "tierMinimumUnits": 0.0,
        "armRegionName": "westeurope",
        "currencyCode": "EUR",
        "type": "Consumption",
    }
    return {**item, **fields}


def test_a_users_price_export_is_used_for_its_region(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    pages = [
        {"Items": [api_item(), api_item(type="Reservation", unitPrice=0.01)]},
        {"Items": [api_item(armRegionName="eastus", unitPrice=0.5)]},
    ]
    prices.write_text(json.dumps(pages))
    profile = write_profile(tmp_path, plan={"sku": "P1v3"}, location="westeurope")
    args = [str(profile), "--rps", "10", "--call-ms", "100", "--prices", str(prices)]
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)["plans"][0]
    assert (plan["region"], plan["currency"]) == ("westeurope", "EUR")
    assert plan["monthly_cost"] == pytest.approx(0.2 * 730)
    # A plan whose meter the export lacks has no cost, and says so.
    result = run(*args, "--format", "json", "--compare")
    ep1 = next(p for p in json.loads(result.stdout)["plans"] if p["label"] == "EP1")
    assert (
        ep1["monthly_cost"] is None and "no 'Premium vCPU Duration' meter" in ep1["why"]
    )


# Every class of bad export the reader defends: wrong types, non-finite or negative
# numbers, units it cannot count, text that could forge report lines or spreadsheet
# formulas, two prices for one thing, and shapes the API never returns.
BAD_EXPORTS = [
    (
        {"Items": [api_item(unitPrice="cheap")]},
        "Items[0]: unitPrice or tierMinimumUnits",
    ),
    ({"Items": [api_item(unitPrice=True)]}, "Items[0]: unitPrice or tierMinimumUnits"),
    ({"Items": [api_item(unitPrice=-1)]}, "Items[0]: unitPrice or tierMinimumUnits"),
    ({"Items": [api_item(tierMinimumUnits=1e300)]}, "Items[0]: unitPrice or tier"),
    ({"Items": [api_item(skuName=None)]}, "Items[0]: skuName missing"),
    ({"Items": [api_item(meterName="P1\nevil")]}, "Items[0]: meterName missing"),
    ({"Items": [api_item(productName="\x1b[31mred")]}, "Items[0]: productName"),
    ({"Items": [api_item(unitOfMeasure="0 Hour")]}, "unitOfMeasure '0 Hour'"),
    ({"Items": [api_item(unitOfMeasure="9" * 400 + " Hour")]}, "not a unit this"),
    ({"Items": [api_item(armRegionName="=HYPERLINK(1)")]}, "armRegionName missing"),
    ({"Items": [api_item(currencyCode=5)]}, "currencyCode missing"),
    ({"Items": [api_item(), api_item(unitPrice=99)]}, "a second price for meter"),
    (
        {"Items": [api_item(), api_item(currencyCode="USD", skuName="P2 v3")]},
        "region westeurope is priced in several currencies (EUR, USD)",
    ),
    ({"Items": [1]}, "Items[0]: an item is an object"),
    ([[api_item()]], "[0]: an item is an object"),
    ({"Items": {"a": 1}}, "Items: expected a Retail Prices API response"),
    ("prices", "the document: expected a Retail Prices API response"),
    ({"Items": []}, "no Consumption-type item"),
]


@pytest.mark.parametrize(("document", "words"), BAD_EXPORTS)
def test_a_bad_price_export_is_a_located_error(
    tmp_path: Path, document: Any, words: str
) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps(document))
    result = run(
        str(write_profile(tmp_path)),
        "--rps",
        "1",
        "--call-ms",
        "1",
        "--prices",
        str(prices),
    )
    assert result.exit_code == 2, result.output
    assert words in result.stderr


def test_the_plot_is_written_once_and_never_clobbered(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, load={"rps": 50, "call_ms": 100})
    png = tmp_path / "cost.png"
    first = run(str(profile), "--compare", "--plot", str(png))
    assert first.exit_code == 0, first.output
    assert png.read_bytes().startswith(b"\x89PNG")
    png.write_bytes(b"mine")
    again = run(str(profile), "--plot", str(png))
    assert again.exit_code == 2 and "pass --force" in again.stderr
    assert png.read_bytes() == b"mine"
    assert run(str(profile), "--plot", str(png), "--force").exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG")


# Classes the hostile campaign found, attacked as classes ---------------------------


def float_options() -> list[tuple[str, str]]:
    """(command, option) for every float option of every command."""
    from azfn_profile.cli import _Finite

    return [
        (name, param.opts[0])
        for name, command in sorted(cli.commands.items())
        for param in command.params
        if isinstance(param.type, _Finite) and param.opts
    ]


def test_every_float_option_is_checked() -> None:
    options = float_options()
    assert ("capacity", "--rps") in options and ("bench", "--rate") in options
    assert len(options) >= 8


@pytest.mark.parametrize(("command", "option"), float_options())
@pytest.mark.parametrize("value", ["nan", "-nan", "inf", "-inf", "1e999"])
def test_no_float_option_takes_a_non_finite_number(
    command: str, option: str, value: str
) -> None:
    result = CliRunner().invoke(cli, [command, "x", option, value])
    assert result.exit_code == 2, result.output
    assert (
        "Invalid value for" in result.stderr and "internal error" not in result.output
    )


@settings(max_examples=300, deadline=None)
@given(
    c=st.integers(1, 100_000),
    load=st.floats(0.0, 0.9999),
    service=st.floats(1e-6, 3600.0),
)
def test_the_queue_is_total_at_any_size_and_load(
    c: int, load: float, service: float
) -> None:
    q = Queue(c * load / service, service, c)
    assert 0.0 <= q.idle_probability() <= 1.0
    assert 0.0 <= q.wait <= 1.0
    assert q.percentile() >= 0.0


@settings(max_examples=100, deadline=None)
@given(
    service=st.floats(0.001, 10.0),
    above=st.floats(0.0, 1e-5),
    rps=st.floats(0.1, 1e6),
    slots=st.one_of(st.none(), st.integers(1, 1000)),
)
def test_a_p95_target_at_the_edge_of_reach_answers(
    service: float, above: float, rps: float, slots: int | None
) -> None:
    # Targets a hair above one call's own p95 need unboundedly many instances:
    # the answer is a count and a verdict, never a hang or an overflow.
    p95 = service * math.log(20) * (1 + above)
    n, reachable = instances_needed(rps, service, slots, p95)
    assert n >= 1
    if reachable:
        assert Queue(rps / n, service, slots).percentile() <= p95


@pytest.mark.parametrize("command", ["render", "capacity"])
def test_a_path_the_system_refuses_is_an_error_not_a_crash(
    tmp_path: Path, command: str
) -> None:
    long_name = tmp_path / ("a" * 300 + ".out")
    profile = write_profile(tmp_path, load={"rps": 5, "call_ms": 10})
    args = (
        ["render", str(profile), "-o", str(long_name)]
        if command == "render"
        else ["capacity", str(profile), "--plot", str(long_name)]
    )
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "cannot write: File name too long" in result.stderr
