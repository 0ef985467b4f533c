"""A long fuzz run over every source `check` reads (the suite runs a short one).

Mutates the fixture repositories' templates, Bicep files, parameter files and the
examples' profiles (tests/fuzzing.py), runs `azfn-profile check` in-process on each
and reports the exit codes, the slowest case and the largest peak memory. A case
that crashes (exit 3, a traceback) or runs over --max-seconds is written to
tests/data/fuzz/ so the suite replays it from then on.

Usage: python benchmarks/fuzz.py [--cases 2000] [--memory] [--json FILE]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzzing import KINDS, REGRESSIONS, case, run_check, write_case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="per source kind")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated")
    parser.add_argument("--max-seconds", type=float, default=20.0)
    parser.add_argument("--memory", action="store_true", help="measure peak memory")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            codes: collections.Counter[int] = collections.Counter()
            slowest, heaviest, kept = 0.0, 0.0, 0
            for number in range(args.cases):
                name, content = case(kind, number, number)
                folder = Path(tmp) / f"{kind}-{number}"
                folder.mkdir()
                path = write_case(folder, name, content)
                outcome = run_check(path, measure_memory=args.memory)
                codes[outcome.exit_code] += 1
                slowest = max(slowest, outcome.seconds)
                heaviest = max(heaviest, outcome.peak_mb)
                bad = (
                    outcome.exit_code not in (0, 1, 2)
                    or "Traceback" in outcome.output
                    or outcome.seconds > args.max_seconds
                )
                if bad:
                    REGRESSIONS.mkdir(parents=True, exist_ok=True)
                    keep = write_case(REGRESSIONS, f"{kind}-{number}-{name}", content)
                    kept += 1
                    print(f"  kept {keep.relative_to(ROOT)}: exit {outcome.exit_code}")
            figures[kind] = {
                "cases": args.cases,
                "exit_codes": dict(sorted(codes.items())),
                "max_seconds": round(slowest, 3),
                "max_peak_mb": round(heaviest, 1) if args.memory else None,
                "kept": kept,
            }
            print(
                f"{kind}: {args.cases} cases, exit codes {dict(sorted(codes.items()))}, "
                f"slowest {slowest:.2f} s"
                + (f", largest peak {heaviest:.1f} MB" if args.memory else "")
                + f", {kept} kept as regressions"
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
