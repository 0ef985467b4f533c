"""Reading apps' code: exact findings, `init` drafts, the rules using the code.

The apps under tests/data/apps are written the way v2-model apps are (blueprints in
packages, helpers in other modules, sync Azure SDK clients, class-based helpers) and
are never imported: `explosive` raises if it ever is.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.code.analyze import read_app
from tests.conftest import ROOT, TODAY

APPS = ROOT / "tests" / "data" / "apps"
REFERENCE = ROOT / "examples" / "apps"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def findings(*paths: Path) -> set[tuple[str, str, int | None, str, str | None]]:
    code, out, err = invoke("check", *map(str, paths), "--format", "json")
    assert code in (0, 1), err
    prefix = str(APPS) + "/"
    return {
        (
            f["id"],
            f["location"]["file"].replace(prefix, ""),
            f["location"].get("line"),
            f["status"],
            f["location"].get("resource"),
        )
        for f in json.loads(out)["findings"]
        if f["status"] in ("fail", "suppressed")
    }


def test_every_recognised_pattern_is_found_on_its_line() -> None:
    assert findings(APPS / "patterns") == {
        ("AZFN401", "patterns/function_app.py", 34, "fail", "requests_get"),
        ("AZFN401", "patterns/function_app.py", 41, "fail", "session_post"),
        ("AZFN401", "patterns/function_app.py", 48, "fail", "urlopen"),
        ("AZFN401", "patterns/function_app.py", 57, "fail", "http_client"),
        ("AZFN401", "patterns/function_app.py", 59, "fail", "http_client"),
        ("AZFN401", "patterns/function_app.py", 64, "fail", "sleepy"),
        ("AZFN401", "patterns/function_app.py", 71, "fail", "shell"),
        ("AZFN401", "patterns/function_app.py", 78, "fail", "odbc"),
        ("AZFN401", "patterns/function_app.py", 80, "fail", "odbc"),
        ("AZFN401", "patterns/function_app.py", 82, "fail", "odbc"),
        ("AZFN401", "patterns/function_app.py", 87, "fail", "postgres"),
        ("AZFN401", "patterns/function_app.py", 88, "fail", "postgres"),
        ("AZFN401", "patterns/function_app.py", 96, "fail", "forward"),
        ("AZFN401", "patterns/function_app.py", 103, "fail", "cosmos_query"),
        ("AZFN401", "patterns/function_app.py", 29, "fail", "through_a_method"),
        ("AZFN402", "patterns/function_app.py", 133, "fail", "numpy_in_async"),
        ("AZFN402", "patterns/function_app.py", 140, "fail", "thumbnail"),
        ("AZFN402", "patterns/function_app.py", 148, "fail", "digest"),
        ("AZFN403", "patterns/function_app.py", 154, "fail", "never_awaits"),
        ("AZFN404", "patterns/function_app.py", 117, "fail", "runs_a_loop"),
        ("AZFN404", "patterns/function_app.py", 123, "fail", "until_complete"),
    }


def test_messages_name_the_call_its_alternative_and_the_helpers() -> None:
    code, out, _ = invoke("check", str(APPS / "blueprints"))
    assert code == 1
    (line,) = [x for x in out.splitlines() if "AZFN401" in x]
    display = str(APPS / "blueprints")
    assert line == (
        f"{display}/lib/storage.py:13:5: AZFN401 [error] archive_order is async def "
        "but calls blob.upload_blob (Azure SDK call), which blocks the event loop "
        f"(through {display}/lib/storage.py:6 archive > {display}/lib/storage.py:10 "
        "copy_blob); use the same client from the package's .aio module, awaited "
        "(https://github.com/azfn-profile/azfn-profile/blob/main/docs/checks.md#azfn401)"
    )


@pytest.mark.parametrize("app", ["negative", "mixed_app", "missing_imports", "durable"])
def test_correct_code_has_no_findings(app: str) -> None:
    assert findings(APPS / app) == set()


def test_reference_apps_only_async_blocking_is_flagged() -> None:
    prefix = str(REFERENCE) + "/"
    code, out, _ = invoke("check", str(REFERENCE), "--format", "json")
    failed = {
        (f["id"], f["location"]["file"].replace(prefix, ""), f["location"]["line"])
        for f in json.loads(out)["findings"]
        if f["status"] == "fail"
    }
    assert code == 1
    assert failed == {
        ("AZFN401", "async_blocking/function_app.py", 18),
        ("AZFN403", "async_blocking/function_app.py", 16),
    }


def test_suppression_comments_reasons_and_expiry() -> None:
    # The fixture is laid out as a formatter leaves it: comments on the closing line
    # of a call, and on the last line of a def header, still cover the statement.
    assert findings(APPS / "suppressed") == {
        ("AZFN401", "suppressed/function_app.py", 12, "suppressed", "accepted"),
        ("AZFN401", "suppressed/function_app.py", 19, "fail", "lapsed"),
        ("AZFN002", "suppressed/function_app.py", 21, "fail", None),
        ("AZFN401", "suppressed/function_app.py", 28, "fail", "no_reason"),
        ("AZFN003", "suppressed/function_app.py", 28, "fail", None),
        ("AZFN401", "suppressed/function_app.py", 37, "suppressed", "whole_function"),
        ("AZFN403", "suppressed/function_app.py", 34, "suppressed", "whole_function"),
        ("AZFN401", "suppressed/function_app.py", 43, "suppressed", "formatted"),
    }


def test_an_unparsable_module_is_located_and_the_rest_is_read() -> None:
    assert findings(APPS / "broken") == {
        ("AZFN000", "broken/helpers.py", 2, "fail", None),
        ("AZFN401", "broken/function_app.py", 11, "fail", "ingest"),
        ("AZFN403", "broken/function_app.py", 10, "fail", "ingest"),
    }


def test_code_findings_have_sarif_locations_and_baselines(tmp_path: Path) -> None:
    code, out, _ = invoke("check", str(APPS / "patterns"), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    lines = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in results
    }
    assert ("AZFN401", 34) in lines and ("AZFN404", 117) in lines
    baseline = tmp_path / "baseline.json"
    assert (
        invoke("check", str(APPS / "patterns"), "--write-baseline", str(baseline))[0]
        == 0
    )
    code, out, _ = invoke("check", str(APPS / "patterns"), "--baseline", str(baseline))
    assert code == 0 and out.splitlines()[-1].endswith("21 in the baseline")


def test_the_reader_never_imports_the_app(tmp_path: Path) -> None:
    code = read_app(APPS / "explosive")
    assert [f.name for f in code.functions] == ["boom"]
    assert "boom" in invoke("init", str(APPS / "explosive"))[1]


def test_blueprints_registered_and_not(tmp_path: Path) -> None:
    code = read_app(APPS / "blueprints")
    assert [(f.name, f.trigger, f.is_async) for f in code.functions] == [
        ("health", "http", False),
        ("get_order", "http", True),
        ("archive_order", "blob", True),
        ("build_report", "queue", False),
    ]
    durable = read_app(APPS / "durable")
    assert [(f.name, f.trigger) for f in durable.functions] == [
        ("start", "http"),
        ("pipeline", "orchestration"),
        ("fetch", "activity"),
    ]


# -- init ---------------------------------------------------------------------------


def drafted(app: Path, *args: str) -> dict[str, Any]:
    code, out, err = invoke("init", str(app), *args)
    assert code == 0, err
    data = yaml.safe_load(out)
    assert isinstance(data, dict)
    return data


# What examples/apps/README.md says each reference app is (init, statically).
REFERENCE_PROFILES = {
    "io_sync": {"kind": "io", "style": "sync"},
    "io_async": {"kind": "io", "style": "async"},
    "cpu": {"kind": "cpu", "style": "sync"},
    "mixed": {"kind": "mixed", "style": "sync", "io_share": 0.5},
    "async_blocking": {"kind": "io", "style": "async"},
}


@pytest.mark.parametrize("app", sorted(REFERENCE_PROFILES))
def test_init_reads_the_reference_apps(app: str) -> None:
    data = drafted(REFERENCE / app, "--sku", "EP2")
    assert data["workload"] == REFERENCE_PROFILES[app]
    assert data["app"] == f"examples/apps/{app}/"
    readme = (REFERENCE / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{app}`"))
    assert f"`kind: {REFERENCE_PROFILES[app]['kind']}`" in row
    assert f"`style: {REFERENCE_PROFILES[app]['style']}`" in row


def test_init_draft_is_commented_with_evidence_and_validates(tmp_path: Path) -> None:
    out = tmp_path / "profile.yaml"
    code, _, err = invoke(
        "init", str(REFERENCE / "async_blocking"), "--sku", "EP2", "-o", str(out)
    )
    assert code == 0 and err.startswith("wrote: ")
    text = out.read_text()
    assert (
        "  kind: io                  # fetch: urllib.request.urlopen at "
        f"{REFERENCE}/async_blocking/function_app.py:18 (blocking I/O)"
    ) in text.replace(str(REFERENCE), str(REFERENCE))
    prose = " ".join(text.replace("\n# ", " ").split())
    assert "it blocks the event loop (AZFN401)" in prose
    assert "app: " in text and yaml.safe_load(text)["app"].endswith("async_blocking/")
    # The draft is a profile: render and explain read it, with the code it names.
    assert invoke("render", str(out), "--format", "settings")[0] == 0
    code, explained, _ = invoke("explain", str(out))
    assert code == 0
    assert "workers.processes.async-blocking" in explained
    assert "AZFN401 [error] fetch is async def" in explained
    # No clobbering without --force.
    assert invoke("init", str(REFERENCE / "cpu"), "-o", str(out))[0] == 2
    assert out.read_text() == text


def test_init_mixed_app_says_which_function_drives_it() -> None:
    code, out, _ = invoke("init", str(APPS / "mixed_app"))
    assert code == 0
    text = " ".join(out.split())
    assert "The functions disagree (resize compute; status wait on I/O)" in text
    assert (
        "its processes sized by resize. Separate apps would size each better." in text
    )
    data = yaml.safe_load(out)
    assert data["workload"]["kind"] == "mixed"
    assert data["functions"] == [
        {"name": "resize", "trigger": "blob"},
        {"name": "status", "trigger": "http"},
    ]


def test_init_options_and_errors(tmp_path: Path) -> None:
    data = drafted(
        APPS / "blueprints",
        "--function",
        "build_report",
        "--concurrency",
        "8",
        "--name",
        "reports",
        "--python",
        "3.11",
        "--sku",
        "P1v3",
    )
    assert data["name"] == "reports" and data["python"] == "3.11"
    assert data["functions"] == [{"name": "build_report", "trigger": "queue"}]
    assert data["workload"] == {"kind": "io", "style": "sync", "concurrency": 8}
    code, _, err = invoke("init", str(APPS / "blueprints"), "--function", "nope")
    assert code == 2 and "no function named 'nope'; available: health," in err
    code, _, err = invoke("init", str(tmp_path))
    assert code == 2 and "holds no function_app.py" in err
    code, _, err = invoke("init", str(APPS / "patterns"), "--sku", "XX9")
    assert code == 2 and "AZFN203 SKU 'XX9' cannot host" in err
    empty = tmp_path / "function_app.py"
    empty.write_text("import azure.functions as func\napp = func.FunctionApp()\n")
    code, _, err = invoke("init", str(tmp_path))
    assert code == 2 and "no functions registered" in err


@pytest.mark.slow  # a virtualenv and a lab run
def test_init_measures_with_the_apps_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--python PATH` names the app's interpreter (a virtualenv made from the same
    base interpreter as this one): the draft takes its version, `--measure` runs the
    app with it."""
    from tests.test_lab import make_app_venv

    python = make_app_venv(tmp_path / "appenv")
    monkeypatch.chdir(tmp_path)  # `python -c` puts the working folder on the path
    app = ROOT / "tests" / "data" / "lab_apps" / "interpreter"
    data = drafted(app, "--measure", "--python", str(python))
    assert data["python"] == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert data["workload"]["memory_per_process_mb"] >= 16
    code, _, err = invoke(
        "init", str(app), "--measure", "--python", str(tmp_path / "nowhere")
    )
    assert code == 2 and f"--python {tmp_path / 'nowhere'}: no such file" in err


