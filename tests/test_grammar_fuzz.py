"""Grammar-aware fuzzing in the suite: for each reader, generated inputs
(tests/grammar_fuzz.py) checked in every output format. A bounded budget here;
benchmarks/campaign.py runs long.

Per case and format: exit code 0, 1 or 2 (never 3, never a traceback), within the
time budget; no line of output starts a workflow command (in `--format github`,
only the annotations the tool builds); no raw control characters but \\n and \\t;
no file outside the case folder opened (an audit hook) and the honeypot beside it
never printed; no secure parameter's value and no connection string's credential
printed.

A property a case breaks today because of a bug in azfn_profile is marked
xfail(strict=True) in KNOWN with the bug named: remove the entry once fixed.
"""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.grammar_fuzz import FORMATS, READERS, build, judge, write

MAX_SECONDS = 20.0

# One small case per reader in the inner loop; more numbers and sizes when slow.
FAST = [(reader, 0, 1) for reader in READERS]
SLOW = [
    (reader, number, size)
    for reader in READERS
    for number, size in ((1, 2), (2, 3), (3, 4))
]

PROPERTIES = ("sound", "output", "paths", "secrets", "credentials")

# (reader, number, size, property) -> the bug in azfn_profile that breaks it today,
# marked xfail(strict=True): an entry must go once its bug is fixed. None today.
KNOWN: dict[tuple[str, int, int, str], str] = {}

_TMP = Path(tempfile.mkdtemp(prefix="grammar-fuzz-"))


@functools.cache
def _verdict(reader: str, number: int, size: int) -> dict[str, Any]:
    folder = _TMP / f"{reader}-{number}-s{size}"
    write(build(reader, number, size), folder)
    return judge(folder, FORMATS)


def _check(reader: str, number: int, size: int, prop: str) -> None:
    v = _verdict(reader, number, size)
    where = f"replay: python -m tests.grammar_fuzz replay {reader} {number} {size} DIR"
    if prop == "sound":
        assert not v["crash"], (where, v["crash"])
        assert set(v["exit_codes"].values()) <= {0, 1, 2}, (where, v["exit_codes"])
        assert len(v["exit_codes"]) == len(FORMATS), where
        assert v["seconds"] < MAX_SECONDS, (where, v["seconds"])
        assert not v["memory_error"], where
    elif prop == "output":
        assert not v["injection"], (where, v["injection"])
        assert not v["control"], (where, v["control"])
        assert not v["unparseable"], (where, v["unparseable"])
    elif prop == "paths":
        assert not v["escape"], (where, v["escape"])
    elif prop == "secrets":
        assert not v["secret_leak"], (where, v["secret_leak"])
    elif prop == "credentials":
        assert not v["cred_leak"], (where, v["cred_leak"])
    else:
        raise AssertionError(f"unknown property {prop!r}")


def _params(cases: list[tuple[str, int, int]], *marks: Any) -> list[Any]:
    out = []
    for reader, number, size in cases:
        for prop in PROPERTIES:
            case_marks = list(marks)
            reason = KNOWN.get((reader, number, size, prop))
            if reason:
                case_marks.append(pytest.mark.xfail(strict=True, reason=reason))
            out.append(
                pytest.param(
                    reader,
                    number,
                    size,
                    prop,
                    marks=case_marks,
                    id=f"{reader}-{number}-s{size}-{prop}",
                )
            )
    return out


@pytest.mark.parametrize(("reader", "number", "size", "prop"), _params(FAST))
def test_generated_input(reader: str, number: int, size: int, prop: str) -> None:
    _check(reader, number, size, prop)


@pytest.mark.parametrize(
    ("reader", "number", "size", "prop"), _params(SLOW, pytest.mark.slow)
)
def test_generated_input_more(reader: str, number: int, size: int, prop: str) -> None:
    _check(reader, number, size, prop)


