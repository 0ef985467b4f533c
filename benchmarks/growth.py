"""Growth: how `check`'s time and peak memory grow with the size of its input.

For each family of generated inputs (a Bicep expression nested n deep, a chain of n
ARM variables, a value that doubles n times, n Terraform resources, a plan with n
resource changes, a `function_app.py` with n functions, ...) this writes the input
at five or six sizes, each double the last, into a temporary folder next to a
function app on a plan (so discovery, the readers, the join and the checks all
run), and runs `azfn-profile check FOLDER --format json` in a fresh subprocess per
run (killed after 60 s, with an address-space cap). The child times the `check`
call itself (not the interpreter's start) and reads its own peak RSS. One more point,
past the readers' work budget (sources/values.py: MAX_STEPS, MAX_CELLS, MAX_DEPTH,
MAX_LOOP_INSTANCES) or the file-size limit, confirms that the budget cuts the work
off quickly with an AZFN000 finding instead of running on.

Target: no input costs more than linear work in its size: the least-squares slope of
log(time) and of log(memory) against log(size) is at most 1.2 for every family.

Time is fitted on the marginal cost: a family's fixed cost (the same generator at
its smallest size, n=1: interpreter state, the reader's lazy imports, the checks on
one app) is measured first and subtracted from every point; points whose marginal
time is within the noise (under 0.05 s) are left out. Memory is the Python heap's
peak (tracemalloc) during the `check` call, in a separate run that first checks the
n=1 input so that one-time costs (imports, the HCL grammar's tables) are paid before
tracing starts. A peak does not add up the way time does (the fixed cost's transient
and the input's are mostly live at different moments), so the memory slope is
fitted on the heap peak itself, over the points where it is at least twice the
base's (the input's cost dominates). The peak RSS is reported too but not fitted:
the allocator keeps freed memory as slack, which hides a small input's cost behind
the first transient and bends the curve upward where the input's cost first exceeds
it. A family with fewer than two points left in a fit is "flat" there (its cost does
not show at these sizes) and passes.

Reading the table: `seconds` and `RSS MiB` are the medians of --runs runs at each
size (RSS is the peak RSS of the child, fixed cost included); `heap MiB` is the heap
run's peak; `t-slope` and `m-slope` are the fitted slopes; PASS when both are at
most 1.2. A slope near 2 is quadratic work;
much larger is exponential. `judged` says that the generated function app was found
and judged at every fitted size (a family whose inputs are skipped measures nothing; a
point the budget cut off with AZFN000 measures the cut, so it ends the sizes and is
left out of both fits);
`past` is the point beyond the budget: its seconds and how it ended (AZFN000,
no-AZFN000, TIMEOUT when killed at the time limit, ERROR when the child printed no
report). Any point over 10 s or 1 GiB is flagged with `!`; a point that timed out
shows as TIMEOUT, is left out of the fit and fails its family.

Usage: python benchmarks/growth.py [--families a,b] [--quick] [--runs 3] [--no-past]
                                   [--json FILE]
       python benchmarks/growth.py --refit FILE [--refit FILE ...]
       python benchmarks/growth.py --list
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
)
TIMEOUT = 60  # seconds per run, interpreter start included
MEMORY_CAP = 3 * 1024**3  # address space per run
SLOW, HEAVY = 10.0, 1024.0  # a point over either is flagged
TARGET = 1.2
MIN_SECONDS, MIN_MIB = 0.05, 1.0  # marginal cost below these is noise

# The child: times the `check` call and reads its own peak RSS (VmHWM, KiB: it starts
# afresh at exec, where ru_maxrss keeps the parent's peak from before the fork). With
# a second folder (the family's n=1 input) it is a heap run instead: it checks that
# folder first, so lazy imports, parser tables and other one-time costs are paid, then
# traces the Python heap (tracemalloc) through the measured `check` and reports its
# peak above what was live when it began. The heap peak is what the fit uses: RSS
# keeps the first run's freed memory as slack, which hides small inputs' cost and
# makes the curve look steeper than the work is.
CHILD = r"""
import contextlib, io, json, resource, sys, time, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
def hwm():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from azfn_profile.cli import cli
def check(folder):
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out):
        try:
            cli.main(["check", folder, "--format", "json"], prog_name="azfn-profile")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue()
heap = None
if len(sys.argv) > 2:
    check(sys.argv[2])
    tracemalloc.start(1)
    live = tracemalloc.get_traced_memory()[0]
before = hwm()
started = time.perf_counter()
code, printed = check(sys.argv[1])
seconds = time.perf_counter() - started
if len(sys.argv) > 2:
    heap = (tracemalloc.get_traced_memory()[1] - live) / 1024**2
    tracemalloc.stop()
peak = hwm()
try:
    report = json.loads(printed)
except ValueError:
    report = {{}}
