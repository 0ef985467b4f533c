"""A long grammar-fuzzing campaign over every reader `check` has (the suite runs a
short one: tests/test_grammar_fuzz.py).

Each case (tests/grammar_fuzz.py: generated from reader, number and size, so it
replays exactly) is written to a fresh folder with a honeypot folder beside it and
checked in a child process (`python -m tests.grammar_fuzz worker`) under a memory
cap, every format with its own time limit. Counts per reader and class:

  crash        exit 3, a traceback or "internal error"
  overtime     one `check` over --slow seconds (or killed at --timeout)
  overmemory   a MemoryError under the cap, or a peak RSS over --memory-mb
  budget       the tool's own "too large/complex" AZFN000 (a success)
  injection    an output line starting with `::` not written as an annotation
  control      raw control characters (not \\n, \\t) in the output
  unparseable  a json/sarif report that is not JSON, a junit one not XML
  escape       a file outside the case folder opened, or the honeypot's marker printed
  secret_leak  a secure parameter's marker value printed
  cred_leak    a connection string's credential marker printed

Every failing case is kept in --out/<reader>-<number>-s<size>/ (repo/, outside/,
case.json, verdict.json); replay with
  python -m tests.grammar_fuzz worker <that folder>
or regenerate with
  python -m tests.grammar_fuzz replay READER NUMBER SIZE FOLDER

Usage: python benchmarks/campaign.py [--cases 300] [--readers bicep,arm,...]
       [--sizes 1,2,3,4,6,8] [--jobs 2] [--timeout 20] [--slow 10]
       [--out /tmp/campaign-failures] [--json FILE]
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.grammar_fuzz import FORMATS, OUTPUT_CLASSES, READERS, build, write

CLASSES = ("crash", "overtime", "overmemory", "budget", *OUTPUT_CLASSES)
FAILING = tuple(c for c in CLASSES if c != "budget")


def _limit(memory_mb: int) -> None:
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_case(
    reader: str, number: int, size: int, work: Path, args: argparse.Namespace
) -> tuple[str, int, int, dict[str, Any], Path]:
    folder = work / f"{reader}-{number}-s{size}"
    if folder.exists():
        shutil.rmtree(folder)
    write(build(reader, number, size), folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AZFN_PROFILE_TODAY": "2026-11-26"}
    command = [
        sys.executable,
        "-m",
        "tests.grammar_fuzz",
        "worker",
        str(folder),
        ",".join(args.formats),
        str(args.timeout),
    ]
    started = time.perf_counter()
    verdict: dict[str, Any]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            cwd=ROOT,
            env=env,
            timeout=args.timeout * len(args.formats) + 15,
            preexec_fn=lambda: _limit(args.cap_mb),
            check=False,
        )
        lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
        try:
            verdict = json.loads(lines[-1])
        except (IndexError, ValueError):
            verdict = {
                "crash": [
                    {
                        "format": "*",
                        "code": done.returncode,
                        "traceback": done.stderr.decode("utf-8", "replace")[-3000:],
                    }
                ]
            }
            if b"MemoryError" in done.stderr or done.returncode in (-9,):
                verdict = {"memory_error": "worker", "crash": []}
    except subprocess.TimeoutExpired:
        verdict = {"timeout": "worker"}
    verdict["wall"] = time.perf_counter() - started
    return reader, number, size, verdict, folder


def classify(verdict: dict[str, Any], args: argparse.Namespace) -> set[str]:
    found = set()
    if verdict.get("crash"):
        found.add("crash")
    if verdict.get("timeout") or verdict.get("seconds", 0) > args.slow:
        found.add("overtime")
    if verdict.get("memory_error") or verdict.get("max_rss_mb", 0) > args.memory_mb:
        found.add("overmemory")
    if verdict.get("budget"):
        found.add("budget")
    for key in OUTPUT_CLASSES:
        if verdict.get(key):
            found.add(key)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300, help="per reader")
    parser.add_argument("--readers", default=",".join(READERS))
    parser.add_argument("--sizes", default="1,2,3,4,6,8", help="cycled over cases")
    parser.add_argument("--start", type=int, default=0, help="first case number")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0, help="per check, s")
    parser.add_argument("--slow", type=float, default=10.0, help="overtime above, s")
    parser.add_argument("--memory-mb", type=float, default=1024.0)
    parser.add_argument("--cap-mb", type=int, default=2048, help="RLIMIT_AS")
    parser.add_argument("--out", type=Path, default=Path("/tmp/campaign-failures"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    args.formats = args.formats.split(",")
    sizes = [int(s) for s in args.sizes.split(",")]
    readers = args.readers.split(",")
    args.out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, collections.Counter[str]] = {
        r: collections.Counter() for r in readers
    }
    slowest: dict[str, float] = collections.defaultdict(float)
    heaviest: dict[str, float] = collections.defaultdict(float)
    jobs = [
        (r, n, sizes[n % len(sizes)])
        for n in range(args.start, args.start + args.cases)
        for r in readers
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="campaign-") as tmp:
        work = Path(tmp)
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_case, r, n, s, work, args) for r, n, s in jobs]
            for i, future in enumerate(concurrent.futures.as_completed(futures)):
                reader, _, _, verdict, folder = future.result()
                counts[reader]["cases"] += 1
                slowest[reader] = max(slowest[reader], verdict.get("seconds", 0.0))
                heaviest[reader] = max(heaviest[reader], verdict.get("max_rss_mb", 0.0))
                found = classify(verdict, args)
                for c in found:
                    counts[reader][c] += 1
                bad = found & set(FAILING)
                if bad:
                    keep = args.out / folder.name
                    if keep.exists():
                        shutil.rmtree(keep)
                    shutil.copytree(folder, keep, symlinks=True)
                    (keep / "verdict.json").write_text(
                        json.dumps({"classes": sorted(bad), **verdict}, indent=2)
                    )
                    # the kept honeypot moved with the case: relink absolute links
                    _relink(folder, keep)
                    print(f"  {folder.name}: {', '.join(sorted(bad))}", flush=True)
                shutil.rmtree(folder, ignore_errors=True)
                if (i + 1) % 50 == 0:
                    print(
                        f"[{i + 1}/{len(jobs)} cases, {time.perf_counter() - started:.0f} s]",
                        flush=True,
                    )
    print(
        f"\n{len(jobs)} cases in {time.perf_counter() - started:.0f} s; formats {','.join(args.formats)}"
    )
    header = f"{'reader':10} {'cases':>5} " + " ".join(f"{c:>11}" for c in CLASSES)
    print(header + f" {'max s':>6} {'max MB':>7}")
    for r in readers:
        print(
            f"{r:10} {counts[r]['cases']:5} "
            + " ".join(f"{counts[r][c]:11}" for c in CLASSES)
            + f" {slowest[r]:6.1f} {heaviest[r]:7.0f}"
        )
    if args.json:
        args.json.write_text(
            json.dumps({r: dict(counts[r]) for r in readers}, indent=2) + "\n"
        )


def _relink(old: Path, new: Path) -> None:
    """Point the kept case's symlinks and @@OUTSIDE@@-substituted texts at its own
    honeypot folder, so the kept case replays where it is."""
    old_outside, new_outside = str((old / "outside").resolve()), str(new / "outside")
    for path in (new / "repo").rglob("*"):
        if path.is_symlink():
            target = str(path.readlink())
            if target.startswith(old_outside):
                path.unlink()
                path.symlink_to(new_outside + target[len(old_outside) :])
        elif path.is_file():
            data = path.read_bytes()
            if old_outside.encode() in data:
                path.write_bytes(
                    data.replace(old_outside.encode(), new_outside.encode())
                )


if __name__ == "__main__":
    main()
