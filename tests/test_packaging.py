"""The package builds as an sdist and a wheel that pass `twine check`, and the wheel
works on its own: publishing is one command away."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from azfn_profile import REPOSITORY_URL
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow  # builds an sdist and a wheel

NOT_SOURCES = (
    ".git",
    ".tools",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
)
RUN_FROM_TARGET = (
    "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = sys.argv[1:]\n"
    "import azfn_profile.cli as c\n"
    "assert c.__file__.startswith(sys.argv[0]), c.__file__\n"
    "sys.argv = ['azfn-profile', 'render', sys.argv[1], '--format', 'settings']\n"
    "sys.exit(c.main())\n"
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build from a copy of the sources, so the build leaves nothing in the clone."""
    src = tmp_path_factory.mktemp("src") / "azfn-profile"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--sdist",
            "--wheel",
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (out.parent / "build.log").write_text(done.stdout + done.stderr)
    return out


def test_sdist_and_wheel_pass_twine_check(dist: Path) -> None:
    files = sorted(p.name for p in dist.iterdir())
    assert sorted(f.rsplit(".", 1)[-1] for f in files) == ["gz", "whl"], files
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_the_license_is_an_spdx_expression_shipped_with_its_text(dist: Path) -> None:
    # setuptools deprecates `license = {text = ...}` (builds fail from 2027-02-18).
    log = (dist.parent / "build.log").read_text()
    assert "SPDX" not in log and "project.license" not in log, log[-2000:]
    wheel = zipfile.ZipFile(next(dist.glob("*.whl")))
    metadata = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: MIT" in wheel.read(metadata).decode().splitlines()
    licence = next(n for n in wheel.namelist() if n.endswith("licenses/LICENSE"))
    assert wheel.read(licence) == (ROOT / "LICENSE").read_bytes()


def test_the_wheel_carries_its_data_and_works_outside_the_clone(
    dist: Path, tmp_path: Path
) -> None:
    wheel = next(dist.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "azfn_profile/data/skus.yaml",
        "azfn_profile/data/python.yaml",
        "azfn_profile/checks/cases/AZFN101.yaml",  # explain and SARIF show its cases
        "azfn_profile/py.typed",
    ):
        assert needed in names
    assert not any(n.startswith("tests/") for n in names)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN_FROM_TARGET,
            str(target),
            str(EXAMPLES / "catalog-api.yaml"),
        ],
        cwd=tmp_path,  # not the clone: the wheel alone must do
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"PYTHON_THREADPOOL_THREAD_COUNT": "32"' in done.stdout


def test_metadata_points_at_the_repository() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert f'Homepage = "{REPOSITORY_URL}"' in text


def test_the_release_workflow_builds_the_tagged_version() -> None:
    """A pushed tag vX.Y.Z builds and attaches the wheel only when it names the
    version in pyproject.toml (the step is run here as the workflow runs it)."""
    import yaml

    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "release.yml").read_text()
    )
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # YAML reads `on` as True
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "python -m build" in runs
    assert any(r.startswith("gh release create") and "dist/*" in r for r in runs)
    (check,) = [r for r in runs if "GITHUB_REF_NAME" in r and "tomllib" in r]
    (version,) = re.findall(
        r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE
    )
    for tag, ok in ((f"v{version}", True), ("v999.0.0", False)):
        done = subprocess.run(
            ["bash", "-c", check.replace("python ", f"{sys.executable} ")],
            cwd=ROOT,
            env={**os.environ, "GITHUB_REF_NAME": tag},
            capture_output=True,
            text=True,
            check=False,
        )
        assert (done.returncode == 0) is ok, (tag, done.stderr)