targets = report.get("targets", [])
zero = [f.get("message", "") for f in report.get("findings", []) if f.get("id") == "AZFN000"]
print(json.dumps({{
    "code": code, "seconds": seconds, "peak_mib": peak / 1024, "heap_mib": heap,
    "imports_mib": before / 1024, "apps": len(targets),
    "app_names": sorted({{str(t.get("resource")) for t in targets}})[:5],
    "azfn000": zero[:3], "skipped": len(report.get("skipped", [])),
}}))
"""


# -- inputs ----------------------------------------------------------------------------

BICEP_PLAN = """resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'plan'
  location: 'westeurope'
  kind: 'linux'
  sku: { name: 'EP1', tier: 'ElasticPremium' }
  properties: { reserved: true }
}
"""


def bicep_site(
    name: str = "'app'", settings: str = "", site_config: str = "", symbol: str = "site"
) -> str:
    """A Linux Python function app on `plan`; `settings` are appSettings entries."""
    config = site_config or (
        "{\n      linuxFxVersion: 'Python|3.12'\n      appSettings: [\n"
        "        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }\n"
        f"{settings}      ]\n    }}"
    )
    return (
        f"resource {symbol} 'Microsoft.Web/sites@2023-12-01' = {{\n"
        f"  name: {name}\n  location: 'westeurope'\n  kind: 'functionapp,linux'\n"
        f"  properties: {{\n    serverFarmId: plan.id\n    siteConfig: {config}\n"
        "  }\n}\n"
    )


def setting(key: str, value: str) -> str:
    return f"        {{ name: '{key}', value: {value} }}\n"


def arm_template(
    site_name: str = "app",
    settings: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    site_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    site: dict[str, Any] = {
        "type": "Microsoft.Web/sites",
        "apiVersion": "2023-12-01",
        "name": site_name,
        "location": "westeurope",
        "kind": "functionapp,linux",
        "dependsOn": ["[resourceId('Microsoft.Web/serverfarms', 'plan')]"],
        "properties": {
            "serverFarmId": "[resourceId('Microsoft.Web/serverfarms', 'plan')]",
            "siteConfig": {
                "linuxFxVersion": "Python|3.12",
                "appSettings": [
                    {"name": "FUNCTIONS_EXTENSION_VERSION", "value": "~4"},
                    *(settings or []),
                ],
            },
        },
    }
    site.update(site_extra or {})
    template: dict[str, Any] = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [arm_plan(), site],
    }
    template.update(extra or {})
    return template


def arm_plan(name: str = "plan") -> dict[str, Any]:
    return {
        "type": "Microsoft.Web/serverfarms",
        "apiVersion": "2023-12-01",
        "name": name,
        "location": "westeurope",
        "kind": "elastic",
        "sku": {"name": "EP1", "tier": "ElasticPremium"},
        "properties": {"reserved": True},
    }


def arm_site(name: str, plan: str = "plan") -> dict[str, Any]:
    site: dict[str, Any] = arm_template(site_name=name)["resources"][1]
    return site | {
        "dependsOn": [f"[resourceId('Microsoft.Web/serverfarms', '{plan}')]"],
        "properties": {
            "serverFarmId": f"[resourceId('Microsoft.Web/serverfarms', '{plan}')]",
            "siteConfig": {"linuxFxVersion": "Python|3.12"},
        },
    }


TF_PLAN = """resource "azurerm_service_plan" "plan" {
  name                = "plan"
  resource_group_name = "rg"
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "EP1"
}
"""


def tf_app(label: str = "app", name: str = '"app"', settings: str = "") -> str:
    return (
        f'resource "azurerm_linux_function_app" "{label}" {{\n'
        f"  name                = {name}\n"
        '  resource_group_name = "rg"\n  location            = "westeurope"\n'
        "  service_plan_id     = azurerm_service_plan.plan.id\n"
        '  storage_account_name = "st"\n'
        "  site_config {\n    application_stack {\n"
        '      python_version = "3.12"\n    }\n  }\n'
        f'  app_settings = {{\n    FUNCTIONS_EXTENSION_VERSION = "~4"\n{settings}  }}\n'
        "}\n"
    )


PY_HEAD = (
    "import azure.functions as func\nimport requests\n\napp = func.FunctionApp()\n\n"
)
PY_FUNC = (
    '\n@app.route(route="r{i}")\ndef f{i}(req: func.HttpRequest) -> func.HttpResponse:\n'
    '    body = requests.get("https://x.invalid/{i}").text{comment}\n'
    "    return func.HttpResponse(body)\n"
)


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def with_bicep_app(files: dict[str, str]) -> dict[str, str]:
    """`files` next to a Bicep function app (for inputs that are not themselves one)."""
    return {"main.bicep": BICEP_PLAN + bicep_site(), **files}


# Each generator returns the files for size n (n=1 is the family's fixed cost).


def bicep_parens(n: int) -> dict[str, str]:
    """300 app settings, each a value in n nested parentheses (the readers bound
    nesting at 200, so n is the depth: the slope is the cost per level)."""
    value = "(" * n + "'a'" + ")" * n
    settings = "".join(setting(f"S{i}", value) for i in range(300))
    return {"main.bicep": BICEP_PLAN + bicep_site(settings=settings)}


CHAINS = 150  # chains per file: the readers bound a chain at 200 (Terraform: 64)


def bicep_var_chain(n: int) -> dict[str, str]:
    """150 chains of n variables, c_0 = 'a', c_i = c_(i-1); each chain's last is a
    setting (n is the chain's length: the readers bound it at 200)."""
    body, settings = [], []
    for c in range(CHAINS):
        body.append(f"var c{c}v0 = 'a'\n")
        body += [f"var c{c}v{i} = c{c}v{i - 1}\n" for i in range(1, n)]
        settings.append(setting(f"S{c}", f"c{c}v{n - 1}"))
    return {
        "main.bicep": "".join(body)
        + BICEP_PLAN
        + bicep_site(settings="".join(settings))
    }


def bicep_interp(n: int) -> dict[str, str]:
    """A string doubled by interpolation, format() and join() in turn: the final
    length is n characters (n a power of two)."""
    steps = max(0, int(math.log2(n)))
    lines = ["var s0 = 'a'"]
    for i in range(1, steps + 1):
        p = f"s{i - 1}"
        how = i % 3
        if how == 0:
            lines.append(f"var s{i} = '${{{p}}}${{{p}}}'")
        elif how == 1:
            lines.append(f"var s{i} = format('{{0}}{{1}}', {p}, {p})")
        else:
            lines.append(f"var s{i} = join([{p}, {p}], '')")
    body = "\n".join(lines) + "\n"
    return {
        "main.bicep": body
        + BICEP_PLAN
        + bicep_site(settings=setting("LONG", f"s{steps}"))
    }


def bicep_union(n: int) -> dict[str, str]:
    """siteConfig is union() of n one-key objects."""
    parts = ["{ linuxFxVersion: 'Python|3.12' }"] + [
        f"{{ k{i}: 'v{i}' }}" for i in range(1, n)
    ]
    body = "var config = union(\n  " + ",\n  ".join(parts) + "\n)\n"
    return {"main.bicep": body + BICEP_PLAN + bicep_site(site_config="config")}


def bicep_big_file(n: int) -> dict[str, str]:
    """n function apps, each on its own plan (plain size growth)."""
    out = []
    for i in range(n):
        out.append(
            BICEP_PLAN.replace("resource plan", f"resource plan{i}").replace(
                "name: 'plan'", f"name: 'plan{i}'"
            )
        )
        site = bicep_site(
            name=f"'app{i}'",
            symbol=f"site{i}",
            settings=setting("FUNCTIONS_WORKER_PROCESS_COUNT", f"'{1 + i % 12}'"),
        )
        out.append(site.replace("plan.id", f"plan{i}.id"))
    return {"main.bicep": "".join(out)}


def bicep_dotted(n: int) -> dict[str, str]:
    """An object nested n deep, read back through 300 member chains n long."""
    obj = "{ a: " * n + "'x'" + " }" * n
    chain = "o" + ".a" * n
    settings = "".join(setting(f"S{i}", chain) for i in range(300))
    return {
        "main.bicep": f"var o = {obj}\n" + BICEP_PLAN + bicep_site(settings=settings)
    }


def bicep_lookup(n: int) -> dict[str, str]:
    """n params and an object of n keys; n settings read a param and the object's
    key in another case (`o.KEY7` for `key7`)."""
    params = "".join(f"param p{i} string = 'v{i}'\n" for i in range(n))
    obj = "var o = {\n" + "".join(f"  key{i}: p{i}\n" for i in range(n)) + "}\n"
    settings = "".join(setting(f"S{i}", f"'${{p{i}}}-${{o.KEY{i}}}'") for i in range(n))
    return {"main.bicep": params + obj + BICEP_PLAN + bicep_site(settings=settings)}


def arm_param_chain(n: int) -> dict[str, str]:
    params: dict[str, Any] = {"p0": {"type": "string", "defaultValue": "a"}}
    for i in range(1, n):
        params[f"p{i}"] = {
            "type": "string",
            "defaultValue": f"[parameters('p{i - 1}')]",
        }
    template = arm_template(f"[parameters('p{n - 1}')]", extra={"parameters": params})
    return {"azuredeploy.json": json.dumps(template, indent=1)}


def arm_var_chain(n: int) -> dict[str, str]:
    """150 chains of n variables (bounded at 200 levels), each chain's last a
    setting."""
    variables: dict[str, Any] = {}
    settings = []
    for c in range(CHAINS):
        variables[f"c{c}v0"] = "a"
        for i in range(1, n):
            variables[f"c{c}v{i}"] = f"[variables('c{c}v{i - 1}')]"
        settings.append({"name": f"S{c}", "value": f"[variables('c{c}v{n - 1}')]"})
    template = arm_template(settings=settings, extra={"variables": variables})
    return {"azuredeploy.json": json.dumps(template, indent=1)}


def arm_format_join(n: int) -> dict[str, str]:
    """n settings, each built by format(), concat() or join() from a parameter."""
    kinds = [
        "[format('{{0}}-{0}-{{1}}', parameters('prefix'), 'x')]",
        "[concat(parameters('prefix'), '-{0}-', string({0}))]",
        "[join(createArray(parameters('prefix'), '{0}', 'y'), '-')]",
    ]
    settings = [{"name": f"S{i}", "value": kinds[i % 3].format(i)} for i in range(n)]
    params = {"prefix": {"type": "string", "defaultValue": "pre"}}
    template = arm_template(settings=settings, extra={"parameters": params})
    return {"azuredeploy.json": json.dumps(template, indent=1)}


def arm_nested_resources(n: int) -> dict[str, str]:
    """The site's child resources nested n deep (30 such chains). ARM allows five
    levels in all, the site's included, so the sizes stop at 4: the cost per level
    the family once measured is now the past point's AZFN000."""
    chains = []
    for c in range(30):
        inner: dict[str, Any] = {"type": "config", "name": f"web{c}"}
        for _ in range(n - 1):
            inner = {"type": "config", "name": f"web{c}", "resources": [inner]}
        chains.append(inner)
    template = arm_template(site_extra={"resources": chains})
    return {"azuredeploy.json": json.dumps(template)}


def arm_nested_deployments(n: int) -> dict[str, str]:
    """Inline deployments nested n deep, each holding a function app."""
    inner = arm_template(site_name="app0")
    for i in range(1, n):
        outer = arm_template(site_name=f"app{i}")
        outer["resources"].append(
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": f"d{i}",
                "properties": {"mode": "Incremental", "template": inner},
            }
        )
        inner = outer
    return {"azuredeploy.json": json.dumps(inner)}


