"""The ARM resource graph of a profiled app, built once from `infra.Infra`.

ARM JSON and Bicep both serialize this graph (render/arm.py, render/bicep.py), so the
two cannot drift: same resources, API versions, properties and security flags. Values
that ARM computes at deployment time are small expression objects below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from azfn_profile.infra import (
    NAMES,
    Cloud,
    Concat,
    Existing,
    Infra,
    NameRule,
    ResourceOutput,
    Value,
)
from azfn_profile.terms import NAME_LENGTH

API = {
    "Microsoft.Storage/storageAccounts": "2023-05-01",
    "Microsoft.Storage/storageAccounts/blobServices": "2023-05-01",
    "Microsoft.Storage/storageAccounts/blobServices/containers": "2023-05-01",
    "Microsoft.OperationalInsights/workspaces": "2023-09-01",
    "Microsoft.Insights/components": "2020-02-02",
    "Microsoft.Web/serverfarms": "2024-04-01",  # functionAppConfig needs >= 2023-12-01
    "Microsoft.Web/sites": "2024-04-01",
    "Microsoft.Web/sites/basicPublishingCredentialsPolicies": "2024-04-01",
    "Microsoft.Authorization/roleAssignments": "2022-04-01",
}


@dataclass(frozen=True)
class Param:
    name: str


@dataclass(frozen=True)
class Attr:
    """An attribute of another resource: `symbol.path` (identity needs the full view)."""

    symbol: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class Id:
    symbol: str


@dataclass(frozen=True)
class StorageKey:
    symbol: str


@dataclass(frozen=True)
class StorageSuffix:
    pass


@dataclass(frozen=True)
class Join:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Guid:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class RoleDefinition:
    guid: str


@dataclass(frozen=True)
class UniqueSuffix:
    """uniqueString(resourceGroup().id, ...): 13 characters, stable per resource
    group and the given values."""

    parts: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class Take:
    value: Expr
    count: int


@dataclass(frozen=True)
class Replace:
    value: Expr
    old: str
    new: str


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Union:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Location:
    """resourceGroup().location"""


@dataclass(frozen=True)
class Empty:
    """empty(value): true for '' (an optional input left unset)."""

    value: Expr


@dataclass(frozen=True)
class Cond:
    """if(test, yes, no): ARM evaluates only the branch taken."""

    test: Expr
    yes: Expr
    no: Expr


Expr: TypeAlias = (
    str
    | Param
    | Attr
    | Id
    | StorageKey
    | StorageSuffix
    | Join
    | Guid
    | RoleDefinition
    | UniqueSuffix
    | Take
    | Replace
    | Var
    | Union
    | Location
    | Empty
    | Cond
)


@dataclass(frozen=True)
class Param_:
    name: str
    default: Any  # a value, or an Expr computed at deployment
    description: str
    type: str = "string"
    min_length: int | None = None
    max_length: int | None = None


@dataclass
class TemplateResource:
    symbol: str
    type: str
    name: Expr  # the resource's own name segment
    body: dict[str, Any]  # location, kind, sku, identity, tags, properties
    parent: str | None = None  # symbol of the parent resource
    scope: str | None = (
        None  # extension resources: symbol of the resource they apply to
    )
    existing: bool = False
    depends_on: list[str] = field(default_factory=list)
    condition: Expr | None = None  # deployed only when it holds

    @property
    def api(self) -> str:
        return API[self.type]


@dataclass
class Graph:
    params: list[Param_]
    resources: list[TemplateResource]
    outputs: dict[str, tuple[str, Expr]]  # name -> (type, value)
    variables: dict[str, Any] = field(default_factory=dict)

    def by_symbol(self, symbol: str) -> TemplateResource:
        return next(r for r in self.resources if r.symbol == symbol)


LOCATION = Param("location")


APP = Param("appName")
TAGS = Var("commonTags")


def _derived(pinned: str | None, derived: Expr) -> Any:
    return pinned if pinned is not None else derived


UNIQUE_STRING_LENGTH = 13  # uniqueString's result, documented as 13 characters


def _unique(rule: NameRule, suffix: Expr) -> Expr:
    """A globally unique name: prefix, the app name cut to fit, uniqueString."""
    app = Replace(APP, "-", "") if rule.alphanumeric else APP  # names are a-z0-9-
    kept = Take(app, rule.keep(UNIQUE_STRING_LENGTH))
    return Join(tuple(p for p in (rule.prefix, kept, rule.separator, suffix) if p))


def _scoped(rule: NameRule) -> Expr:
    """A name unique in its resource group: the prefixed app name, cut to the limit
    (only when it could exceed it)."""
    name = Join((rule.prefix, APP))
    return name if rule.fits_every_app_name else Take(name, rule.limit)


def _name_param(symbol: str, kind: str, default: Any, description: str) -> Param_:
    """A name parameter with Azure's length limits for its kind."""
    rule = NAMES[kind]
    return Param_(
        symbol, default, description, min_length=rule.minimum, max_length=rule.limit
    )


