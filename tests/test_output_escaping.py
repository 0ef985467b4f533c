"""Output read by other programs cannot be made to do anything by the input.

Each format is handed to its real consumer, or to a parser of the consumer's
grammar: GitHub's workflow-command syntax (actions/runner ActionCommand), POSIX
shells sourcing `render --format env`, Terraform's template syntax in JSON strings,
XML parsers for JUnit.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from tests.conftest import EXAMPLES, ROOT

HANDWRITTEN = ROOT / "tests" / "data" / "arm" / "handwritten-bad.json"
HOSTILE = "x\r\n::add-mask::leak\n::stop-commands::tok\n%0A,file=other.py:"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str] | None:
    """The runner's v2 grammar: `::name key=value,key=value::message`, unescaped."""
    if not line.startswith("::"):
        return None
    end = line.find("::", 2)
    if end < 0:
        return None
    head, message = line[2:end], line[end + 2 :]
    name, _, props = head.partition(" ")
    properties = {}
    for pair in filter(None, props.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = _unescape_property(value)
    return name, properties, _unescape_data(message)


def _unescape_data(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(value: str) -> str:
    return _unescape_data(value.replace("%3A", ":").replace("%2C", ","))


def hostile_template(tmp_path: Path) -> Path:
    template = json.loads(HANDWRITTEN.read_text())
    template["resources"][1]["properties"]["siteConfig"]["ftpsState"] = HOSTILE
    folder = tmp_path / "in,fra:x%2C"
    folder.mkdir()
    path = folder / "bad\nname.json"
    path.write_text(json.dumps(template, indent=2))
    return path


def test_github_commands_cannot_be_forged(tmp_path: Path) -> None:
    path = hostile_template(tmp_path)
    _, out, _ = invoke("check", str(path), "--format", "github")
    lines = out.split("\n")[:-1]
    commands = [parse_workflow_command(line) for line in lines]
    assert all(c is not None for c in commands), lines  # one command per line
    assert {c[0] for c in commands if c} <= {"error", "warning", "notice"}
    ftps = next(c for c in commands if c and c[1]["title"].startswith("AZFN504"))
    assert ftps[1]["file"] == str(path)  # the real file, every character kept
    assert ftps[2] == f"ftpsState is {HOSTILE}"
    for _, properties, _ in filter(None, commands):
        assert set(properties) <= {"file", "line", "col", "title"}


def _profile_with(tmp_path: Path, settings: dict[str, str]) -> Path:
    lines = "".join(
        f"  {json.dumps(k)}: {json.dumps(v)}\n" for k, v in settings.items()
    )
    path = tmp_path / "p.yaml"
    path.write_text(
        (EXAMPLES / "catalog-api.yaml").read_text() + "app_settings:\n" + lines
    )
    return path


PAYLOADS = {
    "SUBSHELL": "$(touch {marker}-1)",
    "BACKTICK": "`touch {marker}-2`",
    "QUOTE": "'; touch {marker}-3; echo '",
    "DOUBLE": '"; touch {marker}-4; echo "',
    "NEWLINE": "a\ntouch {marker}-5",
    "PIPE": "a|touch {marker}-6",
    "TILDE": "~/x",
    "GLOB": "*",
    "EMPTY": "",
}


@pytest.mark.parametrize("shell", ["bash", "sh"])
def test_env_output_sources_without_running_anything(
    tmp_path: Path, shell: str
) -> None:
    if shutil.which(shell) is None:
        pytest.fail(f"{shell} is needed to run this test")
    marker = tmp_path / "ran"
    values = {k: v.format(marker=marker) for k, v in PAYLOADS.items()}
    code, out, err = invoke(
        "render", str(_profile_with(tmp_path, values)), "--format", "env"
    )
    assert code == 0, err
    env = tmp_path / "app.env"
    env.write_text(out)
    script = f". '{env}'\n" + "".join(
        f"printf '%s\\0' \"${name}\"\n" for name in values
    )
    done = subprocess.run(
        [shell, "-c", script], capture_output=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.glob("ran-*")) == []  # nothing ran
    read_back = done.stdout.decode().split("\0")[:-1]
    assert read_back == list(values.values())  # and every value is intact


@pytest.mark.parametrize("name", ["A.B", "1ABC", "X-Y", "$(id)"])
def test_env_refuses_names_that_are_not_identifiers(tmp_path: Path, name: str) -> None:
    code, out, err = invoke(
        "render", str(_profile_with(tmp_path, {name: "v"})), "--format", "env"
    )
    assert (code, out) == (2, "")
    assert "is not a shell variable name" in err


def test_terraform_data_is_never_a_template(tmp_path: Path) -> None:
    hostile = {
        "FILE": '${file("/etc/passwd")}',
        "DIRECTIVE": '%{ for x in ["a"] }${x}%{ endfor }',
        "DOUBLED": "$${already}",
    }
    profile = _profile_with(tmp_path, hostile)
    code, out, err = invoke("render", str(profile), "--format", "terraform-json")
    assert code == 0, err
    document = json.loads(out)
    app = next(iter(document["resource"]["azurerm_linux_function_app"].values()))
    for key, value in hostile.items():
        written = app["app_settings"][key]
        assert written == value.replace("${", "$${").replace("%{", "%%{")
        # Terraform turns $${ back into ${ and %%{ into %{: the value is the data.
        assert _terraform_literal(written) == value
    references = re.findall(r"(?<!\$)\$\{[^}]*\}", out)
    # Every template left is one the writer means: a reference, or a call of the few
    # functions it writes (names, tags, existing resources); file() and friends never
    # appear.
    meant = re.compile(
        r"\$\{((var|local|data|azurerm_\w+|azapi_\w+)\."
        r"|(substr|sha1|coalesce|merge|can|regex|replace|element|one|length)\()"
    )
    assert references and all(meant.match(r) for r in references), references
    # The same data in native syntax: quoted, escaped, parsed back to the same text.
    import hcl2

    code, hcl, err = invoke("render", str(profile), "--format", "terraform")
    assert code == 0, err
    parsed = hcl2.loads(hcl)
    (resource,) = [r for r in parsed["resource"] if '"azurerm_linux_function_app"' in r]
    settings = resource['"azurerm_linux_function_app"']['"app"']["app_settings"]
    for key, value in hostile.items():
        literal = settings[key]
        assert literal == json.dumps(value.replace("${", "$${").replace("%{", "%%{"))


def _terraform_literal(text: str) -> str:
    """What Terraform's template engine makes of a string with no live templates."""
    assert not re.search(
        r"(?<!\$)\$\{|(?<!%)%\{", text.replace("$${", "").replace("%%{", "")
    )
    return text.replace("$${", "${").replace("%%{", "%{")


def test_junit_and_sarif_stay_well_formed(tmp_path: Path) -> None:
    path = hostile_template(tmp_path)
    template = json.loads(path.read_text())
    template["resources"][1]["properties"]["siteConfig"]["ftpsState"] = (
        "\x00\x01\x1b[31m<x>&\"'\ud7ff"
    )
    path.write_text(json.dumps(template))
    _, out, _ = invoke("check", str(path), "--format", "junit")
    ET.fromstring(out)  # parses: control characters are replaced
    _, out, _ = invoke("check", str(path), "--format", "sarif")
    json.loads(out)
