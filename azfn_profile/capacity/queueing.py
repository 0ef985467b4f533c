"""M/M/c arithmetic: one instance as `c` servers, calls arriving at random.

Arrivals are Poisson at rate `lam`; each call holds one of `c` slots for an
exponentially distributed time with mean `service` seconds; calls that find every
slot taken wait in one first-come-first-served queue. The formulas are the standard
ones (Erlang C for the chance to wait; the waiting time is exponential with rate
`c/service - lam` given a wait; the time in system is that wait plus the service
time), e.g. Kleinrock, *Queueing Systems* vol. 1, §3.5, or
https://en.wikipedia.org/wiki/M/M/c_queue. `c = None` stands for a server that
never makes a call wait (M/M/inf): async functions that no limit bounds.

Every function is total over its domain and runs in O(c) steps, with `c` bounded by
MAX_SERVERS (a larger count behaves as unbounded at every load it can carry).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

MAX_SERVERS = 100_000
P95 = 0.95
NEGLIGIBLE = 1e-18  # a chance to wait below this counts as none
REACH = 1e-6  # how far above one call's own p95 a target must be to be reachable
MAX_INSTANCES = 10**12  # beyond this, a count is no answer


@dataclass(frozen=True)
class Queue:
    """One instance under load: `lam` calls/s over `c` slots of mean `service` s."""

    lam: float
    service: float
    c: int | None

    @property
    def offered(self) -> float:
        """Offered load in Erlangs: how many slots the calls keep busy on average."""
        return self.lam * self.service

    @property
    def stable(self) -> bool:
        return self.c is None or self.offered < self.c

    @functools.cached_property
    def wait(self) -> float:
        """Erlang C: the chance that a call finds every slot taken."""
        if self.c is None or self.lam <= 0:
            return 0.0
        if not self.stable:
            return 1.0
        a, c = self.offered, self.c
        b = 1.0  # Erlang B by its recurrence: stable for any c
        for k in range(1, c + 1):
            b = a * b / (k + a * b)
            if k > a and b < NEGLIGIBLE:  # it only falls from here
                return 0.0
        return c * b / (c - a * (1 - b))

    def idle_probability(self) -> float:
        """P0: the chance that no call is in the instance (it is not executing)."""
        a = self.offered
        if self.lam <= 0 or a <= 0:  # no load (or one too small for a float)
            return 1.0
        if self.c is None:
            return math.exp(-a)
        if not self.stable:
            return 0.0
        c = self.c
        log_a = math.log(a)
        # Terms past a + 40 sqrt(a) + 50 are below 1e-300 of the largest.
        last = min(c, math.ceil(a + 40 * math.sqrt(a) + 50))
        logs = [k * log_a - math.lgamma(k + 1) for k in range(last)]
        logs.append(c * log_a - math.lgamma(c + 1) - math.log1p(-a / c))
        top = max(logs)  # P0 = 1 / sum(exp(logs)), computed without overflow
        return math.exp(-(top + math.log(math.fsum(math.exp(x - top) for x in logs))))

    def exceeds(self, t: float) -> float:
        """P(time in system > t), t in seconds."""
        mu = 1.0 / self.service
        alone = math.exp(-mu * t)
        wait = self.wait
        if wait == 0.0:
            return alone
        assert self.c is not None
        theta = self.c * mu - self.lam  # the rate of the wait, given a wait
        if abs(theta - mu) <= 1e-9 * mu:
            both = (1 + mu * t) * alone
        else:
            both = (theta * alone - mu * math.exp(-theta * t)) / (theta - mu)
        return (1 - wait) * alone + wait * both

    def percentile(self, q: float = P95) -> float:
        """The q-quantile of the time in system, seconds (inf when unstable)."""
        if not self.stable:
            return math.inf
        lo, hi = 0.0, self.service
        while self.exceeds(hi) > 1 - q:
            lo, hi = hi, hi * 2
        for _ in range(100):
            mid = (lo + hi) / 2
            if self.exceeds(mid) > 1 - q:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-9 * hi:
                break
        return hi


def servers(slots: int | None) -> int | None:
    """Slots as the model counts them: beyond MAX_SERVERS, unbounded."""
    if slots is None or slots > MAX_SERVERS:
        return None
    return max(1, slots)


def alone_p95(service: float) -> float:
    """The p95 of one call with nothing else running: ln(20) x the mean."""
    return service * math.log(1 / (1 - P95))


def instances_needed(
    rate: float, service: float, slots: int | None, p95: float | None
) -> tuple[int, bool]:
    """The fewest instances that carry `rate` calls/s (split evenly) with each
    instance stable and, when `p95` (seconds) is given, the time in system's 95th
    percentile within it; and whether the p95 is reachable at all. When it is not
    (a call alone takes longer), the count is the fewest that keep up."""
    c = servers(slots)
    capacity = math.inf if c is None else c / service  # calls/s one instance carries
    low = max(1, math.floor(rate / capacity) + 1) if rate > 0 else 1
    # Reachable only with a margin the bisection cannot blur: a target within
    # REACH of one call's own p95 would take an unbounded number of instances.
    reachable = p95 is None or alone_p95(service) * (1 + REACH) < p95
    if p95 is None or not reachable or rate <= 0:
        return low, reachable

    def meets(n: int) -> bool:
        return Queue(rate / n, service, c).percentile() <= p95

    hi = low
    while not meets(hi):
        if hi > MAX_INSTANCES:
            return low, False
        hi *= 2
    while low < hi:
        mid = (low + hi) // 2
        if meets(mid):
            hi = mid
        else:
            low = mid + 1
    return low, True
