"""The CrossGuard pack, started as the Pulumi engine starts it and called over gRPC.

`python policies/__main__.py` prints its port; the test connects an AnalyzerStub and
sends GetAnalyzerInfo, Configure, Analyze and AnalyzeStack with camelCase properties
as azure-native sends them: the real inputs of the PythonFunctionApp component
(recorded under Pulumi's mocks), then bad variants of them.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from packaging.requirements import Requirement
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from azfn_profile import CHECKS_URL as DOCS
from azfn_profile import REPOSITORY_URL
from azfn_profile.checks import INPUT_IDS, REGISTRY
from azfn_profile.deploy import PythonFunctionApp
from azfn_profile.engine import resolve_file
from azfn_profile.policy import policy_name
from tests.conftest import EXAMPLES, ROOT, TODAY
from tests.pulumi_harness import run

pytestmark = pytest.mark.slow  # starts the Pulumi policy pack and calls it over gRPC

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # Pulumi's wire value for unknowns
MANDATORY, ADVISORY = 1, 0  # analyzer_pb2.EnforcementLevel values


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # The pack is copied out of the repository and started from another directory,
    # as `pulumi preview --policy-pack <path>` does from a user's project.
    pack = tmp_path_factory.mktemp("pack") / "policies"
    shutil.copytree(ROOT / "policies", pack)
    elsewhere = tmp_path_factory.mktemp("user-project")
    env = {**os.environ, "AZFN_PROFILE_TODAY": TODAY.isoformat()}
    env.pop("PYTHONPATH", None)
    proc = subprocess.Popen(
        [sys.executable, str(pack / "__main__.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=elsewhere,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().decode().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def stack_of(example: str | Path) -> list[dict[str, Any]]:
    """The resources the component creates for an example (or a profile file), as
    (type, urn, props)."""
    path = example if isinstance(example, Path) else EXAMPLES / f"{example}.yaml"
    spec = resolve_file(path, today=TODAY)
    result = run(lambda: PythonFunctionApp(spec.name, spec))
    resources = []
    for r in result.recorder.resources:
        if r.typ.startswith("azfn-profile:"):
            continue
        urn = f"urn:pulumi:test::azfn-profile::{r.typ}::{r.name}"
        resources.append(
            {
                "type": r.typ,
                "urn": urn,
                "name": r.name,
                "props": copy.deepcopy(r.inputs),
            }
        )
    plan = next(r for r in resources if r["type"].endswith(":AppServicePlan"))
    for r in resources:  # as in preview: the site depends on its plan, ids unknown
        if r["type"].endswith(":WebApp"):
            r["deps"] = [plan["urn"]]
            r["props"]["serverFarmId"] = UNKNOWN
    return resources


def site(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return next(r["props"] for r in resources if r["type"].endswith(":WebApp"))


def set_setting(resources: list[dict[str, Any]], name: str, value: str | None) -> None:
    config = site(resources)["siteConfig"]
    config["appSettings"] = [s for s in config["appSettings"] if s["name"] != name]
    if value is not None:
        config["appSettings"].append({"name": name, "value": value})


def analyze_stack(stub: Any, resources: list[dict[str, Any]]) -> list[Any]:
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r["type"],
                urn=r["urn"],
                name=r["name"],
                properties=json_format.ParseDict(r["props"], struct_pb2.Struct()),
                dependencies=r.get("deps", []),
            )
            for r in resources
        ]
    )
    return list(stub.AnalyzeStack(request).diagnostics)


def by_policy(diagnostics: list[Any]) -> dict[str, Any]:
    return {d.policyName: d for d in diagnostics}


def reported(diagnostic: Any) -> str:
    """What the policy reported (the SDK puts the policy's description first)."""
    return str(diagnostic.message).split("\n", 1)[-1]


def test_pack_requirements_install_the_project_from_anywhere() -> None:
    """Pulumi pip-installs the pack's requirements.txt into the pack's own virtualenv;
    a relative path (`-e ..`) would only resolve inside a clone."""
    lines = [
        line.strip()
        for line in (ROOT / "policies" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(lines) == 1, lines
    req = Requirement(lines[0])
    assert req.name == "azfn-profile"
    assert req.extras == {"pulumi"}
    assert req.url is not None and req.url.startswith("git+https://")
    assert req.url.removeprefix("git+") == REPOSITORY_URL


def test_analyzer_info_lists_one_policy_per_check(analyzer: Any) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "azfn-profile"
    policies = {p.name: p.enforcementLevel for p in info.policies}
    expected = {
        policy_name(c): (MANDATORY if c.severity == "error" else ADVISORY)
        for c in REGISTRY.values()
        if c.id not in INPUT_IDS
    }
    assert policies == expected


@pytest.mark.parametrize("example", ["orders-api", "etl-mixed", "image-resizer"])
def test_good_stacks_have_no_diagnostics(analyzer: Any, example: str) -> None:
    assert analyze_stack(analyzer, stack_of(example)) == []


def test_analyze_single_resource_needs_the_stack_view(analyzer: Any) -> None:
    # Every check joins a site with its plan and settings, so per-resource Analyze
    # reports nothing on its own.
    r = site(stack_of("orders-api"))
    response = analyzer.Analyze(
        analyzer_pb2.AnalyzeRequest(
            type="azure-native:web:WebApp",
            urn="urn:pulumi:test::p::azure-native:web:WebApp::s",
            name="s",
            properties=json_format.ParseDict(r, struct_pb2.Struct()),
        )
    )
    assert list(response.diagnostics) == []


def test_process_count_twelve_is_mandatory(analyzer: Any) -> None:
    resources = stack_of("orders-api")
    set_setting(resources, "FUNCTIONS_WORKER_PROCESS_COUNT", "12")
    found = by_policy(analyze_stack(analyzer, resources))
    d = found["azfn101-worker-process-count-range"]
    assert d.enforcementLevel == MANDATORY
    assert reported(d).startswith("AZFN101: FUNCTIONS_WORKER_PROCESS_COUNT is '12'")
    assert d.urn.endswith("::orders-api-site")


def test_process_count_on_flex_is_mandatory(analyzer: Any) -> None:
    resources = stack_of("etl-mixed")
    set_setting(resources, "FUNCTIONS_WORKER_PROCESS_COUNT", "2")
    d = by_policy(analyze_stack(analyzer, resources))[
        "azfn102-worker-flex-deprecated-setting"
    ]
    assert (d.enforcementLevel, reported(d)) == (
        MANDATORY,
        (
            "AZFN102: FUNCTIONS_WORKER_PROCESS_COUNT is not valid on Flex Consumption "
            "(the plan sets it or replaces it with functionAppConfig). "
            f"See {DOCS}#azfn102"
        ),
    )


def test_cpu_workload_with_one_process_on_ep3(analyzer: Any) -> None:
    resources = stack_of("image-resizer")
    set_setting(resources, "FUNCTIONS_WORKER_PROCESS_COUNT", "1")
    found = by_policy(analyze_stack(analyzer, resources))
    assert set(found) == {"azfn105-worker-cpu-processes-per-core"}
    assert reported(found["azfn105-worker-cpu-processes-per-core"]).startswith(
        "AZFN105: CPU-bound work runs 1 worker process(es) on EP3; its cores and memory "
        "allow 4"
    )


def test_settings_from_a_separate_resource_are_joined(analyzer: Any) -> None:
    resources = stack_of("orders-api")
    set_setting(resources, "PYTHON_THREADPOOL_THREAD_COUNT", None)
    assert "azfn104-worker-thread-count-unset" in by_policy(
        analyze_stack(analyzer, resources)
    )
    resources.append(
        {
            "type": "azure-native:web:WebAppApplicationSettings",
            "urn": "urn:pulumi:test::p::azure-native:web:WebAppApplicationSettings::x",
            "name": "x",
            "props": {
                "name": site(resources)["name"],
                "properties": {"PYTHON_THREADPOOL_THREAD_COUNT": "6"},
            },
        }
    )
    assert analyze_stack(analyzer, resources) == []


def test_unknown_values_during_preview_never_crash(analyzer: Any) -> None:
    resources = stack_of("orders-api")
    set_setting(resources, "PYTHON_THREADPOOL_THREAD_COUNT", UNKNOWN)
    set_setting(resources, "FUNCTIONS_WORKER_PROCESS_COUNT", UNKNOWN)
    site(resources)["httpsOnly"] = UNKNOWN
    diagnostics = analyze_stack(analyzer, resources)
    assert [d for d in diagnostics if "can't run policy" in d.message] == []
    assert diagnostics == []


def test_levels_are_configurable(analyzer: Any) -> None:
    name = "azfn101-worker-process-count-range"
    analyzer.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={name: analyzer_pb2.PolicyConfig(enforcementLevel=ADVISORY)}
        )
    )
    try:
        resources = stack_of("orders-api")
        set_setting(resources, "FUNCTIONS_WORKER_PROCESS_COUNT", "12")
        assert (
            by_policy(analyze_stack(analyzer, resources))[name].enforcementLevel
            == ADVISORY
        )
    finally:
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={}))


