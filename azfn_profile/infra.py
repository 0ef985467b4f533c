"""The resources a profiled function app needs, described once from an AppSpec.

This is deployment-format neutral: the Pulumi component (and the ARM, Bicep and
Terraform writers) serialize it and decide nothing: every value they write (SKUs,
tiers, kinds, types, role ids, settings) is a field here. Values that exist only
after deployment (an account key, an endpoint, an identity) are `ResourceOutput`s, and values of
the cloud the deployment runs in (the storage DNS suffix) are `Cloud` members; each
serializer turns both into its own reference syntax, never into a literal.

Security posture (every serializer emits it): HTTPS only, TLS 1.2 for the site, SCM
and storage, FTPS disabled, FTP/SCM basic publishing credentials off, no public blob
access, a system-assigned identity with data-plane roles instead of account keys,
and App Insights with local (key) auth off. The exception: Linux Consumption and
Elastic Premium mount their content from an Azure Files share that still needs an
account-key connection string (WEBSITE_CONTENTAZUREFILECONNECTIONSTRING), so shared
key access stays on for those plans and the key travels only as a secret.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeAlias

from azfn_profile.facts import SITE_ALWAYS_READY, SITE_SCALE_LIMIT
from azfn_profile.spec import (
    DOWNSTREAM_TAG,
    FUNCTIONS_TAG,
    AppSpec,
    JsonValue,
    downstream_tag,
    functions_tag,
)
from azfn_profile.terms import NAME_LENGTH


@dataclass(frozen=True)
class ResourceOutput:
    """A value of another resource, known after deployment."""

    resource: str  # logical id: storage | insights | site
    attribute: str  # name | id | key | blobEndpoint | connectionString | principalId
    secret: bool = False


class Cloud(Enum):
    """A value of the Azure cloud the deployment runs in (public, a sovereign cloud,
    Azure Stack Hub): known to the deployment engine, so never written as a literal."""

    STORAGE_SUFFIX = "storageSuffix"  # the DNS suffix after <account>.blob.


@dataclass(frozen=True)
class Concat:
    parts: tuple[str | ResourceOutput | Cloud, ...]

    @property
    def secret(self) -> bool:
        return any(isinstance(p, ResourceOutput) and p.secret for p in self.parts)


Value: TypeAlias = str | ResourceOutput | Concat | Cloud

# Built-in role definition GUIDs (as Azure-Samples/azure-functions-flex-consumption-samples
# assigns them in IaC/bicep/rbac.bicep).
ROLES: Mapping[str, str] = {
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
}
_ROLE_SCOPES = {"Monitoring Metrics Publisher": "insights"}
_GUID_NAMESPACE = uuid.UUID("8f0c4d8e-4a51-5b8a-9a4e-2f1f7f1d0a60")
FLEX_CONTAINER = "deployments"


NO_PUBLIC_ACCESS = "None"  # a blob container's publicAccess: private


@dataclass(frozen=True)
class Storage:
    name: str
    allow_shared_key_access: bool
    container: str | None  # Flex deployment-package container
    sku: str = "Standard_LRS"
    kind: str = "StorageV2"
    minimum_tls_version: str = "TLS1_2"
    https_only: bool = True
    allow_blob_public_access: bool = False
    container_public_access: str = NO_PUBLIC_ACCESS


@dataclass(frozen=True)
class Monitoring:
    workspace_name: str
    insights_name: str
    retention_days: int = 30
    disable_local_auth: bool = True
    workspace_sku: str = "PerGB2018"  # Log Analytics pay-as-you-go pricing tier
    insights_kind: str = "web"
    application_type: str = "web"
    ingestion_mode: str = "LogAnalytics"  # telemetry goes to the workspace


@dataclass(frozen=True)
class DeploymentStorage:
    """Flex Consumption: where the app's package is deployed and how the platform
    reads it (functionAppConfig.deployment.storage)."""

    url: Concat  # the blob container's URL
    type: str = "blobContainer"
    authentication: str = "SystemAssignedIdentity"  # the site's own identity


@dataclass(frozen=True)
class RoleAssignment:
    role: str
    role_definition_guid: str
    scope: ResourceOutput  # the id of the resource the role applies to
    name: str  # deterministic GUID, so redeploys do not duplicate assignments
    principal_type: str = "ServicePrincipal"  # the site's managed identity


class Existing(Enum):
    """A resource a deployment may bring instead of creating its own; the value is
    the name of its input after "existing", which each format spells in its own case
    (ARM and Bicep `existingPlanId`, Terraform `existing_plan_id`)."""

    PLAN = ("plan", "id")  # the Pulumi component's plan_id
    WORKSPACE = ("workspace", "id")
    STORAGE = ("storage", "account", "name")  # the component's storage_account_name

    @property
    def camel(self) -> str:
        return "existing" + "".join(w.capitalize() for w in self.value)

    @property
    def snake(self) -> str:
        return "_".join(("existing", *self.value))


@dataclass(frozen=True)
class BringYourOwn:
    """An optional input of a rendered template naming an existing resource that the
    deployment uses instead of creating its own; unset (empty, null), the resource is
    created as without the input. The Pulumi component's `plan_id` and
    `storage_account_name` are the same choice."""

    resource: Existing
    description: str


@dataclass(frozen=True)
class PlanRequirement:
    """What an existing plan must be for the profile's settings to hold: the SKU
    they are sized for, on the operating system the site runs on."""

    sku: str
    reserved: bool  # a Linux plan
    message: str


@dataclass(frozen=True)
class Infra:
    spec: AppSpec
    resource_group: str
    storage: Storage
    site_name: str
    monitoring: Monitoring
    plan_name: str
    site_settings: Mapping[str, Value]  # the AppSpec's settings + infrastructure ones
    function_app_config: Mapping[str, JsonValue] | None  # without deployment storage
    deployment: DeploymentStorage | None  # Flex: blob container for packages
    roles: tuple[RoleAssignment, ...]
    # The site's `reserved` flag (Linux); None on Flex, which deprecates it on the site.
    site_reserved: bool | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    # Elastic Premium only: instances kept warm (sku.capacity) and the burst limit
    # (maximumElasticWorkerCount), from always_ready and max_instances
    # (learn.microsoft.com/azure/azure-functions/functions-premium-plan).
    elastic_minimum: int | None = None
    elastic_maximum: int | None = None
    # The site's own scale properties (siteConfig names): Elastic Premium's
    # always-ready count (minimumElasticInstanceCount, what the platform keeps warm
    # for this app) and the app's scale-out limit (functionAppScaleLimit, which
    # applies to Consumption and Elastic Premium only; on Elastic Premium the plan's
    # burst limit is the same number). Flex writes both in its functionAppConfig.
    site_scale: Mapping[str, int] = field(default_factory=dict)
    # Existing resources a template may be given instead of creating its own, and
    # what an existing plan must be.
    bring_your_own: tuple[BringYourOwn, ...] = ()
    plan_requirement: PlanRequirement | None = None

    def existing(self, resource: Existing) -> BringYourOwn:
        """The input that replaces `resource`."""
        return next(b for b in self.bring_your_own if b.resource is resource)

    @property
    def secret_settings(self) -> frozenset[str]:
        return frozenset(
            k
            for k, v in self.site_settings.items()
            if isinstance(v, ResourceOutput | Concat) and v.secret
        )


@dataclass(frozen=True)
class NameRule:
    """How one resource's physical name derives from the app's logical name: a
    prefix, as much of the app name as fits, and a suffix unique to the deployment,
    within Azure's length limits. Each format writes the same rule in its own terms
    (its suffix has its own length: 6 here and in Terraform, 13 for uniqueString)."""

    prefix: str
    minimum: int
    limit: int
    separator: str = "-"  # between the app name and the suffix
    alphanumeric: bool = False  # Azure allows only a-z and 0-9 (storage)

    def keep(self, suffix_length: int) -> int:
        """How many characters of the app name fit beside a suffix of that length."""
        gap = len(self.separator) if suffix_length else 0
        return self.limit - len(self.prefix) - gap - suffix_length

    @property
    def fits_every_app_name(self) -> bool:
        """True when the prefixed app name can never exceed the limit (no cut needed)."""
        return len(self.prefix) + NAME_LENGTH[1] <= self.limit

    def derive(self, app: str, suffix: str = "") -> str:
        base = re.sub(r"[^a-z0-9]", "", app) if self.alphanumeric else app
        tail = f"{self.separator}{suffix}" if suffix else ""
        return f"{self.prefix}{base[: self.keep(len(suffix))]}{tail}"


# Azure's length limits per resource type
# (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
NAMES = {
    "site": NameRule("", 2, 60),
    "storage": NameRule("st", 3, 24, separator="", alphanumeric=True),
    "plan": NameRule("plan-", 1, 60),
    "workspace": NameRule("log-", 4, 63),
    "insights": NameRule("appi-", 1, 260),
    "resource_group": NameRule("rg-", 1, 90),
}


def deployment_suffix(*parts: str) -> str:
    """Six characters stable for a deployment (e.g. Pulumi project, stack and app):
    two stacks of one project get different physical names."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:6]