@pytest.mark.parametrize("reader", READERS)
def test_generators_are_deterministic(reader: str) -> None:
    first, second = build(reader, 7, 3), build(reader, 7, 3)
    assert first == second
    assert first.files, reader
    assert first.secrets or first.creds, reader  # every reader plants a secret


def test_the_judge_sees_an_escape_and_a_leak(tmp_path: Path) -> None:
    """The judge itself: a file opened in the honeypot folder is an escape, and a
    marker printed (a profile's invalid name is echoed) is a leak."""
    from tests.grammar_fuzz import Case, OpenWatch, secret_marker

    case = Case("profile", 99, 1)
    case.files["profile.yaml"] = (
        f"name: {secret_marker(99)} HONEYPOT-99-qq\nworkload: {{kind: io}}\n"
        "plan: {sku: EP1}\n"
    )
    case.secrets.append(secret_marker(99))
    folder = tmp_path / "c"
    write(case, folder)
    v = judge(folder, ("text",))
    assert v["escape"] and v["secret_leak"] and not v["cred_leak"]
    OpenWatch.install()
    seen: list[str] = []
    OpenWatch.current = seen
    try:
        (folder / "outside" / "x.txt").read_text()
    finally:
        OpenWatch.current = None
    assert str(folder / "outside" / "x.txt") in seen


# Minimal reproductions of bugs benchmarks/campaign.py found (all fixed), kept as
# regression tests: each must judge clean, and the secret and credential cases must
# show the value masked (printed as ***), so they cannot pass by printing nothing.
SURROGATE_SETTING = (
    "resource s 'Microsoft.Web/sites@2023-12-01' = {\n  name: 'app'\n"
    "  kind: 'functionapp,linux'\n  properties: { siteConfig: { appSettings: [\n"
    "    { name: '\\u{DC00}', value: 'AccountKey=abc' }\n  ] } }\n}\n"
)
SURROGATE_FUNCTION = (
    "import azure.functions as func\napp = func.FunctionApp()\n\n"
    "@app.function_name(name='\\udc00')\n@app.route(route='x')\n"
    "async def f(req):\n    return 1\n"
)
UPPER_SECRET = (
    "@secure()\nparam secretParam string = 'SECRETMARK-1-zz'\n"
    "resource site 'Microsoft.Web/sites@2023-12-01' = {\n  name: 'app'\n"
    "  kind: 'functionapp,linux'\n  properties: { siteConfig: { linuxFxVersion: "
    "'Python|3.12', appSettings: [\n    { name: 'FUNCTIONS_WORKER_PROCESS_COUNT', "
    "value: toUpper(secretParam) }\n  ] } }\n}\n"
)
_SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
)
SECRET_NAMES = json.dumps(
    {
        "$schema": _SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "secretParam": {"type": "securestring", "defaultValue": "SECRETMARK-2-zz"}
        },
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "[parameters('secretParam')]",
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "template": {
                        "$schema": _SCHEMA,
                        "contentVersion": "1.0.0.0",
                        "resources": [
                            {
                                "type": "Microsoft.Web/sites",
                                "apiVersion": "2023-12-01",
                                "name": "app",
                                "kind": "functionapp,linux",
                                "properties": {},
                            }
                        ],
                    },
                },
            },
            {
                "type": "Microsoft.Web/sites",
                "apiVersion": "2023-12-01",
                "name": "[concat(parameters('secretParam'), '-app')]",
                "kind": "functionapp,linux",
                "properties": {},
            },
        ],
    }
)
CREDENTIALS = (
    "resource a 'Microsoft.Web/sites@2023-12-01' = {\n"
    "  name: 'https://user:CONNMARK-3-zz@host.example.com/path'\n"
    "  kind: 'functionapp,linux'\n  properties: { siteConfig: { linuxFxVersion: "
    "'Python|3.12', appSettings: [\n    { name: 'FUNCTIONS_WORKER_PROCESS_COUNT', "
    "value: 'StorageAccountKey=CONNMARK-4-zz' }\n"
    "    { name: 'PYTHON_THREADPOOL_THREAD_COUNT', value: 'Password=\"CONNMARK-6-zz\"' }\n"
    "  ] } }\n}\n"
)

