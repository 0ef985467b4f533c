"""The Azure Verified Module for web sites called from Terraform
(`Azure/avm-res-web-site/azurerm`), mapped from its documented inputs when
`terraform init` has not fetched it (a fetched copy is read as any module is).

Read in github.com/Azure/terraform-azurerm-avm-res-web-site at each tag, files
variables.tf (inputs and defaults) and main.function_app.tf (main.tf in 0.1): the
0.1-0.20 lines deploy `azurerm_linux_function_app.this`,
`azurerm_windows_function_app.this` or, from 0.15 with `function_app_uses_fc1 = true`
on Linux, `azurerm_function_app_flex_consumption.this`, chosen by `kind`
("functionapp"; from 0.2, before which every call is a function app) and `os_type`.
A web app (`kind = "webapp"`) deploys no function app. Those resources are built here
as the module writes them and go through the azurerm mapping:

- `name`, `service_plan_resource_id` → `service_plan_id` (0.2-0.10: computed when
  `create_service_plan` makes the module's own plan), `app_settings` (default {}),
  `https_only` (false; Flex from 0.19), `functions_extension_version` ("~4"),
  `builtin_logging_enabled` (true), `managed_identities` → `identity`, `tags`.
- `site_config` (object, default {}): `always_on` (false, true from 0.13),
  `ftps_state` ("Disabled", "FtpsOnly" from 0.13), `minimum_tls_version` ("1.2",
  "1.3" from 0.13), `scm_minimum_tls_version` ("1.2"), `http2_enabled` (false),
  `app_scale_limit`, `elastic_instance_minimum`, `pre_warmed_instance_count`,
  `application_insights_connection_string`/`_key`, and `application_stack`, a map of
  objects (`{python = {python_version = "3.11"}}`), one block each (Windows has no
  `python_version`). `enable_application_insights` (0.1.1-0.2: false, then true)
  makes the connection string the module's own Application Insights (computed).
- `ftp_publish_basic_authentication_enabled` and
  `webdeploy_publish_basic_authentication_enabled` (true): from 0.5 false when
  `site_config.ftps_state` is "Disabled" (web deploy in 0.5-0.6: true only when it
  is "AllAllowed").
- storage: `storage_account_name`, `storage_account_access_key`,
  `storage_uses_managed_identity` (default false), named `function_app_storage_*`
  in 0.2-0.10 (with `function_app_create_storage_account`: the module's own account,
  computed), `storage_key_vault_secret_id`.
- Flex Consumption (0.15+): `runtime_name`/`runtime_version` (0.15),
  `fc1_runtime_name`/`fc1_runtime_version` (0.16+), `instance_memory_in_mb` (2048),
  `maximum_instance_count` (null: the provider's), `always_ready` (0.19.3+, a map of
  `{name, instance_count}`), `storage_authentication_type`, and
  `storage_account_access_key` (from 0.17.2 only with "StorageAccountConnectionString").

The version is the newest tag the `version` constraint admits (as `terraform init`
picks); none given, the newest. From 0.21 the module deploys through azapi with other
inputs and defaults (https_only true, public access off): not mapped here, so such a
call is judged from its arguments only (`terraform_call.by_arguments`) or listed as
not inspected. Not mapped either: `deployment_slots`, the module's own plan
(`new_service_plan`) and storage account.
"""

from __future__ import annotations

import re
from typing import Any

from azfn_profile.sources.terraform_call import (
    ArgsView,
    Call,
    by_arguments,
    emit,
    mapped_site,
)
from azfn_profile.sources.terraform_map import Where
from azfn_profile.sources.values import Computed

Version = tuple[int, int, int]

SOURCE = re.compile(
    r"^(?:registry\.terraform\.io/)?azure/avm-res-web-site/azurerm(?://.*)?$",
    re.IGNORECASE,
)
# The module's released versions (tags of the repository), oldest first.
RELEASES: tuple[Version, ...] = (
    *((0, 1, p) for p in range(3)),
    (0, 2, 0),
    (0, 2, 1),
    (0, 3, 0),
    (0, 4, 0),
    (0, 5, 0),
    *((0, 6, p) for p in range(4)),
    *((0, 7, p) for p in range(4)),
    (0, 8, 0),
    (0, 8, 1),
    (0, 9, 0),
    (0, 9, 1),
    (0, 10, 0),
    (0, 11, 0),
    (0, 12, 0),
    (0, 12, 1),
    (0, 13, 0),
    *((0, 14, p) for p in range(3)),
    *((0, 15, p) for p in range(3)),
    *((0, 16, p) for p in range(5)),
    *((0, 17, p) for p in range(3)),
    (0, 18, 0),
    *((0, 19, p) for p in range(4)),
    (0, 20, 0),
    *((0, 21, p) for p in range(9)),
    (0, 22, 0),
)
AZAPI_LINE = (0, 21, 0)  # from here the module is not mapped
_TERM = re.compile(r"^\s*(=|!=|>=|<=|~>|>|<)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$")