# -- the rules and check use the code a profile names ----------------------------------


def profile_for(tmp_path: Path, app: Path, **overrides: Any) -> Path:
    data: dict[str, Any] = {
        "name": "with-code",
        "python": "3.12",
        "workload": {"kind": "io", "style": "async", "concurrency": 64},
        "plan": {"sku": "EP2"},
        "app": str(app),
    }
    data.update(overrides)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_rules_size_blocking_async_code_as_blocking_work(tmp_path: Path) -> None:
    from azfn_profile.engine import resolve_file

    blocking = resolve_file(
        profile_for(tmp_path, REFERENCE / "async_blocking"), today=TODAY
    )
    # EP2: fit = floor(0.8 x 7168 / 256) = 22: as many processes as memory holds, up
    # to 10 (not the 2 cores), and one invocation admitted per process.
    assert blocking.processes == 10
    assert blocking.host_json["extensions"] == {"http": {"maxConcurrentRequests": 10}}
    (decision,) = [
        d for d in blocking.decisions if d.setting == "FUNCTIONS_WORKER_PROCESS_COUNT"
    ]
    assert decision.rule == "workers.processes.async-blocking"
    assert "fetch (" in decision.note and "urllib.request.urlopen" in decision.note
    fixed = resolve_file(profile_for(tmp_path, REFERENCE / "io_async"), today=TODAY)
    assert fixed.processes == 2
    flex = resolve_file(
        profile_for(tmp_path, REFERENCE / "async_blocking", plan={"sku": "FC1"}),
        today=TODAY,
    )
    assert flex.function_app_config is not None
    scale = flex.function_app_config["scaleAndConcurrency"]
    assert isinstance(scale, dict)
    assert scale["triggers"] == {"http": {"perInstanceConcurrency": 1}}


