"""azurerm function apps (Linux, Windows, Flex Consumption, the deprecated
`azurerm_function_app`, and their slots) as the ARM site the provider deploys.

What the provider writes, read from its expanders (internal/services/appservice/
helpers/function_app_schema.go, `ExpandSiteConfigLinuxFunctionApp` and
`MergeUserAppSettings`; linux_function_app_resource.go `Create`): the kind
(`functionapp,linux` or `functionapp`), `FUNCTIONS_EXTENSION_VERSION`,
`AzureWebJobsStorage` (a connection string with the account key, or
`AzureWebJobsStorage__accountName` with `storage_uses_managed_identity`),
`AzureWebJobsDashboard` when built-in logging is on (its default),
`FUNCTIONS_WORKER_RUNTIME` and `linuxFxVersion` from `application_stack`, the
Application Insights settings, then `app_settings` over them. The publishing
credential flags become `basicPublishingCredentialsPolicies` children (Flex: `scm`
only). Flex Consumption's `runtime_*`, `instance_memory_in_mb` (default 2048),
`maximum_instance_count` (default 100), `always_ready` and `http_concurrency` become
`functionAppConfig`. Not modelled: the Azure Files content settings of Consumption
and Elastic Premium (no check reads them) and the empty-key `AzureWebJobsStorage`
the Flex resource writes under identity authentication (terraform-provider-azurerm
#29693).
"""

from __future__ import annotations

from typing import Any

from azfn_profile.sources.terraform_map import (
    ABSENT,
    Mapped,
    SiteKind,
    View,
    Where,
)
from azfn_profile.sources.terraform_settings import (
    SETTINGS,
    Settings,
    system_settings,
    user_settings,
)
from azfn_profile.sources.values import Computed, Opaque, text

# site_config argument -> siteConfig property, per family (None: not an argument).
_CONFIG = {
    "minTlsVersion": ("minimum_tls_version", "min_tls_version"),
    "scmMinTlsVersion": ("scm_minimum_tls_version", None),
    "ftpsState": ("ftps_state", "ftps_state"),
    "alwaysOn": ("always_on", "always_on"),
    "http20Enabled": ("http2_enabled", "http2_enabled"),
    "minimumElasticInstanceCount": (
        "elastic_instance_minimum",
        "elastic_instance_minimum",
    ),
    "preWarmedInstanceCount": (
        "pre_warmed_instance_count",
        "pre_warmed_instance_count",
    ),
    "functionAppScaleLimit": ("app_scale_limit", "app_scale_limit"),
    "linuxFxVersion": (None, "linux_fx_version"),
}
_DEFAULTS: dict[str, dict[str, Any]] = {
    "linux": {
        "minTlsVersion": "1.2",
        "scmMinTlsVersion": "1.2",
        "ftpsState": "Disabled",
        "alwaysOn": False,
    },
    "windows": {
        "minTlsVersion": "1.2",
        "scmMinTlsVersion": "1.2",
        "ftpsState": "Disabled",
        "alwaysOn": False,
    },
    "flex": {"minTlsVersion": "1.2", "scmMinTlsVersion": "1.2"},
    "legacy": {"minTlsVersion": "1.2", "ftpsState": "AllAllowed", "alwaysOn": False},
}
_FLEX_ONLY_MISSING = (
    "ftpsState",
    "alwaysOn",
    "minimumElasticInstanceCount",
    "preWarmedInstanceCount",
    "functionAppScaleLimit",
)


