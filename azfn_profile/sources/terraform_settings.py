"""The app settings an azurerm function app deploys: those the provider writes from
its arguments, then `app_settings` merged over them (`MergeUserAppSettings`: a name
given there replaces the provider's, compared case-insensitively).

From the provider's expanders (internal/services/appservice/helpers/
function_app_schema.go): `FUNCTIONS_EXTENSION_VERSION`, `AzureWebJobsStorage` (a
connection string with the account key, a Key Vault reference, or
`AzureWebJobsStorage__accountName` with `storage_uses_managed_identity`),
`AzureWebJobsDashboard` while built-in logging is on (its default),
`FUNCTIONS_WORKER_RUNTIME` and the version from `application_stack`, and the
Application Insights settings. On Flex Consumption, `AzureWebJobsStorage` is
modelled only for connection-string authentication.
"""

from __future__ import annotations

from typing import Any

from azfn_profile.sources.terraform_map import ABSENT, STORAGE_SUFFIX, View, Where
from azfn_profile.sources.values import Computed, Opaque, text

SETTINGS = ("properties", "siteConfig", "appSettings")


class Settings:
    """App settings in the order the provider builds them, with where each is set."""

    def __init__(self, default_at: Where) -> None:
        # keyed by the name without case (a computed name by its place): a setting
        # put again replaces the earlier one and moves to the end, in one lookup
        self._by_key: dict[Any, tuple[Any, Any, Where]] = {}
        self.default_at = default_at

    @property
    def pairs(self) -> list[tuple[Any, Any, Where]]:
        return list(self._by_key.values())

    def put(self, name: Any, value: Any, at: Where | None = None) -> None:
        key = (
            ("name", name.lower())
            if isinstance(name, str)
            else ("at", len(self._by_key), id(name))
        )
        self._by_key.pop(key, None)
        self._by_key[key] = (name, value, at or self.default_at)


def _storage_string(name: Any, key: Any) -> Any:
    return text(
        [
            "DefaultEndpointsProtocol=https;AccountName=",
            name,
            ";AccountKey=",
            key if key is not None else "",
            ";EndpointSuffix=",
            STORAGE_SUFFIX,
        ]
    )


def system_settings(
    family: str,
    v: View,
    sc: View | None,
    config: dict[str, Any],
    settings: Settings,
) -> None:
    if family != "flex":
        arg = "version" if family == "legacy" else "functions_extension_version"
        default = "~1" if family == "legacy" else "~4"
        settings.put("FUNCTIONS_EXTENSION_VERSION", v.get(arg, default), v.where(arg))
    _storage_settings(family, v, settings)
    if sc is not None and family in ("linux", "windows"):
        _stack(family, sc, config, settings)
    for arg, setting in (
        (
            "application_insights_connection_string",
            "APPLICATIONINSIGHTS_CONNECTION_STRING",
        ),
        ("application_insights_key", "APPINSIGHTS_INSTRUMENTATIONKEY"),
    ):
        value = sc.get(arg, None) if sc is not None else None
        if value not in (None, "") and sc is not None:
            settings.put(setting, value, sc.where(arg))