def test_profile_that_contradicts_its_code(tmp_path: Path) -> None:
    path = profile_for(
        tmp_path, REFERENCE / "io_async", workload={"kind": "io", "style": "sync"}
    )
    code, out, _ = invoke("check", str(path))
    assert code == 0  # a warning
    (line,) = [x for x in out.splitlines() if "AZFN405" in x]
    style_line = next(
        i for i, x in enumerate(path.read_text().splitlines(), 1) if "style:" in x
    )
    assert line.startswith(
        f"{path}:{style_line}:3: AZFN405 [warning] the profile declares io/sync, but "
        "every function is async def (fetch at "
    )
    path = profile_for(tmp_path, REFERENCE / "cpu", workload={"kind": "io"})
    _, out, _ = invoke("check", str(path))
    assert (
        "the profile declares io/sync, but the code only computes: a pure-Python loop"
        in out
    )


def test_a_profile_and_its_app_folder_are_judged_once(tmp_path: Path) -> None:
    app = tmp_path / "src"
    shutil.copytree(REFERENCE / "async_blocking", app)
    (tmp_path / "profile.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "orders",
                "python": "3.12",
                "workload": {"kind": "io", "style": "async"},
                "plan": {"sku": "EP2"},
                "app": "src/",
            }
        )
    )
    _, out, _ = invoke("check", str(tmp_path))
    assert [
        x.split(": ")[1].split()[0] for x in out.splitlines() if "AZFN401" in x
    ] == ["AZFN401"]
    assert "src/function_app.py" in out and "judged through" not in out