def site(rtype: str, kind: SiteKind, name: Any, v: View) -> list[Mapped]:
    family = kind.family
    places: dict[tuple[Any, ...], Where] = {}
    props: dict[str, Any] = {}
    body: dict[str, Any] = {"kind": _kind(kind, v), "properties": props}
    plan_arg = "app_service_plan_id" if family == "legacy" else "service_plan_id"
    plan = v.get(plan_arg, None)
    if plan is not None:
        props["serverFarmId"] = plan
        places[("properties", "serverFarmId")] = v.where(plan_arg)
    props["httpsOnly"] = v.get("https_only", False)
    places[("properties", "httpsOnly")] = v.where("https_only")
    idents = v.blocks("identity")
    if idents:
        body["identity"] = {"type": idents[0].get("type", None)}
        places[("identity",)] = (idents[0].line, idents[0].col)
    tags = v.get("tags", None)
    if tags is not None:
        body["tags"] = tags
        places[("tags",)] = v.where("tags")
    configs = v.blocks("site_config")
    config_view = configs[0] if configs else None
    config = _site_config(family, config_view, places)
    settings = Settings(v.where("app_settings"))
    system_settings(family, v, config_view, config, settings)
    user_settings(v, settings)
    config["appSettings"] = [{"name": n, "value": val} for n, val, _ in settings.pairs]
    for i, (_, _, at) in enumerate(settings.pairs):
        path = (*SETTINGS, i, "value")
        places[path] = at
    places[SETTINGS] = v.where("app_settings")
    props["siteConfig"] = config
    if family == "flex":
        props["functionAppConfig"] = _flex_config(v, places)
    arm = "Microsoft.Web/sites/slots" if kind.slot else "Microsoft.Web/sites"
    out = [Mapped(arm, name, body, places)]
    out += _policies(family, arm, name, v)
    return out


def _kind(kind: SiteKind, v: View) -> Any:
    if kind.family != "legacy":
        return kind.kind
    os_type = v.get("os_type", "")
    if isinstance(os_type, Computed):
        return Opaque("the kind from os_type")
    return "functionapp,linux" if os_type == "linux" else "functionapp"


def _site_config(
    family: str, sc: View | None, places: dict[tuple[Any, ...], Where]
) -> dict[str, Any]:
    config: dict[str, Any] = dict(_DEFAULTS[family])
    if sc is None:
        return config
    places[("properties", "siteConfig")] = (sc.line, sc.col)
    column = 1 if family == "legacy" else 0
    for prop, names in _CONFIG.items():
        arg = names[column]
        if arg is None or (family == "flex" and prop in _FLEX_ONLY_MISSING):
            continue
        value = sc.get(arg, ABSENT)
        if value is ABSENT or value is None:
            continue
        config[prop] = value
        places[("properties", "siteConfig", prop)] = sc.where(arg)
    return config


def _flex_config(v: View, places: dict[tuple[Any, ...], Where]) -> dict[str, Any]:
    scale: dict[str, Any] = {
        "instanceMemoryMB": v.get("instance_memory_in_mb", 2048),
        "maximumInstanceCount": v.get("maximum_instance_count", 100),
    }
    ready = v.blocks("always_ready")
    if ready:
        scale["alwaysReady"] = [
            {
                "name": b.get("name", None),
                "instanceCount": b.get("instance_count", None),
            }
            for b in ready
        ]
    http = v.get("http_concurrency", None)
    if http is not None:
        scale["triggers"] = {"http": {"perInstanceConcurrency": http}}
    anchor = "http_concurrency" if http is not None else "runtime_name"
    places[("properties", "functionAppConfig")] = v.where(anchor)
    return {
        "runtime": {
            "name": v.get("runtime_name", None),
            "version": v.get("runtime_version", None),
        },
        "scaleAndConcurrency": scale,
    }


def _policies(family: str, arm: str, name: Any, v: View) -> list[Mapped]:
    if family == "legacy":
        return []
    wanted = [("scm", "webdeploy_publish_basic_authentication_enabled")]
    if family != "flex":
        wanted.insert(0, ("ftp", "ftp_publish_basic_authentication_enabled"))
    out = []
    for leaf, arg in wanted:
        body = {"properties": {"allow": v.get(arg, True)}}
        places = {("properties",): v.where(arg), ("properties", "allow"): v.where(arg)}
        child = text([name, "/", leaf])
        out.append(
            Mapped(f"{arm}/basicPublishingCredentialsPolicies", child, body, places)
        )
    return out
