"""`azfn-profile tune` end to end on a tiny app, and the profile write-back."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.lab.write_back import updated_profile
from tests.conftest import EXAMPLES, ROOT

APPS = ROOT / "tests" / "data" / "lab_apps"


def test_write_back_keeps_comments_and_order() -> None:
    text = (EXAMPLES / "catalog-api.yaml").read_text()
    out = updated_profile(text, processes=3, threads=24, memory_mb=87.2)
    assert out.startswith(text.split("name:")[0])  # the leading comments survive
    assert (
        "  concurrency: 64         # measured peak in-flight requests per instance\n"
        in out
    )
    assert "  memory_per_process_mb: 88\n" in out
    assert out.endswith(
        "app_settings:\n  FUNCTIONS_WORKER_PROCESS_COUNT: '3'\n"
        "  PYTHON_THREADPOOL_THREAD_COUNT: '24'\n"
    )
    keys = [
        line.split(":")[0] for line in out.splitlines() if line and line[0].isalpha()
    ]
    assert keys == [
        "name",
        "python",
        "workload",
        "plan",
        "triggers",
        "location",
        "app_settings",
    ]


def test_tune_writes_the_winner_into_the_profile(tmp_path: Path) -> None:
    profile = tmp_path / "probe.yaml"
    profile.write_text(
        '# the probe app\nname: probe-app  # site name\npython: "3.12"\n'
        "workload:\n  kind: io\nplan:\n  sku: EP1\n"
    )
    result = CliRunner().invoke(
        cli,
        [
            "tune",
            str(APPS / "probe"),
            "--function",
            "probe",
            "--profile",
            str(profile),
            "--write",
            "--duration",
            "0.4",
            "--warmup",
            "0.1",
            "--concurrency",
            "16",
        ],
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "PROCESSES",
        "THREADS",
        "INV/S",
        "P95_MS",
        "RSS_MB",
        "VS_TUNED",
    ]
    assert [line.split()[0] for line in lines[1:4]] == ["tuned", "rules", "azure"]
    assert "grid points" in lines[4]
    written = profile.read_text()
    assert written.startswith("# the probe app\nname: probe-app  # site name\n")
    assert "PYTHON_THREADPOOL_THREAD_COUNT:" in written
    check = CliRunner().invoke(cli, ["render", str(profile), "--format", "settings"])
    assert check.exit_code == 0  # still a valid profile


def test_write_needs_a_profile() -> None:
    result = CliRunner().invoke(
        cli, ["tune", str(APPS / "probe"), "--function", "probe", "--write"]
    )
    assert result.exit_code == 2 and "--write needs --profile PROFILE" in result.stderr
