"""Azure Verified Modules called from Bicep, mapped onto the resources they deploy.

Registry modules are not fetched; for the modules that define function apps, their
documented parameters are mapped onto the same resources the module's own template
deploys, per version line (read in Azure/bicep-registry-modules, avm/res/web/site,
avm/res/web/serverfarm and avm/res/storage/storage-account, main.bicep at each
version.json bump):

- web/site 0.1-0.24: `kind`, `name`, `serverFarmResourceId`, `httpsOnly` (default
  true), `siteConfig` (default: none before 0.4, `{alwaysOn: true}` in 0.4-0.10,
  `{alwaysOn: true, minTlsVersion: '1.2', ftpsState: 'FtpsOnly'}` from 0.11),
  `managedIdentities`, `functionAppConfig` (0.10+), `basicPublishingCredentialsPolicies`
  (`allow` defaults to true), `slots`, `tags`, `publicNetworkAccess`; app settings from
  `appSettingsKeyValuePairs` with `storageAccountResourceId`,
  `storageAccountUseIdentityAuthentication` and `appInsightResourceId` (0.1-0.15, kept
  over the current settings from 0.9) or from `configs` entries named `appsettings`
  and `web` (0.16+, `retainCurrentAppSettings` defaulting to true).
- web/serverfarm 0.1-0.7: `name`, `sku` (object, 0.1) or `skuName`, `kind` (default
  'App'/'app'), `reserved` (default false in 0.1, else kind is linux),
  `maximumElasticWorkerCount`; FC1 gets tier FlexConsumption.
- storage/storage-account: `name`, `allowBlobPublicAccess` (default false),
  `allowSharedKeyAccess`.
Other registry modules are listed as not inspected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from azfn_profile.sources.values import Opaque, ResourceId, text

Emit = Callable[[str, Any, dict[str, Any], dict[str, Any]], None]
Version = tuple[int, ...]

_REF = re.compile(
    r"^(?:br/public:|br:mcr\.microsoft\.com/bicep/)(?P<path>avm/[a-z0-9/\-]+)"
    r":(?P<version>[0-9][0-9.]*)",
    re.IGNORECASE,
)


def registry_module(reference: str) -> tuple[str, Version] | None:
    """('avm/res/web/site', (0, 15, 1)) for a public AVM reference, else None."""
    match = _REF.match(reference.strip())
    if match is None:
        return None
    version = tuple(int(p) for p in match.group("version").split(".") if p.isdigit())
    return match.group("path").lower(), version


def supported(path: str) -> bool:
    return path in _MODULES


def deploy(
    path: str, version: Version, params: Mapping[str, Any], emit: Emit
) -> dict[str, Any]:
    """Emit the resources module `path` deploys; return its outputs."""
    return _MODULES[path](version, params, emit)


def _site_config_default(version: Version) -> dict[str, Any] | None:
    if version < (0, 4):
        return None
    if version < (0, 11):
        return {"alwaysOn": True}
    return {"alwaysOn": True, "minTlsVersion": "1.2", "ftpsState": "FtpsOnly"}


def _identity(managed: Any) -> Any:
    if managed is None:
        return None
    if not isinstance(managed, dict):
        return Opaque("managedIdentities")
    system = managed.get("systemAssigned", False)
    users = managed.get("userAssignedResourceIds") or []
    if not isinstance(system, bool) or not isinstance(users, list):
        return {"type": Opaque("managedIdentities")}
    if system:
        return {"type": "SystemAssigned, UserAssigned" if users else "SystemAssigned"}
    return {"type": "UserAssigned" if users else "None"}


def _storage_settings(
    storage_id: Any, identity_auth: Any, insights_id: Any
) -> dict[str, Any]:
    """What AVM's appsettings config adds for the storage and App Insights ids."""
    out: dict[str, Any] = {}
    if storage_id:
        account = Opaque(f"last(split({storage_id}, '/'))")
        if identity_auth is True:
            out["AzureWebJobsStorage__accountName"] = account
        elif identity_auth in (False, None):
            out["AzureWebJobsStorage"] = text(
                [
                    "DefaultEndpointsProtocol=https;AccountName=",
                    account,
                    ";AccountKey=",
                    Opaque(f"listKeys({storage_id}).keys[0].value"),
                    ";EndpointSuffix=",
                    Opaque("environment().suffixes.storage"),
                ]
            )
        else:
            out["AzureWebJobsStorage"] = Opaque(
                "storageAccountUseIdentityAuthentication"
            )
    if insights_id:
        out["APPLICATIONINSIGHTS_CONNECTION_STRING"] = Opaque(
            f"reference({insights_id}).ConnectionString"
        )
    return out


