"""Fuzzing in the suite: mutated real-shaped inputs for every source, random text
through every output format. A bounded budget here; benchmarks/fuzz.py runs long.

Sources must never give exit 3 (a crash) or a traceback, and must finish in
bounded time; outputs must stay parseable by their consumers whatever the text.
Every input that once failed is kept in tests/data/fuzz/ and replayed.
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azfn_profile.findings import Finding, Location
from azfn_profile.render.terraform import escape_templates
from azfn_profile.report import FORMATS, Report
from azfn_profile.sink import escape_controls
from tests.fuzzing import KINDS, REGRESSIONS, case, run_check, write_case
from tests.test_output_escaping import parse_workflow_command

pytestmark = pytest.mark.slow  # a fuzzing budget over every source and output format

EXAMPLES_PER_SOURCE = 40
MAX_SECONDS = 20.0


def _assert_sound(path: Path) -> None:
    outcome = run_check(path)
    assert outcome.exit_code in (0, 1, 2), (path, outcome.output)
    assert "Traceback" not in outcome.output and "internal error" not in outcome.output
    assert outcome.seconds < MAX_SECONDS, path


@pytest.mark.parametrize("kind", KINDS)
@settings(
    max_examples=EXAMPLES_PER_SOURCE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(seed=st.integers(min_value=0, max_value=10_000), number=st.integers(0, 10**6))
def test_mutated_sources_never_crash(
    kind: str, seed: int, number: int, tmp_path: Path
) -> None:
    name, content = case(kind, seed, number)
    _assert_sound(write_case(tmp_path, name, content))


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*")), ids=lambda p: p.name)
def test_inputs_that_once_failed(path: Path) -> None:
    _assert_sound(path)


def test_there_are_regression_cases() -> None:
    assert len(list(REGRESSIONS.glob("*"))) >= 5


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60
) | st.sampled_from(["%0A::x", "a,b:c", "\r\n::stop-commands::t", "<&>\x00\x1b"])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(file=TEXT.filter(bool), message=TEXT, resource=TEXT)
def test_every_report_format_survives_any_text(
    file: str, message: str, resource: str
) -> None:
    finding = Finding(
        "AZFN101",
        "worker.process-count-range",
        "error",
        message,
        Location(file, 3, 4, resource or None),
    )
    report = Report([finding])
    lines = FORMATS["github"](report).split("\n")[:-1]
    assert len(lines) == 1
    parsed = parse_workflow_command(lines[0])
    assert parsed is not None and parsed[0] == "error"
    # the runner reads back every character; controls but CR/LF as the sink shows them

    def shown(value: str) -> str:
        return "".join(c if c in "\r\n" else escape_controls(c) for c in value)

    assert parsed[1]["file"] == shown(file)
    assert parsed[2] == shown(report.message(finding))
    ET.fromstring(FORMATS["junit"](report))
    sarif = json.loads(FORMATS["sarif"](report))
    assert sarif["runs"][0]["results"][0]["message"]["text"] == report.message(finding)
    assert (
        json.loads(FORMATS["json"](report))["findings"][0]["location"]["file"] == file
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(value=TEXT)
def test_terraform_escaping_round_trips(value: str) -> None:
    escaped = escape_templates(value)
    live = re.sub(r"\$\$\{|%%\{", "", escaped)
    assert "${" not in live and "%{" not in live
    assert escaped.replace("$${", "${").replace("%%{", "%{") == value


@settings(max_examples=15, deadline=None, derandomize=True)
@given(values=st.lists(TEXT.filter(lambda s: "\x00" not in s), min_size=1, max_size=8))
def test_env_output_round_trips_through_sh(
    values: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from azfn_profile.render import render_env
    from tests.conftest import spec_for

    settings_ = {f"V{i}": v for i, v in enumerate(values)}
    spec = spec_for(app_settings=settings_)
    names = [n for n in spec.app_settings if n.startswith("V")]
    folder = tmp_path_factory.mktemp("env")
    env = folder / "app.env"
    env.write_text(render_env(spec))
    script = f". '{env}'\n" + "".join(f"printf '%s\\0' \"${n}\"\n" for n in names)
    done = subprocess.run(
        ["sh", "-c", script], capture_output=True, cwd=folder, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().split("\0")[:-1] == [
        spec.app_settings[n] for n in names
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["app.env"]
