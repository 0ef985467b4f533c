"""Downstream protection: choose the instance limit, then what one instance admits,
so that every declared downstream service gets at most its `max_concurrency`.

The fleet's ceiling for a downstream is the sum, over the scale groups holding a
function that calls it, of instances x per-instance concurrency (see `fleet`). Both
grow with the instance limit n and with the per-instance cap k, so the largest
values that fit are found by bisection, each candidate resolved by the same rules:

1. the largest n from the lowest limit the plan allows (Flex 1, Consumption 1,
   Elastic Premium the always-ready count) to the declared or platform limit. On
   Flex n also binds the groups that call no limited service, so there the highest
   n with the largest k that fits is also tried, and kept when the whole fleet runs
   more at once with it (fewer instances otherwise: each stays as efficient as the
   rules made it);
2. when even the lowest n is too much, that n and the largest k from 1.

Raising a `max_concurrency` never lowers the throughput of either choice, so never
the better of the two.
When n = lowest and k = 1 still exceed a limit (always-ready instances alone, or a
function whose per-instance concurrency no setting bounds), the lowest settings are
kept and check AZFN307 refuses the profile with the arithmetic. Dedicated plans have
no per-app instance limit: the profile is refused the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from azfn_profile import catalog, facts
from azfn_profile.fleet import Fleet, fleet
from azfn_profile.rules.plan import Tuning
from azfn_profile.spec import AppSpec

Resolver = Callable[[Tuning], AppSpec]


def protect(natural: AppSpec, resolve: Resolver) -> AppSpec:
    """The spec whose fleet meets every downstream limit, keeping the most
    throughput; the lowest settings when none does."""
    plan = natural.plan
    if plan.family not in ("flex", "consumption", "premium"):
        return natural
    sku = catalog.find_sku(plan.sku)
    platform = sku.max_instances if sku is not None else facts.FLEX_MAX_INSTANCES
    low = 1
    if plan.family == "premium":
        low = max(1, plan.always_ready or 0)
    high = plan.max_instances if plan.max_instances is not None else platform
    if high < low:
        return natural  # always-ready above the declared limit: AZFN306 refuses it

    def at(n: int, k: int | None = None) -> AppSpec:
        return resolve(Tuning(n, k))

    widest = max((g.per_instance.value or 1 for g in fleet(natural).groups), default=1)

    def capped(n: int) -> tuple[int, int | None] | None:
        """(n, the largest cap that fits at n), or None when even a cap of 1 does
        not."""
        if not fits(fleet(at(n, 1))):
            return None
        return n, largest(1, widest, lambda c: fits(fleet(at(n, c))))

    if fits(fleet(at(low))):
        # Fewer instances keeps each instance as efficient as the rules made it. On
        # Flex the limit also binds groups that call no limited service; for them,
        # every instance admitting less may run more at once: keep that if it does.
        n = largest(low, high, lambda m: fits(fleet(at(m))))
        best: tuple[int, int | None] = (n, None)
        if n < high and _bystanders(natural):
            other = capped(high)
            if (
                other is not None
                and (other[1] or 0) > 1  # one at a time is what AZFN107/112 warn of
                and _throughput(at(*other)) > _throughput(at(n))
            ):
                best = other
        return _explained(resolve, *best)
    chosen = capped(low)
    return _explained(resolve, *(chosen or (low, 1)))


def _bystanders(spec: AppSpec) -> bool:
    """Flex groups that call none of the limited services."""
    if spec.plan.family != "flex":
        return False
    f = fleet(spec)
    callers = {name for load in f.loads for name in load.groups}
    return any(g.name not in callers for g in f.groups)


def _throughput(spec: AppSpec) -> tuple[bool, int]:
    """What the whole fleet runs at once; unbounded counts as the most."""
    total = fleet(spec).total_ceiling
    return (total is None, total or 0)


def fits(f: Fleet) -> bool:
    return all(not load.exceeded for load in f.loads)


def largest(lo: int, hi: int, ok: Callable[[int], bool]) -> int:
    """The largest value in [lo, hi] for which `ok` holds, `ok` being true at lo and
    false from some value on."""
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _explained(resolve: Resolver, n: int, k: int | None) -> AppSpec:
    """Resolve with n and k, the decision carrying each downstream's arithmetic."""
    chosen = fleet(resolve(Tuning(n, k)))
    why = "; ".join(
        f"{load.downstream.name} takes {load.downstream.max_concurrency}: "
        + (
            f"{', '.join(load.groups)} send at most "
            + ("unbounded" if load.ceiling is None else str(load.ceiling))
            if load.groups
            else "no function calls it"
        )
        for load in chosen.loads
    )
    if k is not None:
        why += f"; each instance admits at most {k}"
    return resolve(Tuning(n, k, why))