def arm_shared_structure(n: int) -> dict[str, str]:
    """v(i) = [v(i-1), v(i-1)]: a value of n leaves (n a power of two) from log2(n)
    lines; it must cost what it builds, within the budget, not more."""
    steps = max(0, int(math.log2(n)))
    variables: dict[str, Any] = {"v0": "a"}
    for i in range(1, steps + 1):
        variables[f"v{i}"] = (
            f"[createArray(variables('v{i - 1}'), variables('v{i - 1}'))]"
        )
    settings = [{"name": "S", "value": f"[string(variables('v{steps}'))]"}]
    template = arm_template(settings=settings, extra={"variables": variables})
    return {"azuredeploy.json": json.dumps(template, indent=1)}


def arm_big(n: int) -> dict[str, str]:
    """n function apps and their n plans, names by format()."""
    resources: list[dict[str, Any]] = []
    for i in range(n):
        resources.append(arm_plan(f"[format('{{0}}-plan-{i}', parameters('prefix'))]"))
        site = arm_site(f"[format('{{0}}-{i}', parameters('prefix'))]")
        plan_id = (
            "[resourceId('Microsoft.Web/serverfarms', "
            f"format('{{0}}-plan-{i}', parameters('prefix')))]"
        )
        site["dependsOn"] = [plan_id]
        site["properties"]["serverFarmId"] = plan_id
        site["properties"]["siteConfig"]["appSettings"] = [
            {"name": "FUNCTIONS_WORKER_PROCESS_COUNT", "value": str(1 + i % 12)}
        ]
        resources.append(site)
    template = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "prefix": {
                "type": "string",
                "defaultValue": "[uniqueString(resourceGroup().id)]",
            }
        },
        "resources": resources,
    }
    return {"azuredeploy.json": json.dumps(template, indent=1)}


