"""Which language runtime a function app runs, from what its configuration says.

In order: Flex Consumption's `functionAppConfig.runtime`, the
`FUNCTIONS_WORKER_RUNTIME` app setting, the Linux `linuxFxVersion` (`PYTHON|3.12`,
`DOTNET-ISOLATED|8.0`), then Windows hints (`netFrameworkVersion`,
`WEBSITE_NODE_DEFAULT_VERSION`, `powerShellVersion`, `javaVersion`). A runtime that is
computed at deployment is unknown, and so are Python-only checks on that app.
Reference: learn.microsoft.com/azure/azure-functions/functions-app-settings
(FUNCTIONS_WORKER_RUNTIME) and learn.microsoft.com/azure/azure-functions/
flex-consumption-plan (functionAppConfig.runtime).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from azfn_profile.sources.values import known

_NAMES = {
    "python": "python",
    "dotnet-isolated": "dotnet-isolated",
    "dotnet": "dotnet",
    "dotnetcore": "dotnet",
    "node": "node",
    "java": "java",
    "powershell": "powershell",
    "custom": "custom",
}


@dataclass(frozen=True)
class Runtime:
    name: str | None  # python, dotnet-isolated, node, ... ; None: not known
    version: str | None  # the runtime's version where the configuration says it
    source: str  # where it was read, for messages
    container: bool = False  # a custom container: the image decides the runtime


def resolve(
    settings: Mapping[str, Any], site_config: Mapping[str, Any], fac: Any
) -> Runtime:
    """The runtime of one app; `settings` are its app settings (values as evaluated)."""
    if isinstance(fac, dict):
        runtime = fac.get("runtime")
        if isinstance(runtime, dict):
            name, version = runtime.get("name"), runtime.get("version")
            if isinstance(name, str) and known(name):
                return Runtime(
                    _NAMES.get(name.lower(), name.lower() or None),
                    version if isinstance(version, str) else None,
                    "functionAppConfig.runtime",
                )
            if "name" in runtime:
                return Runtime(None, None, "functionAppConfig.runtime.name (computed)")
    worker = _setting(settings, "FUNCTIONS_WORKER_RUNTIME")
    fx = site_config.get("linuxFxVersion") if isinstance(site_config, dict) else None
    fx_name, fx_version = _split_fx(fx)
    if isinstance(worker, str) and worker.strip():
        name = _NAMES.get(worker.strip().lower(), worker.strip().lower())
        version = fx_version if fx_name == name else None
        return Runtime(name, version, "FUNCTIONS_WORKER_RUNTIME")
    if fx_name is not None:
        if fx_name == "docker":
            return Runtime(None, None, "linuxFxVersion (a container image)", True)
        return Runtime(_NAMES.get(fx_name, fx_name), fx_version, "linuxFxVersion")
    if worker is not None or (fx is not None and not isinstance(fx, str)):
        return Runtime(None, None, "computed at deployment")
    hints = (
        ("netFrameworkVersion", "dotnet"),
        ("powerShellVersion", "powershell"),
        ("javaVersion", "java"),
    )
    if isinstance(site_config, dict):
        for key, name in hints:
            if isinstance(site_config.get(key), str) and site_config[key]:
                return Runtime(name, None, key)
    if isinstance(_setting(settings, "WEBSITE_NODE_DEFAULT_VERSION"), str):
        return Runtime("node", None, "WEBSITE_NODE_DEFAULT_VERSION")
    return Runtime(None, None, "not set")


def _setting(settings: Mapping[str, Any], name: str) -> Any:
    for key, value in settings.items():
        if isinstance(key, str) and key.upper() == name:
            return value
    return None


def _split_fx(fx: Any) -> tuple[str | None, str | None]:
    if not isinstance(fx, str) or "|" not in fx:
        return None, None
    name, _, version = fx.partition("|")
    return name.strip().lower(), version.strip() or None
