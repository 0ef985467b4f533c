"""The throughput lab: dispatcher semantics, lifecycle, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.lab.app import LabError, load_functions
from azfn_profile.lab.bench import heatmap_figure, table
from azfn_profile.lab.dispatch import Point, Settings, run_point
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # starts lab servers and worker processes

APPS = ROOT / "tests" / "data" / "lab_apps"


def settings(app: str, function: str, **kw: object) -> Settings:
    base = {"concurrency": 12, "duration": 1.0, "warmup": 0.3}
    base.update(kw)
    return Settings(APPS / app, function, **base)  # type: ignore[arg-type]


def test_functions_are_found_with_blueprints() -> None:
    functions = load_functions(APPS / "probe")
    assert set(functions) == {"probe", "aprobe", "from_queue", "every_five"}
    assert functions["from_queue"].trigger == "queueTrigger"
    assert functions["aprobe"].is_async and not functions["probe"].is_async


def test_sync_functions_never_exceed_the_thread_pool() -> None:
    point = run_point(settings("probe", "probe"), processes=1, threads=3)
    peaks = {int(r.split()[1]) for r in point.results}
    assert max(peaks) == 3  # saturated, never more than `threads`
    assert point.errors == 0


def test_coroutines_interleave_on_one_loop() -> None:
    # 10 in flight, 50 ms each, one process, one thread: serially 20/s; interleaved ~200/s.
    point = run_point(
        settings("probe", "aprobe", concurrency=10), processes=1, threads=1
    )
    assert point.throughput > 100


def test_invocations_are_spread_round_robin() -> None:
    point = run_point(settings("probe", "probe", concurrency=9), processes=3, threads=3)
    counts = sorted(point.per_worker.values())
    assert len(counts) == 3
    assert counts[0] >= 0.8 * counts[-1]


def test_warm_up_is_not_measured() -> None:
    point = run_point(settings("probe", "probe", warmup=0.5), processes=1, threads=4)
    assert point.total > point.measured > 0
    # 4 threads x 20 ms: at most 200/s measured over the 1 s window.
    assert point.measured <= 220


def test_queue_functions_get_queue_messages() -> None:
    point = run_point(settings("probe", "from_queue"), processes=1, threads=2)
    assert point.errors == 0 and point.measured > 0


def test_errors_are_counted_and_the_first_shown() -> None:
    point = run_point(settings("failing", "boom"), processes=1, threads=2)
    assert point.errors == point.total > 0
    assert point.first_error == "ValueError: boom"


def test_a_crashing_worker_leaves_no_orphan() -> None:
    import os

    with pytest.raises(LabError, match="every worker process died"):
        run_point(settings("crash", "die"), processes=2, threads=1)
    assert [pid for pid in _children(os.getpid()) if _is_worker(pid)] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "--function", "x"], "nowhere: no such file"),
        (
            [str(APPS / "empty"), "--function", "x"],
            "no azure.functions.FunctionApp instance",
        ),
        (
            [str(APPS / "probe"), "--function", "nope"],
            "no function named 'nope'; available: aprobe, every_five, from_queue, probe",
        ),
        (
            [str(APPS / "probe"), "--function", "every_five"],
            "every_five: the lab drives httpTrigger and queueTrigger functions, not timerTrigger",
        ),
        (
            [str(APPS / "broken"), "--function", "x"],
            "RuntimeError: missing setting DATABASE_URL",
        ),
        (
            [str(APPS / "probe"), "--function", "probe", "--threads", "0,4"],
            "expected whole numbers of at least 1, got '0,4'",
        ),
        (
            [str(APPS / "probe"), "--function", "probe", "--processes", "two"],
            "expected whole numbers separated by commas, got 'two'",
        ),
        (
            [str(APPS / "probe"), "--function", "probe", "--cores", "999"],
            "--cores 999: this machine lets the lab use",
        ),
    ],
)
def test_bad_input_is_a_clear_error(args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        cli, ["bench", *args, "--duration", "0.2", "--warmup", "0"]
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert (
        "Traceback (most recent call last)" not in result.stderr.split("importing")[0]
    )


def test_bench_json_records(tmp_path: Path) -> None:
    plot = tmp_path / "heat.png"
    result = CliRunner().invoke(
        cli,
        [
            "bench",
            str(APPS / "probe"),
            "--function",
            "probe",
            "--processes",
            "1,2",
            "--threads",
            "2",
            "--concurrency",
            "8",
            "--duration",
            "0.5",
            "--warmup",
            "0.2",
            "--json",
            "--plot",
            str(plot),
        ],
    )
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [(r["processes"], r["threads"]) for r in records] == [(1, 2), (2, 2)]
    assert set(records[0]) == {
        "processes",
        "threads",
        "concurrency",
        "rate",
        "throughput",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "errors",
        "rss_mb",
        "call_ms",
        "cpu_ms",
        "round_trip_ms",
        "host_cpu_ms",
    }
    # The lab's own workers: the calls' own time is known, there is no other host.
    assert all(r["round_trip_ms"] is None and r["host_cpu_ms"] is None for r in records)
    assert records[1]["throughput"] > records[0]["throughput"]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "[2/2] processes=2 threads=2:" in result.stderr
    for r in records:
        assert r["call_ms"] > 0 and r["cpu_ms"] >= 0
    # What bench measured is what `capacity --from-bench` reads.
    bench = tmp_path / "bench.json"
    bench.write_text(result.stdout)
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        'name: probe-app\npython: "3.12"\nworkload: {kind: io}\nplan: {sku: EP1}\n'
    )
    sized = CliRunner().invoke(
        cli,
        [
            "capacity",
            str(profile),
            "--rps",
            "10",
            "--from-bench",
            str(bench),
            "--format",
            "json",
        ],
    )
    assert sized.exit_code == 0, sized.output
    call = json.loads(sized.stdout)["call"]
    assert call["measured"] and call["ms"] == records[0]["call_ms"]


def _children(parent: int) -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                pids.add(int(entry.name))
    return pids


def _is_worker(pid: int) -> bool:
    try:
        cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return False
    return b"azfn_profile.lab.worker import boot" in cmdline and _alive(pid)


def _alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_ctrl_c_leaves_no_worker_behind() -> None:
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "azfn_profile",
            "bench",
            str(APPS / "probe"),
            "--function",
            "probe",
            "--processes",
            "2",
            "--threads",
            "2",
            "--duration",
            "30",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    assert "measuring" in proc.stderr.readline()
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while time.monotonic() < deadline:
        workers = {pid for pid in _children(proc.pid) if _is_worker(pid)}
        if len(workers) == 2:
            break
        time.sleep(0.1)
    assert len(workers) == 2
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) != 0
    assert "Traceback" not in proc.stderr.read()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def test_open_loop_sends_at_the_rate_whatever_completes() -> None:
    # Async probe: 50 ms each, no concurrency cap: completes what is sent (~30/s).
    point = run_point(
        settings("probe", "aprobe", rate=30.0, duration=1.5), processes=1, threads=1
    )
    assert 24 <= point.throughput <= 36
    # Sync probe on one thread: 20 ms each, at most 50/s; sent at 100/s, work queues up.
    slow = run_point(
        settings("probe", "probe", rate=100.0, duration=1.5), processes=1, threads=1
    )
    assert slow.throughput <= 55
    assert slow.p95_ms > 200  # the backlog grows through the window


def _point(p: int, t: int, rate: float, *, sent: float | None = None) -> Point:
    return Point(p, t, 64, rate, 1.0, 2.0, 3.0, 0, 40.0, rate=sent)


def test_open_loop_tables_show_the_rate_not_a_concurrency() -> None:
    closed = table([_point(1, 4, 10.0)])
    assert closed.splitlines()[0].split()[2] == "CONCURRENCY"
    assert closed.splitlines()[1].split()[2] == "64"
    opened = table([_point(1, 4, 10.0, sent=200.0)])
    assert opened.splitlines()[0].split()[2] == "SENT/S"
    assert opened.splitlines()[1].split()[2] == "200"
    assert _point(1, 4, 10.0, sent=200.0).record()["concurrency"] is None


def test_heatmap_says_what_it_shows_and_every_label_reads() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import to_rgb

    points = [
        _point(p, t, float(100 * p + t)) for p in (1, 2, 4) for t in (1, 4, 16, 64)
    ]
    fig = heatmap_figure(points, "io_sync:fetch throughput (invocations/s)")
    ax = fig.axes[0]
    assert ax.get_title() == "io_sync:fetch throughput (invocations/s)"
    image = ax.get_images()[0]
    lo, hi = image.get_clim()
    labels = {text.get_text(): text for text in ax.texts}
    assert len(labels) == 12
    for value, text in labels.items():
        r, g, b, _ = image.cmap((float(value) - lo) / (hi - lo))
        background = 0.299 * r + 0.587 * g + 0.114 * b
        ink = sum(
            w * c
            for w, c in zip(
                (0.299, 0.587, 0.114), to_rgb(text.get_color()), strict=True
            )
        )
        assert abs(ink - background) > 0.4, f"label {value} is hard to read"
    assert labels["464"].get_fontweight() == "bold"  # the best cell
    assert labels["101"].get_fontweight() == "normal"


def test_the_app_runs_in_its_own_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--python: a virtualenv that has azure-functions (and the app's imports) but
    not azfn-profile or its dependencies runs the workers."""
    import subprocess
    import sys
    import venv

    import azure.functions

    env = tmp_path / "appenv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    site = next((env / "lib").glob("python3.*/site-packages"))
    # Only what `pip install azure-functions` brings goes in (as links).
    import importlib.util

    (site / "azure").mkdir()
    (site / "azure" / "functions").symlink_to(
        Path(azure.functions.__file__).parent, target_is_directory=True
    )
    for name in ("werkzeug", "markupsafe"):  # azure-functions' own dependencies
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin is not None:
            folder = Path(spec.origin).parent
            (site / folder.name).symlink_to(folder, target_is_directory=True)
    monkeypatch.chdir(tmp_path)  # `python -c` puts the working folder on the path
    for module in ("azfn_profile", "pydantic"):  # neither the tool nor its dependencies
        assert (
            subprocess.run(
                [str(python), "-c", f"import {module}"],
                capture_output=True,
                check=False,
            ).returncode
            != 0
        )
    point = run_point(settings("probe", "probe", python=python), processes=2, threads=2)
    assert point.errors == 0 and point.measured > 0
    assert len(point.per_worker) == 2
    # The workers ran the app's interpreter, not this one.
    assert sys.executable != str(python)
    result = CliRunner().invoke(
        cli,
        [
            "bench",
            str(APPS / "probe"),
            "--function",
            "probe",
            "--processes",
            "1",
            "--threads",
            "2",
            "--duration",
            "0.3",
            "--warmup",
            "0",
            "--python",
            str(python),
        ],
    )
    assert result.exit_code == 0, result.output


