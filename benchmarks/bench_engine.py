"""Engine benchmarks (not timed tests: run on a quiet machine, read the ratios).

(a) `azfn-profile render EXAMPLE --format json` wall time as a ratio to
    `python -c "import pydantic, yaml, click"` (the floor any CLI on these libraries
    pays), measured interleaved in one run. Target: <= 1.5x.
(b) In-process validate + resolve throughput over 10,000 generated profiles.
    Target: >= 5,000 profiles/s.

Usage: python benchmarks/bench_engine.py [--runs 30] [--profiles 10000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "catalog-api.yaml"


def wall(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def startup(runs: int) -> dict[str, float]:
    script = shutil.which("azfn-profile", path=str(Path(sys.executable).parent))
    render = [script] if script else [sys.executable, "-m", "azfn_profile"]
    render += ["render", str(EXAMPLE), "--format", "json"]
    base = [sys.executable, "-c", "import pydantic, yaml, click"]
    wall(render), wall(base)  # warm the page cache
    renders, bases = [], []
    for _ in range(runs):  # interleaved, so drift on a shared machine hits both alike
        renders.append(wall(render))
        bases.append(wall(base))
    r, b = statistics.median(renders), statistics.median(bases)
    return {"render_median_s": r, "baseline_median_s": b, "ratio": r / b}


def generated_profiles(count: int, seed: int = 7) -> list[dict[str, Any]]:
    from azfn_profile.catalog import skus

    rng = random.Random(seed)
    names = [s for s in skus() if s != "Y1"]
    out = []
    for i in range(count):
        kind = rng.choice(["io", "cpu", "mixed"])
        sku = rng.choice(names)
        workload: dict[str, Any] = {
            "kind": kind,
            "style": rng.choice(["sync", "async"]),
            "memory_per_process_mb": rng.choice([128, 256, 512, 1024]),
        }
        if kind == "mixed":
            workload["io_share"] = round(rng.uniform(0.05, 0.95), 2)
        if rng.random() < 0.5:
            workload["concurrency"] = rng.randint(1, 2000)
        plan: dict[str, Any] = {"sku": sku}
        if sku == "FC1":
            plan["instance_memory_mb"] = rng.choice([512, 2048, 4096])
        out.append(
            {
                "name": f"app-{i}",
                "python": rng.choice(["3.11", "3.12", "3.13"]),
                "workload": workload,
                "plan": plan,
                "triggers": rng.sample(["http", "queue", "servicebus", "timer"], 2),
            }
        )
    return out


def throughput(count: int) -> dict[str, float]:
    from azfn_profile.rules import resolve
    from azfn_profile.validation import validate

    today = date(2026, 11, 26)
    profiles = generated_profiles(count)
    resolve(validate(profiles[0], today))  # warm caches (catalog load)
    started = time.perf_counter()
    for data in profiles:
        resolve(validate(data, today))
    elapsed = time.perf_counter() - started
    return {"profiles": count, "seconds": elapsed, "profiles_per_s": count / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    a = startup(args.runs)
    print(
        f"(a) render --format json: {a['render_median_s'] * 1000:.1f} ms median; "
        f"import pydantic, yaml, click: {a['baseline_median_s'] * 1000:.1f} ms; "
        f"ratio {a['ratio']:.2f}x (target <= 1.5x) over {args.runs} interleaved runs"
    )
    b = throughput(args.profiles)
    print(
        f"(b) validate + resolve: {b['profiles']} profiles in {b['seconds']:.2f} s = "
        f"{b['profiles_per_s']:.0f} profiles/s (target >= 5000)"
    )
    if args.json:
        args.json.write_text(
            json.dumps({"startup": a, "throughput": b}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()
