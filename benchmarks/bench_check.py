"""`azfn-profile check` vs checkov over the same files, side by side in one run.

Default: N generated ARM templates (1,000, the bundled examples rendered with varied
worker settings), against `checkov --framework arm`; target >= 10x faster.
`--repos`: the fixture repositories in tests/data/repos (ARM, Bicep, Terraform,
Pulumi, modules, parameter and variables files), against `checkov --framework arm
bicep terraform`, with how many function apps each tool saw. checkov runs from its own virtualenv (tests/tools.py creates it:
it pins an old `packaging`).

Usage: python benchmarks/bench_check.py [--templates 1000 | --repos] [--json FILE]
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
    seconds, code, _ = timed_output(cmd)
    return seconds, code


def timed_output(cmd: list[str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=False
    )
    return time.perf_counter() - started, done.returncode, done.stdout


_TF_APPS = (
    "azurerm_linux_function_app.",
    "azurerm_windows_function_app.",
    "azurerm_function_app_flex_consumption.",
    "azurerm_function_app.",
)


def _is_site(resource: str) -> bool:
    if "Microsoft.Web/sites" in resource:
        return "/config" not in resource
    return any(kind in resource for kind in _TF_APPS)


def checkov_sites(output: str) -> int:
    """Distinct function-app resources checkov reported on (ARM/Bicep sites and
    the azurerm function-app resources)."""
    try:
        data = json.loads(output) if output.strip() else []
    except ValueError:
        return 0
    runs = data if isinstance(data, list) else [data]
    sites = set()
    for run in runs:
        results = run.get("results", {}) if isinstance(run, dict) else {}
        for key in ("passed_checks", "failed_checks"):
            for check in results.get(key, []):
                resource = str(check.get("resource", ""))
                if _is_site(resource):
                    sites.add((check.get("file_path"), resource))
    return len(sites)


def repos(ours: list[str], checkov_exe: Path) -> dict[str, object]:
    rows: dict[str, dict[str, object]] = {}
    for repo in sorted((ROOT / "tests" / "data" / "repos").iterdir()):
        ours_s, ours_rc, out = timed_output(
            [*ours, "check", str(repo), "--format", "json"]
        )
        apps = len(
            [t for t in json.loads(out)["targets"] if t.get("kind") != "profile"]
        )
        theirs_s, theirs_rc, theirs_out = timed_output(
            [
                str(checkov_exe),
                "-d",
                str(repo),
                "--framework",
                "arm",
                "bicep",
                "terraform",
                "-o",
                "json",
                "--quiet",
                "--compact",
            ]
        )
        rows[repo.name] = {
            "azfn_profile_s": ours_s,
            "azfn_profile_exit": ours_rc,
            "azfn_profile_apps": apps,
            "checkov_s": theirs_s,
            "checkov_exit": theirs_rc,
            "checkov_sites": checkov_sites(theirs_out),
        }
        print(
            f"{repo.name:18} azfn-profile {ours_s:5.2f} s exit {ours_rc}, "
            f"{apps} app(s); checkov {theirs_s:5.2f} s exit {theirs_rc}, "
            f"{rows[repo.name]['checkov_sites']} site(s)"
        )
    total_ours = sum(float(str(r["azfn_profile_s"])) for r in rows.values())
    total_theirs = sum(float(str(r["checkov_s"])) for r in rows.values())
    print(
        f"total: azfn-profile {total_ours:.2f} s, checkov {total_theirs:.2f} s: "
        f"checkov takes {total_theirs / total_ours:.1f}x as long"
    )
    return {"repos": rows, "ratio": total_theirs / total_ours}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--repos", action="store_true", help="the fixture repositories")
    args = parser.parse_args()
    from tests.tools import checkov

    checkov_exe = checkov()
    script = shutil.which("azfn-profile", path=str(Path(sys.executable).parent))
    ours = [script] if script else [sys.executable, "-m", "azfn_profile"]
    if args.repos:
        figures = repos(ours, checkov_exe)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
        return
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
