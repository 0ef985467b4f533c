"""Every byte the tool prints goes through one sink (`azfn_profile.sink`): no value
can start a GitHub workflow command or a terminal control sequence on a line of its
own, in any command, format or stream; only `check --format github` writes
annotations, and each is one the tool built."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.report import FORMATS
from azfn_profile.sink import NeutralStream, neutral_line
from tests.conftest import EXAMPLES, ROOT
from tests.test_output_escaping import HANDWRITTEN, parse_workflow_command

# A workflow command at the start of a line, after whitespace the runner trims.
COMMAND = re.compile(r"^\s*::")
# A value that tries every way to start a line: newline, carriage return, vertical
# tab and form feed, NEL, the line and paragraph separators, an escape sequence.
INJECT = (
    "x\n::error::n\r::error::r\x0b::error::v\x0c::error::f\x85::error::nel"
    "\u2028::error::ls\x1b[2K::error::esc\x00nul\ud800"
)


@pytest.mark.parametrize(
    ("line", "printed"),
    [
        ("::error::x", "\\::error::x"),
        ("   ::warning::x", "\\   ::warning::x"),
        ("a\rb", "a\\x0db"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("tab\there", "tab\there"),
        ("file.json:1: fine :: here", "file.json:1: fine :: here"),
    ],
)
def test_a_line_is_neutralised(line: str, printed: str) -> None:
    assert neutral_line(line) == printed


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    encoding = "ascii"


def test_pieces_are_joined_before_a_line_is_judged_and_unencodable_text_escaped() -> (
    None
):
    inner = _Sink()
    stream = NeutralStream(inner)  # type: ignore[arg-type]
    for piece in (":", ":err", "or::x\nok é\ud800\n", "tail"):
        stream.write(piece)
    stream.flush()
    assert inner.text == "\\::error::x\nok \\xe9\\ud800\ntail"


def _hostile_repo(tmp_path: Path) -> Path:
    """A template whose values, file name and folder name carry INJECT."""
    template = json.loads(HANDWRITTEN.read_text())
    site = template["resources"][1]
    site["properties"]["siteConfig"]["ftpsState"] = INJECT
    site["properties"]["siteConfig"].setdefault("appSettings", []).append(
        {"name": "FUNCTIONS_WORKER_PROCESS_COUNT", "value": INJECT}
    )
    repo = tmp_path / "repo"
    folder = repo / "in\n::error::folder"
    folder.mkdir(parents=True)
    (folder / "bad\n::error::name.json").write_text(json.dumps(template, indent=2))
    return repo


def _assert_no_injected_command(output: str, *, annotations: bool = False) -> None:
    for line in output.split("\n"):
        if not COMMAND.match(line):
            continue
        assert annotations, repr(line)
        parsed = parse_workflow_command(line)
        assert parsed is not None, repr(line)
        name, properties, _message = parsed
        assert name in ("error", "warning", "notice"), repr(line)
        assert set(properties) <= {"file", "line", "col", "title"}, repr(line)
    assert "\x1b" not in output and "\r" not in output and "\x00" not in output


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_format_prints_a_command_a_value_carries(tmp_path: Path, fmt: str) -> None:
    repo = _hostile_repo(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(repo), "--format", fmt, "--passed"])
    assert result.exit_code in (0, 1), result.output
    assert "error::r" in result.stdout  # the value reached the report, defused
    _assert_no_injected_command(result.stdout, annotations=fmt == "github")
    _assert_no_injected_command(result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "in\n::error::missing"],  # a usage error naming the path
        ["render", "in\n::error::missing.yaml"],
        ["explain", "in\n::error::missing.yaml"],
        ["render", str(EXAMPLES / "orders-api.yaml"), "--format", "nope\n::error::x"],
    ],
)
def test_errors_on_stderr_go_through_the_sink(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    _assert_no_injected_command(result.stdout)
    _assert_no_injected_command(result.stderr)


def test_the_console_script_neutralises_what_click_prints_after_the_command(
    tmp_path: Path,
) -> None:
    """The installed entry point (not only the in-process runner): a usage error
    printed by click on the way out, and a report, both through the sink."""
    repo = _hostile_repo(tmp_path)
    for args in (["check", str(repo)], ["check", "--format", "x\n::error::y"]):
        done = subprocess.run(
            [sys.executable, "-m", "azfn_profile", *args],
            capture_output=True,
            text=True,
            errors="surrogateescape",
            cwd=ROOT,
            check=False,
        )
        assert done.returncode in (1, 2), done.stderr
        _assert_no_injected_command(done.stdout)
        _assert_no_injected_command(done.stderr)


def test_rendered_files_on_stdout_are_unchanged_by_the_sink(tmp_path: Path) -> None:
    """The sink alters only what could act on a log: every rendered format of an
    example is byte-for-byte what the renderer wrote to a file."""
    for fmt in ("json", "settings", "env", "host-json", "arm", "bicep", "terraform"):
        profile = EXAMPLES / "orders-api.yaml"
        printed = CliRunner().invoke(cli, ["render", str(profile), "--format", fmt])
        out = tmp_path / f"out.{fmt}"
        written = CliRunner().invoke(
            cli, ["render", str(profile), "--format", fmt, "-o", str(out)]
        )
        assert printed.exit_code == written.exit_code == 0
        assert printed.stdout == out.read_text(), fmt