def workload_tags(spec: AppSpec) -> dict[str, str]:
    """Tags on plan and site recording the declared workload, for policy checks."""
    tags = dict(spec.tags)
    if spec.workload is not None:
        tags["azfn-profile:workload"] = spec.workload.kind
        tags["azfn-profile:style"] = spec.workload.style
        if spec.workload.concurrency is not None:
            tags["azfn-profile:concurrency"] = str(spec.workload.concurrency)
    if spec.function_names:
        tags[FUNCTIONS_TAG] = functions_tag(spec.function_names)
    if spec.downstream:
        tags[DOWNSTREAM_TAG] = downstream_tag(spec.downstream)
    return tags


def storage_connection_string() -> Concat:
    """The account's key-based connection string (the Azure Files content share needs
    it), in the storage DNS suffix of the cloud the deployment runs in."""
    return Concat(
        (
            "DefaultEndpointsProtocol=https;AccountName=",
            ResourceOutput("storage", "name"),
            ";AccountKey=",
            ResourceOutput("storage", "key", secret=True),
            ";EndpointSuffix=",
            Cloud.STORAGE_SUFFIX,
        )
    )


def infra_settings(spec: AppSpec, storage: Storage) -> dict[str, Value]:
    """App settings the deployment adds: identity-based storage and App Insights."""
    settings: dict[str, Value] = {
        "AzureWebJobsStorage__accountName": ResourceOutput("storage", "name"),
        "AzureWebJobsStorage__credential": "managedidentity",
        "APPLICATIONINSIGHTS_CONNECTION_STRING": ResourceOutput(
            "insights", "connectionString", True
        ),
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "Authorization=AAD",
    }
    if spec.plan.family in ("consumption", "premium"):
        settings["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"] = (
            storage_connection_string()
        )
        settings["WEBSITE_CONTENTSHARE"] = spec.name
    return settings


