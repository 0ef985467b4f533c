"""Every malformed profile gives `FILE:LINE:COL: message` on stderr and exit 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli

GOOD = 'name: orders-api\npython: "3.12"\nworkload:\n  kind: io\nplan:\n  sku: EP2\n'


def run(tmp_path: Path, content: str | bytes, name: str = "p.yaml") -> tuple[int, str]:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(path), "--format", "settings"])
    if result.exit_code:
        assert result.stdout == ""
    return result.exit_code, result.stderr.replace(str(tmp_path) + "/", "")


def check(tmp_path: Path, content: str | bytes, *messages: str) -> None:
    code, err = run(tmp_path, content)
    assert (code, err) == (2, "".join(m + "\n" for m in messages))


def test_good_profile_passes(tmp_path: Path) -> None:
    assert run(tmp_path, GOOD)[0] == 0


def test_yaml_syntax_error(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD + "triggers: [http, queue\n",
        "p.yaml:8:1: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence at line 7)",
    )


def test_tab_indentation(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("  kind: io", "\tkind: io"),
        "p.yaml:4:1: tab character in indentation; YAML indents with spaces only",
    )


def test_duplicate_keys(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("  kind: io\n", "  kind: io\n  kind: cpu\n"),
        "p.yaml:5:3: duplicate key 'kind' (first defined at line 4); YAML would "
        "silently keep the last one",
    )


def test_wrong_types(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("  kind: io\n", "  kind: io\n  concurrency: lots\n"),
        "p.yaml:5:16: workload.concurrency: should be a valid integer, got 'lots'",
    )
    check(
        tmp_path,
        GOOD.replace("plan:\n  sku: EP2\n", "plan: EP2\n"),
        "p.yaml:5:7: plan: expected a mapping of keys, got 'EP2'",
    )


def test_empty_value(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD + "app_settings:\n  MY_FLAG:\n",
        'p.yaml:8:11: app_settings.MY_FLAG: has no value (write "" for an empty string)',
    )
    check(
        tmp_path,
        GOOD.replace("kind: io", "kind:"),
        "p.yaml:4:8: workload.kind: should be 'io', 'cpu' or 'mixed', got an empty value",
    )


def test_unknown_key_did_you_mean(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("  kind: io\n", "  kind: io\n  concurency: 64\n"),
        "p.yaml:5:3: unknown key 'concurency' in workload; did you mean 'concurrency'?",
    )


def test_unknown_top_level_key_lists_the_known_ones(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD + "colour: blue\n",
        "p.yaml:7:1: unknown key 'colour'; expected one of: name, python, workload, "
        "plan, triggers, functions, http, names, downstream, load, dynamic_concurrency, "
        "location, tags, "
        "app_settings, suppress, app, site",
    )


def test_pinned_names_follow_azure_naming_rules(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD + "names:\n  site: A\n  storage: St_Orders\n  region: x\n",
        "p.yaml:8:9: names.site: must be 2-60 characters of a-z, 0-9 and '-', not "
        "starting or ending with '-', got 'A'",
        "p.yaml:9:12: names.storage: must be 3-24 characters of a-z and 0-9 (Azure "
        "storage account names), got 'St_Orders'",
        "p.yaml:10:3: unknown key 'region' in names; expected one of: site, storage, "
        "plan, resource_group",
    )
    check(
        tmp_path,
        GOOD + 'names:\n  plan: "[listKeys(\'a\')]"\n  resource_group: "rg\\nx."\n',
        "p.yaml:8:9: names.plan: must be 1-60 characters of letters, digits and '-', "
        "got \"[listKeys('a')]\"",
        "p.yaml:9:19: names.resource_group: must be 1-90 characters of letters, "
        "digits, '_', '.', '(', ')' and '-', not ending with '.', got 'rg\\nx.'",
    )


def test_missing_required_key(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("  kind: io\n", "  style: async\n"),
        "p.yaml:4:3: missing required key 'kind' in workload",
    )


def test_unknown_sku_lists_closest(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("EP2", "EP4"),
        "p.yaml:6:8: AZFN203 SKU 'EP4' cannot host a Linux Python function app; "
        "closest: EP3, EP2, EP1 "
        "(run `azfn-profile skus` for the catalog)",
    )


def test_sku_names_are_case_insensitive(tmp_path: Path) -> None:
    assert run(tmp_path, GOOD.replace("EP2", "ep2"))[0] == 0


def test_unsupported_python(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace('"3.12"', '"3.8"'),
        "p.yaml:2:9: AZFN109 Python 3.8 is not a version Azure Functions supports on "
        "Linux; "
        "supported: 3.11, 3.12, 3.13, 3.14",
    )


@pytest.mark.parametrize(
    ("version", "ended"), [("3.9", "2025-10-31"), ("3.10", "2026-10-31")]
)
def test_ended_python(tmp_path: Path, version: str, ended: str) -> None:
    # Unquoted on purpose: YAML reads 3.10 as the number 3.1; the raw text is kept.
    check(
        tmp_path,
        GOOD.replace('"3.12"', version),
        f"p.yaml:2:9: AZFN109 Python {version} reached end of support on {ended}; "
        "supported: 3.11, 3.12, 3.13, 3.14",
    )


def test_python_end_follows_the_pinned_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = GOOD.replace('"3.12"', '"3.10"')
    monkeypatch.setenv("AZFN_PROFILE_TODAY", "2026-10-31")
    assert run(tmp_path, content)[0] == 0
    monkeypatch.setenv("AZFN_PROFILE_TODAY", "2026-11-01")
    assert run(tmp_path, content)[0] == 2


def test_python_not_on_linux_consumption(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace('"3.12"', '"3.13"').replace("EP2", "Y1"),
        "p.yaml:2:9: AZFN109 Python 3.13 is not available on Linux Consumption (Y1), "
        "which "
        "stops at 3.12; use Flex Consumption (FC1) or a Premium plan",
    )


def test_invalid_workload_kind(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("kind: io", "kind: gpu"),
        "p.yaml:4:9: workload.kind: should be 'io', 'cpu' or 'mixed', got 'gpu'",
    )


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("1.5", "p.yaml:5:13: workload.io_share: should be less than 1, got 1.5"),
        ("0", "p.yaml:5:13: workload.io_share: should be greater than 0, got 0"),
    ],
)
def test_io_share_outside_open_interval(
    tmp_path: Path, share: str, message: str
) -> None:
    check(
        tmp_path,
        GOOD.replace("kind: io\n", f"kind: mixed\n  io_share: {share}\n"),
        message,
    )


def test_io_share_for_non_mixed(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("kind: io\n", "kind: io\n  io_share: 0.4\n"),
        "p.yaml:5:3: workload.io_share applies only to kind: mixed (this workload is io)",
    )


def test_instance_memory_on_non_flex(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD + "  instance_memory_mb: 2048\n",
        "p.yaml:7:3: plan.instance_memory_mb applies only to Flex Consumption (FC1), "
        "not to EP2",
    )


def test_flex_deprecated_setting_override(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("EP2", "FC1") + "app_settings:\n  "
        "FUNCTIONS_WORKER_PROCESS_COUNT: 4\n",
        "p.yaml:8:35: AZFN102 FUNCTIONS_WORKER_PROCESS_COUNT is not valid on Flex "
        "Consumption (the plan sets it or replaces it with functionAppConfig)",
    )


def test_process_count_override_above_host_limit(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD + "app_settings:\n  FUNCTIONS_WORKER_PROCESS_COUNT: 12\n",
        "p.yaml:8:35: AZFN101 FUNCTIONS_WORKER_PROCESS_COUNT is '12'; the host accepts "
        "a whole number up to 10 and otherwise starts no Python worker (no function "
        "loads)",
    )


def test_empty_file(tmp_path: Path) -> None:
    check(
        tmp_path,
        "# only a comment\n",
        "p.yaml:1:1: empty profile: expected a mapping with name, python, workload and plan",
    )


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    check(
        tmp_path,
        "- name: a\n- name: b\n",
        "p.yaml:1:1: a profile is a mapping of keys (name, python, workload, plan, ...); "
        "this document holds a list",
    )


def test_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(tmp_path / "nope.yaml")])
    assert (result.exit_code, result.stderr) == (
        2,
        f"{tmp_path}/nope.yaml: no such file\n",
    )


def test_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(tmp_path)])
    assert (result.exit_code, result.stderr) == (
        2,
        f"{tmp_path}: is a directory, not a profile file\n",
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO with no writer would block a plain open(); the profile reader refuses
    it by what it is. Run apart, so that a hang fails the test instead of stalling."""
    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "azfn_profile", "render", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"{fifo}: not a regular file (a device, FIFO or socket)\n")