def test_an_app_env_that_cannot_import_the_app_says_so(tmp_path: Path) -> None:
    import venv

    env = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(env)
    with pytest.raises(LabError, match="No module named 'azure'"):
        run_point(
            settings("probe", "probe", python=env / "bin" / "python"),
            processes=1,
            threads=1,
        )


def test_the_async_blocking_signature() -> None:
    from azfn_profile.lab.bench import async_blocking_signature

    def point(p: int, t: int, rate: float) -> Point:
        return Point(p, t, 64, rate, 1, 2, 3, 0, 30, total=100)

    flat = [point(2, 1, 39.0), point(2, 8, 41.0), point(4, 1, 80.0), point(4, 8, 78.0)]
    note = async_blocking_signature(flat, 50.0, Path("app"))
    assert note is not None and "azfn-profile check app (AZFN401)" in note
    threads_help = [point(2, 1, 39.0), point(2, 8, 300.0)]
    assert async_blocking_signature(threads_help, 50.0, Path("app")) is None
    cpu_flat = [point(2, 1, 100.0), point(2, 8, 98.0)]  # 20 ms of CPU, not 50 ms waits
    assert async_blocking_signature(cpu_flat, 50.0, Path("app")) is None
    one_thread_only = [point(2, 1, 40.0), point(4, 1, 80.0)]
    assert async_blocking_signature(one_thread_only, 50.0, Path("app")) is None


