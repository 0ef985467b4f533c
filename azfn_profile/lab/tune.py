"""Adaptive search for the (processes, threads) setting with the best throughput.

Not the full grid: threads are searched first in x4 steps, then refined in x2 steps
around the best (the fewest threads within 3 % of the best win); processes then climb
1, 2, 4, 8, 10 while throughput still grows by 5 % (a step that does not is given one
more step to make up for it, so one unlucky measurement does not end the climb);
threads are refined again at the chosen process count. Last, the search's choice, the
next process step up from it and the two best other points are measured twice more,
taking turns, and the best median wins (among finalists with its process count and a
median within 3 % of it, the fewest threads): one measurement on a busy machine can be
off by more than the differences being judged. A point counts only if its p95 meets
the SLO and its processes fit the instance's memory (each process counted at the larger
of its measured peak RSS and the memory the profile declares per process).

`compare` then measures the points a user weighs the winner against (the rules', the
Azure default) in turns with it, so that every verdict is a median against a median,
and reports the spread of repeated measurements as the machine's noise.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from azfn_profile.lab.dispatch import Point

MAX_PROCESSES, MAX_THREADS = 10, 256
THREAD_STEPS = (1, 4, 16, 64, 256)
PROCESS_STEPS = (1, 2, 4, 8, 10)
MIN_GAIN = 1.05  # a process must add 5 % to be worth its memory
NOISE = 0.97  # scores this close to the best are treated as equal
FINALISTS = 4  # points measured again at the end
REMEASURE = 2  # extra measurements of each finalist


@dataclass
class Search:
    evaluate: Callable[[int, int], Point]
    slo_p95_ms: float | None = None
    memory_limit_mb: float | None = None  # 80 % of instance memory, if known
    max_processes: int = MAX_PROCESSES
    declared_memory_mb: float = 0.0  # per process, from the profile (0: none)
    seen: dict[tuple[int, int], Point] = field(default_factory=dict)
    samples: dict[tuple[int, int], list[Point]] = field(default_factory=dict)

    @property
    def measurements(self) -> int:
        """How many points were measured, counting re-measurements."""
        return sum(len(s) for s in self.samples.values())

    def point(self, processes: int, threads: int) -> Point:
        key = (processes, threads)
        if key not in self.seen:
            self.seen[key] = self.evaluate(processes, threads)
            self.samples[key] = [self.seen[key]]
        return self.seen[key]

    def ok(self, p: Point) -> bool:
        if self.slo_p95_ms is not None and p.p95_ms > self.slo_p95_ms:
            return False
        per_process = max(p.rss_mb, self.declared_memory_mb)
        if (
            self.memory_limit_mb is not None
            and per_process
            and p.processes * per_process > self.memory_limit_mb
        ):
            return False
        return p.errors == 0 or p.errors < 0.01 * max(1, p.total)

    def score(self, p: Point) -> float:
        return p.throughput if self.ok(p) else -1.0

    def best_threads(self, processes: int, candidates: tuple[int, ...]) -> int:
        scored = {t: self.score(self.point(processes, t)) for t in candidates}
        best = max(scored, key=lambda t: (scored[t], -t))
        for neighbour in (best // 2, best * 2):  # refine in x2 steps
            if 1 <= neighbour <= MAX_THREADS and neighbour not in scored:
                scored[neighbour] = self.score(self.point(processes, neighbour))
        # Within measurement noise, fewer threads win: they cost memory and switches.
        top = max(scored.values())
        if top < 0:  # no thread count met the constraints: the fastest, best effort
            return max(scored, key=lambda t: (self.seen[processes, t].throughput, -t))
        return min(t for t, score in scored.items() if score >= NOISE * top)

    def run(self) -> Point:
        threads = self.best_threads(1, THREAD_STEPS)
        processes = self.climb(threads)
        if processes > 1:
            threads = self.best_threads(
                processes,
                (max(1, threads // 2), threads, min(MAX_THREADS, threads * 2)),
            )
        winner = self.point(processes, threads)
        if not self.ok(winner):  # nothing met the constraints: say so, best effort
            feasible = [p for p in self.seen.values() if self.ok(p)]
            return max(feasible, key=lambda p: p.throughput) if feasible else winner
        return self.confirm(winner)

    def climb(self, threads: int) -> int:
        """Processes: up the steps while each adds MIN_GAIN (one step of grace)."""
        steps = [p for p in PROCESS_STEPS if p <= self.max_processes]
        processes, best, grace = 1, self.score(self.point(1, threads)), False
        for candidate in steps[1:]:
            score = self.score(self.point(candidate, threads))
            if score >= best * MIN_GAIN:
                processes, best, grace = candidate, score, False
            elif grace:
                break
            else:
                grace = True
        return processes

    def confirm(self, choice: Point) -> Point:
        """Measure the finalists again; the best median wins.

        Finalists: the choice, the next process step up at its threads (the climb may
        have stopped on one unlucky reading) and the best other points. Processes
        follow the medians; among finalists with the winner's process count whose
        median is within NOISE of it, the fewest threads win.
        """
        up = next((p for p in PROCESS_STEPS if p > choice.processes), None)
        step_up = self.seen.get((up, choice.threads)) if up else None
        others = sorted(
            (p for p in self.seen.values() if p is not choice and p is not step_up),
            key=lambda p: -p.throughput,
        )
        candidates = [choice, *([step_up] if step_up else []), *others]
        finalists = [(p.processes, p.threads) for p in candidates if self.ok(p)]
        finalists = finalists[:FINALISTS]
        if len(finalists) < 2:
            return choice
        for _ in range(REMEASURE):  # in turns, so drift hits every finalist alike
            for key in finalists:
                self.samples[key].append(self.evaluate(*key))
        medians = {key: self._median(key) for key in finalists}
        top = max(score for score, _ in medians.values())
        if top < 0:  # no finalist met the constraints again: keep the first verdict
            return choice
        winner = max(finalists, key=lambda k: (medians[k][0], -k[0], -k[1]))
        key = min(
            (
                k
                for k in finalists
                if k[0] == winner[0] and medians[k][0] >= NOISE * top
            ),
            key=lambda k: k[1],
        )
        return medians[key][1]

    def budget(self) -> int:
        """At most how many measurements `run` makes (for progress estimates)."""
        steps = [p for p in PROCESS_STEPS if p <= self.max_processes]
        first = len(THREAD_STEPS) + 2  # the steps, then one refinement either side
        refine = 2 if len(steps) > 1 else 0
        return first + len(steps) - 1 + refine + FINALISTS * REMEASURE

    def compare(
        self, keys: Sequence[tuple[int, int]], samples: int = 1 + REMEASURE
    ) -> dict[tuple[int, int], Comparison]:
        """Measure `keys` in turns until each has `samples` measurements; medians."""
        for key in keys:
            self.point(*key)
        while any(len(self.samples[k]) < samples for k in keys):
            for key in dict.fromkeys(keys):
                if len(self.samples[key]) < samples:
                    self.samples[key].append(self.evaluate(*key))
        return {key: Comparison.of(self.samples[key], self) for key in keys}

    def _median(self, key: tuple[int, int]) -> tuple[float, Point]:
        """The median score of a point's measurements, and the measurement that has it."""
        ranked = sorted(self.samples[key], key=self.score)
        middle = ranked[len(ranked) // 2]
        return self.score(middle), middle


GRID_SIZE = MAX_PROCESSES * 9  # processes 1..10 x threads 1, 2, 4, ..., 256


@dataclass(frozen=True)
class Comparison:
    """A point's repeated measurements: the median one, and their relative spread."""

    median: Point
    spread: float  # (max - min) / median throughput
    feasible: bool
    count: int

    @classmethod
    def of(cls, samples: Sequence[Point], search: Search) -> Comparison:
        rates = [p.throughput for p in samples]
        middle = statistics.median_low(rates)
        point = next(p for p in samples if p.throughput == middle)
        spread = (max(rates) - min(rates)) / middle if middle > 0 else 0.0
        return cls(point, spread, search.ok(point), len(samples))
