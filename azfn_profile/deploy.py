"""Pulumi ComponentResource `azfn-profile:index:PythonFunctionApp`.

Built only from an AppSpec, through the format-neutral description in `infra`: this
module maps that description onto azure-native resources and decides nothing. It
imports pulumi, so nothing on the CLI's path imports it.

Use from your own Pulumi program (requirements.txt:
`azfn-profile[pulumi] @ git+https://github.com/azfn-profile/azfn-profile`)::

    from azfn_profile.deploy import PythonFunctionApp
    from azfn_profile.engine import resolve_file

    spec = resolve_file(Path("orders.yaml"), today=date.today())
    app = PythonFunctionApp("orders", spec, resource_group_name=group.name)
    pulumi.export("url", app.default_hostname)

Physical names derive from the profile's `name` and a suffix stable for the Pulumi
project, stack and component name, so two stacks never collide; the profile's
`names` pins any of them. Location: the `location` argument, else the profile's,
else the `azure-native:location` config, else the resource group's.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pulumi
from pulumi_azure_native import (
    applicationinsights,
    authorization,
    operationalinsights,
    resources,
    storage,
    web,
)

from azfn_profile.facts import SITE_ALWAYS_READY, SITE_SCALE_LIMIT
from azfn_profile.infra import (
    Cloud,
    Concat,
    Infra,
    ResourceOutput,
    Value,
    deployment_suffix,
    describe,
)
from azfn_profile.spec import AppSpec

TYPE = "azfn-profile:index:PythonFunctionApp"

FLEX_SKU = "FC1"

# Each live component by the id() of its `plan_id` output, so a `plan_id` argument that
# is another component's output is checked against that component's profile at once.
_BY_PLAN_OUTPUT: weakref.WeakValueDictionary[int, PythonFunctionApp] = (
    weakref.WeakValueDictionary()
)


class PythonFunctionApp(pulumi.ComponentResource):
    """A Linux Python function app sized by azfn-profile, with its storage and telemetry.

    Bring your own: `resource_group_name` (else a group is created), `plan_id` (an
    existing App Service plan, e.g. another component's `plan_id`, so several apps
    share it; refused unless its SKU is the profile's `plan.sku`, which the worker
    settings are sized for), `storage_account_name` and `app_insights_name`
    (existing resources in the resource group), `tags` (merged over the workload
    tags), `location`, and `opts` (providers, aliases, ...; children inherit them).
    """

    name: pulumi.Output[str]
    default_hostname: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    site_id: pulumi.Output[str]
    plan_id: pulumi.Output[str]
    storage_account_name: pulumi.Output[str]
    resource_group_name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        spec: AppSpec,
        *,
        resource_group_name: pulumi.Input[str] | None = None,
        location: pulumi.Input[str] | None = None,
        plan_id: pulumi.Input[str] | None = None,
        storage_account_name: pulumi.Input[str] | None = None,
        app_insights_name: pulumi.Input[str] | None = None,
        tags: Mapping[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, resource_name, None, opts)
        self.spec = spec
        suffix = deployment_suffix(
            pulumi.get_project(), pulumi.get_stack(), resource_name
        )
        self.infra = infra = describe(spec, suffix=suffix)
        self._child = pulumi.ResourceOptions(parent=self)
        self._prefix = resource_name
        self._tags = {**infra.tags, **(tags or {})}
        self._location = self._where(location, resource_group_name)
        if resource_group_name is None:
            group = resources.ResourceGroup(
                f"{resource_name}-rg",
                resource_group_name=infra.resource_group,
                location=self._location,
                tags=self._tags,
                opts=self._child,
            )
            group_name: pulumi.Input[str] = group.name
        else:
            group_name = resource_group_name
        self._group: pulumi.Input[str] = group_name
        self.storage = self._storage(infra, storage_account_name)
        self.insights = self._monitoring(infra, app_insights_name)
        self.plan_id = (
            self._shared_plan(plan_id)
            if plan_id is not None
            else pulumi.Output.from_input(self._plan(infra).id)
        )
        _BY_PLAN_OUTPUT.setdefault(id(self.plan_id), self)
        self.site = self._site(infra)
        self._roles(infra)
        self._publishing_off(infra)
        self.name = self.site.name
        self.site_id = self.site.id
        self.default_hostname = self.site.default_host_name
        self.principal_id = self.site.identity.apply(
            lambda i: i.principal_id if i else ""
        )
        self.storage_account_name = pulumi.Output.from_input(self.storage.name)
        self.resource_group_name = pulumi.Output.from_input(group_name)
        self.plan_sku = spec.plan.sku
        self.app_settings = {
            k: self._value(v)
            for k, v in infra.site_settings.items()
            if k not in infra.secret_settings
        }
        self.workers = {"processes": spec.processes, "threads": spec.threads}
        self.register_outputs(
            {
                "name": self.name,
                "defaultHostname": self.default_hostname,
                "principalId": self.principal_id,
                "siteId": self.site_id,
                "planId": self.plan_id,
                "storageAccountName": self.storage_account_name,
                "resourceGroupName": self.resource_group_name,
                "planSku": self.plan_sku,
                "appSettings": self.app_settings,
                "workers": self.workers,
            }
        )

    def _where(
        self,
        location: pulumi.Input[str] | None,
        resource_group_name: pulumi.Input[str] | None,
    ) -> pulumi.Input[str] | None:
        """The location argument > the profile's > azure-native:location > the
        existing resource group's."""
        if location is not None:
            return location
        if self.spec.location:
            return self.spec.location
        if pulumi.Config("azure-native").get("location"):
            return None  # the provider's own default applies
        if resource_group_name is not None:
            group = resources.get_resource_group_output(
                resource_group_name=resource_group_name,
                opts=pulumi.InvokeOptions(parent=self),
            )
            return group.location
        raise pulumi.RunError(
            f"{self.spec.name}: no location: pass location=, set `location` in the "
            "profile, set azure-native:location, or give an existing "
            "resource_group_name"
        )

    def _storage(self, infra: Infra, existing: pulumi.Input[str] | None) -> Any:
        s = infra.storage
        if existing is not None:
            account: Any = storage.get_storage_account_output(
                account_name=existing,
                resource_group_name=self._group,
                opts=pulumi.InvokeOptions(parent=self),
            )
            self._container(infra, account)
            return account
        account = storage.StorageAccount(
            f"{self._prefix}-storage",
            account_name=s.name,
            resource_group_name=self._group,
            location=self._location,
            kind=s.kind,
            sku=storage.SkuArgs(name=s.sku),
            minimum_tls_version=s.minimum_tls_version,
            enable_https_traffic_only=s.https_only,
            allow_blob_public_access=s.allow_blob_public_access,
            allow_shared_key_access=s.allow_shared_key_access,
            tags=self._tags,
            opts=self._child,
        )
        self._container(infra, account)
        return account

    def _container(self, infra: Infra, account: Any) -> None:
        s = infra.storage
        if s.container is not None:
            storage.BlobContainer(
                f"{self._prefix}-deployments",
                account_name=account.name,
                container_name=s.container,
                resource_group_name=self._group,
                public_access=storage.PublicAccess(s.container_public_access),
                opts=self._child,
            )

    def _monitoring(self, infra: Infra, existing: pulumi.Input[str] | None) -> Any:
        m = infra.monitoring
        if existing is not None:
            return applicationinsights.get_component_output(
                resource_name=existing,
                resource_group_name=self._group,
                opts=pulumi.InvokeOptions(parent=self),
            )
        workspace = operationalinsights.Workspace(
            f"{self._prefix}-logs",
            workspace_name=m.workspace_name,
            resource_group_name=self._group,
            location=self._location,
            sku=operationalinsights.WorkspaceSkuArgs(name=m.workspace_sku),
            retention_in_days=m.retention_days,
            tags=self._tags,
            opts=self._child,
        )
        return applicationinsights.Component(
            f"{self._prefix}-insights",
            resource_name_=m.insights_name,
            resource_group_name=self._group,
            location=self._location,
            kind=m.insights_kind,
            application_type=m.application_type,
            ingestion_mode=m.ingestion_mode,
            workspace_resource_id=workspace.id,
            disable_local_auth=m.disable_local_auth,
            tags=self._tags,
            opts=self._child,
        )

    def _plan(self, infra: Infra) -> web.AppServicePlan:
        plan = infra.spec.plan
        return web.AppServicePlan(
            f"{self._prefix}-plan",
            name=infra.plan_name,
            resource_group_name=self._group,
            location=self._location,
            kind=plan.kind,
            reserved=plan.reserved,
            sku=web.SkuDescriptionArgs(
                name=plan.sku,
                tier=plan.tier,
                capacity=infra.elastic_minimum,
            ),
            maximum_elastic_worker_count=infra.elastic_maximum,
            tags=self._tags,
            opts=self._child,
        )

    def _shared_plan(self, plan_id: pulumi.Input[str]) -> pulumi.Output[str]:
        """`plan_id`, refused unless the plan is what the profile's settings are sized
        for: its `plan.sku`, on the operating system of its `plan.reserved`.

        Another component's `plan_id` output is checked here, against that component's
        profile. Any other id is looked up in Azure once it is known (during preview
        when it names an existing plan, else during the update); the site's
        `server_farm_id` waits for the check, so a mismatch fails the deployment.
        """
        owner = _BY_PLAN_OUTPUT.get(id(plan_id))
        if owner is not None and owner.plan_id is plan_id:
            self._same_plan(
                f"the plan of PythonFunctionApp {owner._prefix!r} "
                f"(profile {owner.spec.name!r})",
                owner.spec.plan.sku,
                plan_os_type(owner.spec.plan.reserved),
            )
            return pulumi.Output.from_input(plan_id)
        given = pulumi.Output.from_input(plan_id)
        where = given.apply(self._plan_ref)
        found = web.get_app_service_plan_output(
            name=where.apply(lambda w: w[1]),
            resource_group_name=where.apply(lambda w: w[0]),
            opts=pulumi.InvokeOptions(parent=self),
        )
        return pulumi.Output.all(given, found).apply(
            lambda v: self._checked_plan(v[0], v[1])
        )

    def _plan_ref(self, plan_id: str) -> tuple[str, str]:
        """(resource group, name) of an App Service plan resource id."""
        parts = [p for p in plan_id.split("/") if p]
        groups = [i for i, p in enumerate(parts) if p.lower() == "resourcegroups"]
        if not groups or groups[0] + 2 >= len(parts):
            raise pulumi.RunError(
                f"PythonFunctionApp {self._prefix!r}: plan_id {plan_id!r} is not an "
                "App Service plan resource id (/subscriptions/<subscription>/"
                "resourceGroups/<group>/providers/Microsoft.Web/serverfarms/<name>)"
            )
        return parts[groups[0] + 1], parts[-1]

    def _checked_plan(self, plan_id: str, plan: web.GetAppServicePlanResult) -> str:
        sku = plan.sku.name if plan.sku is not None else None
        if not sku:
            pulumi.log.warn(
                f"PythonFunctionApp {self._prefix!r}: the plan {plan_id} reports no "
                "SKU; not checked against the profile's plan.sku "
                f"{self.spec.plan.sku}",
                resource=self,
            )
            return plan_id
        os_type = None if plan.reserved is None else plan_os_type(plan.reserved)
        self._same_plan(f"the plan {plan_id}", sku, os_type)
        return plan_id

    def _same_plan(self, plan: str, sku: str, os_type: str | None) -> None:
        """Refuse `plan`, of `sku` on `os_type` (None: not reported), unless it is the
        plan the profile expects. SKUs compare case-insensitively."""
        need_sku = self.spec.plan.sku
        need_os = plan_os_type(self.spec.plan.reserved)
        same_sku = sku.casefold() == need_sku.casefold()
        if same_sku and os_type in (None, need_os):
            return
        fix = (
            f"Set plan.sku: {sku} in profile {self.spec.name!r}, or pass a plan of "
            f"SKU {need_sku} (or none, to create one)."
            if not same_sku
            else f"Pass a {need_os} plan (or none, to create one)."
        )
        flex = (
            f" A Flex Consumption app needs a plan of SKU {FLEX_SKU}, and no other "
            "app can use one."
            if FLEX_SKU in (sku.upper(), need_sku.upper())
            else ""
        )
        of = f"{sku} ({os_type})" if os_type else sku
        raise pulumi.RunError(
            f"PythonFunctionApp {self._prefix!r}: plan_id is {plan}, of SKU {of}. "
            f"The profile expects an App Service plan of SKU {need_sku} ({need_os}): "
            f"its settings are sized for that plan. {fix}{flex}"
        )

    def _site(self, infra: Infra) -> web.WebApp:
        site = infra.spec.site
        flex = infra.function_app_config is not None
        config = web.SiteConfigArgs(
            app_settings=[
                web.NameValuePairArgs(name=k, value=self._value(v))
                for k, v in infra.site_settings.items()
            ],
            min_tls_version=site.min_tls_version,
            scm_min_tls_version=site.scm_min_tls_version,
            http20_enabled=site.http20_enabled,
            ftps_state=site.ftps_state,
            always_on=site.always_on,
            linux_fx_version=site.linux_fx_version,
            minimum_elastic_instance_count=infra.site_scale.get(SITE_ALWAYS_READY),
            function_app_scale_limit=infra.site_scale.get(SITE_SCALE_LIMIT),
        )
        return web.WebApp(
            f"{self._prefix}-site",
            name=infra.site_name,
            resource_group_name=self._group,
            location=self._location,
            kind=site.kind,
            server_farm_id=self.plan_id,
            https_only=site.https_only,
            identity=web.ManagedServiceIdentityArgs(
                type=web.ManagedServiceIdentityType(site.identity)
            ),
            site_config=config,
            function_app_config=self._flex_config(infra) if flex else None,
            reserved=infra.site_reserved,
            tags=self._tags,
            opts=self._child,
        )

    def _flex_config(self, infra: Infra) -> web.FunctionAppConfigArgs:
        fac, deployment = infra.function_app_config, infra.deployment
        assert fac is not None and deployment is not None
        runtime = _mapping(fac["runtime"])
        scale = _mapping(fac["scaleAndConcurrency"])
        http = _mapping(_mapping(scale["triggers"])["http"])
        ready = [
            web.FunctionsAlwaysReadyConfigArgs(
                name=str(_mapping(a)["name"]),
                instance_count=int(_mapping(a)["instanceCount"]),
            )
            for a in scale.get("alwaysReady", [])
        ]
        return web.FunctionAppConfigArgs(
            deployment=web.FunctionsDeploymentArgs(
                storage=web.FunctionsDeploymentStorageArgs(
                    type=deployment.type,
                    value=self._value(deployment.url),
                    authentication=web.FunctionsDeploymentStorageAuthenticationArgs(
                        type=deployment.authentication
                    ),
                )
            ),
            runtime=web.FunctionsRuntimeArgs(
                name=str(runtime["name"]), version=str(runtime["version"])
            ),
            scale_and_concurrency=web.FunctionsScaleAndConcurrencyArgs(
                instance_memory_mb=int(scale["instanceMemoryMB"]),
                maximum_instance_count=int(scale["maximumInstanceCount"]),
                always_ready=ready or None,
                triggers=web.FunctionsScaleAndConcurrencyTriggersArgs(
                    http=web.FunctionsScaleAndConcurrencyTriggersHttpArgs(
                        per_instance_concurrency=int(http["perInstanceConcurrency"])
                    )
                ),
            ),
        )

    def _roles(self, infra: Infra) -> None:
        principal = self.site.identity.apply(lambda i: i.principal_id if i else "")
        subscription = self.storage.id.apply(lambda rid: rid.split("/")[2])
        for role in infra.roles:
            authorization.RoleAssignment(
                f"{self._prefix}-{role.role.lower().replace(' ', '-')}",
                role_assignment_name=role.name,
                principal_id=principal,
                principal_type=role.principal_type,
                scope=self._ref(role.scope),
                role_definition_id=pulumi.Output.concat(
                    "/subscriptions/",
                    subscription,
                    "/providers/Microsoft.Authorization/roleDefinitions/",
                    role.role_definition_guid,
                ),
                opts=self._child,
            )

    def _publishing_off(self, infra: Infra) -> None:
        for kind, cls in (("ftp", web.WebAppFtpAllowed), ("scm", web.WebAppScmAllowed)):
            cls(
                f"{self._prefix}-{kind}-basic-auth-off",
                allow=infra.spec.site.basic_publishing_credentials,
                name=self.site.name,
                resource_group_name=self._group,
                opts=self._child,
            )

    def _value(self, value: Value) -> pulumi.Input[str]:
        if isinstance(value, str):
            return value
        if isinstance(value, Cloud):
            return self._cloud(value)
        if isinstance(value, Concat):
            joined = pulumi.Output.concat(*(self._value(p) for p in value.parts))
            return pulumi.Output.secret(joined) if value.secret else joined
        resolved = self._ref(value)
        return pulumi.Output.secret(resolved) if value.secret else resolved

    def _ref(self, ref: ResourceOutput) -> pulumi.Output[str]:
        if ref.resource == "storage" and ref.attribute == "name":
            return pulumi.Output.from_input(self.storage.name)
        if ref.resource == "storage" and ref.attribute == "id":
            return pulumi.Output.from_input(self.storage.id)
        if ref.resource == "insights" and ref.attribute == "id":
            return pulumi.Output.from_input(self.insights.id)
        if ref.resource == "insights" and ref.attribute == "connectionString":
            return pulumi.Output.from_input(self.insights.connection_string)
        if ref.resource == "storage" and ref.attribute == "blobEndpoint":
            return self._blob_endpoint()
        if ref.resource == "storage" and ref.attribute == "key":
            keys = storage.list_storage_account_keys_output(
                resource_group_name=self._group,
                account_name=self.storage.name,
            )
            return pulumi.Output.from_input(keys.keys[0].value)
        raise ValueError(f"no mapping for {ref}")

    def _blob_endpoint(self) -> pulumi.Output[str]:
        endpoints: pulumi.Output[Any] = self.storage.primary_endpoints
        return endpoints.apply(lambda e: str(e.blob))

    def _cloud(self, value: Cloud) -> pulumi.Output[str]:
        # The storage suffix comes from the account's own blob endpoint, which Azure
        # reports in whichever cloud holds the account (public, sovereign, Azure
        # Stack Hub). The provider's `environment` setting only names a cloud and
        # authorization.get_client_config returns ids, not endpoints; a table from
        # cloud names to suffixes would be a second, stale copy of Azure's own.
        assert value is Cloud.STORAGE_SUFFIX
        return self._blob_endpoint().apply(storage_suffix)


def plan_os_type(reserved: bool) -> str:
    """An App Service plan's operating system, from its `reserved` flag."""
    return "Linux" if reserved else "Windows"


def storage_suffix(blob_endpoint: str) -> str:
    """The storage DNS suffix in a blob endpoint: https://<account>.blob.<suffix>/."""
    parts = (urlsplit(blob_endpoint).hostname or "").split(".", 2)
    if len(parts) < 3 or not all(parts):
        raise ValueError(f"not a storage account blob endpoint: {blob_endpoint!r}")
    return parts[2]


def _mapping(value: object) -> Mapping[str, Any]:
    assert isinstance(value, Mapping)
    return value