def _merged(*parts: Any) -> Any:
    merged: dict[str, Any] = {}
    for part in parts:
        if part is None:
            continue
        if not isinstance(part, dict):
            return Opaque("app settings computed at deployment")
        merged.update(part)
    return merged


def _settings_and_web(
    version: Version, params: Mapping[str, Any]
) -> tuple[Any, bool, list[Any]]:
    """(app settings or None, whether they keep current ones, web configs)."""
    if version < (0, 16):
        pairs = params.get("appSettingsKeyValuePairs")
        storage = params.get("storageAccountResourceId")
        insights = params.get("appInsightResourceId")
        if not (pairs or storage or insights):
            return None, False, []
        extra = _storage_settings(
            storage,
            params.get("storageAccountUseIdentityAuthentication", False),
            insights,
        )
        return _merged(pairs, extra), version >= (0, 9), []
    configs = params.get("configs")
    if configs is None:
        return None, False, []
    if not isinstance(configs, list):
        return Opaque("configs"), False, []
    settings: Any = None
    keep = False
    webs: list[Any] = []
    for config in configs:
        if not isinstance(config, dict):
            return Opaque("configs"), False, webs
        name = config.get("name")
        if name == "appsettings":
            extra = _storage_settings(
                config.get("storageAccountResourceId"),
                config.get("storageAccountUseIdentityAuthentication", False),
                config.get("applicationInsightResourceId"),
            )
            settings = _merged(config.get("properties"), extra)
            keep = config.get("retainCurrentAppSettings", True) is not False
        elif name == "web":
            webs.append(config.get("properties"))
        elif not isinstance(name, str):
            settings = Opaque("configs")
    return settings, keep, webs


def _site(version: Version, params: Mapping[str, Any], emit: Emit) -> dict[str, Any]:
    name = params.get("name", Opaque("name"))
    site_config = (
        params["siteConfig"]
        if "siteConfig" in params
        else _site_config_default(version)
    )
    https = params.get("httpsOnly", True)
    props: dict[str, Any] = {
        "serverFarmId": params.get("serverFarmResourceId"),
        "httpsOnly": https,
    }
    if site_config is not None:
        props["siteConfig"] = site_config
    if version >= (0, 10) and params.get("functionAppConfig") is not None:
        props["functionAppConfig"] = params["functionAppConfig"]
    if params.get("publicNetworkAccess") is not None:
        props["publicNetworkAccess"] = params["publicNetworkAccess"]
    body = {
        "kind": params.get("kind"),
        "identity": _identity(params.get("managedIdentities")),
        "tags": params.get("tags"),
        "properties": props,
    }
    emit("Microsoft.Web/sites", name, body, {"avm_param": ()})
    _children(version, params, name, "Microsoft.Web/sites", emit)
    slots = params.get("slots")
    for index, slot in enumerate(slots if isinstance(slots, list) else []):
        if not isinstance(slot, dict):
            continue
        at = {"param_path": ("slots", index)}
        slot_name = text([name, "/", slot.get("name", Opaque("slot.name"))])
        slot_props = {
            "serverFarmId": params.get("serverFarmResourceId"),
            "httpsOnly": slot.get("httpsOnly", https),
        }
        slot_config = slot.get("siteConfig", site_config)
        if slot_config is not None:
            slot_props["siteConfig"] = slot_config
        slot_body = {
            "kind": params.get("kind"),
            "identity": _identity(
                slot.get("managedIdentities", params.get("managedIdentities"))
            ),
            "tags": slot.get("tags", params.get("tags")),
            "properties": slot_props,
        }
        emit("Microsoft.Web/sites/slots", slot_name, slot_body, at)
        inherited = {**params, **slot}
        _children(version, inherited, slot_name, "Microsoft.Web/sites/slots", emit, at)
    site_id = ResourceId("microsoft.web/sites", (name,))
    return {
        "name": name,
        "resourceId": site_id,
        "systemAssignedMIPrincipalId": Opaque(f"{site_id}.identity.principalId"),
        "defaultHostname": Opaque(f"{site_id}.defaultHostName"),
        "location": Opaque(f"{site_id}.location"),
        "resourceGroupName": Opaque("resourceGroup().name"),
    }