def test_bench_flags_async_blocking_apps() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "bench",
            str(ROOT / "examples" / "apps" / "async_blocking"),
            "--function",
            "fetch",
            "--processes",
            "2",
            "--threads",
            "1,4",
            "--concurrency",
            "8",
            "--duration",
            "1",
            "--warmup",
            "0.3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "the signature of async functions that make blocking calls" in result.stderr


# -- `--python`: any interpreter, whatever it was made from ----------------------------


def make_app_venv(folder: Path, base: Path | None = None, *, deps: bool = True) -> Path:
    """A virtualenv as `python -m venv` makes it (the interpreter linked, not copied)
    from `base` (default: the base interpreter of this one); with `deps`, it imports
    azure-functions and its dependencies, from a folder a .pth file names, and
    nothing else of this environment. Its interpreter."""
    import importlib.util
    import subprocess
    import sys

    import azure.functions

    base = base or Path(sys._base_executable)
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    if deps:
        shelf = folder.parent / f"{folder.name}-deps"
        (shelf / "azure").mkdir(parents=True)
        (shelf / "azure" / "functions").symlink_to(
            Path(azure.functions.__file__).parent, target_is_directory=True
        )
        for name in ("werkzeug", "markupsafe"):  # azure-functions' own dependencies
            spec = importlib.util.find_spec(name)
            assert spec is not None and spec.origin is not None
            (shelf / name).symlink_to(
                Path(spec.origin).parent, target_is_directory=True
            )
        site = next((folder / "lib").glob("python3.*/site-packages"))
        (site / "app-deps.pth").write_text(f"{shelf}\n")
    return python


