"""`render --format all -o DIR`: every file, atomically, never clobbering by surprise."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.render import BUNDLE
from tests.conftest import EXAMPLES

ORDERS, CATALOG = str(EXAMPLES / "orders-api.yaml"), str(EXAMPLES / "catalog-api.yaml")
FILES = [
    "appsettings.json",
    "azuredeploy.json",
    "host.json",
    "main.bicep",
    "terraform/main.tf",
    "terraform/modules/function-app/main.tf",
    "terraform/providers.tf",
]
TOP = ["appsettings.json", "azuredeploy.json", "host.json", "main.bicep", "terraform"]


def files_in(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_bundle_names() -> None:
    assert set(BUNDLE) < set(FILES)


def test_writes_every_file_into_a_new_directory(tmp_path: Path) -> None:
    out = tmp_path / "iac"
    assert invoke("render", ORDERS, "--format", "all", "-o", str(out)) == (
        0,
        "",
        f"wrote 7 file(s) to {out}: {', '.join(FILES)}\n",
    )
    assert files_in(out) == FILES
    for fmt, name in (
        ("settings", "appsettings.json"),
        ("host-json", "host.json"),
        ("arm", "azuredeploy.json"),
        ("bicep", "main.bicep"),
        ("terraform", "terraform/modules/function-app/main.tf"),
    ):
        assert (out / name).read_text() == invoke("render", ORDERS, "--format", fmt)[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iac"]  # no staging left over


def test_identical_rerun_is_unchanged(tmp_path: Path) -> None:
    invoke("render", ORDERS, "--format", "all", "-o", str(tmp_path / "d"))
    assert invoke("render", ORDERS, "--format", "all", "-o", str(tmp_path / "d")) == (
        0,
        "",
        f"unchanged: {tmp_path / 'd'}\n",
    )


def test_refuses_to_clobber_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "d"
    invoke("render", ORDERS, "--format", "all", "-o", str(out))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, _, err = invoke("render", CATALOG, "--format", "all", "-o", str(out))
    assert code == 2
    assert err == (
        f"{out}: appsettings.json, azuredeploy.json, host.json, main.bicep, "
        "terraform/main.tf, terraform/modules/function-app/main.tf exist with "
        "different content; pass --force to replace them (nothing was written)\n"
    )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert (
        invoke("render", CATALOG, "--format", "all", "-o", str(out), "--force")[0] == 0
    )
    settings = json.loads((out / "appsettings.json").read_text())
    assert settings["PYTHON_THREADPOOL_THREAD_COUNT"] == "32"
    assert files_in(out) == FILES


def test_a_user_file_in_the_directory_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "README.txt").write_text("mine")
    assert invoke("render", ORDERS, "--format", "all", "-o", str(tmp_path))[0] == 0
    assert (tmp_path / "README.txt").read_text() == "mine"


def test_needs_a_directory(tmp_path: Path) -> None:
    code, _, err = invoke("render", ORDERS, "--format", "all")
    assert code == 2 and err.endswith(
        "--format all writes several files: give -o DIRECTORY\n"
    )
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert invoke("render", ORDERS, "--format", "all", "-o", str(target)) == (
        2,
        "",
        f"{target}: exists and is not a directory\n",
    )
