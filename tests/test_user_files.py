"""Outputs written into files the user owns: `render --format host-json -o` merges
into the app's host.json, `tune --write` changes only what it measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.lab.dispatch import Point
from azfn_profile.lab.tune import Comparison, Search
from azfn_profile.lab.tune_cli import TuneRequest, _Plan, _read_profile, _report
from azfn_profile.lab.write_back import updated_profile
from tests.conftest import EXAMPLES, ROOT, TODAY

ORDERS = str(EXAMPLES / "orders-api.yaml")  # decides maxConcurrentRequests: 200

USER_HOST = """{
  // the app's own settings
  "version": "2.0",
  "logging": {
    "logLevel": {"default": "Warning", "Function.orders": "Information"},
    "applicationInsights": {
      "samplingSettings": {"isEnabled": true, "excludedTypes": "Request"}
    }
  },
  "extensions": {
    "http": {"routePrefix": "api", "maxConcurrentRequests": 50},
    "custom": {"batchSize": 7}
  }
}
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def render_host(target: Path, *extra: str) -> tuple[int, str, str]:
    return invoke("render", ORDERS, "--format", "host-json", "-o", str(target), *extra)


def test_host_json_merge_keeps_the_apps_keys(tmp_path: Path) -> None:
    target = tmp_path / "host.json"
    target.write_text(USER_HOST.replace('"maxConcurrentRequests": 50', '"x": 1'))
    code, out, err = render_host(target)
    assert code == 0, err
    merged = json.loads(target.read_text())
    user = json.loads(
        USER_HOST.split("\n", 2)[0] + USER_HOST.split("\n", 2)[2]  # comment dropped
    )
    assert merged["logging"] == user["logging"]
    assert merged["extensions"]["custom"] == {"batchSize": 7}
    assert merged["extensions"]["http"] == {
        "routePrefix": "api",
        "x": 1,
        "maxConcurrentRequests": 200,
        "maxOutstandingRequests": 400,
    }
    assert (
        merged["extensionBundle"]["id"] == "Microsoft.Azure.Functions.ExtensionBundle"
    )
    assert "+ extensions.http.maxConcurrentRequests: 200" in err
    assert "logging" not in err and out == ""
    assert [p.name for p in tmp_path.iterdir()] == ["host.json"]
    assert render_host(target)[2].startswith(f"unchanged: {target}")


def test_host_json_conflict_needs_force_and_force_changes_only_that_key(
    tmp_path: Path,
) -> None:
    target = tmp_path / "host.json"
    target.write_text(USER_HOST)
    before = target.read_bytes()
    code, out, err = render_host(target)
    assert (code, out) == (2, "")
    assert (
        "--force" in err and "extensions.http.maxConcurrentRequests: 50 -> 200" in err
    )
    assert target.read_bytes() == before
    code, _, err = render_host(target, "--force")
    assert code == 0, err
    old = json.loads(USER_HOST.replace("  // the app's own settings\n", ""))
    new = json.loads(target.read_text())
    assert new["extensions"]["http"].pop("maxConcurrentRequests") == 200
    assert old["extensions"]["http"].pop("maxConcurrentRequests") == 50
    for added in ("extensionBundle",):
        new.pop(added)
    new["extensions"]["http"].pop("maxOutstandingRequests")
    assert new == old  # nothing else changed


def test_host_json_that_is_not_an_object_is_refused_with_its_place(
    tmp_path: Path,
) -> None:
    target = tmp_path / "host.json"
    for text, where in (("[1, 2]\n", ":1:1:"), ('{\n  "version": \n}\n', ":3:")):
        target.write_text(text)
        code, _, err = render_host(target, "--force")
        assert code == 2 and f"{target}{where}" in err, err
        assert target.read_text() == text


# -- tune --write -------------------------------------------------------------------


def _comparison(rate: float, p: int, t: int) -> Comparison:
    return Comparison(
        Point(p, t, 64, rate, 1.0, 2.0, 3.0, 0, 50.0, total=100), 0.02, True, 3
    )


