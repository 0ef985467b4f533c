"""Terraform for the azurerm provider, from the same description: a module, and a root
that configures the providers and calls it.

The module (`module_tf`) holds variables, resources and outputs and no provider
configuration, so it can sit beside a user's configuration or be called with
`count`/`for_each`. The root (`root_tf`) pins the providers and sets
`storage_use_azuread = true`: the storage account turns shared keys off, and the
provider's own data-plane calls must then use Entra ID
(https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs#storage_use_azuread).

`azurerm_linux_function_app` (or `azurerm_function_app_flex_consumption` on FC1, which
the Linux resource cannot create: terraform-provider-azurerm #26672) owns several app
settings and sets them from its arguments; putting them in app_settings causes drift
(the provider's documentation of app_settings), so they are mapped to arguments and
left out of the map.
"""

from __future__ import annotations

from typing import Any

from azfn_profile.facts import SITE_ALWAYS_READY, SITE_SCALE_LIMIT
from azfn_profile.infra import (
    NAMES,
    NO_PUBLIC_ACCESS,
    Cloud,
    Concat,
    Existing,
    Infra,
    NameRule,
    ResourceOutput,
    Value,
)
from azfn_profile.terms import NAME_LENGTH


class Expr(str):
    """A Terraform template this writer means (a reference); every other string is
    data and has its `${` and `%{` escaped, so nothing from a profile is evaluated."""


def escape_templates(value: Any) -> Any:
    """Escape Terraform template sequences in all data strings (keys included)."""
    if isinstance(value, Expr):
        return str(value)
    if isinstance(value, str):
        return value.replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, dict):
        return {escape_templates(k): escape_templates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape_templates(v) for v in value]
    return value


# Settings the azurerm function-app resources write from their own arguments. With
# storage_uses_managed_identity the provider writes no content-share settings on
# Consumption and Elastic Premium (internal/services/appservice/
# linux_function_app_resource.go, `sendContentSettings`), so those stay in app_settings.
PROVIDER_OWNED = frozenset(
    {
        "FUNCTIONS_EXTENSION_VERSION",
        "FUNCTIONS_WORKER_RUNTIME",
        "AzureWebJobsStorage",
        "AzureWebJobsStorage__accountName",
        "APPINSIGHTS_INSTRUMENTATIONKEY",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "WEBSITE_HEALTHCHECK_MAXPINGFAILURES",
        "WEBSITE_NODE_DEFAULT_VERSION",
    }
)
RG, LOC = Expr("${var.resource_group_name}"), Expr("${var.location}")
TAGS = Expr("${local.tags}")


# On Flex, `storage_authentication_type = "SystemAssignedIdentity"` covers only the
# deployment container; the provider still writes AzureWebJobsStorage as a connection
# string with an empty key, and the host fails to start
# (https://github.com/hashicorp/terraform-provider-azurerm/issues/29693). The app gets
# the identity-based settings itself, and an azapi update removes the empty one.
FLEX_IDENTITY_SETTINGS = (
    "AzureWebJobsStorage__accountName",
    "AzureWebJobsStorage__credential",
)
AZAPI = {"source": "Azure/azapi", "version": ">= 2.0, < 3.0"}
AZURERM = {"source": "hashicorp/azurerm", "version": ">= 4.78, < 5.0"}


# References to the description's resources, as this module names them. The
# storage account the host uses is the one created here or the existing one
# (`local.host_storage`).
_REFS = {
    ("storage", "name"): "local.host_storage.name",
    ("storage", "id"): "local.host_storage.id",
    ("storage", "key"): "local.host_storage.primary_access_key",
    ("storage", "blobEndpoint"): "local.host_storage.primary_blob_endpoint",
    ("insights", "id"): "azurerm_application_insights.insights.id",
    ("insights", "connectionString"): (
        "azurerm_application_insights.insights.connection_string"
    ),
}
# The cloud's values. azurerm has no data source for the cloud's endpoint suffixes
# (azurerm_client_config gives only ids), so the storage suffix is read from the
# account's own blob host (`primary_blob_host`, "<account>.blob.<suffix>"), which
# Azure reports in whichever cloud holds the account.
_CLOUD = {
    Cloud.STORAGE_SUFFIX: "trimprefix(local.host_storage.primary_blob_host,"
    ' "${local.host_storage.name}.blob.")'
}
# The attributes of the host's storage account `local.host_storage` holds: those
# the references above read (the app's account name and the role scopes: name, id).
_STORAGE_ATTRIBUTES = {
    "key": ("primary_access_key",),
    "blobEndpoint": ("primary_blob_endpoint",),
}
_SUFFIX_ATTRIBUTES = ("primary_blob_host",)