def tf_locals_chain(n: int) -> dict[str, str]:
    """100 chains of n locals (bounded at 64 levels; Terraform files are bounded at
    60,000 tokens), each chain's last a setting."""
    body, settings = ["locals {\n"], []
    for c in range(100):
        body.append(f'  c{c}l0 = "a"\n')
        body += [f"  c{c}l{i} = local.c{c}l{i - 1}\n" for i in range(1, n)]
        settings.append(f"    S{c} = local.c{c}l{n - 1}\n")
    body.append("}\n")
    return {"main.tf": "".join(body) + TF_PLAN + tf_app(settings="".join(settings))}


def tf_templates(n: int) -> dict[str, str]:
    """A setting that is one template with n `${...}` placeholders."""
    value = '"' + "".join(f"${{var.v}}-{i}-" for i in range(n)) + '"'
    body = 'variable "v" {\n  default = "x"\n}\n'
    return {"main.tf": body + TF_PLAN + tf_app(settings=f"    LONG = {value}\n")}


def tf_for_exprs(n: int) -> dict[str, str]:
    """app_settings merged from for expressions over a list of n items written out
    (`range()` stops at 1,024 items, as Terraform's does: a longer one is refused,
    and would measure nothing)."""
    items = ", ".join(f'"k{i}"' for i in range(n))
    body = (
        "locals {\n"
        f"  keys = [for k in [{items}] : k]\n"
        '  pairs = { for k in local.keys : upper(k) => "${k}-v" }\n'
        "}\n"
    )
    app = tf_app().replace(
        'app_settings = {\n    FUNCTIONS_EXTENSION_VERSION = "~4"\n  }',
        'app_settings = merge(local.pairs, { FUNCTIONS_EXTENSION_VERSION = "~4" })',
    )
    return {"main.tf": body + TF_PLAN + app}