def _write(
    profile: Path, plan: _Plan, winner: tuple[int, int], *, force: bool = False
) -> tuple[str, int]:
    request = TuneRequest(
        ROOT / "tests" / "data" / "lab_apps" / "probe",
        "probe",
        profile,
        None,
        True,
        None,
        1,
        0,
        None,
        50,
        b"{}",
        force=force,
    )
    keys = [winner, *([plan.rules] if plan.rules else []), (1, 1000)]
    rates = dict(zip(keys, (100.0, 60.0, 50.0), strict=True))
    compared = {k: _comparison(rates[k], *k) for k in keys}
    return _report(
        request,
        plan,
        Search(lambda p, t: compared[p, t].median),
        compared,
        keys,
        "notes",
        TODAY,
    )


def test_tune_write_keeps_the_processes_the_rules_chose_for_blocking_code(
    tmp_path: Path,
) -> None:
    """The rules size the whole app for an async function that blocks (`fetch`):
    a measurement of another function does not lower that, unless --force."""
    text = (
        "# orders\nname: orders\npython: '3.12'\n"
        f"app: {(EXAMPLES / 'apps' / 'async_blocking').as_posix()}\n"
        "workload:  # the app's\n  kind: io\n  style: async\n"
        "  memory_per_process_mb: 100\nplan:\n  sku: EP3\n"
    )
    profile = tmp_path / "p.yaml"
    profile.write_text(text)
    plan = _read_profile(profile, TODAY)
    assert plan.rules is not None and plan.rules[0] == 10
    report, code = _write(profile, plan, (1, 64))
    assert code == 0, report
    assert "warning: not writing FUNCTIONS_WORKER_PROCESS_COUNT 1" in report
    assert "fetch" in report and "--force" in report
    assert "left app_settings.FUNCTIONS_WORKER_PROCESS_COUNT at the rules' 10" in report
    assert (
        "wrote app_settings.PYTHON_THREADPOOL_THREAD_COUNT: 64 (was: the rules' "
        f"{plan.rules[1]})" in report
    )
    assert "left workload.memory_per_process_mb as declared (100)" in report
    written = profile.read_text()
    assert written.startswith(text)  # every key, comment and order kept
    assert (
        written[len(text) :]
        == "app_settings:\n  PYTHON_THREADPOOL_THREAD_COUNT: '64'\n"
    )
    assert _read_profile(profile, TODAY).rules == (10, 64)

    report, code = _write(profile, _read_profile(profile, TODAY), (1, 64), force=True)
    assert code == 0, report
    assert (
        "wrote app_settings.FUNCTIONS_WORKER_PROCESS_COUNT: 1 (was: the rules' 10)"
        in report
    )
    assert "left app_settings.PYTHON_THREADPOOL_THREAD_COUNT at 64" in report
    assert "FUNCTIONS_WORKER_PROCESS_COUNT: '1'" in profile.read_text()


def test_write_back_edits_settings_in_place_and_leaves_what_it_did_not_measure() -> (
    None
):
    text = (
        b"name: orders\npython: '3.12'\nworkload:\n  kind: io\nplan:\n  sku: FC1\n"
        b"app_settings:\n  PYTHON_THREADPOOL_THREAD_COUNT: '4'  # tuned before\n"
        b"  FUNCTIONS_WORKER_PROCESS_COUNT: '3'\n  OTHER: x\n"
    )
    out = updated_profile(text, processes=None, threads=16, memory_mb=None)
    assert out == text.replace(
        b"COUNT: '4'  #", b"COUNT: '16' #"
    )  # comment column kept


@pytest.mark.parametrize("dash", ["  - ", "- ", "    - "])
def test_write_back_keeps_the_indentation_of_lines_it_does_not_edit(dash: str) -> None:
    """A profile as `init` writes it (`  - {...}` under its key) or in ruamel's own
    style: every line the write does not edit stays byte for byte."""
    from azfn_profile.lab.write_back import edit_profile

    indent = "    " if dash == "    - " else "  "
    original = (
        'name: app\npython: "3.12"\n# a comment\nworkload:\n'
        f"{indent}kind: io   # why\nplan:\n{indent}sku: EP2\nfunctions:\n"
        f"{dash}{{name: fetch, trigger: http}} # evidence\n"
        f"{dash}name: other\n{' ' * len(dash)}trigger: queue\n"
    )
    out, edits = edit_profile(original.encode(), processes=4, threads=2, memory_mb=None)
    written = out.decode()
    assert written.startswith(original), written
    assert [e.path for e in edits if e.changed] == [
        "app_settings.FUNCTIONS_WORKER_PROCESS_COUNT",
        "app_settings.PYTHON_THREADPOOL_THREAD_COUNT",
    ]