def version(constraint: Any) -> Version | None:
    """The newest release `constraint` admits (None: none, or not readable)."""
    if constraint is None:
        return RELEASES[-1]
    if not isinstance(constraint, str):
        return None
    tests = []
    for term in constraint.split(","):
        match = _TERM.match(term)
        if match is None:
            return None
        op = match.group(1) or "="
        parts = [int(p) if p is not None else None for p in match.group(2, 3, 4)]
        tests.append((op, parts))
    admitted = [r for r in RELEASES if all(_admits(op, p, r) for op, p in tests)]
    return admitted[-1] if admitted else None


def _admits(op: str, parts: list[int | None], release: Version) -> bool:
    given = [p for p in parts if p is not None]
    bound = tuple(given + [0] * (3 - len(given)))
    if op == "~>":
        # ~> 0.17 admits >= 0.17, < 1.0; ~> 0.17.2 admits >= 0.17.2, < 0.18.0.
        upper = list(given[:-1]) if len(given) > 1 else [given[0] + 1]
        if len(given) > 1:
            upper[-1] += 1
        ceiling = tuple(upper + [0] * (3 - len(upper)))
        return bound <= release < ceiling
    return {
        "=": release == bound,
        "!=": release != bound,
        ">": release > bound,
        ">=": release >= bound,
        "<": release < bound,
        "<=": release <= bound,
    }[op]


def unread(call: Call, source: str) -> str | None:
    """Judge a call whose module was not read: None when it is mapped in full (the
    web-site AVM at a mapped version), else a note for the not-inspected list
    (empty when nothing could be judged)."""
    why = _avm(call) if SOURCE.match(source.strip()) else ""
    if why is None:
        return None
    if by_arguments(call):
        return "judged from the function-app arguments it passes, the rest unknown"
    return why


def _avm(call: Call) -> str | None:
    """Map the web-site AVM at a mapped version: None when mapped, else why not."""
    constraint = call.module.eval(call.block.body.attrs().get("version"), {})
    found = version(constraint)
    if found is None:
        return f"no release of the module matches version {constraint!r}"
    if found >= AZAPI_LINE:
        shown = ".".join(str(p) for p in found)
        return f"avm-res-web-site {shown} (0.21+, azapi) is not mapped"
    kind = call.arg("kind", "functionapp") if found >= (0, 2, 0) else "functionapp"
    os_type = call.arg("os_type")
    if isinstance(kind, Computed) or isinstance(os_type, Computed):
        return "its kind or os_type is computed"
    if kind != "functionapp" or os_type not in ("Linux", "Windows"):
        return None  # a web app, or nothing the module deploys
    flex = found >= (0, 15, 0) and call.arg("function_app_uses_fc1", False)
    if isinstance(flex, Computed):
        return "function_app_uses_fc1 is computed"
    if flex is True and os_type == "Linux":
        rtype, view = "azurerm_function_app_flex_consumption", _flex(call, found)
    elif os_type == "Linux":
        rtype, view = "azurerm_linux_function_app", _site(call, found, linux=True)
    else:
        rtype, view = "azurerm_windows_function_app", _site(call, found, linux=False)
    emit(call, mapped_site(rtype, view), f"{rtype}.this[0]")
    return None


# -- the resource block the module writes --------------------------------------------


class _Block:
    """Arguments of one block being built, each with where it was written."""

    def __init__(self, call: Call, at: Where) -> None:
        self.call, self.at = call, at
        self.values: dict[str, Any] = {}
        self.places: dict[str, Where] = {}

    def put(self, arg: str, value: Any, *path: str) -> None:
        self.values[arg] = value
        self.places[arg] = self.call.where(*path) if path else self.at

    def view(self, **nested: list[ArgsView]) -> ArgsView:
        keys = {"app_settings": self.call.keys_where("app_settings")}
        return ArgsView(self.values, self.places, self.at, nested, keys)