def tf_big(n: int) -> dict[str, str]:
    """n function apps on one plan."""
    apps = "".join(
        tf_app(
            label=f"app{i}",
            name=f'"app{i}"',
            settings=f'    FUNCTIONS_WORKER_PROCESS_COUNT = "{1 + i % 12}"\n',
        )
        for i in range(n)
    )
    return {"main.tf": TF_PLAN + apps}


UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def preview_json(n: int) -> dict[str, str]:
    """A Pulumi preview: a plan and n apps, each with unknown values."""
    plan_urn = "urn:pulumi:dev::p::azure-native:web:AppServicePlan::plan"
    steps: list[dict[str, Any]] = [
        {
            "op": "create",
            "urn": plan_urn,
            "newState": {
                "type": "azure-native:web:AppServicePlan",
                "urn": plan_urn,
                "inputs": {"name": "plan", "sku": {"name": "EP1"}, "reserved": True},
            },
        }
    ]
    for i in range(n):
        urn = f"urn:pulumi:dev::p::azure-native:web:WebApp::app{i}"
        steps.append(
            {
                "op": "create",
                "urn": urn,
                "newState": {
                    "type": "azure-native:web:WebApp",
                    "urn": urn,
                    "inputs": {
                        "name": f"app{i}",
                        "kind": "functionapp,linux",
                        "serverFarmId": UNKNOWN,
                        "siteConfig": {
                            "linuxFxVersion": "Python|3.12",
                            "appSettings": [
                                {
                                    "name": "FUNCTIONS_WORKER_PROCESS_COUNT",
                                    "value": "2",
                                },
                                {"name": "AzureWebJobsStorage", "value": UNKNOWN},
                            ],
                        },
                    },
                    "dependencies": [plan_urn],
                },
            }
        )
    return {"preview.json": json.dumps({"steps": steps}, indent=1)}


def plan_json(n: int) -> dict[str, str]:
    """`terraform show -json`: a plan and n apps in resource_changes."""

    def change(address: str, kind: str, after: dict[str, Any]) -> dict[str, Any]:
        label = address.split(".", 1)[1].split("[")[0]
        return {
            "address": address,
            "mode": "managed",
            "type": kind,
            "name": label,
            "provider_name": "registry.terraform.io/hashicorp/azurerm",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": after,
                "after_unknown": {"id": True},
            },
        }

    changes = [
        change(
            "azurerm_service_plan.plan",
            "azurerm_service_plan",
            {
                "name": "plan",
                "os_type": "Linux",
                "sku_name": "EP1",
                "location": "westeurope",
            },
        )
    ]
    changes.extend(
        change(
            f"azurerm_linux_function_app.app{i}",
            "azurerm_linux_function_app",
            {
                "name": f"app{i}",
                "location": "westeurope",
                "https_only": True,
                "app_settings": {"FUNCTIONS_WORKER_PROCESS_COUNT": str(1 + i % 12)},
                "site_config": [{"application_stack": [{"python_version": "3.12"}]}],
            },
        )
        for i in range(n)
    )
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": changes,
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": f"azurerm_linux_function_app.app{i}",
                        "type": "azurerm_linux_function_app",
                        "name": f"app{i}",
                        "expressions": {
                            "service_plan_id": {
                                "references": ["azurerm_service_plan.plan.id"]
                            }
                        },
                    }
                    for i in range(n)
                ]
            }
        },
    }
    return {"tfplan.json": json.dumps(plan, indent=1)}


def python_code(n: int) -> dict[str, str]:
    code = PY_HEAD + "".join(PY_FUNC.format(i=i, comment="") for i in range(n))
    return with_bicep_app({"function_app.py": code})


def python_attr_chain(n: int) -> dict[str, str]:
    """300 functions, each returning an attribute and call chain n long."""
    chain = "req" + "".join(".a" if j % 2 else ".b()" for j in range(n))
    code = PY_HEAD + "".join(
        f'\n@app.route(route="r{i}")\ndef f{i}(req):\n    return {chain}\n'
        for i in range(300)
    )
    return with_bicep_app({"function_app.py": code})


def fastapi_routers(n: int) -> dict[str, str]:
    """A FastAPI app behind AsgiFunctionApp with n routers in one module, each with
    one async route making a blocking call, all included into the app."""
    routers = "".join(
        f'r{i} = APIRouter(prefix="/p{i}")\n\n\n@r{i}.get("/x")\n'
        f"async def route{i}():\n    return requests.get('https://x.invalid/{i}')\n\n\n"
        for i in range(n)
    )
    includes = "".join(f"api.include_router(r{i})\n" for i in range(n))
    web = (
        "import requests\nfrom fastapi import APIRouter, FastAPI\n\n"
        f"{routers}api = FastAPI()\n{includes}"
    )
    entry = (
        "import azure.functions as func\n\nfrom web import api\n\n"
        "app = func.AsgiFunctionApp(app=api)\n"
    )
    return with_bicep_app({"function_app.py": entry, "web.py": web})


def suppressions(n: int) -> dict[str, str]:
    """n functions, each with a blocking call suppressed by its comment."""
    code = PY_HEAD + "".join(
        PY_FUNC.format(i=i, comment="  # azfn: ignore[AZFN401] measured at 20 ms")
        for i in range(n)
    ).replace("def f", "async def f")
    return with_bicep_app({"function_app.py": code})


