"""One rulebook: a platform rule has one ID and one message whatever the source.

A profile and an ARM template holding the same bad value get the same finding from
`check`, and `render` refuses the profile under that ID with that message; a
suppression of the ID covers the profile as it covers the template.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from azfn_profile import facts
from azfn_profile.checks import REGISTRY
from azfn_profile.cli import cli
from tests.conftest import ROOT, TODAY, profile_data

ENV = {"AZFN_PROFILE_TODAY": TODAY.isoformat()}


def arm(sku: str, python: str, settings: dict[str, str]) -> dict[str, Any]:
    """A Linux function app on one plan, written the way ARM users write it."""
    tier = {"FC1": "FlexConsumption", "Y1": "Dynamic"}.get(sku, "ElasticPremium")
    site: dict[str, Any] = {
        "type": "Microsoft.Web/sites",
        "apiVersion": "2023-12-01",
        "name": "rulebook-app",
        "location": "westeurope",
        "kind": "functionapp,linux",
        "properties": {
            "serverFarmId": "[resourceId('Microsoft.Web/serverfarms', 'plan')]",
            "httpsOnly": True,
            "siteConfig": {
                "appSettings": [{"name": k, "value": v} for k, v in settings.items()],
            },
        },
    }
    if sku == "FC1":
        site["properties"]["functionAppConfig"] = {
            "runtime": {"name": "python", "version": python},
            "scaleAndConcurrency": {"instanceMemoryMB": 2048},
        }
    else:
        site["properties"]["siteConfig"]["linuxFxVersion"] = f"Python|{python}"
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
        "deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Web/serverfarms",
                "apiVersion": "2023-12-01",
                "name": "plan",
                "location": "westeurope",
                "sku": {"name": sku, "tier": tier},
                "properties": {"reserved": True},
            },
            site,
        ],
    }


# (check, plan SKU, python, the offending settings)
SAME_VALUE = [
    ("AZFN101", "EP2", "3.12", {facts.PROCESS_COUNT: "12"}),
    ("AZFN101", "EP2", "3.12", {facts.PROCESS_COUNT: "four"}),
    ("AZFN103", "EP2", "3.12", {facts.THREAD_COUNT: "many"}),
    ("AZFN102", "FC1", "3.12", {facts.PROCESS_COUNT: "2"}),
    ("AZFN109", "EP2", "3.8", {}),
    ("AZFN109", "Y1", "3.13", {}),
]


def write_pair(
    tmp: Path, sku: str, python: str, settings: dict[str, str], **extra: Any
) -> tuple[Path, Path]:
    worker = {facts.WORKER_RUNTIME: "python"} if sku != "FC1" else {}
    profile = profile_data(
        name="rulebook-app",
        python=python,
        plan={"sku": sku},
        app_settings=dict(settings),
        **extra,
    )
    (tmp / "p.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    (tmp / "azuredeploy.json").write_text(
        json.dumps(arm(sku, python, {**worker, **settings}), indent=2)
    )
    return tmp / "p.yaml", tmp / "azuredeploy.json"


def failures(*paths: Path) -> list[dict[str, Any]]:
    result = CliRunner(env=ENV).invoke(
        cli, ["check", *map(str, paths), "--format", "json"]
    )
    assert result.exit_code in (0, 1), result.output
    return [f for f in json.loads(result.stdout)["findings"] if f["status"] == "fail"]


@pytest.mark.parametrize(
    ("check_id", "sku", "python", "settings"),
    SAME_VALUE,
    ids=[f"{c}-{s}-{p}-{'-'.join(v.values())}" for c, s, p, v in SAME_VALUE],
)
def test_same_bad_value_same_id_and_message_from_every_source(
    tmp_path: Path, check_id: str, sku: str, python: str, settings: dict[str, str]
) -> None:
    profile, template = write_pair(tmp_path, sku, python, settings)
    found = failures(profile, template)
    by_file = {
        name: sorted(
            f["message"]
            for f in found
            if f["id"] == check_id and f["location"]["file"].endswith(name)
        )
        for name in ("p.yaml", "azuredeploy.json")
    }
    assert by_file["p.yaml"], found
    assert by_file["p.yaml"] == by_file["azuredeploy.json"]
    # No second ID for the same rule: the profile's findings carry no AZFN001.
    assert not [f for f in found if f["id"] == "AZFN001"]
    # render refuses the profile, under the same ID with the same message.
    result = CliRunner(env=ENV).invoke(cli, ["render", str(profile)])
    assert result.exit_code == 2
    for message in by_file["p.yaml"]:
        assert f": {check_id} {message}\n" in result.stderr, result.stderr


def test_a_suppression_covers_the_rule_in_a_profile_too(tmp_path: Path) -> None:
    reason = "pinned by the platform team until the host upgrade"
    profile, _ = write_pair(
        tmp_path,
        "EP2",
        "3.12",
        {facts.PROCESS_COUNT: "12"},
        suppress=[{"id": "AZFN101", "reason": reason}],
    )
    result = CliRunner(env=ENV).invoke(cli, ["check", str(profile), "--format", "json"])
    mine = [f for f in json.loads(result.stdout)["findings"] if f["id"] == "AZFN101"]
    assert [f["status"] for f in mine] == ["suppressed"], mine
    rendered = CliRunner(env=ENV).invoke(cli, ["render", str(profile)])
    assert rendered.exit_code == 0, rendered.stderr
    assert f'"{facts.PROCESS_COUNT}": "12"' in rendered.stdout


def test_an_unknown_sku_is_azfn203_for_profiles_and_templates(tmp_path: Path) -> None:
    profile, template = write_pair(tmp_path, "EP2", "3.12", {})
    profile.write_text(profile.read_text().replace("sku: EP2", "sku: EP4"))
    template.write_text(template.read_text().replace('"EP2"', '"EP4"'))
    found = [f for f in failures(profile, template) if f["id"] == "AZFN203"]
    assert {f["location"]["file"].rsplit("/", 1)[-1] for f in found} == {
        "p.yaml",
        "azuredeploy.json",
    }
    assert len({f["message"] for f in found}) == 1, found


def test_refusing_checks_are_errors_with_profile_cases() -> None:
    refusing = [c for c in REGISTRY.values() if c.refuses_profile]
    assert {c.id for c in refusing} >= {
        "AZFN101",
        "AZFN102",
        "AZFN103",
        "AZFN109",
        "AZFN203",
    }
    assert all(c.severity == "error" for c in refusing)


def _constants(path: Path) -> list[tuple[int, object]]:
    """Literal values in a module, except the bases and exponents of powers (a
    magnitude such as 10**18 is not a platform limit)."""
    tree = ast.parse(path.read_text())
    powers = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)
        for part in (node.left, node.right)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and not isinstance(node.value, bool)
        and id(node) not in powers
    ]


def test_platform_numbers_and_names_are_decided_in_one_place() -> None:
    """The rulebook and validation name platform limits through `facts`, never as
    literals: a limit written twice is a limit that can disagree with itself."""
    limited = {
        facts.MAX_WORKER_PROCESSES,
        facts.PROCESS_COUNT,
        facts.THREAD_COUNT,
        *facts.FLEX_DEPRECATED_SETTINGS,
    }
    files = [
        *sorted((ROOT / "azfn_profile" / "checks").glob("*.py")),
        *sorted((ROOT / "azfn_profile" / "validation").glob("*.py")),
    ]
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in files
        for line, value in _constants(path)
        if value in limited
    ]
    assert offending == []


def test_validation_no_longer_judges_platform_rules() -> None:
    """Profile validation keeps what resolution needs; the platform's rules on
    process and thread counts, Python versions and Flex settings are the checks'."""
    text = "\n".join(
        p.read_text() for p in (ROOT / "azfn_profile" / "validation").glob("*.py")
    )
    for name in (
        "PROCESS_COUNT",
        "THREAD_COUNT",
        "FLEX_DEPRECATED_SETTINGS",
        "python_versions",
        "MAX_WORKER_PROCESSES",
    ):
        assert name not in text, name


@pytest.mark.parametrize(
    ("plan", "refusal"),
    [
        ("sku: EP1\n  max_instances: 500", "7:18: AZFN305 EP1 scales out to at most"),
        (
            "sku: Y1\n  always_ready: 1",
            (
                "7:17: AZFN306 always-ready instances apply to Flex Consumption and "
                "Elastic Premium plans only, not to Y1"
            ),
        ),
        (
            "sku: EP2\n  max_instances: 3\n  always_ready: 5",
            "8:17: AZFN306 5 always-ready instance(s) exceed the app's instance limit of 3",
        ),
    ],
)
def test_plan_limits_are_refused_at_the_value_under_their_check(
    tmp_path: Path, plan: str, refusal: str
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        f'name: orders-api\npython: "3.12"\nworkload:\n  kind: io\nplan:\n  {plan}\n'
    )
    result = CliRunner(env=ENV).invoke(cli, ["render", str(profile)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{profile}:{refusal}"), result.stderr