def test_bench_runs_a_venv_made_from_the_same_base_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The usual setup: the app's virtualenv and the tool's come from one base
    interpreter, so both interpreters are links to the same file."""
    import sys

    python = make_app_venv(tmp_path / "appenv")
    assert python.resolve() == Path(sys._base_executable).resolve()
    monkeypatch.chdir(tmp_path)  # `python -c` puts the working folder on the path
    result = CliRunner().invoke(
        cli,
        [
            "bench",
            str(APPS / "interpreter"),
            "--function",
            "where",
            "--processes",
            "1",
            "--threads",
            "2",
            "--duration",
            "0.5",
            "--warmup",
            "0.1",
            "--upstream-latency",
            "0",
            "--json",
            "--python",
            str(python),
        ],
    )
    assert result.exit_code == 0, result.stderr
    [record] = json.loads(result.stdout)
    assert record["throughput"] > 0 and record["errors"] == 0
    point = run_point(
        settings("interpreter", "where", python=python), processes=1, threads=1
    )
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert set(point.results) == {f"{python} {version}"}  # the venv ran the app


def _other_python(minor: int) -> Path | None:
    """An interpreter of Python 3.<minor> on this machine (PATH, then pyenv's)."""
    import os
    import shutil
    import subprocess

    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [shutil.which(f"python3.{minor}") or ""]
    candidates += sorted(map(str, pyenv.glob(f"3.{minor}.*/bin/python3.{minor}")))
    for candidate in filter(None, candidates):
        done = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[1])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip() == str(minor):
            return Path(candidate)
    return None