def _site(call: Call, v: Version, *, linux: bool) -> ArgsView:
    b = _Block(call, (call.block.line, call.block.col))
    config = _site_config(call, v)
    _common(call, v, b, config)
    b.put(
        "functions_extension_version",
        call.arg("functions_extension_version", "~4"),
        "functions_extension_version",
    )
    b.put(
        "builtin_logging_enabled",
        call.arg("builtin_logging_enabled", True),
        "builtin_logging_enabled",
    )
    _storage(call, v, b)
    ftps = config.values.get("ftps_state")
    for arg in (
        "ftp_publish_basic_authentication_enabled",
        "webdeploy_publish_basic_authentication_enabled",
    ):
        b.put(arg, _publishing(call, v, arg, ftps), arg)
    stack = _stacks(call, config, linux)
    return b.view(
        site_config=[config.view(application_stack=stack)],
        identity=_identity(call),
    )


def _flex(call: Call, v: Version) -> ArgsView:
    b = _Block(call, (call.block.line, call.block.col))
    config = _site_config(call, v)
    _common(call, v, b, config)
    if v < (0, 19, 0):
        b.values.pop("https_only", None)  # not passed: the provider's default
    prefix = "runtime_" if v < (0, 16, 0) else "fc1_runtime_"
    for arg in ("name", "version"):
        b.put(f"runtime_{arg}", call.arg(prefix + arg), prefix + arg)
    b.put(
        "instance_memory_in_mb",
        call.arg("instance_memory_in_mb", 2048),
        "instance_memory_in_mb",
    )
    b.put(
        "maximum_instance_count",
        call.arg("maximum_instance_count"),
        "maximum_instance_count",
    )
    auth = call.arg("storage_authentication_type")
    b.put("storage_authentication_type", auth, "storage_authentication_type")
    key = call.arg("storage_account_access_key")
    if v >= (0, 17, 2) and auth != "StorageAccountConnectionString":
        key = None if not isinstance(auth, Computed) else call.opaque("storage key")
    b.put("storage_access_key", key, "storage_account_access_key")
    arg = "webdeploy_publish_basic_authentication_enabled"
    b.put(arg, _publishing(call, v, arg, config.values.get("ftps_state")), arg)
    return b.view(
        site_config=[config.view()],
        identity=_identity(call),
        always_ready=_always_ready(call, v),
    )


def _common(call: Call, v: Version, b: _Block, config: _Block) -> None:
    b.put("name", call.arg("name", call.opaque("name")), "name")
    plan = call.arg("service_plan_resource_id")
    if (
        (0, 2, 0) <= v < (0, 11, 0)
        and call.arg("create_service_plan", False) is not False
        and plan is None
    ):
        plan = call.opaque("the module's own service plan")
    b.put("service_plan_id", plan, "service_plan_resource_id")
    b.put("https_only", call.arg("https_only", False), "https_only")
    b.put("tags", call.arg("tags"), "tags")
    settings = call.arg("app_settings", {})
    insights = call.arg("enable_application_insights", v >= (0, 3, 0))
    if v >= (0, 1, 1) and insights is not False:
        conn = call.opaque("the module's Application Insights connection string")
        if v < (0, 5, 0) and isinstance(settings, dict):
            settings = {"APPLICATIONINSIGHTS_CONNECTION_STRING": conn, **settings}
        elif v >= (0, 5, 0):
            config.put("application_insights_connection_string", conn)
    b.put("app_settings", settings, "app_settings")


# site_config input -> (default before 0.13, default from 0.13); None: no default.
_CONFIG: dict[str, tuple[Any, Any]] = {
    "always_on": (False, True),
    "ftps_state": ("Disabled", "FtpsOnly"),
    "minimum_tls_version": ("1.2", "1.3"),
    "scm_minimum_tls_version": ("1.2", "1.2"),
    "http2_enabled": (False, False),
    "app_scale_limit": (None, None),
    "elastic_instance_minimum": (None, None),
    "pre_warmed_instance_count": (None, None),
    "application_insights_connection_string": (None, None),
    "application_insights_key": (None, None),
}


def _site_config(call: Call, v: Version) -> _Block:
    """The `site_config` object with its optional attributes' defaults; an object
    computed (or of the wrong shape) leaves each attribute computed."""
    given = call.arg("site_config", {})
    b = _Block(call, call.where("site_config"))
    for arg, defaults in _CONFIG.items():
        default = defaults[1] if v >= (0, 13, 0) else defaults[0]
        if isinstance(given, dict):
            value = given.get(arg)
            b.put(arg, default if value is None else value, "site_config", arg)
        else:
            b.put(arg, call.opaque(f"site_config.{arg}"), "site_config")
    return b