def build(infra: Infra) -> Graph:
    """The graph: parameters whose defaults derive every physical name from the app's
    logical name and the resource group (unless the profile pins it), a `tags`
    parameter merged into the workload tags once, the resources, the outputs."""
    spec = infra.spec
    pinned = spec.pinned_names
    suffix = UniqueSuffix((APP,))  # two apps in one group differ
    params = [
        Param_(
            "appName",
            spec.name,
            "Logical name of the app (lowercase a-z, 0-9 and '-'); the physical names "
            "below derive from it.",
            min_length=NAME_LENGTH[0],
            max_length=NAME_LENGTH[1],
        ),
        _name_param(
            "siteName",
            "site",
            _derived(pinned.get("site"), _unique(NAMES["site"], suffix)),
            "Name of the function app (globally unique).",
        ),
        Param_("location", Location(), "Region for every resource."),
        _name_param(
            "storageAccountName",
            "storage",
            _derived(
                pinned.get("storage"),
                _unique(NAMES["storage"], suffix),
            ),
            "Storage account for the host (globally unique, 3-24 of a-z and 0-9).",
        ),
        _name_param(
            "planName",
            "plan",
            _derived(pinned.get("plan"), _scoped(NAMES["plan"])),
            "App Service plan name.",
        ),
        _name_param(
            "workspaceName",
            "workspace",
            _scoped(NAMES["workspace"]),
            "Log Analytics workspace.",
        ),
        _name_param(
            "insightsName",
            "insights",
            _scoped(NAMES["insights"]),
            "Application Insights.",
        ),
        *(
            Param_(
                b.resource.camel,
                "",
                b.description,
                max_length=_EXISTING_LENGTH.get(b.resource),
            )
            for b in infra.bring_your_own
        ),
        Param_(
            "tags",
            {},
            "Tags for every resource, merged over the workload tags azfn-profile "
            "writes.",
            type="object",
        ),
    ]
    variables: dict[str, Any] = {
        "workloadTags": dict(infra.tags),
        "commonTags": Union((Var("workloadTags"), Param("tags"))),
        # The account the host uses: the one created here, or the existing one.
        HOST_STORAGE_NAME.name: _given_or(
            Existing.STORAGE, Param("storageAccountName")
        ),
    }
    tags: Any = TAGS
    resources = [_storage(infra, tags), _host_storage()]
    if infra.storage.container is not None:
        resources += _container(infra, infra.storage.container)
    resources += _monitoring(infra, tags)
    resources.append(_plan(infra, tags))
    resources.append(_site(infra, tags))
    resources += _publishing_policies(infra)
    resources += _roles(infra)
    outputs: dict[str, tuple[str, Expr]] = {
        "siteName": ("string", Param("siteName")),
        "defaultHostName": ("string", Attr("site", ("properties", "defaultHostName"))),
        "principalId": ("string", Attr("site", ("identity", "principalId"))),
    }
    return Graph(params, resources, outputs, variables)


