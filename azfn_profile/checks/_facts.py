"""Shared lookups for checks: the numbers the rules also use, read off a Target."""

from __future__ import annotations

from azfn_profile import catalog, facts
from azfn_profile.checks._base import NotApplicable, Target, Unknown
from azfn_profile.numbers import ascii_int, host_process_count
from azfn_profile.rules._trace import memory_fit, whole_cores
from azfn_profile.spec import Field, WorkloadSpec


def workload(t: Target) -> WorkloadSpec:
    if t.spec.workload is None:
        raise NotApplicable(
            "no declared workload: a profile that names this app (site: <site name "
            "or Bicep symbol>), azfn-profile:* tags, or the app's code beside its "
            "template"
        )
    return t.spec.workload


def whole_int(value: str | None) -> int | None:
    """A setting as the host reads a count: ASCII digits only (see numbers)."""
    return ascii_int(value) if isinstance(value, str) else None


def valid_process_count(number: int | None) -> bool:
    """The host's rule for FUNCTIONS_WORKER_PROCESS_COUNT (AZFN101)."""
    return number is not None and 1 <= number <= facts.MAX_WORKER_PROCESSES


def processes(t: Target) -> int:
    """Worker processes per instance as configured (1 when unset or on Flex)."""
    if flex(t):
        return 1
    value = t.setting(facts.PROCESS_COUNT)
    if value is None:
        return 1
    number = host_process_count(value)
    if not valid_process_count(number):
        raise NotApplicable("FUNCTIONS_WORKER_PROCESS_COUNT is invalid (see AZFN101)")
    assert number is not None
    return number


def threads(t: Target) -> int:
    value = t.setting(facts.THREAD_COUNT)
    number = whole_int(value)
    if number is None or number < 1:
        raise NotApplicable("PYTHON_THREADPOOL_THREAD_COUNT is unset or invalid")
    return number


def flex(t: Target) -> bool:
    t.need(Field.PLAN_SKU)
    return t.spec.plan.family == "flex"


def cores(t: Target) -> int:
    t.need(Field.PLAN_SKU)
    if not t.sku_known:
        raise NotApplicable(f"SKU {t.spec.plan.sku} is not in the catalog")
    return whole_cores(t.spec.plan.cores)


def fit(t: Target, per_process_mb: int) -> int:
    return memory_fit(t.spec.plan.memory_mb, per_process_mb)


def known_sku(t: Target) -> catalog.Sku:
    t.need(Field.PLAN_SKU)
    sku = catalog.find_sku(t.spec.plan.sku)
    if sku is None:
        raise NotApplicable(f"SKU {t.spec.plan.sku} is not in the catalog")
    return sku


__all__ = [
    "Unknown",
    "cores",
    "fit",
    "flex",
    "known_sku",
    "processes",
    "threads",
    "valid_process_count",
    "whole_int",
    "workload",
]
