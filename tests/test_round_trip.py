"""What `render` writes, `check` reads back the same.

For every example and a generated set of profiles (every plan family, Flex memory
sizes, always-ready, instance limits, per-function triggers), each format `render`
writes — ARM, Bicep, Terraform (one file, JSON, and the bundle's module tree) — and
the Pulumi component's resources under Pulumi's mocks (as `pulumi preview --json`
shows them) are read back by the readers `check` runs. The AppSpec read back must
equal the one the profile resolved to, field by field: settings, plan, site flags,
Flex configuration, host.json, always-ready and instance limits. What the renderers
add for the infrastructure (storage, monitoring) must be the same settings in every
format; only values computed at deployment (names with a unique suffix, keys,
connection strings) may stay unknown.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import shutil
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.checking import SourceTarget
from azfn_profile.cli import cli
from azfn_profile.engine import resolve_file
from azfn_profile.fleet import fleet
from azfn_profile.infra import describe
from azfn_profile.sources.preview import preview_targets
from azfn_profile.sources.scan import scan
from azfn_profile.spec import AppSpec, Field, is_under
from tests.conftest import EXAMPLES, TODAY

pytestmark = pytest.mark.slow  # renders and reads every format of every profile

# Generated profiles: the plan families and the options each takes.
PLANS: dict[str, list[dict[str, Any]]] = {
    "Y1": [{}, {"max_instances": 50}],
    "EP1": [{}, {"always_ready": 2, "max_instances": 10}],
    "EP3": [{"max_instances": 100}],
    "P1v3": [{}],
    "FC1": [
        {},
        {"instance_memory_mb": 512, "max_instances": 40, "always_ready": 1},
        {"max_instances": 30, "always_ready": 2},
        {"instance_memory_mb": 4096, "max_instances": 1000},
    ],
}
WORKLOADS: list[dict[str, Any]] = [
    {"kind": "io", "style": "async", "concurrency": 100},
    {"kind": "cpu", "memory_per_process_mb": 512},
    {"kind": "mixed", "io_share": 0.5},
]
FUNCTION_SETS: list[dict[str, Any]] = [
    {"triggers": ["http"]},
    {
        "functions": [
            {"name": "orders", "trigger": "http"},
            {"name": "ingest", "trigger": "queue"},
            {"name": "nightly", "trigger": "timer"},
        ]
    },
    {
        "functions": [
            {"name": "orders", "trigger": "http"},
            {"name": "ingest", "trigger": "queue"},
        ],
        "downstream": [
            {"name": "db", "max_concurrency": 120, "functions": ["ingest"]},
            {"name": "crm", "max_concurrency": 2000},
        ],
    },
    {  # Durable: host.json's durableTask throttles; Flex's durable scale group
        "functions": [
            {"name": "start", "trigger": "http"},
            {"name": "pipeline", "trigger": "orchestration"},
            {"name": "counter", "trigger": "entity"},
            {"name": "step", "trigger": "activity"},
        ]
    },
]


def generated() -> Iterator[tuple[str, dict[str, Any]]]:
    for (sku, options), workload, functions in itertools.product(
        [(s, o) for s, opts in PLANS.items() for o in opts], WORKLOADS, FUNCTION_SETS
    ):
        if sku == "P1v3" and "downstream" in functions:
            continue  # refused (AZFN307): no setting bounds a Dedicated plan's fleet
        name = (
            f"rt-{sku.lower()}-{workload['kind']}-{len(functions.get('functions', []))}"
            + ("-ds" if "downstream" in functions else "")
        )
        options_tag = "-".join(f"{k[:3]}{v}" for k, v in sorted(options.items()))
        python = "3.12" if sku == "Y1" else "3.13"
        yield (
            f"{name}-{options_tag or 'plain'}",
            {
                "name": name,
                "python": python,
                "workload": workload,
                "plan": {"sku": sku, **options},
                **functions,
            },
        )


PROFILES: dict[str, dict[str, Any] | Path] = {
    **{p.name: p for p in sorted(EXAMPLES.glob("*.yaml"))},
    **dict(generated()),
}


@cache
def profile_path(key: str, root: Path) -> Path:
    source = PROFILES[key]
    if isinstance(source, Path):
        return source
    path = root / "profiles" / f"{key}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(source), encoding="utf-8")  # JSON is YAML
    return path


def render(profile: Path, fmt: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(
        cli, ["render", str(profile), "--format", fmt, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output


# -- the formats, each written and read back as a user would -------------------------


def _read(folder: Path) -> SourceTarget:
    result = scan([folder], TODAY)
    inputs = [f for f in result.findings if f.check_id == "AZFN000"]
    assert not inputs, [f.message for f in inputs]
    assert len(result.targets) == 1, [t.info.resource for t in result.targets]
    return result.targets[0]


def _bundle(profile: Path, work: Path) -> Path:
    bundle = work / "bundle"
    if not bundle.exists():
        render(profile, "all", bundle)
    return bundle


def _single(fmt: str, filename: str) -> Callable[[Path, Path], SourceTarget]:
    def read(profile: Path, work: Path) -> SourceTarget:
        folder = work / fmt
        render(profile, fmt, folder / filename)
        shutil.copy(_bundle(profile, work) / "host.json", folder / "host.json")
        return _read(folder)

    return read


def _terraform_bundle(profile: Path, work: Path) -> SourceTarget:
    bundle = _bundle(profile, work)
    folder = work / "terraform-bundle"
    shutil.copytree(bundle / "terraform", folder)
    shutil.copy(bundle / "host.json", folder / "host.json")
    return _read(folder)


def _pulumi(profile: Path, work: Path) -> SourceTarget:
    from azfn_profile.deploy import PythonFunctionApp
    from tests.pulumi_harness import run

    spec = resolve_file(profile, today=TODAY)
    recorded = run(lambda: PythonFunctionApp(spec.name, spec)).recorder
    (target,) = preview_targets(recorded.preview(), "preview.json")
    return target


READERS: dict[str, Callable[[Path, Path], SourceTarget]] = {
    "arm": _single("arm", "azuredeploy.json"),
    "bicep": _single("bicep", "main.bicep"),
    "terraform": _single("terraform", "main.tf"),
    "terraform-json": _single("terraform-json", "main.tf.json"),
    "terraform-bundle": _terraform_bundle,
    "pulumi": _pulumi,
}
TERRAFORM = {"terraform", "terraform-json", "terraform-bundle"}


# -- the comparison --------------------------------------------------------------------


def differences(expected: AppSpec, got: SourceTarget, fmt: str) -> list[str]:
    """Every field where the read-back app differs from the resolved profile."""
    spec, unknown = got.target.spec, got.target.unknown
    out: list[str] = []

    def same(path: str, want: Any, have: Any) -> None:
        covering = is_under(path, unknown)
        if covering is not None:
            out.append(f"{path}: unknown ({covering}), expected {want!r}")
        elif want != have:
            out.append(f"{path}: {have!r}, expected {want!r}")

    same("python", expected.python, spec.python)
    same("runtime", expected.runtime, spec.runtime)
    plan_fields = [f.name for f in dataclasses.fields(expected.plan)]
    for name in plan_fields:
        # azurerm_service_plan sends no kind: the platform derives it
        # (internal/services/appservice/service_plan_resource.go, Create).
        if name == "kind" and fmt in TERRAFORM:
            continue
        same(f"plan.{name}", getattr(expected.plan, name), getattr(spec.plan, name))
    for name in (f.name for f in dataclasses.fields(expected.site)):
        same(f"site.{name}", getattr(expected.site, name), getattr(spec.site, name))
    for key, value in expected.app_settings.items():
        same(Field.setting(key), value, spec.app_settings.get(key))
    same("functions", expected.functions, spec.functions)
    same("function_names", expected.function_names, spec.function_names)
    same("downstream", expected.downstream, spec.downstream)
    if fmt != "pulumi":  # host.json ships with the app's code, not the stack
        same(Field.HOST_JSON, dict(expected.host_json), dict(spec.host_json))
        same("fleet", fleet(expected).document(), fleet(spec).document())
    want_fac = expected.function_app_config
    have_fac = spec.function_app_config
    if want_fac is None:
        same(Field.FUNCTION_APP_CONFIG, None, have_fac)
    else:
        for part in ("runtime", "scaleAndConcurrency"):
            same(
                f"{Field.FUNCTION_APP_CONFIG}.{part}",
                want_fac.get(part),
                (have_fac or {}).get(part),
            )
    # The infrastructure's settings: the same names in every format, and nothing
    # else unknown but the values computed at deployment.
    infra_settings = set(describe(expected).site_settings)
    extra = set(spec.app_settings) - infra_settings
    missing = infra_settings - set(spec.app_settings)
    if extra or missing:
        out.append(f"settings: extra {sorted(extra)}, missing {sorted(missing)}")
    computed = {
        Field.setting(k)
        for k in infra_settings - set(expected.app_settings)
        if not isinstance(describe(expected).site_settings[k], str)
    }
    stray = sorted(p for p in unknown if p not in computed)
    if stray:
        out.append(f"unknown beyond the deployment-computed settings: {stray}")
    return out


@pytest.mark.parametrize("fmt", sorted(READERS))
@pytest.mark.parametrize("key", sorted(PROFILES))
def test_every_format_reads_back_as_resolved(
    key: str, fmt: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = tmp_path_factory.mktemp("rt")
    profile = profile_path(key, tmp_path_factory.getbasetemp())
    expected = resolve_file(profile, today=TODAY)
    got = READERS[fmt](profile, work)
    assert differences(expected, got, fmt) == []


@pytest.mark.parametrize(
    ("target", "value", "fmt"),
    [
        # every format: the description forgets the site's scale limit
        ("azfn_profile.infra.site_scale", lambda spec: {}, "arm"),
        ("azfn_profile.infra.site_scale", lambda spec: {}, "pulumi"),
        # one format: Terraform writes it under a name the provider does not have
        (
            "azfn_profile.render.terraform._SITE_SCALE",
            {"functionAppScaleLimit": "app_scale_limits"},
            "terraform",
        ),
    ],
)
def test_a_renderer_that_drops_a_value_is_caught(
    target: str,
    value: Any,
    fmt: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The comparison can fail: break what a renderer writes and the read-back
    differs where it should."""
    profile = profile_path("rt-y1-io-0-max50", tmp_path)
    expected = resolve_file(profile, today=TODAY)
    assert differences(expected, READERS[fmt](profile, tmp_path / "ok"), fmt) == []
    monkeypatch.setattr(target, value)
    broken = READERS[fmt](profile, tmp_path / "broken")
    found = differences(expected, broken, fmt)
    assert found[0] == "plan.max_instances: None, expected 50"
    # and the fleet it bounds (pulumi: no host.json, so no fleet to compare)
    assert [d.split(":")[0] for d in found[1:]] == (
        [] if fmt == "pulumi" else ["fleet"]
    )
