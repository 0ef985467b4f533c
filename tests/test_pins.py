"""Which azure-functions-runtime an app pins (Python 3.13+): the requirement forms
pip reads (PEP 508 names, PEP 503 normalisation, markers, comments), pyproject
dependencies, and files that must pin nothing (links out, binary, hostile TOML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from azfn_profile.code.pins import Pin, runtime_pin


@pytest.mark.parametrize(
    ("line", "version"),
    [
        ("azure-functions-runtime==1.2.1", "1.2.1"),
        ("Azure_Functions.Runtime == 1.3.0", "1.3.0"),
        ("azure-functions-runtime===1.2.1", "1.2.1"),
        # a marker is not evaluated: which Python the pin is for is not known
        ("azure-functions-runtime==1.3.0 ; python_version >= '3.13'", None),
        ("azure-functions-runtime==" + "1" * 65, None),
        ("azure-functions-runtime[extra]==1.1.0", "1.1.0"),
        ("azure-functions-runtime>=1.2", None),
        ("azure-functions-runtime==1.*", None),
        ("azure-functions-runtime>=1.0,==1.2.1", None),
        ("azure-functions-runtime", None),
    ],
)
def test_requirement_forms(tmp_path: Path, line: str, version: str | None) -> None:
    (tmp_path / "requirements.txt").write_text(
        f"# deps\nazure-functions\n-r base.txt\n{line}\t# the worker's library\n"
    )
    assert runtime_pin(tmp_path, "app") == Pin(line, version, "app/requirements.txt", 4)


@pytest.mark.parametrize(
    "text",
    [
        "azure-functions-runtime-extras==1.0\n",  # another package
        "# azure-functions-runtime==1.2.1\n",  # a comment
        "-e git+https://example.invalid/azure-functions-runtime#egg=x\n",
    ],
)
def test_what_is_not_a_pin(tmp_path: Path, text: str) -> None:
    (tmp_path / "requirements.txt").write_text(text)
    assert runtime_pin(tmp_path, "app") is None


def test_pyproject_dependencies(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '# "azure-functions-runtime==1.1.1" was the last pin\n'
        '[project]\nname = "orders"\ndependencies = [\n'
        '  "azure-functions",\n  "azure-functions-runtime==1.1.1",\n]\n'
    )
    assert runtime_pin(tmp_path, "app") == Pin(
        "azure-functions-runtime==1.1.1", "1.1.1", "app/pyproject.toml", 6
    )


def test_requirements_win_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("azure-functions-runtime==1.0.0\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndependencies = ["azure-functions-runtime==1.3.0"]\n'
    )
    pin = runtime_pin(tmp_path, "app")
    assert pin is not None and pin.version == "1.0.0"


def test_files_that_pin_nothing(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("azure-functions-runtime==1.2.1\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").symlink_to(outside)  # a link out of the app
    (app / "pyproject.toml").write_bytes(b"\x00\xff binary")
    assert runtime_pin(app, "app") is None
    (app / "pyproject.toml").write_text("dependencies = " + "[" * 100_000)
    assert runtime_pin(app, "app") is None  # nesting past any limit: no pin, no crash
    (app / "pyproject.toml").write_text('[project]\ndependencies = "not a list"\n')
    assert runtime_pin(app, "app") is None


def test_init_drafts_python_313_or_newer_for_an_app_that_pins_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from azfn_profile import catalog, facts
    from azfn_profile.cli import cli
    from tests.conftest import TODAY

    app = tmp_path / "app"
    app.mkdir()
    (app / "function_app.py").write_text(
        "import azure.functions as func\n\napp = func.FunctionApp()\n\n\n"
        '@app.route(route="orders")\n'
        "def orders(req: func.HttpRequest) -> func.HttpResponse:\n"
        '    return func.HttpResponse("ok")\n'
    )
    (app / "requirements.txt").write_text("azure-functions\nazure-functions-runtime\n")
    monkeypatch.chdir(tmp_path)  # the draft's `app:` is relative to where it is read
    out = CliRunner(env={"AZFN_PROFILE_TODAY": TODAY.isoformat()}).invoke(
        cli, ["init", str(app)]
    )
    assert out.exit_code == 0, out.output
    (line,) = [x for x in out.stdout.splitlines() if x.startswith("python:")]
    newest = catalog.supported_pythons(TODAY)[-1]
    assert facts.proxy_worker(newest)
    assert line.startswith(f'python: "{newest}"')
    assert line.endswith(
        "requirements.txt:2 pins azure-functions-runtime, which runs on Python 3.13 "
        "and newer only"
    )
    (app / "requirements.txt").write_text("azure-functions\n")
    plain = CliRunner(env={"AZFN_PROFILE_TODAY": TODAY.isoformat()}).invoke(
        cli, ["init", str(app)]
    )
    assert "the newest every plan runs" in plain.stdout