# An input that names an existing resource: a resource id has no useful limit, a
# storage account name is at most 24 characters.
_EXISTING_LENGTH = {Existing.STORAGE: NAMES["storage"].limit}
HOST_STORAGE_NAME = Var("hostStorageName")
# Symbols the references use: the storage account the host uses (created or given)
# is one `existing` resource, so references do not depend on which.
_REFERENCE_SYMBOL = {"storage": "hostStorage"}


def _unset(resource: Existing) -> Expr:
    """True when the template is not given an existing `resource`: create it."""
    return Empty(Param(resource.camel))


def _given_or(resource: Existing, created: Expr) -> Expr:
    """The created resource's value, or the existing one's the input gives."""
    given = Param(resource.camel)
    return Cond(_unset(resource), created, given)


def _host_storage() -> TemplateResource:
    return TemplateResource(
        "hostStorage",
        "Microsoft.Storage/storageAccounts",
        HOST_STORAGE_NAME,
        {},
        existing=True,
    )


def _storage(infra: Infra, tags: Any) -> TemplateResource:
    s = infra.storage
    return TemplateResource(
        "storage",
        "Microsoft.Storage/storageAccounts",
        Param("storageAccountName"),
        {
            "location": LOCATION,
            "kind": s.kind,
            "sku": {"name": s.sku},
            "tags": tags,
            "properties": {
                "minimumTlsVersion": s.minimum_tls_version,
                "supportsHttpsTrafficOnly": s.https_only,
                "allowBlobPublicAccess": s.allow_blob_public_access,
                "allowSharedKeyAccess": s.allow_shared_key_access,
            },
        },
        condition=_unset(Existing.STORAGE),
    )


def _container(infra: Infra, name: str) -> list[TemplateResource]:
    return [
        TemplateResource(
            "blobService",
            "Microsoft.Storage/storageAccounts/blobServices",
            "default",
            {},
            parent="hostStorage",
            existing=True,
        ),
        TemplateResource(
            "deploymentContainer",
            "Microsoft.Storage/storageAccounts/blobServices/containers",
            name,
            {"properties": {"publicAccess": infra.storage.container_public_access}},
            parent="blobService",
            depends_on=["storage"],
        ),
    ]


def _monitoring(infra: Infra, tags: Any) -> list[TemplateResource]:
    m = infra.monitoring
    return [
        TemplateResource(
            "workspace",
            "Microsoft.OperationalInsights/workspaces",
            Param("workspaceName"),
            {
                "location": LOCATION,
                "tags": tags,
                "properties": {
                    "sku": {"name": m.workspace_sku},
                    "retentionInDays": m.retention_days,
                },
            },
            condition=_unset(Existing.WORKSPACE),
        ),
        TemplateResource(
            "insights",
            "Microsoft.Insights/components",
            Param("insightsName"),
            {
                "location": LOCATION,
                "kind": m.insights_kind,
                "tags": tags,
                "properties": {
                    "Application_Type": m.application_type,
                    "IngestionMode": m.ingestion_mode,
                    "WorkspaceResourceId": _given_or(
                        Existing.WORKSPACE, Id("workspace")
                    ),
                    "DisableLocalAuth": m.disable_local_auth,
                },
            },
            depends_on=["workspace"],
        ),
    ]


def _plan(infra: Infra, tags: Any) -> TemplateResource:
    plan = infra.spec.plan
    sku: dict[str, Any] = {"name": plan.sku, "tier": plan.tier}
    properties: dict[str, Any] = {"reserved": plan.reserved}
    if infra.elastic_minimum is not None:
        sku["capacity"] = infra.elastic_minimum
    if infra.elastic_maximum is not None:
        properties["maximumElasticWorkerCount"] = infra.elastic_maximum
    return TemplateResource(
        "plan",
        "Microsoft.Web/serverfarms",
        Param("planName"),
        {
            "location": LOCATION,
            "kind": plan.kind,
            "sku": sku,
            "tags": tags,
            "properties": properties,
        },
        condition=_unset(Existing.PLAN),
    )


