"""A large template: `check` on 2,400 function apps in one ~18 MiB ARM template.

Each app is a site, its plan and an `appsettings` child, named by expressions
(`format('{0}-{1}', parameters('prefix'), N)`), with a failing setting so that every
app produces findings that must be located. Target: a few seconds.

Usage: python benchmarks/bench_large.py [--apps 2400] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
)


def template(apps: int) -> dict[str, Any]:
    resources: list[dict[str, Any]] = []
    for i in range(apps):
        name = f"[format('{{0}}-{i}', parameters('prefix'))]"
        plan = f"[format('{{0}}-plan-{i}', parameters('prefix'))]"
        resources.append(
            {
                "type": "Microsoft.Web/serverfarms",
                "apiVersion": "2024-04-01",
                "name": plan,
                "location": "[parameters('location')]",
                "kind": "elastic",
                "sku": {"name": "EP1", "tier": "ElasticPremium"},
                "properties": {"reserved": True, "maximumElasticWorkerCount": 20},
                "tags": {"team": "payments", "costCenter": f"cc-{i % 17}"},
            }
        )
        resources.append(
            {
                "type": "Microsoft.Web/sites",
                "apiVersion": "2024-04-01",
                "name": name,
                "location": "[parameters('location')]",
                "kind": "functionapp,linux",
                "identity": {"type": "SystemAssigned"},
                "properties": {
                    "serverFarmId": f"[resourceId('Microsoft.Web/serverfarms', format('{{0}}-plan-{i}', parameters('prefix')))]",
                    "httpsOnly": i % 2 == 0,
                    "siteConfig": {
                        "linuxFxVersion": "Python|3.12",
                        "minTlsVersion": "1.2",
                        "ftpsState": "Disabled",
                        "cors": {
                            "allowedOrigins": [f"https://app{i}.example.com"] * 20
                        },
                        "ipSecurityRestrictions": [
                            {
                                "ipAddress": f"10.{i % 250}.{j}.0/24",
                                "action": "Allow",
                                "priority": 100 + j,
                                "name": f"rule-{j}",
                            }
                            for j in range(30)
                        ],
                    },
                },
                "resources": [
                    {
                        "type": "config",
                        "apiVersion": "2024-04-01",
                        "name": "appsettings",
                        "dependsOn": [name],
                        "properties": {
                            "FUNCTIONS_EXTENSION_VERSION": "~4",
                            "FUNCTIONS_WORKER_RUNTIME": "python",
                            "FUNCTIONS_WORKER_PROCESS_COUNT": str(1 + i % 12),
                            "PYTHON_THREADPOOL_THREAD_COUNT": "8",
                        },
                    }
                ],
            }
        )
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "prefix": {
                "type": "string",
                "defaultValue": "[uniqueString(resourceGroup().id)]",
            },
            "location": {"type": "string", "defaultValue": "westeurope"},
        },
        "resources": resources,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2400)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.json"
        path.write_text(json.dumps(template(args.apps), indent=2))
        size = path.stat().st_size / (1024 * 1024)
        cmd = [
            sys.executable,
            "-m",
            "azfn_profile",
            "check",
            str(path),
            "--format",
            "json",
        ]
        times, report = [], {}
        for _ in range(args.runs):
            started = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - started)
            report = json.loads(done.stdout)
        apps = len(report["targets"])
        failures = sum(1 for f in report["findings"] if f["status"] == "fail")
        print(
            f"{args.apps} apps, {size:.1f} MiB: {apps} apps judged, {failures} "
            f"failures located; check took {statistics.median(times):.2f} s "
            f"(median of {args.runs}; all: {', '.join(f'{t:.2f}' for t in times)})"
        )


if __name__ == "__main__":
    main()