_STACK_ARGS = (
    "dotnet_version",
    "java_version",
    "node_version",
    "powershell_core_version",
    "python_version",
    "use_custom_runtime",
    "use_dotnet_isolated_runtime",
)


def _stacks(call: Call, config: _Block, linux: bool) -> list[ArgsView]:
    """`site_config.application_stack`: one block per entry of the map."""
    given = call.arg("site_config", {})
    stacks = given.get("application_stack") if isinstance(given, dict) else given
    args = [a for a in _STACK_ARGS if linux or a != "python_version"]
    if stacks is None:
        return []
    computed: dict[str, Any] = {
        a: call.opaque(f"application_stack.{a}") for a in args[:-2]
    }
    if not isinstance(stacks, dict):
        # Computed: which stack is unknown (every version computed).
        return [ArgsView(computed, {}, config.at)]
    out = []
    for key, stack in sorted(stacks.items(), key=lambda kv: str(kv[0])):
        at = call.where("site_config", "application_stack", str(key))
        if not isinstance(stack, dict):
            out.append(ArgsView(computed, {}, at))
            continue
        places = {
            a: call.where("site_config", "application_stack", str(key), a) for a in args
        }
        values: dict[str, Any] = {a: stack.get(a) for a in args}
        if values.get("use_custom_runtime") is not True:
            values["use_custom_runtime"] = None
        out.append(ArgsView(values, places, at))
    return out


def _publishing(call: Call, v: Version, arg: str, ftps: Any) -> Any:
    given = call.arg(arg, True)
    if v < (0, 5, 0):
        return given
    if isinstance(ftps, Computed):
        return call.opaque(arg)
    web_deploy = arg.startswith("webdeploy")
    if web_deploy and v < (0, 7, 0):
        return given if ftps == "AllAllowed" else False
    return False if ftps == "Disabled" else given


def _storage(call: Call, v: Version, b: _Block) -> None:
    old = (0, 2, 0) <= v < (0, 11, 0)
    prefix = "function_app_storage_" if old else "storage_"
    name_arg, key_arg = f"{prefix}account_name", f"{prefix}account_access_key"
    msi_arg = f"{prefix}uses_managed_identity"
    name, key = call.arg(name_arg), call.arg(key_arg)
    msi = call.arg(msi_arg, False)
    if old and call.arg("function_app_create_storage_account", False) is not False:
        name = call.opaque("the module's own storage account")
        key = key if key is not None else call.opaque("its access key")
    if isinstance(msi, Computed):
        uses: Any = msi
    else:
        uses = True if msi is True and key is None else None
    b.put("storage_account_name", name, name_arg)
    b.put("storage_account_access_key", key if msi is not True else None, key_arg)
    b.put("storage_uses_managed_identity", uses, msi_arg)
    b.put(
        "storage_key_vault_secret_id",
        call.arg("storage_key_vault_secret_id"),
        "storage_key_vault_secret_id",
    )


def _identity(call: Call) -> list[ArgsView]:
    given = call.arg("managed_identities", {})
    at = call.where("managed_identities")
    if not isinstance(given, dict):
        return [ArgsView({"type": call.opaque("managed_identities")}, {}, at)]
    system = given.get("system_assigned", False)
    users = given.get("user_assigned_resource_ids") or []
    if isinstance(system, Computed) or not isinstance(users, list):
        return [ArgsView({"type": call.opaque("managed_identities")}, {}, at)]
    if system is True:
        kind = "SystemAssigned, UserAssigned" if users else "SystemAssigned"
    elif users:
        kind = "UserAssigned"
    else:
        return []
    return [ArgsView({"type": kind}, {}, at)]


def _always_ready(call: Call, v: Version) -> list[ArgsView]:
    given = call.arg("always_ready", {}) if v >= (0, 19, 3) else {}
    at = call.where("always_ready")
    if not isinstance(given, dict):
        return [
            ArgsView(
                {
                    "name": call.opaque("always_ready"),
                    "instance_count": call.opaque("always_ready"),
                },
                {},
                at,
            )
        ]
    out = []
    for key in sorted(given, key=str):
        item = given[key]
        item = item if isinstance(item, dict) else {}
        count = item.get("instance_count")
        values = {
            "name": item.get("name"),
            "instance_count": 0 if count is None else count,
        }
        out.append(ArgsView(values, {}, call.where("always_ready", str(key))))
    return out