# The cloud's values, as ARM reads them at deployment: environment() describes the
# cloud the template is deployed to (public, sovereign or Azure Stack Hub).
_CLOUD: dict[Cloud, Expr] = {Cloud.STORAGE_SUFFIX: StorageSuffix()}


def value_expr(value: Value) -> Expr:
    if isinstance(value, str):
        return value
    if isinstance(value, Concat):
        return Join(tuple(value_expr(p) for p in value.parts))
    if isinstance(value, Cloud):
        return _CLOUD[value]
    return _ref(value)


def _ref(ref: ResourceOutput) -> Expr:
    if (ref.resource, ref.attribute) == ("insights", "connectionString"):
        return Attr("insights", ("properties", "ConnectionString"))
    if (ref.resource, ref.attribute) == ("storage", "name"):
        return HOST_STORAGE_NAME
    symbol = _REFERENCE_SYMBOL.get(ref.resource, ref.resource)
    if (ref.resource, ref.attribute) == ("storage", "blobEndpoint"):
        return Attr(symbol, ("properties", "primaryEndpoints", "blob"))
    if (ref.resource, ref.attribute) == ("storage", "key"):
        return StorageKey(symbol)
    if ref.attribute == "id":
        return Id(symbol)
    raise ValueError(f"no ARM form for {ref}")


def _site(infra: Infra, tags: Any) -> TemplateResource:
    site = infra.spec.site
    config: dict[str, Any] = {
        "appSettings": [
            {"name": k, "value": value_expr(v)} for k, v in infra.site_settings.items()
        ],
        "minTlsVersion": site.min_tls_version,
        "scmMinTlsVersion": site.scm_min_tls_version,
        "http20Enabled": site.http20_enabled,
    }
    optional = {
        "ftpsState": site.ftps_state,
        "alwaysOn": site.always_on,
        "linuxFxVersion": site.linux_fx_version,
    }
    config.update({k: v for k, v in optional.items() if v is not None})
    config.update(infra.site_scale)
    properties: dict[str, Any] = {
        "serverFarmId": _given_or(Existing.PLAN, Id("plan")),
        "httpsOnly": site.https_only,
    }
    if infra.site_reserved is not None:
        properties["reserved"] = infra.site_reserved
    properties["siteConfig"] = config
    if infra.function_app_config is not None:
        deployment = infra.deployment
        assert deployment is not None
        properties["functionAppConfig"] = {
            "deployment": {
                "storage": {
                    "type": deployment.type,
                    "value": value_expr(deployment.url),
                    "authentication": {"type": deployment.authentication},
                }
            },
            **infra.function_app_config,
        }
    depends = ["plan", "storage", "insights"]
    return TemplateResource(
        "site",
        "Microsoft.Web/sites",
        Param("siteName"),
        {
            "location": LOCATION,
            "kind": site.kind,
            "identity": {"type": site.identity},
            "tags": tags,
            "properties": properties,
        },
        depends_on=depends,
    )


def _publishing_policies(infra: Infra) -> list[TemplateResource]:
    allow = infra.spec.site.basic_publishing_credentials
    return [
        TemplateResource(
            f"{kind}Publishing",
            "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
            kind,
            {"properties": {"allow": allow}},
            parent="site",
        )
        for kind in ("ftp", "scm")
    ]


def _roles(infra: Infra) -> list[TemplateResource]:
    out = []
    for role in infra.roles:
        symbol = "role" + "".join(w.capitalize() for w in role.role.split())
        out.append(
            TemplateResource(
                symbol,
                "Microsoft.Authorization/roleAssignments",
                Guid((_ref(role.scope), Id("site"), role.role_definition_guid)),
                {
                    "properties": {
                        "roleDefinitionId": RoleDefinition(role.role_definition_guid),
                        "principalId": Attr("site", ("identity", "principalId")),
                        "principalType": role.principal_type,
                    }
                },
                scope=_REFERENCE_SYMBOL.get(role.scope.resource, role.scope.resource),
                depends_on=[role.scope.resource, "site"],
            )
        )
    return out
