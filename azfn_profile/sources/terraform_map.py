"""azurerm (and azapi) resources as the ARM resources the provider deploys.

Each argument a check needs is mapped onto the property the provider sends, with the
provider's default when the argument is absent (website/docs/r/*.html.markdown of
hashicorp/terraform-provider-azurerm): `https_only` → `httpsOnly` (false),
`site_config.minimum_tls_version` → `minTlsVersion` ("1.2"), `ftps_state` ("Disabled";
"AllAllowed" on the deprecated `azurerm_function_app`), `always_on` (false), the
publishing-credential flags (true) → `basicPublishingCredentialsPolicies` children,
Flex Consumption's arguments → `functionAppConfig`, `service_plan.os_type` → `reserved`,
`storage_account.allow_nested_items_to_be_public` → `allowBlobPublicAccess` (true).
The app settings are those the provider writes from its arguments
(`FUNCTIONS_EXTENSION_VERSION`, `FUNCTIONS_WORKER_RUNTIME` from `application_stack`,
`AzureWebJobsStorage` from the storage arguments, Application Insights) with the
`app_settings` map merged over them, as its `MergeUserAppSettings` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from azfn_profile.sources.values import Computed, Opaque, ResourceId, split_text, text

Where = tuple[int | None, int | None]
ABSENT: Any = object()


class View(Protocol):
    """An evaluated block: its arguments, nested blocks and where they are."""

    line: int | None
    col: int | None

    def get(self, name: str, default: Any = ABSENT) -> Any: ...
    def where(self, name: str) -> Where: ...
    def blocks(self, name: str) -> Sequence[View]: ...
    def keys_where(self, name: str) -> dict[str, Where]: ...
    def get_all(self) -> dict[str, Any]: ...


@dataclass
class Mapped:
    type: str  # ARM type
    name: Any  # ARM name
    body: dict[str, Any]
    places: dict[tuple[Any, ...], Where] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteKind:
    kind: str  # the kind the provider sends
    family: str  # linux, windows, flex, legacy
    slot: bool = False


SITES = {
    "azurerm_linux_function_app": SiteKind("functionapp,linux", "linux"),
    "azurerm_windows_function_app": SiteKind("functionapp", "windows"),
    "azurerm_function_app_flex_consumption": SiteKind("functionapp,linux", "flex"),
    "azurerm_function_app": SiteKind("functionapp", "legacy"),
    "azurerm_linux_function_app_slot": SiteKind("functionapp,linux", "linux", True),
    "azurerm_windows_function_app_slot": SiteKind("functionapp", "windows", True),
    "azurerm_function_app_slot": SiteKind("functionapp", "legacy", True),
}
PLANS = ("azurerm_service_plan", "azurerm_app_service_plan")
STORAGE = "azurerm_storage_account"
AZAPI = ("azapi_resource", "azapi_update_resource")
MAPPED = frozenset({*SITES, *PLANS, STORAGE, *AZAPI})
# Data sources read as existing resources: a plan looked up, not set here.
DATA = {
    "azurerm_service_plan": "Microsoft.Web/serverfarms",
    "azurerm_app_service_plan": "Microsoft.Web/serverfarms",
    "azurerm_storage_account": "Microsoft.Storage/storageAccounts",
    "azurerm_linux_function_app": "Microsoft.Web/sites",
    "azurerm_windows_function_app": "Microsoft.Web/sites",
    "azurerm_function_app": "Microsoft.Web/sites",
}
STORAGE_SUFFIX = Opaque("the cloud's storage endpoint suffix")


def identity(rtype: str, v: View) -> ResourceId | None:
    """The id `<resource>.id` stands for, when the resource is one the join uses."""
    if rtype in SITES or rtype in PLANS or rtype == STORAGE:
        arm = _arm_type(rtype)
        return ResourceId(arm.lower(), tuple(split_text(_site_name(rtype, v), "/")))
    if rtype == "azapi_resource":
        kind = v.get("type", None)
        if isinstance(kind, str) and "/" in kind:
            return ResourceId(
                kind.split("@")[0].lower(), tuple(split_text(_azapi_name(v), "/"))
            )
    return None


def _arm_type(rtype: str) -> str:
    if rtype in SITES:
        return (
            "Microsoft.Web/sites/slots" if SITES[rtype].slot else "Microsoft.Web/sites"
        )
    if rtype in PLANS:
        return "Microsoft.Web/serverfarms"
    return "Microsoft.Storage/storageAccounts"


def _named(v: View, arg: str = "name") -> Any:
    value = v.get(arg, None)
    return value if value is not None else Opaque(f"the {arg} of a resource")


def _site_name(rtype: str, v: View) -> Any:
    name = _named(v)
    if not (rtype in SITES and SITES[rtype].slot):
        return name
    if SITES[rtype].family == "legacy":
        return text([_named(v, "function_app_name"), "/", name])
    parent = v.get("function_app_id", None)
    if isinstance(parent, ResourceId) and parent.segments:
        return text([*_joined(parent.segments), "/", name])
    return text([Opaque(f"the site of slot {name}"), "/", name])


def _joined(segments: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for segment in segments:
        out += [segment] if not out else ["/", segment]
    return out


def resources(rtype: str, v: View) -> list[Mapped]:
    if rtype in SITES:
        from azfn_profile.sources.terraform_sites import site

        return site(rtype, SITES[rtype], _site_name(rtype, v), v)
    if rtype == "azurerm_service_plan":
        return [_service_plan(v)]
    if rtype == "azurerm_app_service_plan":
        return [_app_service_plan(v)]
    if rtype == STORAGE:
        return [_storage(v)]
    if rtype in AZAPI:
        return _azapi(rtype, v)
    return []


def _tags(v: View, body: dict[str, Any], places: dict[tuple[Any, ...], Where]) -> None:
    tags = v.get("tags", None)
    if tags is not None:
        body["tags"] = tags
        places[("tags",)] = v.where("tags")


def _service_plan(v: View) -> Mapped:
    os_type = v.get("os_type", None)
    reserved: Any = (
        os_type == "Linux" if isinstance(os_type, str) else Opaque("the plan's os_type")
    )
    sku: dict[str, Any] = {"name": v.get("sku_name", None)}
    workers = v.get("worker_count", None)
    if workers is not None:
        sku["capacity"] = workers
    props: dict[str, Any] = {"reserved": reserved}
    elastic = v.get("maximum_elastic_worker_count", None)
    if elastic is not None:
        props["maximumElasticWorkerCount"] = elastic
    body: dict[str, Any] = {"sku": sku, "properties": props}
    places = {
        ("sku",): v.where("sku_name"),
        ("properties", "reserved"): v.where("os_type"),
    }
    _tags(v, body, places)
    return Mapped("Microsoft.Web/serverfarms", _named(v), body, places)


def _app_service_plan(v: View) -> Mapped:
    """The deprecated azurerm_app_service_plan: kind, reserved, sku { tier, size }."""
    blocks = v.blocks("sku")
    sku: dict[str, Any] = {}
    places: dict[tuple[Any, ...], Where] = {}
    if blocks:
        block = blocks[0]
        sku = {"name": block.get("size", None), "tier": block.get("tier", None)}
        capacity = block.get("capacity", None)
        if capacity is not None:
            sku["capacity"] = capacity
        places[("sku",)] = block.where("size")
    body: dict[str, Any] = {
        "kind": v.get("kind", "Windows"),
        "sku": sku,
        "properties": {"reserved": v.get("reserved", False)},
    }
    places[("properties", "reserved")] = v.where("reserved")
    _tags(v, body, places)
    return Mapped("Microsoft.Web/serverfarms", _named(v), body, places)


def _storage(v: View) -> Mapped:
    arg = next(
        (
            a
            for a in ("allow_nested_items_to_be_public", "allow_blob_public_access")
            if v.get(a) is not ABSENT
        ),
        None,
    )
    public = v.get(arg, True) if arg is not None else True
    body: dict[str, Any] = {"properties": {"allowBlobPublicAccess": public}}
    places = {("properties", "allowBlobPublicAccess"): v.where(arg or "")}
    _tags(v, body, places)
    return Mapped("Microsoft.Storage/storageAccounts", _named(v), body, places)


def _azapi_name(v: View) -> Any:
    """The ARM name: a child's (`Microsoft.Web/sites/config` under a site) starts
    with its parent's; a resource under a resource group has its own only."""
    name = _named(v)
    parent = v.get("parent_id", None)
    kind = v.get("type", None)
    arm = kind.split("@")[0].lower() if isinstance(kind, str) else ""
    child = isinstance(parent, ResourceId) and arm.startswith(parent.type + "/")
    if isinstance(parent, ResourceId) and parent.segments and child:
        return text([*_joined(parent.segments), "/", name])
    return name


def _azapi(rtype: str, v: View) -> list[Mapped]:
    """azapi resources with their ARM body (and `identity` block). An update
    counts for a child resource only (a site's `config/appsettings`, which it
    replaces, or a publishing-credentials policy): an update of a site or plan
    declared elsewhere is not a second one."""
    kind = v.get("type", None)
    if not isinstance(kind, str):
        return []
    arm = kind.split("@")[0]
    if rtype == "azapi_update_resource" and arm.count("/") < 2:
        return []
    body = v.get("body", None)
    if isinstance(body, str):
        from azfn_profile.sources.jsonc import JsonError, loads

        try:
            body = loads(body)
        except JsonError:
            body = Opaque("an azapi body that is not JSON")
    if isinstance(body, Computed) or not isinstance(body, dict):
        body = {"properties": Opaque("an azapi body computed at deployment")}
    body = dict(body)
    places = {("properties",): v.where("body")}
    idents = v.blocks("identity")
    if idents and "identity" not in body:
        body["identity"] = {"type": idents[0].get("type", None)}
        places[("identity",)] = (idents[0].line, idents[0].col)
    return [Mapped(arm, _azapi_name(v), body, places)]