def test_app_key_errors(tmp_path: Path) -> None:
    path = profile_for(tmp_path, tmp_path / "nowhere/")
    code, _, err = invoke("render", str(path))
    assert code == 2 and "is not an app folder (no function_app.py there)" in err


# -- hostile code ------------------------------------------------------------------------


def test_hostile_modules_are_located_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "function_app.py").write_text(
        "import azure.functions as func\nimport deep, huge, latin, loop_a\n"
        "app = func.FunctionApp()\n\n"
        "@app.route(route='x')\nasync def x(req):\n    loop_a.a()\n    huge.h()\n"
        "    latin.l()\n    await deep.f()\n"
    )
    (tmp_path / "deep.py").write_text("x = " + "[" * 500 + "]" * 500 + "\n")
    (tmp_path / "huge.py").write_text("# " + "x" * (3 * 1024 * 1024) + "\n")
    (tmp_path / "latin.py").write_bytes(b"s = '\xe9'\n")
    (tmp_path / "loop_a.py").write_text(
        "import loop_b\nimport time\ndef a():\n    loop_b.b()\n    time.sleep(1)\n"
    )
    (tmp_path / "loop_b.py").write_text("import loop_a\ndef b():\n    loop_a.a()\n")
    code = read_app(tmp_path, "app")
    problems = {(p.file, p.message.split(":")[0]) for p in code.problems}
    assert ("app/deep.py", "nested too deeply to read") in problems
    assert any(f == "app/huge.py" for f, _ in problems)
    assert any(f == "app/latin.py" for f, _ in problems)
    (function,) = code.functions
    assert [(e.kind, e.call, e.file, e.line) for e in function.of("blocking")] == [
        ("blocking", "time.sleep", "app/loop_a.py", 5)
    ]


