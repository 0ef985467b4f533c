"""The real Python worker's CPU per invocation against the lab's, side by side.

Runs examples/apps/noop (`ping`, a `def` that returns at once; `aping`, an `async
def`) on one process and four threads, at 1 and at 64 in flight, first on the lab's
worker and then on the worker in WORKER (`bench --worker-dir`), in turns, `--rounds`
times each, and prints the medians: throughput, the workers' CPU per invocation, the
lab host's own CPU per invocation, and the difference that facts.WORKER_OVERHEAD_MS
stands for. It also prints what `bench`'s short-work note estimates from the lab's
figures (overhead.estimate) beside what the real worker ran.

Usage: python benchmarks/worker_overhead.py --worker-dir WORKER --python PYTHON
           [--duration 5] [--warmup 1] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from azfn_profile import facts
from azfn_profile.overhead import estimate

ROOT = Path(__file__).resolve().parent.parent
NOOP = ROOT / "examples" / "apps" / "noop"


def bench(function: str, in_flight: int, args: argparse.Namespace, real: bool) -> Any:
    command = [
        sys.executable,
        "-m",
        "azfn_profile",
        "bench",
        str(NOOP),
        "--function",
        function,
        "--processes",
        "1",
        "--threads",
        "4",
        "--concurrency",
        str(in_flight),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
        "--json",
    ]
    if real:
        command += ["--worker-dir", str(args.worker_dir), "--python", str(args.python)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)[0]


def median(records: list[Any], key: str) -> float:
    return statistics.median(float(r[key]) for r in records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker-dir", type=Path, required=True)
    parser.add_argument("--python", type=Path, required=True)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    overhead = facts.WORKER_OVERHEAD_MS["worker"]
    print(
        "| function | in flight | lab inv/s | lab CPU ms | real inv/s | real CPU ms "
        "| host CPU ms | difference ms | estimate inv/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for in_flight in (1, 64):
        for function in ("ping", "aping"):
            lab: list[Any] = []
            real: list[Any] = []
            for _ in range(args.rounds):  # in turns: the machine's drift hits both
                lab.append(bench(function, in_flight, args, real=False))
                real.append(bench(function, in_flight, args, real=True))
            lab_cpu, real_cpu = median(lab, "cpu_ms"), median(real, "cpu_ms")
            guess = estimate(
                median(lab, "throughput"), 1, 1.0, lab_cpu, overhead, in_flight
            )
            print(
                f"| `{function}` | {in_flight} | {median(lab, 'throughput'):,.0f} "
                f"| {lab_cpu:.2f} | {median(real, 'throughput'):,.0f} "
                f"| {real_cpu:.2f} | {median(real, 'host_cpu_ms'):.2f} "
                f"| {real_cpu - lab_cpu:.2f} | {guess.real:,.0f} |"
            )


if __name__ == "__main__":
    main()