def _storage_settings(family: str, v: View, settings: Settings) -> None:
    if family == "flex":
        auth = v.get("storage_authentication_type", None)
        if auth == "StorageAccountConnectionString":
            account = Opaque("the account of storage_container_endpoint")
            key = v.get("storage_access_key", None)
            connection = _storage_string(account, key)
            at = v.where("storage_access_key")
            settings.put("AzureWebJobsStorage", connection, at)
            settings.put("DEPLOYMENT_STORAGE_CONNECTION_STRING", connection, at)
        return
    account = v.get("storage_account_name", None)
    msi = v.get("storage_uses_managed_identity", False)
    vault = v.get("storage_key_vault_secret_id", None)
    logging = v.get(
        "enable_builtin_logging" if family == "legacy" else "builtin_logging_enabled",
        True,
    )
    if isinstance(msi, Computed):
        settings.put("AzureWebJobsStorage", Opaque("storage by identity or key"))
        return
    if msi is True and family != "legacy":
        at = v.where("storage_uses_managed_identity")
        settings.put("AzureWebJobsStorage__accountName", account, at)
        if logging is True:
            settings.put("AzureWebJobsDashboard__accountName", account, at)
        return
    if vault is not None and family != "legacy":
        value: Any = text(["@Microsoft.KeyVault(SecretUri=", vault, ")"])
        at = v.where("storage_key_vault_secret_id")
    elif account is not None:
        value = _storage_string(account, v.get("storage_account_access_key", None))
        at = v.where("storage_account_access_key")
    else:
        return
    settings.put("AzureWebJobsStorage", value, at)
    if logging is True:
        settings.put("AzureWebJobsDashboard", value, at)


# application_stack argument -> (FUNCTIONS_WORKER_RUNTIME, linuxFxVersion prefix,
# the Windows siteConfig property), in the order the provider applies them, with the
# prefixes its Linux function-app helpers write (terraform-provider-azurerm,
# internal/services/appservice/helpers/function_app_schema.go: "Python|%s", ...).
_STACKS = (
    ("dotnet_version", "dotnet", "DOTNET", "netFrameworkVersion"),
    ("node_version", "node", "NODE", None),
    ("python_version", "python", "Python", None),
    ("java_version", "java", "Java", "javaVersion"),
    ("powershell_core_version", "powershell", "PowerShell", "powerShellVersion"),
)


def _stack(family: str, sc: View, config: dict[str, Any], settings: Settings) -> None:
    stacks = sc.blocks("application_stack")
    if not stacks:
        return
    stack = stacks[0]
    chosen = [
        (arg, runtime, fx, win, stack.get(arg, None))
        for arg, runtime, fx, win in _STACKS
        if stack.get(arg, None) not in (None, "")
    ]
    custom = stack.get("use_custom_runtime", None)
    if len(chosen) > 1 and any(isinstance(c[4], Computed) for c in chosen):
        at = (stack.line, stack.col)
        settings.put("FUNCTIONS_WORKER_RUNTIME", Opaque("the application stack"), at)
        config["linuxFxVersion"] = Opaque("the application stack")
        return
    for arg, name, fx, win, version in chosen:
        runtime: Any = name
        if runtime == "dotnet":
            isolated = stack.get("use_dotnet_isolated_runtime", False)
            if isolated is True:
                runtime, fx = "dotnet-isolated", "DOTNET-ISOLATED"
            elif isinstance(isolated, Computed):
                runtime = Opaque("use_dotnet_isolated_runtime")
        settings.put("FUNCTIONS_WORKER_RUNTIME", runtime, stack.where(arg))
        if runtime == "node":
            settings.put("WEBSITE_NODE_DEFAULT_VERSION", version, stack.where(arg))
        if family == "linux":
            config["linuxFxVersion"] = text([f"{fx}|", version])
        elif win is not None:
            config[win] = version
    if custom is True:
        settings.put(
            "FUNCTIONS_WORKER_RUNTIME", "custom", stack.where("use_custom_runtime")
        )
    if family == "linux" and stack.blocks("docker"):
        config["linuxFxVersion"] = Opaque("DOCKER|the image of application_stack")


def user_settings(v: View, settings: Settings) -> None:
    value = v.get("app_settings", ABSENT)
    if value is ABSENT:
        blocks = v.blocks("app_settings")  # the block form of Terraform 0.11
        if not blocks:
            return
        value = blocks[0].get_all()
    if isinstance(value, Computed) or not isinstance(value, dict):
        settings.put(
            Opaque("app_settings"), Opaque("app_settings"), v.where("app_settings")
        )
        return
    places = v.keys_where("app_settings")
    for key, item in value.items():
        settings.put(key, item, places.get(key))