def test_a_downstream_limit_travels_with_the_stack(
    analyzer: Any, tmp_path: Path
) -> None:
    """The profile's downstream limit is a tag on the site: the stack as rendered
    keeps it; a scale limit raised in the stack breaks it, and AZFN307 says so."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: orders-api\npython: '3.12'\nworkload: {kind: io, concurrency: 40}\n"
        "plan: {sku: EP1}\nfunctions: {http: 1, queue: 1}\n"
        "downstream: [{name: sql, max_concurrency: 300}]\n"
    )
    resources = stack_of(profile)
    assert "azfn307-scaling-downstream-limit" not in by_policy(
        analyze_stack(analyzer, resources)
    )
    plan = next(r for r in resources if r["type"].endswith(":AppServicePlan"))
    assert plan["props"]["maximumElasticWorkerCount"] == 7  # the rules' choice
    # The app's limit is the lower of the site's and the plan's burst: raising one
    # changes nothing, raising both breaks the limit.
    site(resources)["siteConfig"]["functionAppScaleLimit"] = 20
    assert "azfn307-scaling-downstream-limit" not in by_policy(
        analyze_stack(analyzer, resources)
    )
    plan["props"]["maximumElasticWorkerCount"] = 20
    found = by_policy(analyze_stack(analyzer, resources))
    d = found["azfn307-scaling-downstream-limit"]
    assert d.enforcementLevel == MANDATORY
    assert reported(d).startswith(
        "AZFN307: downstream 'sql' takes 300 at once, but the fleet that calls it can "
        "send 800: app: 20 instances x 40"
    ), reported(d)
