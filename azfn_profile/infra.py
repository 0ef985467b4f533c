"""The resources a profiled function app needs, described once from an AppSpec.

This is deployment-format neutral: the Pulumi component (and the ARM, Bicep and
Terraform writers) serialize it and decide nothing. Values that exist only after
deployment (a connection string, an endpoint, an identity) are `Ref`s, which each
serializer turns into its own reference syntax.

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
from typing import TypeAlias

from azfn_profile.spec import AppSpec, JsonValue


@dataclass(frozen=True)
class Ref:
    """A value of another resource, known after deployment."""

    resource: str  # logical id: storage | insights | site
    attribute: str  # name | id | blobEndpoint | connectionString | principalId
    secret: bool = False


@dataclass(frozen=True)
class Concat:
    parts: tuple[str | Ref, ...]


Value: TypeAlias = str | Ref | Concat

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
WORKLOAD_TAGS = (
    "azfn-profile:workload",
    "azfn-profile:style",
    "azfn-profile:concurrency",
)


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


@dataclass(frozen=True)
class Monitoring:
    workspace_name: str
    insights_name: str
    retention_days: int = 30
    disable_local_auth: bool = True


@dataclass(frozen=True)
class RoleAssignment:
    role: str
    role_definition_guid: str
    scope: str  # logical id of the resource the role applies to
    name: str  # deterministic GUID, so redeploys do not duplicate assignments


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
    deployment_container_url: Concat | None  # Flex: blob container for packages
    roles: tuple[RoleAssignment, ...]
    tags: Mapping[str, str] = field(default_factory=dict)
    # Elastic Premium only: instances kept warm (sku.capacity) and the burst limit
    # (maximumElasticWorkerCount), from always_ready and max_instances
    # (learn.microsoft.com/azure/azure-functions/functions-premium-plan).
    elastic_minimum: int | None = None
    elastic_maximum: int | None = None

    @property
    def secret_settings(self) -> frozenset[str]:
        return frozenset(
            k for k, v in self.site_settings.items() if isinstance(v, Ref) and v.secret
        )


def storage_account_name(app: str, suffix: str | None = None) -> str:
    """3-24 lowercase letters/digits, stable for an app name (and deployment suffix)."""
    digest = suffix or hashlib.sha256(app.encode()).hexdigest()[:6]
    return f"st{re.sub(r'[^a-z0-9]', '', app)[:16]}{digest}"


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
    return tags


def infra_settings(spec: AppSpec, storage: Storage) -> dict[str, Value]:
    """App settings the deployment adds: identity-based storage and App Insights."""
    settings: dict[str, Value] = {
        "AzureWebJobsStorage__accountName": Ref("storage", "name"),
        "AzureWebJobsStorage__credential": "managedidentity",
        "APPLICATIONINSIGHTS_CONNECTION_STRING": Ref(
            "insights", "connectionString", True
        ),
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "Authorization=AAD",
    }
    if spec.plan.family in ("consumption", "premium"):
        settings["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"] = Ref(
            "storage", "connectionString", True
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
    storage = Storage(
        name=pinned.get("storage") or storage_account_name(spec.name, suffix),
        allow_shared_key_access=spec.plan.family in ("consumption", "premium"),
        container=FLEX_CONTAINER if flex else None,
    )
    settings: dict[str, Value] = dict(spec.app_settings)
    settings.update(infra_settings(spec, storage))
    roles = tuple(
        RoleAssignment(
            role,
            guid,
            _ROLE_SCOPES.get(role, "storage"),
            # role assignment names are unique in the tenant: the suffix keeps two
            # deployments of one profile apart
            str(uuid.uuid5(_GUID_NAMESPACE, f"{spec.name}{tail}/{role}")),
        )
        for role, guid in ROLES.items()
    )
    return Infra(
        spec=spec,
        resource_group=resource_group
        or pinned.get("resource_group")
        or f"rg-{spec.name}{tail}",
        site_name=pinned.get("site") or f"{spec.name[:53]}{tail}",
        storage=storage,
        # Azure's limits: workspace 4-63, plan 1-40 characters; the suffix is kept
        monitoring=Monitoring(f"log-{spec.name[:52]}{tail}", f"appi-{spec.name}{tail}"),
        plan_name=pinned.get("plan") or f"plan-{spec.name[:28]}{tail}",
        site_settings=dict(sorted(settings.items(), key=lambda kv: kv[0].upper())),
        function_app_config=spec.function_app_config,
        deployment_container_url=(
            Concat((Ref("storage", "blobEndpoint"), FLEX_CONTAINER)) if flex else None
        ),
        roles=roles,
        tags=workload_tags(spec),
        elastic_minimum=spec.plan.always_ready or None
        if spec.plan.family == "premium"
        else None,
        elastic_maximum=spec.plan.max_instances
        if spec.plan.family == "premium"
        else None,
    )
