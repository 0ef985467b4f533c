"""`bench --worker-dir`: the lab's host speaking the worker protocol.

Against a stand-in worker written for these tests (tests/data/standin_worker: its own
minimal FunctionRpc.proto, whose Python code is generated here with grpcio-tools),
and, when AZFN_PROFILE_WORKER_DIR names one, against a real Python worker folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.lab.app import LabError
from azfn_profile.lab.dispatch import Settings, run_point
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # starts a gRPC host and worker processes

STANDIN = ROOT / "tests" / "data" / "standin_worker"
APPS = ROOT / "tests" / "data" / "lab_apps"
NOOP = ROOT / "examples" / "apps" / "noop"


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A worker folder laid out as Core Tools ships one: worker.py beside
    azure_functions_worker/protos, the protocol code generated from the proto."""
    folder = tmp_path_factory.mktemp("worker")
    shutil.copy(STANDIN / "worker.py", folder / "worker.py")
    protos = folder / "azure_functions_worker" / "protos"
    protos.mkdir(parents=True)
    (folder / "azure_functions_worker" / "__init__.py").write_text("")
    (protos / "__init__.py").write_text("")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{STANDIN}",
            f"--python_out={protos}",
            "FunctionRpc.proto",
        ],
        check=True,
    )
    assert (protos / "FunctionRpc_pb2.py").is_file()
    return folder


def settings(app: Path, function: str, worker: Path, **kw: object) -> Settings:
    base: dict[str, object] = {"concurrency": 8, "duration": 1.0, "warmup": 0.3}
    base.update(kw)
    return Settings(app, function, worker_dir=worker, **base)  # type: ignore[arg-type]


def peaks(results: list[str]) -> set[int]:
    """The probe function's reports: its pid and the most calls it saw at once."""
    return {int(r.split()[1]) for r in results}


def test_the_host_drives_a_worker_over_the_protocol(standin: Path) -> None:
    point = run_point(settings(APPS / "probe", "probe", standin), 2, 3)
    assert point.errors == 0 and point.measured > 0
    # The host started two worker processes and spread the calls over both.
    assert len(point.per_worker) == 2
    counts = sorted(point.per_worker.values())
    assert counts[0] >= 0.7 * counts[-1]
    # The app's settings reached the worker: its pool ran 3 calls at once, never 4.
    assert max(peaks(point.results)) == 3
    # The workers' CPU, the host's CPU and the round trips are measured apart.
    assert point.cpu_s > 0 and point.host_cpu_s is not None and point.host_cpu_s > 0
    assert point.round_trips and point.call_ms is None
    record = point.record()
    assert record["round_trip_ms"] > 20  # each probe call sleeps 20 ms
    assert record["host_cpu_ms"] > 0 and record["call_ms"] is None


def test_coroutines_run_on_the_workers_loop(standin: Path) -> None:
    # 8 in flight of 50 ms on one process and one thread: ~160/s only if they
    # interleave on the loop (serially 20/s).
    point = run_point(settings(APPS / "probe", "aprobe", standin), 1, 1)
    assert point.errors == 0
    assert point.throughput > 80