def test_binary_content(tmp_path: Path) -> None:
    check(
        tmp_path,
        b"name: ab\n\x00\x01\x02",
        "p.yaml:2:1: binary content (NUL byte); a profile is YAML text",
    )


def test_non_utf8_content(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.encode() + b"tags: {team: caf\xe9}\n",
        "p.yaml:7:17: not UTF-8 text (byte 0xe9); save the profile as UTF-8",
    )


def test_file_over_one_mebibyte(tmp_path: Path) -> None:
    content = GOOD + "# " + "x" * (1024 * 1024) + "\n"
    size = len(content.encode())
    check(
        tmp_path,
        content,
        f"p.yaml: file is {size} bytes; profiles over 1 MiB are refused",
    )


def test_alias_bomb_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    check(
        tmp_path,
        "\n".join(lines) + "\n",
        "p.yaml:1:20: document expands to more than 10000 values (an alias bomb?); "
        "refusing to load it",
    )
    # 9**9 values if expanded; refused after 10,000. Generous bound: not a timing test.
    assert time.perf_counter() - started < 10


def test_recursive_alias(tmp_path: Path) -> None:
    check(
        tmp_path, "a: &x [*x]\n", "p.yaml:1:4: recursive alias: a value contains itself"
    )


def test_deep_nesting_refused(tmp_path: Path) -> None:
    check(
        tmp_path,
        "a: " + "[" * 100 + "]" * 100 + "\n",
        "p.yaml:1:67: nesting deeper than 64 levels; refusing to load it",
    )