def _host_storage_attributes(infra: Infra) -> list[str]:
    """name and id, and what the description's values read of the account."""
    found = ["name", "id"]
    values: list[Any] = [*infra.site_settings.values()]
    if infra.deployment is not None:
        values.append(infra.deployment.url)
    for value in values:
        parts = value.parts if isinstance(value, Concat) else (value,)
        for part in parts:
            if isinstance(part, ResourceOutput) and part.resource == "storage":
                found += _STORAGE_ATTRIBUTES.get(part.attribute, ())
            elif part is Cloud.STORAGE_SUFFIX:
                found += _SUFFIX_ATTRIBUTES
    return list(dict.fromkeys(found))


def tf_value(v: Value) -> Any:
    """A description value: data as it is (escaped later), references and the
    cloud's values as templates."""
    if isinstance(v, str):
        return v
    if isinstance(v, Concat):
        return Expr(
            "".join(
                escape_templates(p) if isinstance(p, str) else tf_value(p)
                for p in v.parts
            )
        )
    if isinstance(v, Cloud):
        return Expr("${" + _CLOUD[v] + "}")
    return Expr("${" + _REFS[(v.resource, v.attribute)] + "}")


def app_settings(infra: Infra) -> dict[str, Any]:
    """The settings Terraform keeps in app_settings: everything the provider does not
    own (on Flex, the identity-based storage settings too)."""
    flex = infra.function_app_config is not None
    return {
        name: tf_value(v)
        for name, v in infra.site_settings.items()
        if name not in PROVIDER_OWNED or (flex and name in FLEX_IDENTITY_SETTINGS)
    }


def _variables(infra: Infra) -> dict[str, Any]:
    pinned = infra.spec.pinned_names
    return {
        "app_name": {
            "type": "string",
            "default": infra.spec.name,
            "description": "Logical name of the app; the names below derive from it.",
            "validation": [
                {
                    "condition": Expr(f'${{can(regex("{_APP_NAME}", var.app_name))}}'),
                    "error_message": f"app_name must be {_LOW}-{_HIGH} characters "
                    "of a-z, 0-9 and '-', not starting or ending with '-'.",
                }
            ],
        },
        "resource_group_name": {
            "type": "string",
            "default": infra.resource_group,
            "description": "Existing resource group to deploy into.",
        },
        "location": {
            "type": "string",
            **({"default": infra.spec.location} if infra.spec.location else {}),
            "description": "Azure region for every resource.",
        },
        "site_name": {
            "type": "string",
            "default": pinned.get("site"),
            "description": "Function app name (globally unique); unset, "
            "<app_name>-<suffix>.",
        },
        "storage_account_name": {
            "type": "string",
            "default": pinned.get("storage"),
            "description": "Storage account for the host (globally unique, 3-24 of "
            "a-z and 0-9); unset, st<app_name without '-'><suffix>.",
        },
        **{
            b.resource.snake: {
                "type": "string",
                "default": None,
                "description": b.description,
            }
            for b in infra.bring_your_own
        },
        "tags": {
            "type": "map(string)",
            "default": {},
            "description": "Tags for every resource, merged over the workload tags.",
        },
    }


# The profile's own rule for names (Terraform's regex syntax is RE2).
_LOW, _HIGH = NAME_LENGTH
_APP_NAME = f"^[a-z0-9][a-z0-9-]{{{_LOW - 2},{_HIGH - 2}}}[a-z0-9]$"


def _locals(infra: Infra) -> dict[str, Any]:
    """Names unique per subscription, resource group and app, as Bicep's
    uniqueString(resourceGroup().id, appName) makes them: six hex characters of a
    hash of the three; each name follows its NameRule (Azure's limits)."""
    pinned_plan = infra.spec.pinned_names.get("plan")
    return {
        "suffix": Expr(
            '${substr(sha1("${data.azurerm_client_config.current.subscription_id}'
            '/${var.resource_group_name}/${var.app_name}"), 0, 6)}'
        ),
        "site_name": Expr(f"${{coalesce(var.site_name, {_unique(NAMES['site'])})}}"),
        "storage_account_name": Expr(
            f"${{coalesce(var.storage_account_name, {_unique(NAMES['storage'])})}}"
        ),
        "plan_name": pinned_plan or _scoped(NAMES["plan"]),
        "workspace_name": _scoped(NAMES["workspace"]),
        "insights_name": _scoped(NAMES["insights"]),
        "workload_tags": dict(infra.tags),
        "tags": Expr("${merge(local.workload_tags, var.tags)}"),
        # The plan, workspace and storage account the app uses: created here, or the
        # existing ones the existing_* variables name.
        "plan_id": _given_or(Existing.PLAN, "one(azurerm_service_plan.plan[*].id)"),
        "workspace_id": _given_or(
            Existing.WORKSPACE, "one(azurerm_log_analytics_workspace.logs[*].id)"
        ),
        "host_storage": {
            attribute: Expr(
                f"${{one(concat(azurerm_storage_account.storage[*].{attribute}, "
                f"data.azurerm_storage_account.existing[*].{attribute}))}}"
            )
            for attribute in _host_storage_attributes(infra)
        },
    }


def _given(resource: Existing) -> str:
    """The variable naming an existing `resource` (null: create it)."""
    return f"var.{resource.snake}"


def _given_or(resource: Existing, created: str) -> Expr:
    """The created resource's value, or the existing one the variable names. (A
    condition on the variable, not coalesce(): the created value is unknown until
    applied, and coalesce() would make the choice unknown with it.)"""
    given = _given(resource)
    return Expr(f"${{{given} == null ? {created} : {given}}}")


def _count_unless_given(resource: Existing) -> Expr:
    """One instance when no existing `resource` is given, else none. (Written as
    the length of a list: checkov reads `var.x == null ? 1 : 0` with a null default
    as 0 and would leave the resource out of its review.)"""
    return Expr(f"${{length({_given(resource)} == null ? [1] : [])}}")


def _count_if_given(resource: Existing) -> Expr:
    return Expr(f"${{{_given(resource)} == null ? 0 : 1}}")


# An App Service plan's resource id: /subscriptions/<id>/resourceGroups/<group>/
# providers/Microsoft.Web/serverfarms/<name>; the positions after split("/").
_ID_GROUP, _ID_NAME = 4, 8


def _existing_data(infra: Infra) -> dict[str, Any]:
    """Data sources for the existing resources whose attributes the module reads:
    the plan (its SKU, for the app's precondition) and the storage account."""
    plan_id = _given(Existing.PLAN)
    return {
        "azurerm_service_plan": {
            "existing": {
                "count": _count_if_given(Existing.PLAN),
                "name": Expr(f'${{element(split("/", {plan_id}), {_ID_NAME})}}'),
                "resource_group_name": Expr(
                    f'${{element(split("/", {plan_id}), {_ID_GROUP})}}'
                ),
            }
        },
        "azurerm_storage_account": {
            "existing": {
                "count": _count_if_given(Existing.STORAGE),
                "name": Expr(f"${{{_given(Existing.STORAGE)}}}"),
                "resource_group_name": RG,
            }
        },
    }


def _os_type(reserved: bool) -> str:
    """azurerm's os_type of a plan, from its `reserved` flag."""
    return "Linux" if reserved else "Windows"


def _plan_precondition(infra: Infra) -> dict[str, Any]:
    """Terraform checks an existing plan against the profile at plan time."""
    need = infra.plan_requirement
    assert need is not None
    existing = "data.azurerm_service_plan.existing[*]"
    return {
        "precondition": [
            {
                "condition": Expr(
                    f"${{{_given(Existing.PLAN)} == null || "
                    f'(one({existing}.sku_name) == "{need.sku}" && '
                    f'one({existing}.os_type) == "{_os_type(need.reserved)}")}}'
                ),
                "error_message": f"{need.message} {Existing.PLAN.snake} "
                "names a plan of another SKU or operating system.",
            }
        ]
    }


SUFFIX_LENGTH = 6  # local.suffix


def _unique(rule: NameRule) -> str:
    """A globally unique name as a template: prefix, the app name cut to fit,
    local.suffix."""
    app = 'replace(var.app_name, "-", "")' if rule.alphanumeric else "var.app_name"
    kept = f"${{substr({app}, 0, {rule.keep(SUFFIX_LENGTH)})}}"
    return f'"{rule.prefix}{kept}{rule.separator}${{local.suffix}}"'


def _scoped(rule: NameRule) -> Expr:
    """A name unique in its resource group: the prefixed app name, cut to the limit
    when it could exceed it."""
    name = f'"{rule.prefix}${{var.app_name}}"'
    if rule.fits_every_app_name:
        return Expr(name[1:-1])
    return Expr(f"${{substr({name}, 0, {rule.limit})}}")


def _storage(infra: Infra) -> dict[str, Any]:
    s = infra.storage
    return {
        "count": _count_unless_given(Existing.STORAGE),
        "name": Expr("${local.storage_account_name}"),
        "resource_group_name": RG,
        "location": LOC,
        "account_kind": s.kind,
        # azurerm splits the SKU name (Standard_LRS) into tier and replication.
        "account_tier": s.sku.partition("_")[0],
        "account_replication_type": s.sku.partition("_")[2],
        "min_tls_version": s.minimum_tls_version,
        "https_traffic_only_enabled": s.https_only,
        "allow_nested_items_to_be_public": s.allow_blob_public_access,
        "shared_access_key_enabled": s.allow_shared_key_access,
        "tags": TAGS,
    }


# The azurerm site_config arguments of the site's scale properties.
_SITE_SCALE = {
    SITE_ALWAYS_READY: "elastic_instance_minimum",
    SITE_SCALE_LIMIT: "app_scale_limit",
}


def _site_config(infra: Infra) -> dict[str, Any]:
    site = infra.spec.site
    config: dict[str, Any] = {
        "minimum_tls_version": site.min_tls_version,
        "scm_minimum_tls_version": site.scm_min_tls_version,
        "http2_enabled": site.http20_enabled,
        "application_insights_connection_string": Expr(
            "${azurerm_application_insights.insights.connection_string}"
        ),
    }
    if site.ftps_state is not None:
        config["ftps_state"] = site.ftps_state
    if site.always_on is not None:
        config["always_on"] = site.always_on
    return config


def _linux_app(infra: Infra) -> dict[str, Any]:
    spec = infra.spec
    config = _site_config(infra)
    config["application_stack"] = [{"python_version": spec.python}]
    config.update({_SITE_SCALE[k]: v for k, v in infra.site_scale.items()})
    storage: dict[str, Any] = {
        "storage_account_name": Expr("${local.host_storage.name}"),
        "storage_uses_managed_identity": True,
    }
    if infra.storage.allow_shared_key_access:
        storage["//"] = (
            "Consumption and Elastic Premium mount the app's content from an Azure "
            "Files share (WEBSITE_CONTENTAZUREFILECONNECTIONSTRING), which takes the "
            "account key: the share's settings are in app_settings, and the host "
            "itself reaches storage by identity."
        )
    return {
        "name": Expr("${local.site_name}"),
        "resource_group_name": RG,
        "location": LOC,
        "service_plan_id": Expr("${local.plan_id}"),
        **storage,
        **_extension_version(infra),
        "builtin_logging_enabled": False,  # AzureWebJobsDashboard: retired
        "https_only": spec.site.https_only,
        "ftp_publish_basic_authentication_enabled": spec.site.basic_publishing_credentials,
        "webdeploy_publish_basic_authentication_enabled": spec.site.basic_publishing_credentials,
        "identity": [{"type": spec.site.identity}],
        "site_config": [config],
        "app_settings": app_settings(infra),
        "tags": TAGS,
        "lifecycle": _plan_precondition(infra),
    }


def _extension_version(infra: Infra) -> dict[str, Any]:
    """The provider owns FUNCTIONS_EXTENSION_VERSION: the setting's value becomes its
    argument (left to the provider when the description has none)."""
    version = infra.spec.app_settings.get("FUNCTIONS_EXTENSION_VERSION")
    return {} if version is None else {"functions_extension_version": version}


def _flex_app(infra: Infra) -> dict[str, Any]:
    spec, fac, deployment = infra.spec, infra.function_app_config, infra.deployment
    assert fac is not None and deployment is not None
    scale: Any = fac["scaleAndConcurrency"]
    runtime: Any = fac["runtime"]
    app: dict[str, Any] = {
        "name": Expr("${local.site_name}"),
        "resource_group_name": RG,
        "location": LOC,
        "service_plan_id": Expr("${local.plan_id}"),
        "storage_container_type": deployment.type,
        "storage_container_endpoint": Expr(
            "${local.host_storage.primary_blob_endpoint}"
            "${azurerm_storage_container.deployments.name}"
        ),
        "storage_authentication_type": deployment.authentication,
        "runtime_name": runtime["name"],
        "runtime_version": spec.python,
        "instance_memory_in_mb": scale["instanceMemoryMB"],
        "maximum_instance_count": scale["maximumInstanceCount"],
        "http_concurrency": scale["triggers"]["http"]["perInstanceConcurrency"],
        "https_only": spec.site.https_only,
        "webdeploy_publish_basic_authentication_enabled": spec.site.basic_publishing_credentials,
        "identity": [{"type": spec.site.identity}],
        "site_config": [_site_config(infra)],
        "app_settings": app_settings(infra),
        "tags": TAGS,
        "lifecycle": _plan_precondition(infra),
    }
    if "alwaysReady" in scale:
        app["always_ready"] = [
            {"name": a["name"], "instance_count": a["instanceCount"]}
            for a in scale["alwaysReady"]
        ]
    return app


def module_tf(infra: Infra) -> dict[str, Any]:
    """The module: variables, resources and outputs, no provider configuration."""
    spec = infra.spec
    flex = infra.function_app_config is not None
    app_type = (
        "azurerm_function_app_flex_consumption"
        if flex
        else "azurerm_linux_function_app"
    )
    plan: dict[str, Any] = {
        "count": _count_unless_given(Existing.PLAN),
        "name": Expr("${local.plan_name}"),
        "resource_group_name": RG,
        "location": LOC,
        "os_type": _os_type(spec.plan.reserved),
        "sku_name": spec.plan.sku,
        "tags": TAGS,
    }
    if infra.elastic_minimum is not None:
        plan["worker_count"] = infra.elastic_minimum  # the plan's sku.capacity
    if infra.elastic_maximum is not None:
        plan["maximum_elastic_worker_count"] = infra.elastic_maximum
    resources: dict[str, Any] = {
        "azurerm_storage_account": {"storage": _storage(infra)},
        "azurerm_log_analytics_workspace": {
            "logs": {
                "count": _count_unless_given(Existing.WORKSPACE),
                "name": Expr("${local.workspace_name}"),
                "resource_group_name": RG,
                "location": LOC,
                "sku": infra.monitoring.workspace_sku,
                "retention_in_days": infra.monitoring.retention_days,
                "tags": TAGS,
            }
        },
        "azurerm_application_insights": {
            "insights": {
                "name": Expr("${local.insights_name}"),
                "resource_group_name": RG,
                "location": LOC,
                "application_type": infra.monitoring.application_type,
                "workspace_id": Expr("${local.workspace_id}"),
                "local_authentication_enabled": not infra.monitoring.disable_local_auth,
                "tags": TAGS,
            }
        },
        "azurerm_service_plan": {"plan": plan},
        app_type: {"app": _flex_app(infra) if flex else _linux_app(infra)},
        "azurerm_role_assignment": {
            role.role.lower().replace(" ", "_"): {
                "scope": tf_value(role.scope),
                "role_definition_name": role.role,
                "principal_id": Expr(f"${{{app_type}.app.identity[0].principal_id}}"),
                "principal_type": role.principal_type,
            }
            for role in infra.roles
        },
    }
    if flex:
        resources["azapi_update_resource"] = {"flex_storage_settings": _flex_fix(infra)}
    if infra.storage.container is not None:
        resources["azurerm_storage_container"] = {
            "deployments": {
                "name": infra.storage.container,
                "storage_account_id": Expr("${local.host_storage.id}"),
                "container_access_type": _container_access(
                    infra.storage.container_public_access
                ),
            }
        }
    document: dict[str, Any] = escape_templates(
        {
            "//": "Generated by azfn-profile from a workload profile; edit the profile instead.",
            "terraform": {"required_providers": _providers(flex)},
            "variable": _variables(infra),
            "data": {
                "azurerm_client_config": {"current": {}},
                **_existing_data(infra),
            },
            "locals": _locals(infra),
            "resource": resources,
            "output": {
                "site_name": {"value": Expr(f"${{{app_type}.app.name}}")},
                "default_hostname": {
                    "value": Expr(f"${{{app_type}.app.default_hostname}}")
                },
                "principal_id": {
                    "value": Expr(f"${{{app_type}.app.identity[0].principal_id}}")
                },
            },
        }
    )
    return document