def describe(
    spec: AppSpec, *, resource_group: str | None = None, suffix: str | None = None
) -> Infra:
    """The resources, named from the profile's pinned names, else from its `name`
    (with `suffix` when the deployment gives one, as the Pulumi component does)."""
    flex = spec.function_app_config is not None
    pinned = spec.pinned_names
    tail = f"-{suffix}" if suffix else ""

    def name(kind: str) -> str:
        return pinned.get(kind) or NAMES[kind].derive(spec.name, suffix or "")

    storage = Storage(
        name=name("storage"),
        allow_shared_key_access=spec.plan.family in ("consumption", "premium"),
        container=FLEX_CONTAINER if flex else None,
    )
    settings: dict[str, Value] = dict(spec.app_settings)
    settings.update(infra_settings(spec, storage))
    roles = tuple(
        RoleAssignment(
            role,
            guid,
            ResourceOutput(_ROLE_SCOPES.get(role, "storage"), "id"),
            # role assignment names are unique in the tenant: the suffix keeps two
            # deployments of one profile apart
            str(uuid.uuid5(_GUID_NAMESPACE, f"{spec.name}{tail}/{role}")),
        )
        for role, guid in ROLES.items()
    )
    return Infra(
        spec=spec,
        resource_group=resource_group or name("resource_group"),
        site_name=name("site"),
        storage=storage,
        monitoring=Monitoring(name("workspace"), name("insights")),
        plan_name=name("plan"),
        site_settings=dict(sorted(settings.items(), key=lambda kv: kv[0].upper())),
        function_app_config=spec.function_app_config,
        deployment=(
            DeploymentStorage(
                Concat((ResourceOutput("storage", "blobEndpoint"), FLEX_CONTAINER))
            )
            if flex
            else None
        ),
        roles=roles,
        site_reserved=None if flex else spec.plan.reserved,
        tags=workload_tags(spec),
        elastic_minimum=spec.plan.always_ready or None
        if spec.plan.family == "premium"
        else None,
        elastic_maximum=spec.plan.max_instances
        if spec.plan.family == "premium"
        else None,
        site_scale=site_scale(spec),
        bring_your_own=bring_your_own(spec, storage),
        plan_requirement=plan_requirement(spec),
    )