@pytest.mark.parametrize("minor", [10, 12, 13])
def test_workers_run_another_python_version(
    minor: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    if minor == sys.version_info[1]:
        pytest.skip("the version this runs on")
    base = _other_python(minor)
    if base is None:
        pytest.skip(f"no Python 3.{minor} here")
    python = make_app_venv(tmp_path / "appenv", base)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # the linked deps stay clean
    monkeypatch.chdir(tmp_path)
    point = run_point(
        settings("interpreter", "where", python=python), processes=2, threads=1
    )
    assert point.errors == 0 and point.measured > 0
    assert set(point.results) == {f"{python} 3.{minor}"}


def test_an_interpreter_without_the_apps_dependencies_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = make_app_venv(tmp_path / "bare", deps=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "bench",
            str(APPS / "probe"),
            "--function",
            "probe",
            "--processes",
            "1",
            "--threads",
            "1",
            "--duration",
            "0.2",
            "--warmup",
            "0",
            "--python",
            str(python),
        ],
    )
    assert result.exit_code == 2, result.output
    assert (
        f"{APPS / 'probe' / 'function_app.py'}:8: the app imports 'azure', which "
        f"{python} cannot import (No module named 'azure')"
    ) in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("echo 2.7", "is Python 2.7; the lab runs apps on Python 3.10 or newer"),
        ("echo no", "not a Python interpreter (no)"),
        ("echo broken >&2; exit 1", "not a Python interpreter (broken)"),
    ],
)
def test_an_interpreter_that_cannot_run_the_lab_is_refused(
    script: str, message: str, tmp_path: Path
) -> None:
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    result = CliRunner().invoke(
        cli,
        ["bench", str(APPS / "probe"), "--function", "probe", "--python", str(fake)],
    )
    assert result.exit_code == 2, result.output
    assert f"--python {fake}" in result.stderr and message in result.stderr


# -- Ctrl-C keeps what was measured ----------------------------------------------------


def interrupt_after_a_point(args: list[str], done: str) -> tuple[int, str, str]:
    """Run `azfn-profile ARGS` in its own process group, send the group SIGINT (as
    Ctrl-C in a terminal does) while a later point is being measured, and return the
    exit code, stdout and stderr; `done` marks a finished point's progress line."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "azfn_profile", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stderr is not None
    said: list[str] = []
    while not any(done in line for line in said):  # a point finished
        said.append(proc.stderr.readline())
        assert said[-1], "".join(said)
    said.append(proc.stderr.readline())  # the next one started ...
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # ... and its workers run
        if {pid for pid in _children(proc.pid) if _is_worker(pid)}:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    workers = {pid for pid in _children(proc.pid) if _is_worker(pid)}
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    return proc.returncode, out, "".join(said) + err


@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_in_bench_prints_the_points_measured_and_exits_130(
    as_json: bool,
) -> None:
    code, out, err = interrupt_after_a_point(
        [
            "bench",
            str(APPS / "probe"),
            "--function",
            "probe",
            "--processes",
            "1,2,3",
            "--threads",
            "2",
            "--duration",
            "2",
            "--warmup",
            "0.2",
            *(["--json"] if as_json else []),
        ],
        done=" inv/s, p95 ",
    )
    assert code == 130, err
    finished = err.count(" inv/s, p95 ")
    assert 1 <= finished < 3
    assert f"interrupted: {finished} of 3 point(s) measured" in err
    assert "Traceback" not in err and "Aborted" not in err
    if as_json:
        records = json.loads(out)
        assert [r["processes"] for r in records] == [1, 2][:finished]
        assert records[0]["throughput"] > 0
    else:
        rows = out.splitlines()
        assert rows[0].split()[:2] == ["PROCESSES", "THREADS"]
        assert [row.split()[0] for row in rows[1:]] == ["1", "2"][:finished]


def test_a_body_of_any_bytes_reaches_the_function() -> None:
    # A shell passes bytes that are not UTF-8 as they are; click hands them over as
    # surrogate escapes, which go back to the same bytes.
    result = CliRunner().invoke(
        cli,
        [
            "bench",
            str(ROOT / "examples" / "apps" / "noop"),
            "--function",
            "ping",
            "--processes",
            "1",
            "--threads",
            "1",
            "--duration",
            "0.3",
            "--warmup",
            "0.1",
            "--body",
            "caf\udce9\x01",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr
