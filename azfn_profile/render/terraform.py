"""Terraform JSON (main.tf.json) for the azurerm provider, from the same description.

`azurerm_linux_function_app` (or `azurerm_function_app_flex_consumption` on FC1, which
the Linux resource cannot create: terraform-provider-azurerm #26672) owns several app
settings and sets them from its arguments; putting them in app_settings causes drift
(the provider's documentation of app_settings), so they are mapped to arguments and left out of the map.
"""

from __future__ import annotations

from typing import Any

from azfn_profile.infra import Infra


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


PROVIDER_OWNED = frozenset(
    {
        "FUNCTIONS_EXTENSION_VERSION",
        "FUNCTIONS_WORKER_RUNTIME",
        "AzureWebJobsStorage",
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
        "WEBSITE_CONTENTSHARE",
        "APPINSIGHTS_INSTRUMENTATIONKEY",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "WEBSITE_HEALTHCHECK_MAXPINGFAILURES",
        "WEBSITE_NODE_DEFAULT_VERSION",
    }
)
RG, LOC = Expr("${var.resource_group_name}"), Expr("${var.location}")


def app_settings(infra: Infra) -> dict[str, str]:
    """The settings Terraform keeps in app_settings: everything the provider does not own."""
    out = {}
    for name, value in infra.site_settings.items():
        if name in PROVIDER_OWNED:
            continue
        assert isinstance(value, str), f"{name}: a reference the provider should own"
        out[name] = value
    return out


def _variables(infra: Infra) -> dict[str, Any]:
    return {
        "resource_group_name": {
            "type": "string",
            "default": infra.resource_group,
            "description": "Existing resource group to deploy into.",
        },
        "location": {
            "type": "string",
            "description": "Azure region for every resource.",
            **({"default": infra.spec.location} if infra.spec.location else {}),
        },
        "site_name": {
            "type": "string",
            "default": infra.spec.name,
            "description": "Function app name (globally unique).",
        },
        "storage_account_name": {
            "type": "string",
            "default": infra.storage.name,
            "description": "Storage account for the host.",
        },
    }


def _storage(infra: Infra) -> dict[str, Any]:
    s = infra.storage
    return {
        "name": Expr("${var.storage_account_name}"),
        "resource_group_name": RG,
        "location": LOC,
        "account_kind": s.kind,
        "account_tier": "Standard",
        "account_replication_type": "LRS",
        "min_tls_version": s.minimum_tls_version,
        "https_traffic_only_enabled": s.https_only,
        "allow_nested_items_to_be_public": s.allow_blob_public_access,
        "shared_access_key_enabled": s.allow_shared_key_access,
        "tags": dict(infra.tags),
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
    if infra.elastic_minimum is not None:
        config["elastic_instance_minimum"] = infra.elastic_minimum
    storage: dict[str, Any] = {
        "storage_account_name": Expr("${azurerm_storage_account.storage.name}")
    }
    if infra.storage.allow_shared_key_access:
        # Y1/EP mount an Azure Files content share, which needs the account key.
        storage["storage_account_access_key"] = Expr(
            "${azurerm_storage_account.storage.primary_access_key}"
        )
    else:
        storage["storage_uses_managed_identity"] = True
    return {
        "name": Expr("${var.site_name}"),
        "resource_group_name": RG,
        "location": LOC,
        "service_plan_id": Expr("${azurerm_service_plan.plan.id}"),
        **storage,
        "functions_extension_version": spec.app_settings.get(
            "FUNCTIONS_EXTENSION_VERSION", "~4"
        ),
        "https_only": spec.site.https_only,
        "ftp_publish_basic_authentication_enabled": spec.site.basic_publishing_credentials,
        "webdeploy_publish_basic_authentication_enabled": spec.site.basic_publishing_credentials,
        "identity": [{"type": spec.site.identity}],
        "site_config": [config],
        "app_settings": app_settings(infra),
        "tags": dict(infra.tags),
    }


def _flex_app(infra: Infra) -> dict[str, Any]:
    spec, fac = infra.spec, infra.function_app_config
    assert fac is not None
    scale: Any = fac["scaleAndConcurrency"]
    app: dict[str, Any] = {
        "name": Expr("${var.site_name}"),
        "resource_group_name": RG,
        "location": LOC,
        "service_plan_id": Expr("${azurerm_service_plan.plan.id}"),
        "storage_container_type": "blobContainer",
        "storage_container_endpoint": Expr(
            "${azurerm_storage_account.storage.primary_blob_endpoint}"
            "${azurerm_storage_container.deployments.name}"
        ),
        "storage_authentication_type": "SystemAssignedIdentity",
        "runtime_name": "python",
        "runtime_version": spec.python,
        "instance_memory_in_mb": scale["instanceMemoryMB"],
        "maximum_instance_count": scale["maximumInstanceCount"],
        "http_concurrency": scale["triggers"]["http"]["perInstanceConcurrency"],
        "https_only": spec.site.https_only,
        "webdeploy_publish_basic_authentication_enabled": spec.site.basic_publishing_credentials,
        "identity": [{"type": spec.site.identity}],
        "site_config": [_site_config(infra)],
        "app_settings": app_settings(infra),
        "tags": dict(infra.tags),
    }
    if "alwaysReady" in scale:
        app["always_ready"] = [
            {"name": a["name"], "instance_count": a["instanceCount"]}
            for a in scale["alwaysReady"]
        ]
    return app


def main_tf(infra: Infra) -> dict[str, Any]:
    spec = infra.spec
    flex = infra.function_app_config is not None
    app_type = (
        "azurerm_function_app_flex_consumption"
        if flex
        else "azurerm_linux_function_app"
    )
    plan: dict[str, Any] = {
        "name": infra.plan_name,
        "resource_group_name": RG,
        "location": LOC,
        "os_type": "Linux",
        "sku_name": spec.plan.sku,
        "tags": dict(infra.tags),
    }
    if infra.elastic_maximum is not None:
        plan["maximum_elastic_worker_count"] = infra.elastic_maximum
    resources: dict[str, Any] = {
        "azurerm_storage_account": {"storage": _storage(infra)},
        "azurerm_log_analytics_workspace": {
            "logs": {
                "name": infra.monitoring.workspace_name,
                "resource_group_name": RG,
                "location": LOC,
                "sku": "PerGB2018",
                "retention_in_days": infra.monitoring.retention_days,
                "tags": dict(infra.tags),
            }
        },
        "azurerm_application_insights": {
            "insights": {
                "name": infra.monitoring.insights_name,
                "resource_group_name": RG,
                "location": LOC,
                "application_type": "web",
                "workspace_id": Expr("${azurerm_log_analytics_workspace.logs.id}"),
                "local_authentication_disabled": infra.monitoring.disable_local_auth,
                "tags": dict(infra.tags),
            }
        },
        "azurerm_service_plan": {"plan": plan},
        app_type: {"app": _flex_app(infra) if flex else _linux_app(infra)},
        "azurerm_role_assignment": {
            role.role.lower().replace(" ", "_"): {
                "scope": (
                    Expr("${azurerm_storage_account.storage.id}")
                    if role.scope == "storage"
                    else Expr("${azurerm_application_insights.insights.id}")
                ),
                "role_definition_name": role.role,
                "principal_id": Expr(f"${{{app_type}.app.identity[0].principal_id}}"),
                "principal_type": "ServicePrincipal",
            }
            for role in infra.roles
        },
    }
    if infra.storage.container is not None:
        resources["azurerm_storage_container"] = {
            "deployments": {
                "name": infra.storage.container,
                "storage_account_id": Expr("${azurerm_storage_account.storage.id}"),
                "container_access_type": "private",
            }
        }
    document: dict[str, Any] = escape_templates(
        {
            "//": "Generated by azfn-profile from a workload profile; edit the profile instead.",
            "terraform": {
                "required_providers": {
                    "azurerm": {
                        "source": "hashicorp/azurerm",
                        "version": ">= 4.14, < 5.0",
                    }
                }
            },
            "provider": {"azurerm": {"features": {}}},
            "variable": _variables(infra),
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