def plan_os(spec: AppSpec) -> str:
    """The plan's operating system, as the descriptions below name it."""
    return "Linux" if spec.plan.reserved else "Windows"


def plan_requirement(spec: AppSpec) -> PlanRequirement:
    sku, os_type = spec.plan.sku, plan_os(spec)
    return PlanRequirement(
        sku,
        spec.plan.reserved,
        f"The profile expects an App Service plan of SKU {sku} ({os_type}): its "
        "settings are sized for that plan.",
    )


def bring_your_own(spec: AppSpec, storage: Storage) -> tuple[BringYourOwn, ...]:
    """The existing resources a deployment may bring (see `BringYourOwn`)."""
    plan = spec.plan
    plan_note = (
        " Its instances (always ready, burst limit) are the plan's own."
        if plan.family == "premium"
        else ""
    )
    storage_uses = "its identity-based settings and role assignments"
    if storage.container is not None:
        storage_uses += ", the deployment container"
    key_note = (
        " It must allow shared key access: the content share mounts with the "
        "account key."
        if storage.allow_shared_key_access
        else ""
    )
    return (
        BringYourOwn(
            Existing.PLAN,
            "Resource id of an existing App Service plan to run the app on; unset, "
            f"one is created. It must be a {plan_os(spec)} plan of SKU {plan.sku}, "
            "the plan the profile's settings are sized for." + plan_note,
        ),
        BringYourOwn(
            Existing.WORKSPACE,
            "Resource id of an existing Log Analytics workspace for Application "
            "Insights; unset, one is created.",
        ),
        BringYourOwn(
            Existing.STORAGE,
            "Name of an existing storage account in the resource group for the host "
            f"({storage_uses}); unset, one is created. Its own settings (TLS, "
            "public access) stay as they are." + key_note,
        ),
    )


def site_scale(spec: AppSpec) -> dict[str, int]:
    """The siteConfig scale properties the plan family takes (see `Infra`)."""
    plan = spec.plan
    scale: dict[str, int] = {}
    if plan.family == "premium" and plan.always_ready:
        scale[SITE_ALWAYS_READY] = plan.always_ready
    if plan.family in ("consumption", "premium") and plan.max_instances is not None:
        scale[SITE_SCALE_LIMIT] = plan.max_instances
    return scale
