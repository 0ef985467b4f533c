"""Writing what the user asked for: parents created, `-`, safe targets, no clobbering
under concurrency, nothing half-written or left behind after an interruption."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from azfn_profile import fileio
from azfn_profile.cli import cli
from azfn_profile.errors import OutputError
from tests.conftest import EXAMPLES, ROOT

ORDERS, CATALOG = str(EXAMPLES / "orders-api.yaml"), str(EXAMPLES / "catalog-api.yaml")


def files(folder: Path) -> dict[str, bytes]:
    """Every file of a bundle by its path in it (the stage left out)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and fileio.STAGE not in p.relative_to(folder).parts
    }


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_missing_parents_are_created_with_umask_modes(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        target = tmp_path / "infra" / "orders-api" / "settings.json"
        code, _, err = invoke(
            "render", ORDERS, "--format", "settings", "-o", str(target)
        )
        bundle = tmp_path / "deep" / "infra" / "orders-api"
        code_all, _, _ = invoke("render", ORDERS, "--format", "all", "-o", str(bundle))
    finally:
        os.umask(old)
    assert (code, err, code_all) == (0, f"wrote: {target}\n", 0)
    assert json.loads(target.read_text())["FUNCTIONS_WORKER_RUNTIME"] == "python"
    for folder in (target.parent, tmp_path / "deep", bundle):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o750, folder
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    modes = {(p.is_dir(), stat.S_IMODE(p.stat().st_mode)) for p in bundle.rglob("*")}
    assert modes == {(False, 0o640), (True, 0o750)}  # files; the terraform/ folders


def test_render_all_into_a_missing_nested_folder_as_the_readme_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("render", ORDERS, "--format", "all", "-o", "infra/orders-api")
    assert code == 0, err
    assert (tmp_path / "infra" / "orders-api" / "main.bicep").is_file()
    assert stat.S_IMODE((tmp_path / "infra" / "orders-api").stat().st_mode) == (
        0o777 & ~_umask()
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_dash_is_standard_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("render", ORDERS, "--format", "settings", "-o", "-")
    assert (code, err) == (0, "")
    assert out == invoke("render", ORDERS, "--format", "settings")[1]
    code, out, _ = invoke("check", ORDERS, "-o", "-")
    assert code == 0 and out.splitlines()[-1].startswith("0 error(s)")
    assert list(tmp_path.iterdir()) == []  # no file named "-"
    code, _, err = invoke("render", ORDERS, "--format", "all", "-o", "-")
    assert code == 2 and "give -o DIRECTORY, not -" in err


def test_devices_and_fifos_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (Path("/dev/null"), fifo):
        code, _, err = invoke("render", ORDERS, "-o", str(target), "--force")
        assert code == 2
        assert "not a regular file" in err and "use -o - for standard output" in err
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)  # still a device
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize("command", ["render", "check", "baseline", "bundle"])
def test_an_output_is_never_written_through_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """A link planted where a report or file goes (a pull request can add one to the
    checkout a CI job writes into) is refused, the file or a folder on the way, and
    nothing is written where it points."""
    monkeypatch.chdir(tmp_path)
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("keep me\n")
    (tmp_path / "report.out").symlink_to(victim)
    (tmp_path / "reports").symlink_to(victim.parent, target_is_directory=True)
    for target in ("report.out", "reports/victim.txt"):
        args = {
            "render": [
                "render",
                ORDERS,
                "--format",
                "settings",
                "-o",
                target,
                "--force",
            ],
            "check": ["check", ORDERS, "-o", f"sarif={target}"],
            "baseline": ["check", ORDERS, "--write-baseline", target],
            "bundle": ["render", ORDERS, "--format", "all", "-o", target],
        }[command]
        code, out, err = invoke(*args)
        assert code == 2, (command, target, out, err)
        assert "symbolic link" in err and "Traceback" not in err
        assert victim.read_text() == "keep me\n"
        assert sorted(p.name for p in victim.parent.iterdir()) == ["victim.txt"]


def test_a_link_above_the_current_folder_is_the_machines_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    work = real / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    out = tmp_path / "alias" / "settings.json"  # through a link outside the checkout
    code, _, err = invoke("render", ORDERS, "--format", "settings", "-o", str(out))
    assert code == 0, err
    assert (real / "settings.json").is_file()


def test_concurrent_writers_never_overwrite_each_other(tmp_path: Path) -> None:
    """Eight writers of different texts to one new target, no --force: exactly one
    wins, the others are refused, and the file holds the winner's whole text."""
    texts = [f"writer {i}\n" * 5000 for i in range(8)]
    for n in range(20):
        target = tmp_path / f"out-{n}.txt"
        results = _race(target, texts)
        winners = [r for r in results if r != "refused"]
        assert len(winners) == 1
        assert target.read_text() == winners[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"out-{i}.txt" for i in range(20)
    )


def _race(target: Path, texts: list[str]) -> list[str]:
    results: list[str] = []
    barrier = threading.Barrier(len(texts))

    def write(text: str) -> None:
        barrier.wait()
        try:
            fileio.write_output(target, text, force=False)
            results.append(text)
        except OutputError:
            results.append("refused")

    threads = [threading.Thread(target=write, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_temporary_files_of_killed_writers_are_swept(tmp_path: Path) -> None:
    stale = tmp_path / ".settings.json.azfn-999999999-deadbeef.tmp"
    stale.write_text("half")
    live = tmp_path / f".settings.json.azfn-{os.getpid()}-cafe.tmp"
    live.write_text("mine, in progress")
    fileio.write_output(tmp_path / "settings.json", "{}\n", force=False)
    assert not stale.exists()
    assert live.exists()


def test_a_killed_writer_leaves_no_temporary_file_for_long(tmp_path: Path) -> None:
    """SIGTERM during a write: the handler removes the temporary file on the way out."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from azfn_profile import fileio, cli\n"
        "real = fileio._write_new\n"
        "def slow(*a):\n"
        "    real(*a); print('STAGED', flush=True); time.sleep(30)\n"
        "fileio._write_new = slow\n"
        "sys.argv = ['azfn-profile', 'render', sys.argv[1], '-o', sys.argv[2]]\n"
        "sys.exit(cli.main())\n"
    )
    target = tmp_path / "out.json"
    proc = subprocess.Popen(
        [sys.executable, "-c", script, ORDERS, str(target)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "STAGED"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_bundle_interrupted_after_the_commit_point_is_finished_next_time(
    tmp_path: Path,
) -> None:
    out = tmp_path / "iac"
    assert invoke("render", ORDERS, "--format", "all", "-o", str(out))[0] == 0
    old = files(out)
    # A writer killed during its renames: the stage holds a complete manifest and the
    # files not yet moved; two were moved already.
    from azfn_profile.engine import resolve_file
    from azfn_profile.render import render_bundle
    from tests.conftest import TODAY

    new = render_bundle(resolve_file(Path(CATALOG), today=TODAY))
    stage = out / fileio.STAGE
    stage.mkdir()
    names = sorted(n for n in new if new[n].encode() != old[n])
    for name in names:
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_text(new[name])
    (stage / fileio.MANIFEST).write_text(json.dumps(names))
    for name in names[:2]:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).replace(out / name)
    mixed = files(out)
    assert mixed != old and mixed != {n: t.encode() for n, t in new.items()}
    # The next write into the directory finishes the commit first.
    code, _, err = invoke("render", CATALOG, "--format", "all", "-o", str(out))
    assert (code, err) == (0, f"unchanged: {out}\n")
    assert files(out) == {n: t.encode() for n, t in new.items()}


def test_bundle_interrupted_before_the_commit_point_changes_nothing(
    tmp_path: Path,
) -> None:
    out = tmp_path / "iac"
    invoke("render", ORDERS, "--format", "all", "-o", str(out))
    old = files(out)
    stage = out / fileio.STAGE
    stage.mkdir()
    (stage / "main.bicep").write_text("half-written")  # no manifest: not committed
    code, _, err = invoke("render", ORDERS, "--format", "all", "-o", str(out))
    assert (code, err) == (0, f"unchanged: {out}\n")
    assert files(out) == old


def test_bundle_all_or_nothing_when_killed_at_random(tmp_path: Path) -> None:
    """kill -9 at random moments of `render --format all --force` into an existing
    directory: afterwards (and after the next run finishes any commit) the directory
    holds one whole bundle, never a mix."""
    out = tmp_path / "iac"
    invoke("render", ORDERS, "--format", "all", "-o", str(out))
    bundles = {}
    for profile in (ORDERS, CATALOG):
        folder = tmp_path / Path(profile).stem
        invoke("render", profile, "--format", "all", "-o", str(folder))
        bundles[profile] = files(folder)
    cmd = [sys.executable, "-m", "azfn_profile", "render", "--format", "all"]
    for i in range(12):
        profile = CATALOG if i % 2 == 0 else ORDERS
        proc = subprocess.Popen([*cmd, profile, "-o", str(out), "--force"], cwd=ROOT)
        time.sleep(0.05 + 0.02 * i)
        proc.kill()
        proc.wait()
        fileio.write_bundle(out, {}, force=False)  # finishes an interrupted commit
        now = files(out)
        assert now in bundles.values(), f"round {i}: a mix of two bundles"
    assert not (out / fileio.STAGE).exists()


@pytest.mark.parametrize("command", ["render", "check", "init"])
def test_a_read_only_place_is_exit_2_for_every_single_file_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """A read-only file system refuses the staged file and its removal alike (EROFS;
    root ignores permission bits, so the file system is what refuses): the user
    gets the output error, never an internal one."""
    import errno

    from azfn_profile import fileio

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    real_open = os.open

    def open_for_reading_only(path: str, flags: int, *args: int) -> int:
        if flags & os.O_CREAT:
            refuse()
        return real_open(path, flags, *args)

    monkeypatch.setattr(fileio.os, "open", open_for_reading_only)
    monkeypatch.setattr(Path, "unlink", refuse)
    out = str(tmp_path / "out.txt")
    args = {
        "render": ["render", ORDERS, "--format", "settings", "-o", out],
        "check": ["check", ORDERS, "-o", f"sarif={out}"],
        "init": ["init", str(ROOT / "examples" / "apps" / "io_async"), "-o", out],
    }[command]
    code, _, err = invoke(*args)
    assert code == 2, err
    assert "cannot write there: Read-only file system" in err
    assert "internal error" not in err