def test_extreme_nesting_refused_without_crashing(tmp_path: Path) -> None:
    # libyaml's composer recursed into a segfault near this depth; newer PyYAML
    # builds stop at 1000 levels themselves, while scanning ahead, before our check.
    depth = 200_000
    code, err = run(tmp_path, "a: " + "[" * depth + "]" * depth + "\n")
    assert code == 2
    assert re.fullmatch(
        r"p\.yaml:1:\d+: (nesting deeper than 64 levels; refusing to load "
        r"it|invalid YAML: exceeded maximum nesting depth \(.*\))\n",
        err,
    )


def test_several_documents(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD + "---\n" + GOOD,
        "p.yaml:7:1: invalid YAML: more than one YAML document; a profile is a single "
        "document",
    )


def test_every_problem_in_the_shape_is_reported(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD.replace("kind: io", "kind: gpu").replace("orders-api", "Orders_API"),
        "p.yaml:1:7: name: must be 2-60 characters of a-z, 0-9 and '-', not starting or "
        "ending with '-', got 'Orders_API'",
        "p.yaml:4:9: workload.kind: should be 'io', 'cpu' or 'mixed', got 'gpu'",
    )


def test_functions_of_the_wrong_shape(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD + "functions: http\n",
        "p.yaml:7:12: functions: expected a mapping of trigger to count ({http: 2, "
        "queue: 1}) or a list of {name, trigger}, got 'http'",
    )
    check(
        tmp_path,
        GOOD + "functions: {http: 0, gpu: 1}\n",
        "p.yaml:7:19: functions.http: should be greater than or equal to 1, got 0",
        "p.yaml:7:22: functions.gpu: should be 'http', 'queue', 'servicebus', "
        "'eventhub', 'blob', 'timer', 'cosmosdb', 'eventgrid', 'orchestration', 'activity' or 'entity', got 'gpu'",
    )


def test_function_list_entries_are_checked_one_by_one(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD
        + "functions:\n  - {name: ingest, trigger: queue}\n  - {nme: x, trigger: http}\n"
        "  - {name: bad name, trigger: timer}\n",
        "p.yaml:9:5: missing required key 'name' in functions[1]",
        "p.yaml:9:6: unknown key 'nme' in functions[1]; did you mean 'name'?",
        "p.yaml:10:12: functions[2].name: must start with a letter or '_' and hold only "
        "letters, digits, '_' and '-', got 'bad name'",
    )
    check(
        tmp_path,
        GOOD + "functions:\n  - {name: ingest, trigger: queue}\n"
        "  - {name: Ingest, trigger: blob}\n",
        "p.yaml:9:12: functions[1].name: 'Ingest' is listed twice (function names are "
        "case-insensitive)",
    )


def test_functions_and_triggers_together(tmp_path: Path) -> None:
    check(
        tmp_path,
        GOOD + "triggers: [http]\nfunctions: {queue: 1}\n",
        "p.yaml:8:1: functions and triggers both describe the app's functions; keep "
        "functions (triggers is its short form)",
    )


def test_http_and_dynamic_concurrency_need_the_functions_they_tune(
    tmp_path: Path,
) -> None:
    check(
        tmp_path,
        GOOD + "triggers: [queue]\nhttp: {max_outstanding: 10}\n",
        "p.yaml:8:1: http applies to apps with an HTTP function",
    )
    check(
        tmp_path,
        GOOD + "dynamic_concurrency: true\n",
        "p.yaml:7:1: dynamic_concurrency covers queue, blob and Service Bus triggers, "
        "and the app has none",
    )
    check(
        tmp_path,
        GOOD.replace("EP2", "FC1") + "http: {max_outstanding: 10}\n",
        "p.yaml:7:8: http.max_outstanding: Flex Consumption limits HTTP by "
        "perInstanceConcurrency and scales out instead of queueing; the host's HTTP "
        "throttles are not documented for it",
    )
