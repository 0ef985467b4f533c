"""Pulumi program: one PythonFunctionApp per profile named in the stack's config.

Config (stacks/Pulumi.<stack>.yaml): `azfn-profile:profile` (one path) or
`azfn-profile:profiles` (a list), paths relative to the project root; optionally
`azfn-profile:resourceGroup` to deploy into an existing resource group.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from azfn_profile.deploy import PythonFunctionApp
from azfn_profile.stack import HOST_JSON_NOTE, stack_specs

config = pulumi.Config("azfn-profile")
specs = stack_specs(config, root=Path(__file__).resolve().parent.parent)
for spec in specs:
    app = PythonFunctionApp(
        spec.name, spec, resource_group_name=config.get("resourceGroup")
    )
    pulumi.export(
        spec.name,
        {
            "name": app.name,
            "defaultHostname": app.default_hostname,
            "planSku": app.plan_sku,
            "appSettings": app.app_settings,
            "workers": app.workers,
            "hostJson": HOST_JSON_NOTE.format(name=spec.name),
        },
    )