FOUND: list[Any] = [
    *(
        # a lone surrogate in an app-setting name crashed Finding.fingerprint and
        # the github writer with UnicodeEncodeError (exit 3)
        pytest.param(
            "main.bicep", SURROGATE_SETTING, fmt, "sound", id=f"surrogate-setting-{fmt}"
        )
        for fmt in ("json", "sarif", "github")
    ),
    *(
        # the same through @app.function_name(name=...)
        pytest.param(
            "function_app.py",
            SURROGATE_FUNCTION,
            fmt,
            "sound",
            id=f"surrogate-function-name-{fmt}",
        )
        for fmt in ("json", "github")
    ),
    # a @secure() value through toUpper() was printed in the AZFN101 message
    pytest.param(
        "main.bicep", UPPER_SECRET, "text", "secrets", id="secure-value-through-toUpper"
    ),
    # a nested deployment named by a securestring parameter was printed in the
    # 'via ... deployment <name>' chain
    pytest.param(
        "azuredeploy.json",
        SECRET_NAMES,
        "text",
        "secrets",
        id="secure-value-as-deployment-name",
    ),
    # a site named from a securestring parameter was printed as location.resource
    pytest.param(
        "azuredeploy.json",
        SECRET_NAMES,
        "json",
        "secrets",
        id="secure-value-as-resource-name",
    ),
    # StorageAccountKey=/Password="..." values were printed in AZFN101/AZFN103
    pytest.param(
        "main.bicep",
        CREDENTIALS,
        "text",
        "credentials",
        id="credential-in-setting-message",
    ),
    # a site named https://user:PASSWORD@host was printed as location.resource
    pytest.param(
        "main.bicep",
        CREDENTIALS,
        "json",
        "credentials",
        id="credential-in-resource-name",
    ),
]


@pytest.mark.parametrize(("name", "text", "fmt", "prop"), FOUND)
def test_found_by_the_campaign(
    name: str, text: str, fmt: str, prop: str, tmp_path: Path
) -> None:
    from tests.grammar_fuzz import Case

    case = Case("found", 0, 1)
    case.files[name] = text
    case.secrets += ["SECRETMARK-1-zz", "SECRETMARK-2-zz"]
    case.creds += ["CONNMARK-3-zz", "CONNMARK-4-zz", "CONNMARK-6-zz"]
    folder = tmp_path / "c"
    write(case, folder)
    v = judge(folder, (fmt,))
    assert not v["crash"], v["crash"]
    assert set(v["exit_codes"]) == {fmt}, v["exit_codes"]
    assert v["exit_codes"][fmt] in (0, 1, 2), v["exit_codes"]
    if prop == "secrets":
        assert not v["secret_leak"], v["secret_leak"]
        assert v["masked"], "the secret never reached the output"
    elif prop == "credentials":
        assert not v["cred_leak"], v["cred_leak"]
        assert v["masked"], "the credential never reached the output"
    else:
        assert prop == "sound", prop


def test_json_report_parses_with_a_c1_control(tmp_path: Path) -> None:
    """A value holding U+0085 (NEL) once made --format json invalid: the sink wrote
    it as '\\x85'. It must be escaped as \\u0085 and read back as the character."""
    from click.testing import CliRunner

    from azfn_profile.cli import cli

    (tmp_path / "main.bicep").write_text(
        "resource s 'Microsoft.Web/sites@2023-12-01' = {\n"
        "  name: 'app\\u{85}::error::nel'\n  kind: 'functionapp,linux'\n"
        "  properties: {}\n}\n"
    )
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    assert "\\u0085" in result.stdout
    report = json.loads(result.stdout)
    resources = {f["location"]["resource"] for f in report["findings"]}
    assert "app\x85::error::nel" in resources, sorted(resources)[:5]