@pytest.mark.parametrize(
    ("generation", "expected"),
    [("worker", 2), ("proxy", 8)],
)
def test_specialization_shows_the_pool_the_functions_get(
    standin: Path, generation: str, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pre-warmed instance: the worker starts as a placeholder (the host's 1000
    # threads), then gets the app's 2. The worker up to 3.12 rebuilds its pool on
    # the reload; the proxy worker keeps the placeholder's, so 8 calls run at once.
    monkeypatch.setenv("STANDIN_GENERATION", generation)
    point = run_point(settings(APPS / "probe", "probe", standin, specialize=True), 1, 2)
    assert point.errors == 0
    assert max(peaks(point.results)) == expected


def bench_noop(standin: Path) -> Any:
    """`bench --json` of the noop app's `ping` on the stand-in worker."""
    return CliRunner().invoke(
        cli,
        [
            "bench",
            str(NOOP),
            "--function",
            "ping",
            "--processes",
            "1",
            "--threads",
            "2",
            "--concurrency",
            "4",
            "--duration",
            "0.5",
            "--warmup",
            "0.2",
            "--worker-dir",
            str(standin),
            "--json",
        ],
    )


def test_bench_reports_the_real_worker_and_no_estimate(standin: Path) -> None:
    result = bench_noop(standin)
    assert result.exit_code == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["errors"] == 0 and record["throughput"] > 0
    assert record["cpu_ms"] > 0 and record["host_cpu_ms"] > 0
    # What was measured is the worker itself: no "upper bound" estimate.
    assert "upper bound" not in result.stderr
    assert "measured on the worker in" in result.stderr


def test_a_folder_without_the_protocol_code_is_named(tmp_path: Path) -> None:
    (tmp_path / "worker.py").write_text("")
    with pytest.raises(LabError, match="no generated worker protocol code"):
        run_point(settings(NOOP, "ping", tmp_path), 1, 1)


def test_a_worker_that_dies_at_start_is_reported_with_its_output(
    standin: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(standin, broken)
    (broken / "worker.py").write_text(
        "import sys\nprint('azure_functions_runtime is not installed')\nsys.exit(3)\n"
    )
    with pytest.raises(LabError) as caught:
        run_point(settings(NOOP, "ping", broken), 1, 1)
    message = str(caught.value)
    assert "exited (code 3)" in message
    assert "azure_functions_runtime is not installed" in message


def test_a_function_the_worker_does_not_find_is_named(standin: Path) -> None:
    with pytest.raises(LabError, match=r"found no function 'nope'.*ping"):
        run_point(settings(NOOP, "nope", standin), 1, 1)


def test_specialize_needs_a_worker_dir() -> None:
    result = CliRunner().invoke(
        cli, ["bench", str(NOOP), "--function", "ping", "--specialize"]
    )
    assert result.exit_code == 2
    assert "--specialize needs --worker-dir" in result.stderr


REAL = os.environ.get("AZFN_PROFILE_WORKER_DIR")
REAL_PYTHON = os.environ.get("AZFN_PROFILE_WORKER_PYTHON", sys.executable)


@pytest.mark.skipif(
    not REAL,
    reason="set AZFN_PROFILE_WORKER_DIR to a Python worker folder (Core Tools' "
    "workers/python/<version>/<OS>/<arch>, or a built worker checkout) and "
    "AZFN_PROFILE_WORKER_PYTHON to an interpreter of its Python version",
)
def test_a_real_worker_runs_the_noop_function() -> None:
    assert REAL is not None
    point = run_point(
        Settings(
            NOOP, "ping", 8, 1.0, 0.3, worker_dir=Path(REAL), python=Path(REAL_PYTHON)
        ),
        1,
        2,
    )
    assert point.errors == 0 and point.measured > 0
    assert all(r == "pong" for r in point.results)


def test_capacity_says_why_a_real_worker_bench_has_no_call_time(
    standin: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    bench = bench_noop(standin)
    assert bench.exit_code == 0, bench.stderr
    saved = tmp_path / "bench.json"
    saved.write_text(bench.stdout)
    profile = ROOT / "examples" / "catalog-api.yaml"
    result = runner.invoke(
        cli, ["capacity", str(profile), "--rps", "100", "--from-bench", str(saved)]
    )
    assert result.exit_code == 2
    assert "measured with --worker-dir" in result.stderr


def processes_running(script: Path) -> set[int]:
    """Live processes whose command line runs `script`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(script).encode() in argv and state != "Z":
            found.add(int(entry.name))
    return found


def wait_until_gone(script: Path, seconds: float = 15.0) -> set[int]:
    import time

    deadline = time.monotonic() + seconds
    while (left := processes_running(script)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_a_failed_start_leaves_no_worker_behind(standin: Path) -> None:
    with pytest.raises(LabError):
        run_point(settings(NOOP, "nope", standin), 3, 1)
    assert wait_until_gone(standin / "worker.py") == set()


def test_ctrl_c_leaves_no_worker_behind(standin: Path) -> None:
    import signal
    import time

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "azfn_profile",
            "bench",
            str(NOOP),
            "--function",
            "ping",
            "--processes",
            "2",
            "--threads",
            "1",
            "--duration",
            "30",
            "--worker-dir",
            str(standin),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    assert "measuring" in proc.stderr.readline()
    script = standin / "worker.py"
    deadline = time.monotonic() + 30
    while len(processes_running(script)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(processes_running(script)) == 2
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    assert "Traceback" not in proc.stderr.read()
    assert wait_until_gone(script) == set()


def test_protocol_code_that_does_not_import_is_named_with_the_runtime(
    tmp_path: Path,
) -> None:
    protos = tmp_path / "proxy_worker" / "protos"
    protos.mkdir(parents=True)
    (tmp_path / "proxy_worker" / "__init__.py").write_text("")
    (protos / "__init__.py").write_text("")
    (protos / "FunctionRpc_pb2.py").write_text(
        "raise ImportError('gencode 9.0 needs runtime 9.0')\n"
    )
    (tmp_path / "worker.py").write_text("")
    with pytest.raises(LabError, match=r"does not import with this host's protobuf"):
        run_point(settings(NOOP, "ping", tmp_path), 1, 1)


def test_protocol_code_without_the_protocols_messages_is_refused(
    standin: Path, tmp_path: Path
) -> None:
    odd = tmp_path / "odd"
    shutil.copytree(standin, odd)
    (odd / "azure_functions_worker" / "protos" / "FunctionRpc_pb2.py").write_text(
        "StreamingMessage = object\n"
    )
    with pytest.raises(LabError, match=r"lacks WorkerInitRequest, .*not the Functions"):
        run_point(settings(NOOP, "ping", odd), 1, 1)


def test_paths_the_protocol_cannot_carry_are_refused(
    standin: Path, tmp_path: Path
) -> None:
    app = tmp_path / os.fsdecode(b"app\xff")
    shutil.copytree(NOOP, app)
    with pytest.raises(LabError, match="UTF-8 paths only"):
        run_point(settings(app, "ping", standin), 1, 1)


def test_any_failure_in_the_host_is_reported_not_a_traceback(
    standin: Path, tmp_path: Path
) -> None:
    # Messages present, but not the protocol's: the host fails mid-handshake.
    odd = tmp_path / "odd"
    shutil.copytree(standin, odd)
    pb2 = odd / "azure_functions_worker" / "protos" / "FunctionRpc_pb2.py"
    pb2.write_text(
        pb2.read_text() + "\nclass WorkerInitRequest:\n    def __init__(self, **kw):\n"
        "        raise RuntimeError('not a message')\n"
    )
    with pytest.raises(LabError, match=r"could not drive the worker.*not a message"):
        run_point(settings(NOOP, "ping", odd), 1, 1)