def _children(
    version: Version,
    params: Mapping[str, Any],
    name: Any,
    kind: str,
    emit: Emit,
    at: dict[str, Any] | None = None,
) -> None:
    at = at or {}
    settings, keep, webs = _settings_and_web(version, params)
    if settings is not None:
        emit(
            f"{kind}/config",
            text([name, "/appsettings"]),
            {"properties": settings},
            {"merges_existing": keep, **at},
        )
    for web in webs:
        emit(f"{kind}/config", text([name, "/web"]), {"properties": web}, at)
    policies = params.get("basicPublishingCredentialsPolicies")
    for policy in policies if isinstance(policies, list) else []:
        if isinstance(policy, dict):
            emit(
                f"{kind}/basicPublishingCredentialsPolicies",
                text([name, "/", policy.get("name", Opaque("policy.name"))]),
                {"properties": {"allow": policy.get("allow", True)}},
                at,
            )


def _serverfarm(
    version: Version, params: Mapping[str, Any], emit: Emit
) -> dict[str, Any]:
    name = params.get("name", Opaque("name"))
    if version < (0, 2):
        sku = params.get("sku")
        default_kind, reserved = "App", params.get("reserved", False)
        kind = params.get("kind", default_kind)
    else:
        sku_name = params.get("skuName", "P1v3")
        sku = {"name": sku_name, "capacity": params.get("skuCapacity", 3)}
        if sku_name == "FC1":
            sku["tier"] = "FlexConsumption"
        kind = params.get("kind", "App" if version < (0, 4) else "app")
        linux = "Linux" if version < (0, 4) else "linux"
        reserved = params.get(
            "reserved", kind == linux if isinstance(kind, str) else Opaque("reserved")
        )
    props = {
        "reserved": reserved,
        "maximumElasticWorkerCount": params.get("maximumElasticWorkerCount", 1),
    }
    emit(
        "Microsoft.Web/serverfarms",
        name,
        {"kind": kind, "sku": sku, "tags": params.get("tags"), "properties": props},
        {},
    )
    plan_id = ResourceId("microsoft.web/serverfarms", (name,))
    return {
        "name": name,
        "resourceId": plan_id,
        "location": Opaque(f"{plan_id}.location"),
        "resourceGroupName": Opaque("resourceGroup().name"),
    }


def _storage(version: Version, params: Mapping[str, Any], emit: Emit) -> dict[str, Any]:
    name = params.get("name", Opaque("name"))
    props = {
        "allowBlobPublicAccess": params.get("allowBlobPublicAccess", False),
        "allowSharedKeyAccess": params.get("allowSharedKeyAccess", True),
    }
    emit("Microsoft.Storage/storageAccounts", name, {"properties": props}, {})
    account = ResourceId("microsoft.storage/storageaccounts", (name,))
    key = Opaque(f"listKeys({account}).keys[0].value")
    return {
        "name": name,
        "resourceId": account,
        "primaryBlobEndpoint": Opaque(f"{account}.primaryEndpoints.blob"),
        "serviceEndpoints": Opaque(f"{account}.primaryEndpoints"),
        "primaryAccessKey": key,
        "primaryConnectionString": text(
            ["DefaultEndpointsProtocol=https;AccountName=", name, ";AccountKey=", key]
        ),
    }


_MODULES: dict[str, Callable[[Version, Mapping[str, Any], Emit], dict[str, Any]]] = {
    "avm/res/web/site": _site,
    "avm/res/web/serverfarm": _serverfarm,
    "avm/res/storage/storage-account": _storage,
}
