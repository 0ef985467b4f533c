"""Engine benchmarks (not timed tests: run on a quiet machine, read the ratios).

(a) `azfn-profile render EXAMPLE --format json` wall time as a ratio to
    `python -c "import pydantic, yaml, click"`, measured interleaved in one run.
    Target: <= 2.5x. Also measured, for reference: the same imports plus building and
    validating one one-field pydantic model (`import pydantic` is lazy, so BaseModel
    and pydantic's model building are not in the baseline): the floor of any CLI that
    validates with pydantic models, as this one does. The package's bytecode is compiled first when it is missing (an editable checkout
    with PYTHONDONTWRITEBYTECODE set), as `pip install` does, so that the CLI is not
    timed recompiling itself against a baseline whose modules are compiled.
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


def ensure_bytecode() -> bool:
    """Compile the package's bytecode where it is missing or stale; True when this
    had to."""
    import importlib.util

    import azfn_profile

    package = Path(azfn_profile.__file__).parent
    stale = [
        source
        for source in package.rglob("*.py")
        if not (cached := Path(importlib.util.cache_from_source(str(source)))).exists()
        or cached.stat().st_mtime < source.stat().st_mtime
    ]
    if not stale:
        return False
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    return True


def startup(runs: int) -> dict[str, float]:
    script = shutil.which("azfn-profile", path=str(Path(sys.executable).parent))
    render = [script] if script else [sys.executable, "-m", "azfn_profile"]
    render += ["render", str(EXAMPLE), "--format", "json"]
    base = [sys.executable, "-c", "import pydantic, yaml, click"]
    # For reference: what validating with one pydantic model would add.
    floor = [sys.executable, "-c", FLOOR]
    commands = {"render": render, "baseline": base, "pydantic_floor": floor}
    for cmd in commands.values():
        wall(cmd)  # warm the page cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so drift on a shared machine hits all alike
        for name, cmd in commands.items():
            times[name].append(wall(cmd))
    r, b, f = (statistics.median(times[n]) for n in commands)
    return {
        "render_median_s": r,
        "baseline_median_s": b,
        "floor_median_s": f,
        "ratio": r / b,
        "floor_ratio": f / b,
    }


FLOOR = (
    "import pydantic, yaml, click\n"
    "class M(pydantic.BaseModel):\n    x: int\n"
    "M.model_validate({'x': 1})"
)


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
    if ensure_bytecode():
        print("compiled azfn_profile's bytecode first (as pip install does)")
    a = startup(args.runs)
    print(
        f"(a) render --format json: {a['render_median_s'] * 1000:.1f} ms median; "
        f"import pydantic, yaml, click: {a['baseline_median_s'] * 1000:.1f} ms; "
        f"ratio {a['ratio']:.2f}x (target <= 2.5x) over {args.runs} interleaved runs"
    )
    print(
        "    for reference, the same imports + one one-field pydantic model built and "
        f"validated: {a['floor_median_s'] * 1000:.1f} ms = {a['floor_ratio']:.2f}x"
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
