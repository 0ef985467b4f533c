"""`azfn-profile check` vs `checkov --framework arm` over the same ARM templates.

Generates N templates (default 1,000) by rendering the bundled examples with varied
worker settings, then times both tools on that directory in one run, side by side.
checkov runs from its own virtualenv (tests/tools.py creates it: it pins an old
`packaging`). Target: azfn-profile at least 10x faster.

Usage: python benchmarks/bench_check.py [--templates 1000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generate(out: Path, count: int) -> None:
    from datetime import date

    from azfn_profile.engine import resolve_file
    from azfn_profile.render import render_arm

    examples = sorted((ROOT / "examples").glob("*.yaml"))
    bases = [
        json.loads(render_arm(resolve_file(e, today=date(2026, 11, 26))))
        for e in examples
    ]
    for i in range(count):
        template = json.loads(json.dumps(bases[i % len(bases)]))
        site = next(
            r for r in template["resources"] if r["type"] == "Microsoft.Web/sites"
        )
        for setting in site["properties"]["siteConfig"]["appSettings"]:
            if setting["name"] == "PYTHON_THREADPOOL_THREAD_COUNT":
                setting["value"] = str(1 + i % 64)
        template["parameters"]["siteName"]["defaultValue"] = f"app-{i:04d}"
        (out / f"app-{i:04d}.json").write_text(json.dumps(template, indent=2))


def timed(cmd: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from tests.tools import checkov

    checkov_exe = checkov()
    script = shutil.which("azfn-profile", path=str(Path(sys.executable).parent))
    ours = [script] if script else [sys.executable, "-m", "azfn_profile"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out, args.templates)
        ours_s, ours_rc = timed([*ours, "check", str(out), "--format", "json"])
        theirs_s, theirs_rc = timed(
            [
                str(checkov_exe),
                "-d",
                str(out),
                "--framework",
                "arm",
                "-o",
                "json",
                "--quiet",
            ]
        )
    ratio = theirs_s / ours_s
    print(
        f"{args.templates} ARM templates: azfn-profile check {ours_s:.1f} s (exit "
        f"{ours_rc}); checkov --framework arm {theirs_s:.1f} s (exit {theirs_rc}); "
        f"azfn-profile is {ratio:.1f}x faster (target >= 10x)"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "templates": args.templates,
                    "azfn_profile_s": ours_s,
                    "checkov_s": theirs_s,
                    "ratio": ratio,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
