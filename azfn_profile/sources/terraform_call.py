"""A module call whose source was not read (a registry or git module `terraform init`
has not fetched): its evaluated arguments, a block view built from them for the
azurerm mapping, and resources emitted at the call.

What such a call deploys is judged from its arguments only: the Azure Verified
Module for web sites by its documented inputs (`terraform_avm`), and any other
module whose arguments only a function app takes (an `app_settings` map with
`FUNCTIONS_WORKER_RUNTIME`, `FUNCTIONS_EXTENSION_VERSION`,
`FUNCTIONS_WORKER_PROCESS_COUNT` or `PYTHON_THREADPOOL_THREAD_COUNT`) by what it
passes: those settings (and a `python_version`) are known, the rest of the app
(plan, kind, site configuration, identity, other settings) is unknown. Resources are
located at the `module` block, their arguments at the call's arguments, and carry the
call in their module chain as read modules do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from azfn_profile.sources import terraform_map as tfmap
from azfn_profile.sources.graph import Resource
from azfn_profile.sources.terraform_map import ABSENT, Mapped, Where
from azfn_profile.sources.terraform_nodes import Block, Expr
from azfn_profile.sources.terraform_ops import plain
from azfn_profile.sources.terraform_refs import key_suffix, locator
from azfn_profile.sources.values import Computed, Opaque, text

if TYPE_CHECKING:
    from azfn_profile.sources.terraform_module import Module

FUNCTION_ONLY = (
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "FUNCTIONS_WORKER_PROCESS_COUNT",
    "PYTHON_THREADPOOL_THREAD_COUNT",
)
MAX_PLACES = 4  # object nesting followed to locate a nested argument
# Meta-arguments of a module block (as terraform_module has them), not inputs.
META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


class Call:
    """One instance of a module call: its arguments evaluated once, and where."""

    def __init__(
        self,
        module: Module,
        name: str,
        block: Block,
        display: str,
        key: Any,
        env: dict[str, Any],
        conditional: bool,
    ) -> None:
        self.module, self.name, self.block = module, name, block
        self.display, self.key, self.env = display, key, env
        self.conditional = conditional
        self.label = f"{module.prefix}module.{name}{key_suffix(key)}"
        self.attrs = {n: a for n, a in block.body.attrs().items() if n not in META}
        self.values: dict[str, Any] = {}

    def has(self, name: str) -> bool:
        return name in self.attrs

    def arg(self, name: str, default: Any = None) -> Any:
        """The argument as a plain value; `default` when absent or null (a module
        variable's default applies to a null argument unless it is nullable,
        which these inputs are not relied on to be)."""
        if name not in self.attrs:
            return default
        if name not in self.values:
            raw = self.module.eval(self.attrs[name], self.env)
            self.values[name] = plain(raw, self.module.budget)
        value = self.values[name]
        return default if value is None else value

    def opaque(self, what: str) -> Opaque:
        return Opaque(f"{self.label}: {what}")

    def where(self, *path: str) -> Where:
        """Where `path` (an argument, then keys of object arguments) is written:
        the deepest part found, else the module block."""
        found: Where = (self.block.line, self.block.col)
        attr = self.attrs.get(path[0]) if path else None
        if attr is None:
            return found
        found = (attr.line, attr.col)
        expr: Expr | None = attr.expr
        for part in path[1 : 1 + MAX_PLACES]:
            expr = _member(expr, part)
            if expr is None:
                break
            found = (expr.line or found[0], expr.col or found[1])
        return found

    def keys_where(self, *path: str) -> dict[str, Where]:
        """Where each literal key of the object at `path` is written."""
        attr = self.attrs.get(path[0]) if path else None
        expr: Expr | None = attr.expr if attr is not None else None
        for part in path[1:]:
            expr = _member(expr, part)
        if expr is None or expr.kind != "object":
            return {}
        pairs = expr.args
        return {
            str(pairs[i].value): (pairs[i].line, pairs[i].col)
            for i in range(0, len(pairs) - 1, 2)
            if pairs[i].kind == "lit"
        }


def _member(expr: Expr | None, key: str) -> Expr | None:
    """The value written for `key` in an object expression (its key's node)."""
    if expr is None or expr.kind != "object":
        return None
    pairs = expr.args
    for i in range(0, len(pairs) - 1, 2):
        if pairs[i].kind == "lit" and str(pairs[i].value) == key:
            value = pairs[i + 1]
            return value if value.kind == "object" else pairs[i]
    return None


class ArgsView:
    """A block view over arguments a mapping computed: what `tfmap.resources`
    reads of a resource block, for the resource a module call stands for."""

    def __init__(
        self,
        values: dict[str, Any],
        places: dict[str, Where],
        at: Where,
        nested: dict[str, list[ArgsView]] | None = None,
        keys: dict[str, dict[str, Where]] | None = None,
    ) -> None:
        self.values, self.places = values, places
        self.line, self.col = at
        self.nested = nested or {}
        self.keys = keys or {}

    def get(self, name: str, default: Any = ABSENT) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def where(self, name: str) -> Where:
        return self.places.get(name, (self.line, self.col))

    def blocks(self, name: str) -> Sequence[ArgsView]:
        return self.nested.get(name, [])

    def keys_where(self, name: str) -> dict[str, Where]:
        return self.keys.get(name, {})

    def get_all(self) -> dict[str, Any]:
        return {k: v for k, v in self.values.items() if v is not None}


def emit(call: Call, mapped: list[Mapped], shown: str) -> None:
    """Add what the call deploys to the graph, located at the `module` block."""
    module = call.module
    chain = (
        *module.chain,
        f"{call.display}:{call.block.line} module {call.name}{key_suffix(call.key)}",
    )
    for m in mapped:
        module.dep.graph.resources.append(
            Resource(
                type=m.type,
                name=plain(m.name, module.budget),
                body=plain(m.body, module.budget),
                file=call.display,
                line=call.block.line,
                col=call.block.col,
                display=shown,
                chain=chain,
                deployment=module.dep.name,
                existing=False,
                conditional=module.conditional or call.conditional,
                locate=locator(m.places),
                extra=m.extra,
            )
        )


# -- any other module: judged from the function-app arguments it passes -----------


def _settings(call: Call) -> dict[str, Any] | None:
    value = call.arg("app_settings")
    if not isinstance(value, dict):
        return None
    names = {str(k).upper() for k in value}
    return value if names & set(FUNCTION_ONLY) else None


def _python_version(call: Call) -> tuple[Any, Where] | None:
    """A `python_version` argument, or one nested in an object argument (as in
    `site_config = { application_stack = { python_version = ... } }`)."""
    version = call.arg("python_version")
    if isinstance(version, (str, *Computed)):
        return version, call.where("python_version")
    for arg in call.attrs:
        found = _nested_python(call.arg(arg), (arg,), 0)
        if found is not None:
            value, path = found
            return value, call.where(*path)
    return None


def _nested_python(
    value: Any, path: tuple[str, ...], depth: int
) -> tuple[Any, tuple[str, ...]] | None:
    if not isinstance(value, dict) or depth > MAX_PLACES:
        return None
    found = value.get("python_version")
    if isinstance(found, (str, *Computed)):
        return found, (*path, "python_version")
    for key, item in value.items():
        deeper = _nested_python(item, (*path, str(key)), depth + 1)
        if deeper is not None:
            return deeper
    return None


def by_arguments(call: Call) -> bool:
    """Emit the function app a call's arguments show, known as far as they go.

    The site's kind, plan, identity, HTTPS and site configuration, Flex settings
    and publishing credentials are values the module decides (so unknown to the
    checks); app settings beyond those passed may exist (an unnamed setting);
    `FUNCTIONS_EXTENSION_VERSION`, which every function app has, is unknown unless
    passed."""
    settings = _settings(call)
    if settings is None:
        return False
    name = call.arg("name")
    site_name: Any = name if isinstance(name, str) else call.opaque("the site's name")
    keys = call.keys_where("app_settings")
    at = call.where("app_settings")
    pairs: list[dict[str, Any]] = []
    places: dict[tuple[Any, ...], Where] = {
        ("properties", "siteConfig", "appSettings"): at,
    }
    upper = {str(k).upper() for k in settings}
    if "FUNCTIONS_WORKER_RUNTIME" not in upper:
        pairs.append(
            {
                "name": "FUNCTIONS_EXTENSION_VERSION",
                "value": call.opaque("FUNCTIONS_EXTENSION_VERSION"),
            }
        )
    for key, value in settings.items():
        places[("properties", "siteConfig", "appSettings", len(pairs), "value")] = (
            keys.get(str(key), at)
        )
        pairs.append({"name": str(key), "value": value})
    pairs.append({"name": call.opaque("settings the module adds"), "value": None})
    config: dict[str, Any] = {"appSettings": pairs}
    python = _python_version(call)
    if python is not None:
        config["linuxFxVersion"] = text(["Python|", python[0]])
        places[("properties", "siteConfig", "linuxFxVersion")] = python[1]
    unknown = call.opaque
    body = {
        "kind": unknown("the kind of site the module deploys"),
        "identity": unknown("the site's identity"),
        "properties": {
            "serverFarmId": unknown("the site's plan"),
            "httpsOnly": unknown("https_only"),
            "siteConfig": config,
            "functionAppConfig": unknown("functionAppConfig"),
        },
    }
    mapped = [Mapped("Microsoft.Web/sites", site_name, body, places)]
    # The module's own site configuration and publishing-credential policies.
    mapped.append(
        Mapped(
            "Microsoft.Web/sites/config",
            text([site_name, "/web"]),
            {"properties": unknown("site_config")},
        )
    )
    mapped.extend(
        Mapped(
            "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
            text([site_name, "/", leaf]),
            {"properties": {"allow": unknown(f"{leaf} publishing credentials")}},
        )
        for leaf in ("ftp", "scm")
    )
    emit(call, mapped, call.label)
    return True


def mapped_site(rtype: str, view: ArgsView) -> list[Mapped]:
    """The ARM resources the azurerm mapping makes of `view` as a `rtype` block."""
    return tfmap.resources(rtype, view)