def yaml_data(n: int) -> dict[str, str]:
    """A data .yaml of n rows (KiB-ish) next to the app: skipped unparsed from the
    first size (300 KiB: over the 256 KiB a profile may have; one under it that
    names a profile key is parsed, a cost bounded by that limit)."""
    rows = "".join(f"- id: {i}\n  name: row{i}\n  plan: none\n" for i in range(n * 20))
    return with_bicep_app({"data/rows.yaml": "rows:\n" + rows})


def many_files(n: int) -> dict[str, str]:
    """n small files: n/2 Bicep function apps on their own plans and n/2 data
    .yaml files, in a folder tree."""
    files: dict[str, str] = {}
    for i in range(max(1, n // 2)):
        site = bicep_site(name=f"'app{i}'").replace("plan.id", "plan.id")
        plan = BICEP_PLAN.replace("name: 'plan'", f"name: 'plan{i}'")
        files[f"apps/a{i % 37}/app{i}.bicep"] = plan + site
        files[f"data/d{i % 37}/rows{i}.yaml"] = f"rows:\n- id: {i}\n"
    return files


@dataclass
class Family:
    name: str
    build: Callable[[int], dict[str, str]]
    sizes: list[int]
    past: int | None  # a size beyond the budget, or None
    unit: str = "n"
    quick: list[int] = field(default_factory=list)

    def quick_sizes(self) -> list[int]:
        return self.quick or self.sizes[-4:-1]


def doubling(start: int, count: int) -> list[int]:
    return [start * 2**k for k in range(count)]


FAMILIES = [
    Family("bicep_parens", bicep_parens, [6, 12, 24, 48, 96, 192], 400, "depth"),
    Family("bicep_var_chain", bicep_var_chain, [6, 12, 24, 48, 96, 192], 400, "length"),
    Family("bicep_interp", bicep_interp, doubling(2**16, 6), 2**23, "chars"),
    Family("bicep_union", bicep_union, doubling(250, 6), 400_000, "objects"),
    Family("bicep_big_file", bicep_big_file, doubling(25, 6), 40_000, "apps"),
    Family("bicep_dotted", bicep_dotted, [6, 12, 24, 48, 96, 192], 400, "depth"),
    Family("bicep_lookup", bicep_lookup, doubling(62, 6), 100_000, "keys"),
    Family("arm_param_chain", arm_param_chain, doubling(125, 6), 200_000, "params"),
    Family("arm_var_chain", arm_var_chain, [6, 12, 24, 48, 96, 192], 400, "length"),
    Family("arm_format_join", arm_format_join, doubling(250, 6), 200_000, "settings"),
    Family("arm_nested_resources", arm_nested_resources, [1, 2, 3, 4], 400, "depth"),
    Family(
        "arm_nested_deployments", arm_nested_deployments, doubling(2, 5), 64, "depth"
    ),
    Family(
        "arm_shared_structure",
        arm_shared_structure,
        doubling(2**14, 6),
        2**23,
        "leaves",
    ),
    Family("arm_big", arm_big, doubling(50, 6), 30_000, "apps"),
    Family("tf_locals_chain", tf_locals_chain, [2, 4, 8, 16, 32, 60], 128, "length"),
    Family("tf_templates", tf_templates, doubling(200, 6), 32_000, "placeholders"),
    Family("tf_for_exprs", tf_for_exprs, doubling(250, 6), 200_000, "items"),
    Family("tf_big", tf_big, doubling(25, 5), 20_000, "apps"),
    Family("preview_json", preview_json, doubling(50, 6), 40_000, "apps"),
    Family("plan_json", plan_json, doubling(50, 6), 40_000, "apps"),
    Family("python_code", python_code, doubling(100, 6), 100_000, "functions"),
    Family(
        "python_attr_chain", python_attr_chain, [6, 12, 24, 48, 96, 192], 400, "length"
    ),
    Family("fastapi_routers", fastapi_routers, doubling(100, 6), 50_000, "routers"),
    Family("suppressions", suppressions, doubling(10, 6), 5_000, "comments"),
    Family("yaml_data", yaml_data, doubling(500, 5), 20_000, "KiB-ish"),
    Family("many_files", many_files, doubling(25, 6), None, "files"),
]


# -- running ---------------------------------------------------------------------------


def run_once(folder: Path, warm: Path | None = None) -> dict[str, Any]:
    """One `check` in a fresh child: its figures, or an `error` ("timeout" when it
    ran past TIMEOUT and was killed). With `warm`, a heap run (see CHILD)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="0")
    cmd = [sys.executable, "-c", CHILD.format(cap=MEMORY_CAP), str(folder)]
    cmd += [str(warm)] if warm is not None else []
    failed: dict[str, Any] = {
        "seconds": math.nan,
        "peak_mib": math.nan,
        "heap_mib": None,
        "apps": 0,
        "azfn000": [],
    }
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, env=env, check=False, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return failed | {"code": None, "seconds": float(TIMEOUT), "error": "timeout"}
    try:
        outcome: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = (done.stderr or done.stdout)[-300:]
        return failed | {"code": done.returncode, "error": tail or "no output"}
    return outcome


def status(point: dict[str, Any]) -> str:
    """How a point ended: TIMEOUT (killed), ERROR (no report), AZFN000 (the budget
    cut it off) or no-AZFN000 (it ran to the end)."""
    if point.get("error") == "timeout":
        return "TIMEOUT"
    if point.get("error"):
        return "ERROR"
    return "AZFN000" if point["azfn000"] else "no-AZFN000"


def measure(
    family: Family, n: int, runs: int, tmp: Path, heap: bool = True
) -> dict[str, Any]:
    folder = tmp / f"{family.name}-{n}"
    folder.mkdir(exist_ok=True)
    files = family.build(n)
    write(folder, files)
    nbytes = sum(len(t.encode()) for t in files.values())
    outcomes = []
    for _ in range(runs):
        outcome = run_once(folder)
        outcomes.append(outcome)
        if not outcome.get("seconds", 0) < SLOW:  # slow (or failed): once is enough
            break
    seconds = statistics.median(o["seconds"] for o in outcomes)
    peak = statistics.median(o["peak_mib"] for o in outcomes)
    last = outcomes[-1]
    heap_mib = None
    if heap and not last.get("error"):  # the heap is deterministic: one run is enough
        heap_mib = run_once(folder, warm=tmp / f"{family.name}-1").get("heap_mib")
    return {
        "n": n,
        "bytes": nbytes,
        "seconds": seconds,
        "peak_mib": peak,
        "heap_mib": heap_mib,
        "runs": [round(o["seconds"], 3) for o in outcomes],
        "code": last.get("code"),
        "apps": last.get("apps", 0),
        "azfn000": last.get("azfn000", []),
        "error": last.get("error"),
    }


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) on log(x)."""
    if len(points) < 2:
        return None
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return (
        sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den
        if den
        else None
    )


def fit(
    base: dict[str, Any], points: list[dict[str, Any]], key: str, floor: float
) -> float | None:
    """Time adds up: the slope of the marginal time (the point's less the base's)."""
    marginal = [(p["n"], p[key] - base[key]) for p in points]
    top = max((m for _, m in marginal if not math.isnan(m)), default=0.0)
    kept = [(n, m) for n, m in marginal if m >= max(floor, 0.02 * top)]
    return slope(kept)


def fit_peak(base: dict[str, Any], points: list[dict[str, Any]]) -> float | None:
    """A peak does not add up: the fixed cost's transient (the scan's own, the
    report's) and the input's are mostly live at different moments, so the peak is
    nearer their larger than their sum, and subtracting the base would bend the curve
    upward. The slope of the heap peak itself, over the points where it is at least
    twice the base's and MIN_MIB above it (the input's cost dominates)."""
    floor = base.get("heap_mib")
    if floor is None:
        return None
    kept = [
        (p["n"], p["heap_mib"])
        for p in points
        if p.get("heap_mib") is not None
        and p["heap_mib"] >= max(2 * floor, floor + MIN_MIB)
    ]
    return slope(kept)


def heap_text(point: dict[str, Any]) -> str:
    heap = point.get("heap_mib")
    return "-" if heap is None else f"{heap:.1f}"


def run_family(
    family: Family, sizes: list[int], runs: int, past: bool, tmp: Path
) -> dict[str, Any]:
    base = measure(family, 1, runs, tmp)
    print(
        f"  {family.name} base n=1: {base['seconds']:.2f} s {base['peak_mib']:.0f} MiB "
        f"heap {heap_text(base)} "
        f"apps={base['apps']} {base['runs']}",
        file=sys.stderr,
        flush=True,
    )
    points = []
    for n in sizes:
        point = measure(family, n, runs, tmp)
        points.append(point)
        flag = "!" if point["seconds"] > SLOW or point["peak_mib"] > HEAVY else ""
        print(
            f"  {family.name} n={n:,} ({point['bytes'] / 1024:,.0f} KiB): "
            f"{point['seconds']:.2f} s {point['peak_mib']:.0f} MiB "
            f"heap {heap_text(point)} apps={point['apps']}"
            f" {status(point)}{flag} {point['runs']}",
            file=sys.stderr,
            flush=True,
        )
        if point["seconds"] > SLOW or point["azfn000"] or point.get("error"):
            break  # larger sizes would only be slower, or are past the budget
    beyond = None
    if past and family.past is not None:
        beyond = measure(family, family.past, 1, tmp, heap=False)
        print(
            f"  {family.name} past n={family.past:,}: {beyond['seconds']:.2f} s "
            f"{beyond['peak_mib']:.0f} MiB {status(beyond)} {beyond['azfn000'][:1]}",
            file=sys.stderr,
            flush=True,
        )
    return fitted(
        {
            "family": family.name,
            "unit": family.unit,
            "base": base,
            "points": points,
            "past": beyond,
        }
    )


def fitted(result: dict[str, Any]) -> dict[str, Any]:
    """The family's slopes and verdict from its points. A point that timed out or
    failed has no figures to fit (its time is only a lower bound; a timeout at a
    regular size fails the family outright); one the budget cut off (AZFN000)
    measures the cut, not the work, so it is left out too."""
    base, points = result["base"], result["points"]
    kept = [p for p in points if not p.get("error") and not p["azfn000"]]
    t_slope = fit(base, kept, "seconds", MIN_SECONDS)
    m_slope = fit_peak(base, kept)
    timed_out = any(status(p) == "TIMEOUT" for p in points)
    ok = not timed_out and all(s is None or s <= TARGET for s in (t_slope, m_slope))
    return result | {
        "time_slope": t_slope,
        "memory_slope": m_slope,
        "judged": bool(kept) and all(p["apps"] > 0 for p in kept) and base["apps"] > 0,
        "timed_out": timed_out,
        "in_budget": not any(p["azfn000"] for p in points),
        "pass": ok,
    }


def table(results: list[dict[str, Any]]) -> str:
    def f(s: float | None) -> str:
        return "flat" if s is None else f"{s:.2f}"

    header = (
        f"{'family':24} {'sizes':>22} {'seconds (base; points)':>40} {'RSS MiB':>22} "
        f"{'heap MiB':>34} "
        f"{'t-slope':>7} {'m-slope':>7} {'judged':>6}  past  result"
    )
    lines = [header]
    for r in results:
        pts = r["points"]
        sizes = f"{pts[0]['n']:,}..{pts[-1]['n']:,} x{len(pts)}" if pts else "-"
        secs = f"{r['base']['seconds']:.2f}; " + " ".join(
            "TIMEOUT"
            if status(p) == "TIMEOUT"
            else f"{p['seconds']:.2f}" + ("!" if p["seconds"] > SLOW else "")
            for p in pts
        )
        mib = f"{r['base']['peak_mib']:.0f}; " + " ".join(
            f"{p['peak_mib']:.0f}" + ("!" if p["peak_mib"] > HEAVY else "") for p in pts
        )
        heap = f"{heap_text(r['base'])}; " + " ".join(heap_text(p) for p in pts)
        past = r["past"]
        past_s = "-" if past is None else f"{past['seconds']:.1f}s {status(past)}"
        judged = "yes" if r["judged"] else "NO"
        if not r["in_budget"]:
            judged += "*"
        lines.append(
            f"{r['family']:24} {sizes:>22} {secs:>40} {mib:>22} {heap:>34} "
            f"{f(r['time_slope']):>7} "
            f"{f(r['memory_slope']):>7} {judged:>6}  {past_s}  {'PASS' if r['pass'] else 'FAIL'}"
        )
    lines.append(
        "seconds/RSS: median per point; heap: one heap run's peak; base = n=1 "
        "(t-slope: of seconds less the base's; m-slope: of the heap where it is at "
        "least twice the base's); "
        f"! = over {SLOW:.0f} s / {HEAVY:.0f} MiB; * = a point hit AZFN000 (stopped "
        f"there); TIMEOUT = killed after {TIMEOUT} s (left out of the fit, FAIL)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", help="comma-separated (default: all)")
    parser.add_argument(
        "--quick", action="store_true", help="three sizes, one run, no past point"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per point (median)")
    parser.add_argument(
        "--no-past", action="store_true", help="skip the point past the budget"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--list", action="store_true", help="list the families")
    parser.add_argument(
        "--refit",
        type=Path,
        action="append",
        metavar="JSON",
        help="fit and print the figures saved by --json (no run; repeat to merge, "
        "a later file's family replacing an earlier one's)",
    )
    args = parser.parse_args()
    if args.refit:
        merged: dict[str, dict[str, Any]] = {}
        for saved in args.refit:
            merged |= {r["family"]: fitted(r) for r in json.loads(saved.read_text())}
        order = [f.name for f in FAMILIES]
        report(sorted(merged.values(), key=lambda r: order.index(r["family"])))
        return
    if args.list:
        for fam in FAMILIES:
            print(f"{fam.name:24} {fam.unit:>12} {fam.sizes} past={fam.past}")
        return
    chosen = FAMILIES
    if args.families:
        names = args.families.split(",")
        unknown = set(names) - {f.name for f in FAMILIES}
        if unknown:
            parser.error(f"unknown families: {', '.join(sorted(unknown))}")
        chosen = [f for f in FAMILIES if f.name in names]
    runs = 1 if args.quick else args.runs
    results = []
    with tempfile.TemporaryDirectory(prefix="azfn-growth-") as tmp:
        for family in chosen:
            sizes = family.quick_sizes() if args.quick else family.sizes
            results.append(
                run_family(
                    family, sizes, runs, not (args.quick or args.no_past), Path(tmp)
                )
            )
            if args.json:  # after each family: a long run interrupted keeps its figures
                args.json.write_text(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    report(results)


def report(results: list[dict[str, Any]]) -> None:
    print(table(results))
    failed = [r["family"] for r in results if not r["pass"]]
    if failed:
        print(f"over the target slope {TARGET}: {', '.join(failed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
