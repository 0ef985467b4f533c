"""Renderers: AppSpec -> text in one format. They serialize; they never decide."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from azfn_profile import sink
from azfn_profile.fleet import fleet
from azfn_profile.spec import AppSpec, Decision


def dumps(value: Any) -> str:
    """The one JSON style for every output: 2-space indent, UTF-8, final newline."""
    return sink.json_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def decision_dict(d: Decision) -> dict[str, Any]:
    out: dict[str, Any] = {
        "setting": d.setting,
        "value": d.value,
        "rule": d.rule,
        "inputs": dict(d.inputs),
        "guidance": d.guidance,
        "source": d.source,
    }
    if d.note:
        out["note"] = d.note
    return out


def spec_document(spec: AppSpec) -> dict[str, Any]:
    """The whole resolved result as plain data, keys in a fixed order."""
    workload = spec.workload
    return {
        "name": spec.name,
        "python": spec.python,
        "location": spec.location,
        "workload": None
        if workload is None
        else {
            "kind": workload.kind,
            "style": workload.style,
            "io_share": workload.io_share,
            "concurrency": workload.concurrency,
            "memory_per_process_mb": workload.memory_per_process_mb,
        },
        "triggers": list(spec.triggers),
        "functions": dict(spec.functions) if spec.functions is not None else None,
        "plan": {
            "sku": spec.plan.sku,
            "tier": spec.plan.tier,
            "family": spec.plan.family,
            "kind": spec.plan.kind,
            "reserved": spec.plan.reserved,
            "cores": spec.plan.cores,
            "memory_mb": spec.plan.memory_mb,
            "max_instances": spec.plan.max_instances,
            "always_ready": spec.plan.always_ready,
            "always_ready_groups": None
            if spec.plan.ready_groups is None
            else dict(spec.plan.ready_groups),
        },
        "workers": {"processes": spec.processes, "threads": spec.threads},
        "app_settings": dict(spec.app_settings),
        "site": {
            "kind": spec.site.kind,
            "linux_fx_version": spec.site.linux_fx_version,
            "always_on": spec.site.always_on,
            "https_only": spec.site.https_only,
            "min_tls_version": spec.site.min_tls_version,
            "scm_min_tls_version": spec.site.scm_min_tls_version,
            "http20_enabled": spec.site.http20_enabled,
            "ftps_state": spec.site.ftps_state,
            "identity": spec.site.identity,
            "basic_publishing_credentials": spec.site.basic_publishing_credentials,
        },
        "function_app_config": spec.function_app_config,
        "host_json": spec.host_json,
        "tags": dict(spec.tags),
        "fleet": fleet(spec).document(),
        "decisions": [decision_dict(d) for d in spec.decisions],
    }


def render_json(spec: AppSpec) -> str:
    return dumps(spec_document(spec))


def render_settings(spec: AppSpec) -> str:
    """name -> value, for `az functionapp config appsettings set --settings @file`."""
    return dumps(dict(spec.app_settings))


_ENV_SAFE = re.compile(r"[A-Za-z0-9_./:@%+,=-]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def render_env(spec: AppSpec) -> str:
    """NAME=value lines that POSIX shells can `source` without running anything:
    values outside a safe set are single-quoted, and names must be identifiers."""
    from azfn_profile.errors import AzfnProfileError

    lines = []
    for name, value in spec.app_settings.items():
        if not _ENV_NAME.fullmatch(name):
            raise AzfnProfileError(
                f"app setting {name!r} is not a shell variable name; --format env "
                "cannot write it (use --format settings)"
            )
        lines.append(f"{name}={_env_value(value)}\n")
    return "".join(lines)


def _env_value(value: str) -> str:
    if _ENV_SAFE.fullmatch(value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


def render_host_json(spec: AppSpec) -> str:
    return dumps(spec.host_json)


def render_arm(spec: AppSpec) -> str:
    from azfn_profile.infra import describe
    from azfn_profile.render import arm, azure

    return dumps(arm.template(azure.build(describe(spec))))


def render_bicep(spec: AppSpec) -> str:
    from azfn_profile.infra import describe
    from azfn_profile.render import azure, bicep

    return bicep.bicep(azure.build(describe(spec)))


def render_terraform(spec: AppSpec) -> str:
    """The Terraform module in native syntax (HCL)."""
    from azfn_profile.infra import describe
    from azfn_profile.render import terraform
    from azfn_profile.render.hcl import to_hcl

    return to_hcl(terraform.module_tf(describe(spec)))


def render_terraform_json(spec: AppSpec) -> str:
    """The same module in Terraform's JSON syntax."""
    from azfn_profile.infra import describe
    from azfn_profile.render import terraform

    return dumps(terraform.module_tf(describe(spec)))


def terraform_root(spec: AppSpec) -> dict[str, str]:
    """providers.tf and main.tf of a root that calls the module in MODULE_DIR."""
    from azfn_profile.infra import describe
    from azfn_profile.render import terraform
    from azfn_profile.render.hcl import to_hcl

    root = terraform.root_tf(describe(spec), f"./{MODULE_DIR}")
    return {f"{name}.tf": to_hcl(doc) for name, doc in root.items()}


RENDERERS: dict[str, Callable[[AppSpec], str]] = {
    "json": render_json,
    "settings": render_settings,
    "env": render_env,
    "host-json": render_host_json,
    "arm": render_arm,
    "bicep": render_bicep,
    "terraform": render_terraform,
    "terraform-json": render_terraform_json,
}

# `render --format all -o DIR`: file name -> format. Terraform is a folder: a root
# (providers.tf, main.tf) calling the module in terraform/MODULE_DIR.
MODULE_DIR = "modules/function-app"
BUNDLE = {
    "main.bicep": "bicep",
    "azuredeploy.json": "arm",
    f"terraform/{MODULE_DIR}/main.tf": "terraform",
    "appsettings.json": "settings",
    "host.json": "host-json",
}


def render_bundle(spec: AppSpec) -> dict[str, str]:
    files = {name: RENDERERS[fmt](spec) for name, fmt in BUNDLE.items()}
    files.update({f"terraform/{n}": t for n, t in terraform_root(spec).items()})
    return dict(sorted(files.items()))
