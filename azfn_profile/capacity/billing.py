"""Each plan's billing model, as Microsoft's pages state it, over a sustained load.

A month is 730 hours, as the Azure pricing calculator counts it. The load runs all
month: every instance the load needs is billed for the month on plans that bill
instances.

* Dedicated (App Service): every instance, per hour
  (https://azure.microsoft.com/pricing/details/app-service/linux/).
* Elastic Premium: vCPU and memory of every allocated instance, per second; at
  least one instance is always billed, and always-ready instances are billed all
  month (https://learn.microsoft.com/azure/azure-functions/functions-premium-plan#billing),
  and so is the pre-warmed buffer kept beyond the instances in use (one by default).
* Flex Consumption: on demand, the instance memory while an instance executes
  (GB-s, at least 1,000 ms per active period) and the executions, each past a
  monthly free grant; always ready, a baseline for the instances' memory all month
  plus the memory while they execute and the executions, no free grant
  (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#billing).
  Executions that overlap on one instance are billed once: the instance is busy.
* Linux Consumption: each execution's memory (rounded up to 128 MB, at most
  1,536 MB) times its time (at least 100 ms), and the executions, past the monthly
  free grant of 400,000 GB-s and one million executions
  (https://learn.microsoft.com/azure/azure-functions/functions-consumption-costs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from azfn_profile.capacity.prices import CONSUMPTION, FLEX, PREMIUM, Meter, Prices

HOURS = 730.0
SECONDS = HOURS * 3600
FLEX_MIN_PERIOD_S = 1.0  # the minimum billable execution period
CONSUMPTION_MIN_S = 0.1
CONSUMPTION_MAX_MB = 1536
# Elastic Premium keeps a buffer of pre-warmed instances beyond those in use, one by
# default (siteConfig.preWarmedInstanceCount; functions-premium-plan#prewarmed-instances).
PREWARMED = 1


@dataclass(frozen=True)
class Bill:
    """A month's cost and its lines (what, amount), in the prices' currency."""

    total: float
    lines: tuple[tuple[str, float], ...]


class NoPrice(Exception):
    """The price table lacks a meter this plan is billed by."""


def _need(meter: Meter | None, what: str) -> Meter:
    if meter is None:
        raise NoPrice(f"the price table has no {what} meter")
    return meter


def _meter(prices: Prices, product: tuple[str, str], sku: str, name: str) -> Meter:
    return _need(prices.meter(product, sku, name), f"'{name}'")


def _bill(lines: list[tuple[str, float]]) -> Bill:
    return Bill(math.fsum(amount for _, amount in lines), tuple(lines))


def dedicated(prices: Prices, sku: str, instances: int) -> Bill:
    meter = _need(prices.dedicated_hourly(sku), f"{sku} Linux instance-hour")
    return _bill(
        [(f"{instances} x {meter.name} x {HOURS:g} h", meter.cost(instances * HOURS))]
    )


def premium(
    prices: Prices,
    cores: float,
    memory_mb: int,
    instances: int,
    always_ready: int,
    prewarmed: int = PREWARMED,
) -> Bill:
    vcpu = _meter(prices, PREMIUM, "Premium", "Premium vCPU Duration")
    memory = _meter(prices, PREMIUM, "Premium", "Premium Memory Duration")
    active = max(instances, always_ready, 1)
    billed = active + prewarmed
    gib = memory_mb / 1024
    return _bill(
        [
            (
                (
                    f"({active} active + {prewarmed} pre-warmed) x {cores:g} vCPU x "
                    f"{HOURS:g} h"
                ),
                vcpu.cost(billed * cores * HOURS),
            ),
            (
                (
                    f"({active} active + {prewarmed} pre-warmed) x {gib:g} GiB x "
                    f"{HOURS:g} h"
                ),
                memory.cost(billed * gib * HOURS),
            ),
        ]
    )


@dataclass(frozen=True)
class Activity:
    """What the load does to the instances that serve it."""

    rps: float
    instances: int  # the instances serving the load (the load split evenly)
    active: float  # the share of time one instance is billed as active


def flex_active(lam: float, idle: float, call_s: float) -> float:
    """The share of time a Flex instance is billed as active, at `lam` calls/s with
    `idle` the chance it runs nothing: busy, plus the idle time a call's minimum
    billed period covers. An instance counts as active at a moment when it runs a
    call or ran one in the last (1 s - call time): idle now and no arrival in that
    window has probability idle x exp(-lam x window). Alone, a call is billed the
    1 s minimum; calls closer together share it. It rises with the load."""
    window = max(0.0, FLEX_MIN_PERIOD_S - call_s)
    return min(1.0, 1.0 - idle * math.exp(-lam * window))


def flex(prices: Prices, memory_mb: int, use: Activity, always_ready: int) -> Bill:
    baseline = _meter(prices, FLEX, "Always Ready", "Always Ready Baseline")
    ready_time = _meter(prices, FLEX, "Always Ready", "Always Ready Execution Time")
    ready_runs = _meter(prices, FLEX, "Always Ready", "Always Ready Total Executions")
    time = _meter(prices, FLEX, "On Demand", "On Demand Execution Time")
    runs = _meter(prices, FLEX, "On Demand", "On Demand Total Executions")
    gb = memory_mb / 1024
    serving = max(use.instances, always_ready)
    ready = min(always_ready, serving)
    active = use.active
    executions = use.rps * SECONDS
    ready_share = ready / serving if serving else 0.0
    lines: list[tuple[str, float]] = []
    if ready:
        lines += [
            (
                f"always ready baseline: {ready} x {gb:g} GB all month",
                baseline.cost(ready * gb * SECONDS),
            ),
            (
                f"always ready execution: {ready} x {gb:g} GB x {active:.1%} active",
                ready_time.cost(ready * gb * SECONDS * active),
            ),
            (
                f"always ready executions: {executions * ready_share:,.0f}",
                ready_runs.cost(executions * ready_share),
            ),
        ]
    on_demand = serving - ready
    lines += [
        (
            (
                f"on demand execution: {on_demand} x {gb:g} GB x {active:.1%} active, "
                f"{time.free:,.0f} GB-s free"
            ),
            time.cost(on_demand * gb * SECONDS * active),
        ),
        (
            (
                f"on demand executions: {executions * (1 - ready_share):,.0f}, "
                f"{runs.free:,.0f} free"
            ),
            runs.cost(executions * (1 - ready_share)),
        ),
    ]
    return _bill(lines)


def consumption_memory_mb(app_memory_mb: float) -> int:
    """The memory an execution is billed at: rounded up to 128 MB, within 128-1,536."""
    return min(CONSUMPTION_MAX_MB, max(128, math.ceil(app_memory_mb / 128) * 128))


def consumption(
    prices: Prices, app_memory_mb: float, call_s: float, rps: float
) -> Bill:
    time = _meter(prices, CONSUMPTION, "Standard", "Standard Execution Time")
    runs = _meter(prices, CONSUMPTION, "Standard", "Standard Total Executions")
    mb = consumption_memory_mb(app_memory_mb)
    seconds = max(CONSUMPTION_MIN_S, math.ceil(call_s * 1000) / 1000)
    executions = rps * SECONDS
    gbs = executions * seconds * mb / 1024
    return _bill(
        [
            (
                (
                    f"execution time: {executions:,.0f} x {seconds:g} s x {mb} MB, "
                    f"{time.free:,.0f} GB-s free"
                ),
                time.cost(gbs),
            ),
            (
                f"executions: {executions:,.0f}, {runs.free:,.0f} free",
                runs.cost(executions),
            ),
        ]
    )