def _container_access(public_access: str) -> str:
    """azurerm's spelling of a container's publicAccess: None is "private", Blob and
    Container are lower case."""
    return "private" if public_access == NO_PUBLIC_ACCESS else public_access.lower()


def _providers(flex: bool) -> dict[str, Any]:
    return {"azurerm": dict(AZURERM), **({"azapi": dict(AZAPI)} if flex else {})}


def _flex_fix(infra: Infra) -> dict[str, Any]:
    """Replace the Flex app's settings with the same ones minus the empty
    AzureWebJobsStorage connection string (terraform-provider-azurerm #29693)."""
    settings: dict[str, Any] = dict(app_settings(infra))
    settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = Expr(
        "${azurerm_application_insights.insights.connection_string}"
    )
    return {
        "//": "Until terraform-provider-azurerm #29693 is fixed: the app's settings "
        "without the empty AzureWebJobsStorage the provider writes.",
        "type": "Microsoft.Web/sites/config@2024-04-01",
        "name": "appsettings",
        "parent_id": Expr("${azurerm_function_app_flex_consumption.app.id}"),
        "body": {"properties": dict(sorted(settings.items()))},
        # The provider writes the empty connection string again whenever it updates
        # the app: apply these settings again after every such update.
        "lifecycle": {
            "replace_triggered_by": ["azurerm_function_app_flex_consumption.app"]
        },
    }


def root_tf(infra: Infra, module_source: str) -> dict[str, dict[str, Any]]:
    """A root configuration that calls the module: providers.tf and main.tf (JSON
    syntax), so the folder can be applied as it is."""
    flex = infra.function_app_config is not None
    providers: dict[str, Any] = {
        "//": "Generated by azfn-profile: provider configuration for the root.",
        "terraform": {"required_providers": _providers(flex)},
        "provider": {
            "azurerm": {
                "features": {},
                # The storage account allows no shared keys: the provider's data-plane
                # calls use Entra ID.
                "storage_use_azuread": True,
            },
            **({"azapi": {}} if flex else {}),
        },
    }
    variables = _variables(infra)
    # the resource group, the region and the existing resources to bring, forwarded
    # to the module, so a root terraform.tfvars sets them
    forwarded = (
        "resource_group_name",
        "location",
        *(b.resource.snake for b in infra.bring_your_own),
    )
    root_vars = {k: variables[k] for k in forwarded}
    main: dict[str, Any] = escape_templates(
        {
            "//": "Generated by azfn-profile: applies the module below; call the "
            "module from your own configuration instead if you have one.",
            "variable": root_vars,
            "module": {
                "app": {
                    "source": module_source,
                    **{name: Expr(f"${{var.{name}}}") for name in forwarded},
                }
            },
            "output": {
                name: {"value": Expr(f"${{module.app.{name}}}")} for name in _OUTPUTS
            },
        }
    )
    return {"providers": providers, "main": main}


_OUTPUTS = ("site_name", "default_hostname", "principal_id")
