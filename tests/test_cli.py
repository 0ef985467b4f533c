"""The CLI through click's CliRunner: exit codes and exact output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from azfn_profile import __version__
from azfn_profile.catalog import skus
from azfn_profile.cli import cli, main
from tests.conftest import EXAMPLES, ROOT

EXAMPLE = str(EXAMPLES / "catalog-api.yaml")
SETTINGS = {
    "FUNCTIONS_EXTENSION_VERSION": "~4",
    "FUNCTIONS_WORKER_PROCESS_COUNT": "2",
    "FUNCTIONS_WORKER_RUNTIME": "python",
    "PYTHON_THREADPOOL_THREAD_COUNT": "32",
}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_render_settings_exact() -> None:
    code, out, err = invoke("render", EXAMPLE, "--format", "settings")
    assert (code, err) == (0, "")
    assert out == json.dumps(SETTINGS, indent=2) + "\n"


def test_render_env_exact() -> None:
    code, out, _ = invoke("render", EXAMPLE, "--format", "env")
    assert code == 0
    assert out == (
        "FUNCTIONS_EXTENSION_VERSION='~4'\n"  # a bare ~ would expand to $HOME
        "FUNCTIONS_WORKER_PROCESS_COUNT=2\n"
        "FUNCTIONS_WORKER_RUNTIME=python\n"
        "PYTHON_THREADPOOL_THREAD_COUNT=32\n"
    )


def test_env_quotes_values_that_need_it(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        Path(EXAMPLE).read_text() + "app_settings:\n  GREETING: hello world\n"
        "  QUOTE: 'say \"hi\"'\n"
    )
    code, out, _ = invoke("render", str(profile), "--format", "env")
    assert code == 0
    assert "GREETING='hello world'\n" in out and "QUOTE='say \"hi\"'\n" in out


def test_render_json_has_the_documented_top_level_keys() -> None:
    code, out, _ = invoke("render", EXAMPLE)
    document = json.loads(out)
    assert code == 0
    assert {
        "name",
        "python",
        "workload",
        "plan",
        "app_settings",
        "site",
        "function_app_config",
        "host_json",
        "decisions",
    } <= set(document)
    assert {"sku", "tier", "family", "cores", "memory_mb"} <= set(document["plan"])
    assert {"linux_fx_version", "always_on"} <= set(document["site"])
    assert document["app_settings"] == SETTINGS


def test_render_is_deterministic() -> None:
    assert invoke("render", EXAMPLE)[1] == invoke("render", EXAMPLE)[1]


def test_output_file_written_then_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    assert invoke("render", EXAMPLE, "--format", "settings", "-o", str(target)) == (
        0,
        "",
        f"wrote: {target}\n",
    )
    assert json.loads(target.read_text()) == SETTINGS
    assert invoke("render", EXAMPLE, "--format", "settings", "-o", str(target)) == (
        0,
        "",
        f"unchanged: {target}\n",
    )


def test_output_refuses_to_clobber_a_different_file(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_text('{"mine": true}\n')
    code, out, err = invoke("render", EXAMPLE, "--format", "json", "-o", str(target))
    assert (code, out) == (2, "")
    assert (
        err == f"{target}: exists with different content; pass --force to replace it\n"
    )
    assert target.read_text() == '{"mine": true}\n'
    assert (
        invoke("render", EXAMPLE, "--format", "json", "-o", str(target), "--force")[0]
        == 0
    )
    assert json.loads(target.read_text())["host_json"]["version"] == "2.0"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]  # no temp left


def test_bad_profile_writes_nothing(tmp_path: Path) -> None:
    bad, target = tmp_path / "bad.yaml", tmp_path / "out.json"
    bad.write_text("name: x\n")
    assert invoke("render", str(bad), "-o", str(target))[0] == 2
    assert not target.exists()


def test_unknown_format_is_a_usage_error() -> None:
    code, _, err = invoke("render", EXAMPLE, "--format", "yaml")
    assert code == 2 and "Invalid value for '--format'" in err


def test_bad_pinned_clock_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZFN_PROFILE_TODAY", "tomorrow")
    code, _, err = invoke("render", EXAMPLE)
    assert code == 2
    assert err == "AZFN_PROFILE_TODAY='tomorrow' is not a date (YYYY-MM-DD)\n"


def test_explain_lists_settings_rules_and_findings(tmp_path: Path) -> None:
    code, out, _ = invoke("explain", EXAMPLE)
    lines = out.splitlines()
    assert code == 0
    assert (
        lines[0] == "catalog-api: P1v3 (PremiumV3, 2 vCPU, 8192 MB), Python 3.11, "
        "workload io/sync"
    )
    assert lines[1] == "functions: http x1"
    row = next(
        line for line in lines if line.startswith("PYTHON_THREADPOOL_THREAD_COUNT")
    )
    assert row.split() == ["PYTHON_THREADPOOL_THREAD_COUNT", "32", "workers.threads.io"]
    assert "    from: c=2, concurrency=64, cores=2.0, kind=io, processes=2" in lines
    assert (
        "    note: unset on P1v3: every worker process 1000 threads (the host's "
        "default)" in lines
    )
    assert lines[-1] == "checks: no findings (azfn-profile check agrees)"
    heavy = tmp_path / "heavy.yaml"
    heavy.write_text(
        "name: heavy\npython: '3.12'\nworkload: {kind: cpu, "
        "memory_per_process_mb: 4000}\nplan: {sku: EP2}\n"
    )
    code, out, _ = invoke("explain", str(heavy))
    assert code == 0
    block = " ".join(out.split("checks (what azfn-profile check reports", 1)[1].split())
    assert "- AZFN114 [warning] EP2 has 7168 MB, room for 1 worker process(es)" in block
    assert "see: https://" in block


def test_schema_is_the_profile_json_schema() -> None:
    code, out, _ = invoke("schema")
    schema = json.loads(out)
    assert code == 0
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["name", "python", "workload", "plan"]
    assert schema["additionalProperties"] is False
    workload = schema["$defs"]["Workload"]
    assert workload["properties"]["kind"]["enum"] == ["io", "cpu", "mixed"]


def test_schema_validates_the_examples() -> None:
    import jsonschema
    import yaml

    schema = json.loads(invoke("schema")[1])
    for example in EXAMPLES.glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(example.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {
                "name": "ab",
                "python": "3.12",
                "workload": {"kind": "io", "concurency": 3},
                "plan": {"sku": "EP1"},
            },
            schema,
        )


def test_skus_lists_the_whole_catalog() -> None:
    code, out, _ = invoke("skus")
    lines = out.splitlines()
    assert code == 0
    assert [line.split()[0] for line in lines[1:]] == list(skus())
    fc1 = next(line for line in lines if line.startswith("FC1"))
    assert fc1.split()[3:5] == ["0.25/1/2", "512/2048/4096"]


def test_version_and_main_return_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"azfn-profile, version {__version__}\n"
    assert main(["render", "/nonexistent.yaml"]) == 2


def test_internal_error_is_exit_3_without_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("azfn_profile.engine.resolve_file", boom)
    code, _, err = invoke("render", EXAMPLE)
    assert code == 3
    assert err.startswith("azfn-profile: internal error: RuntimeError('kaboom')\n")
    assert "Traceback" not in err


def test_python_dash_m_and_no_heavy_imports() -> None:
    code = (
        f"import sys, runpy; sys.argv = ['azfn-profile', 'render', {EXAMPLE!r}, '--format', "
        "'settings']\ntry:\n    runpy.run_module('azfn_profile', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pulumi', 'pulumi_azure_native', 'checkov', 'matplotlib', 'ruamel', "
        "'aiohttp', 'pycep', 'azure') or m.startswith(('azfn_profile.code', "
        "'azfn_profile.init')))\n"
        "print('HEAVY', heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("HEAVY []\n")
    assert json.loads(done.stdout.rsplit("HEAVY", 1)[0]) == SETTINGS


def test_explain_an_unknown_check_id_says_so() -> None:
    code, out, err = invoke("explain", "AZFN999")
    assert (code, out) == (2, "")
    assert err.endswith("AZFN999: no such check; `azfn-profile checks` lists them\n")
    assert invoke("explain", "azfn104")[0] == 0  # ids are case-insensitive


def test_check_on_an_empty_directory_is_not_a_silent_pass(tmp_path: Path) -> None:
    code, out, err = invoke("check", str(tmp_path))
    assert (code, out) == (2, "")
    assert f"nothing to check in {tmp_path}" in err


def test_a_json_profile_is_a_profile_to_check_as_to_render(tmp_path: Path) -> None:
    import yaml

    profile = tmp_path / "catalog-api.json"
    profile.write_text(json.dumps(yaml.safe_load(Path(EXAMPLE).read_text())))
    assert (
        invoke("render", str(profile), "--format", "settings")[1]
        == json.dumps(SETTINGS, indent=2) + "\n"
    )
    code, out, _ = invoke("check", str(profile))
    assert code == 0 and out.splitlines()[-1].startswith("0 error(s)")
    profile.write_text(json.dumps({"name": "x", "workload": {}, "plan": {}}))
    code, out, _ = invoke("check", str(profile))
    assert code == 1 and "AZFN001" in out


BLOCK_AZURE = (
    "import sys, importlib.abc\n"
    "class Block(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] in ('azure', 'pycep'):\n"
    "            raise ModuleNotFoundError(name)\n"
    "sys.meta_path.insert(0, Block())\n"
    "from azfn_profile.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["bench", "examples/apps/io_sync", "--function", "fetch"], "lab"),
        (["tune", "examples/apps/io_sync", "--function", "fetch"], "lab"),
    ],
)
def test_a_missing_extra_is_one_line_naming_it(args: list[str], extra: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_AZURE, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    text = done.stderr
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    line = next(line for line in text.splitlines() if "extra" in line)
    assert f"needs the '{extra}' extra" in line
    assert f'pip install "azfn-profile[{extra}] @ git+https://' in line
    assert text.count("\n") == 1  # one line, nothing blaming the app
