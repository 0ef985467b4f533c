"""Typed contracts between readers and checks: unknowns cover what is under them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from azfn_profile.checks import Target, Unknown
from azfn_profile.cli import cli
from azfn_profile.spec import Field, is_under
from tests.conftest import TODAY

SECURITY = ("AZFN501", "AZFN502", "AZFN503", "AZFN504", "AZFN505", "AZFN507")


def computed_properties_template() -> dict[str, Any]:
    """A site whose whole `properties` object is a parameter."""
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
        "deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"siteProperties": {"type": "object"}},
        "resources": [
            {
                "type": "Microsoft.Web/serverfarms",
                "apiVersion": "2023-12-01",
                "name": "plan",
                "location": "westeurope",
                "sku": {"name": "EP1", "tier": "ElasticPremium"},
                "properties": {"reserved": True},
            },
            {
                "type": "Microsoft.Web/sites",
                "apiVersion": "2023-12-01",
                "name": "computed-app",
                "location": "westeurope",
                "kind": "functionapp,linux",
                "properties": "[parameters('siteProperties')]",
            },
        ],
    }


def test_a_computed_site_makes_every_site_check_unknown(tmp_path: Path) -> None:
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(computed_properties_template()))
    result = CliRunner(env={"AZFN_PROFILE_TODAY": TODAY.isoformat()}).invoke(
        cli, ["check", str(path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output  # nothing fails: nothing is known
    status = {
        f["id"]: f["status"]
        for f in json.loads(result.stdout)["findings"]
        if f["id"] in SECURITY
    }
    assert status == dict.fromkeys(SECURITY, "unknown")


def test_unknown_paths_cover_what_is_under_them() -> None:
    assert is_under(Field.SITE_HTTPS_ONLY, {Field.SITE}) == Field.SITE
    assert is_under(Field.SITE_HTTPS_ONLY, {Field.SITE_HTTPS_ONLY}) is not None
    assert is_under(Field.SITE_KIND, {Field.SITE_HTTPS_ONLY}) is None
    # a prefix of a name is not a parent: "site" does not cover "site_config"
    assert is_under(Field.SITE_CONFIG, {Field.SITE}) is None
    assert is_under(Field.setting("A"), {Field.APP_SETTINGS}) == Field.APP_SETTINGS


def test_listed_settings_stay_known_when_others_may_exist(
    example_spec: Any = None,
) -> None:
    from azfn_profile.rules import resolve
    from azfn_profile.validation import validate
    from tests.conftest import profile_data

    spec = resolve(validate(profile_data(), TODAY))
    partial = Target(spec, unknown=frozenset({Field.OTHER_SETTINGS}))
    assert partial.setting("FUNCTIONS_WORKER_PROCESS_COUNT") is not None
    try:
        partial.setting("NOT_LISTED")
    except Unknown:
        pass
    else:
        raise AssertionError("an unlisted setting must be unknown")
    whole = Target(spec, unknown=frozenset({Field.APP_SETTINGS}))
    try:
        whole.setting("FUNCTIONS_WORKER_PROCESS_COUNT")
    except Unknown:
        pass
    else:
        raise AssertionError("no setting is known when the collection is computed")