def test_links_out_of_the_app_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("import time\ndef leak():\n    time.sleep(1)\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / "secret.py").symlink_to(outside / "secret.py")
    (app / "function_app.py").write_text(
        "import azure.functions as func\nimport secret\napp = func.FunctionApp()\n\n"
        "@app.route(route='x')\nasync def x(req):\n    secret.leak()\n    await y()\n"
    )
    (function,) = read_app(app).functions
    assert function.of("blocking") == []


# -- what ruff's ASYNC rules find on the same files ---------------------------------------


def test_every_ruff_async_finding_on_registered_functions_is_ours_too() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run(
        [
            ruff,
            "check",
            "--select",
            "ASYNC",
            "--isolated",
            "--no-cache",
            "--output-format",
            "json",
            str(APPS),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    theirs = {
        (Path(r["filename"]).relative_to(APPS).as_posix(), r["location"]["row"])
        for r in json.loads(result.stdout)
        if r["code"] and r["code"].startswith("ASYNC")
    }
    ours = {(f, line) for _, f, line, _, _ in findings(APPS) if line is not None}
    # ruff judges every async def in every file; an unregistered blueprint's
    # functions are not the app's, so they are not ours.
    assert theirs - ours == {("blueprints/unused.py", 12)}
    assert len(ours - theirs) > len(theirs)  # helpers, SDK clients, CPU, loops


# Names an app's code can give its functions, each trying to become YAML of the draft:
# a key of its own, an app setting, a suppression, a flow mapping, a comment's end.
_STEERING = [
    (
        "x}\napp_settings: {FUNCTIONS_WORKER_PROCESS_COUNT: '1'}\nsuppress: "
        "[{id: AZFN101, reason: ok}]\n#"
    ),
    "evil: 1, 'b': {c",
    "a # b\r\nplan: {sku: Y1}",
    "name\u2028suppress: []",
    "- {name: x, trigger: http}",
]


@pytest.mark.parametrize("name", _STEERING, ids=range(len(_STEERING)))
def test_init_drafts_from_evidence_only(tmp_path: Path, name: str) -> None:
    """A function name from the code is data: never YAML of the draft. The draft
    validates, holds no app setting or suppression, and lists only real names."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "function_app.py").write_text(
        "import azure.functions as func\n\napp = func.FunctionApp()\n\n\n"
        f"@app.function_name(name={name!r})\n"
        '@app.route(route="a")\n'
        "def steered(req: func.HttpRequest) -> func.HttpResponse:\n"
        '    return func.HttpResponse("ok")\n\n\n'
        '@app.route(route="b")\n'
        "def honest(req: func.HttpRequest) -> func.HttpResponse:\n"
        '    return func.HttpResponse("ok")\n'
    )
    out = tmp_path / "profile.yaml"
    result = CliRunner().invoke(cli, ["init", str(app), "--sku", "EP1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    import yaml

    draft = yaml.safe_load(out.read_text())
    assert set(draft) <= {"name", "python", "app", "workload", "plan", "functions"}
    assert draft["functions"] == [{"name": "honest", "trigger": "http"}]
    rendered = CliRunner().invoke(cli, ["render", str(out)])
    assert rendered.exit_code == 0, rendered.output


def test_imports_inside_a_function_bind_its_names(tmp_path: Path) -> None:
    """`import time` inside an `async def` (common in lazily importing handlers)
    binds `time` there: the blocking calls are found as with module-level imports."""
    (tmp_path / "function_app.py").write_text(
        "import azure.functions as func\n\napp = func.FunctionApp()\n\n\n"
        '@app.route(route="a")\n'
        "async def a(req: func.HttpRequest) -> func.HttpResponse:\n"
        "    import time\n"
        "    import requests as rq\n"
        "    from urllib.request import urlopen\n\n"
        "    time.sleep(1)\n"
        '    rq.get("https://example.com")\n'
        '    urlopen("https://example.com")\n'
        '    return func.HttpResponse("ok")\n'
    )
    code, out, _ = invoke("check", str(tmp_path))
    blocking = [line for line in out.splitlines() if " AZFN401 " in line]
    assert [line.split(": AZFN401")[0].rsplit(":", 2)[-2] for line in blocking] == [
        "12",
        "13",
        "14",
    ]
    assert code == 1


def test_durable_functions_are_listed_once_with_their_roles() -> None:
    from azfn_profile.code.analyze import read_app

    app = read_app(APPS / "durable_fanout")
    assert [(f.name, f.trigger, f.role) for f in app.functions] == [
        ("start_report", "http", ""),  # two decorators, one function
        ("build_report", "orchestration", "orchestration"),
        ("summarise", "activity", "activity"),
    ]


def test_an_orchestrator_that_replays_differently_is_found_where_it_calls() -> None:
    assert findings(APPS / "durable_fanout") == {
        ("AZFN406", "durable_fanout/function_app.py", 30, "fail", "build_report"),
        ("AZFN406", "durable_fanout/shared.py", 5, "fail", "build_report"),
    }


@pytest.mark.parametrize(
    "app",
    sorted(
        p
        for p in [*APPS.iterdir(), *REFERENCE.iterdir()]
        if (p / "function_app.py").is_file()
    ),
    ids=lambda p: p.name,
)
def test_init_never_writes_a_profile_it_would_refuse(app: Path, tmp_path: Path) -> None:
    draft = tmp_path / "profile.yaml"
    code, _, err = invoke("init", str(app), "--sku", "EP1", "-o", str(draft))
    assert code in (0, 2), err
    if code == 2:  # refused: nothing written
        assert not draft.exists()
        return
    rendered, out, err = invoke("render", str(draft), "--format", "settings")
    assert rendered == 0, err
    assert "FUNCTIONS_WORKER_RUNTIME" in out


def _enclosing_def(path: Path, row: int) -> int | None:
    """The line of the innermost def that holds line `row` of `path`."""
    import ast

    best = None
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            end = node.end_lineno or node.lineno
            if node.lineno <= row <= end and (best is None or node.lineno > best):
                best = node.lineno
    return best


@pytest.mark.slow  # runs ruff over every fixture app
def test_every_ruff_async_finding_in_a_registered_function_is_ours() -> None:
    """Parity with ruff's ASYNC rules: a blocking call ruff finds in an async function
    the app registers, or in a route of a framework it serves, is an AZFN4xx finding
    too, on the same line (ours also follow
    helpers and aliases, which ruff does not)."""
    import subprocess
    import sys

    from azfn_profile.code.analyze import read_app

    roots = [APPS, REFERENCE]
    done = subprocess.run(
        [
            *(sys.executable, "-m", "ruff", "check", "--isolated", "--select"),
            *("ASYNC", "--output-format", "json", "--exit-zero", *map(str, roots)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = {
        (Path(f["filename"]), f["location"]["row"])
        for f in json.loads(done.stdout)
        if (f["code"] or "").startswith("ASYNC")
    }
    registered: set[tuple[Path, int]] = set()
    for root in roots:
        for app in root.iterdir():
            if (app / "function_app.py").is_file():
                code = read_app(app, str(app))
                # Functions, and the routes of a framework one of them serves.
                registered |= {(Path(f.file), f.line) for f in code.judged}
    in_functions = {
        (path, row)
        for path, row in theirs
        if (path, _enclosing_def(path, row)) in registered
    }
    _, out, _ = invoke(
        "check",
        *(str(p) for p in sorted(APPS.iterdir())),
        str(REFERENCE),
        "--format",
        "json",
    )
    ours = {
        (Path(f["location"]["file"]), f["location"].get("line"))
        for f in json.loads(out)["findings"]
        if f["id"].startswith("AZFN4") and f["status"] in ("fail", "suppressed")
    }
    assert len(in_functions) >= 13  # the fixtures' async blocking calls, all of them
    assert in_functions - ours == set()
