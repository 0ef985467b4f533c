"""Pulumi Python programs as a check source, read with `ast` (never imported or run).

A project's `Pulumi.yaml` names its runtime; a Python program (`__main__.py` in the
project folder, or in the folder `main:` names) is parsed, and the calls that create
function-app resources are evaluated from their literal arguments:

- azure-native (`pulumi_azure_native.web`): `WebApp`, `WebAppSlot`, `AppServicePlan`,
  `WebAppApplicationSettings`, `WebAppFtpAllowed`, `WebAppScmAllowed`. Their snake_case arguments are the API's camelCase
  properties; they go through `pulumi_props`, as preview output does.
- classic (`pulumi_azure.appservice`): `LinuxFunctionApp`, `WindowsFunctionApp`,
  `ServicePlan`. The classic provider is bridged from azurerm, so its arguments are
  the Terraform resource's and go through the Terraform mapping.

Names bound at module level to literals (strings, numbers, dicts, lists, f-strings of
literals) are resolved; anything else (configuration, outputs, function results) is a
computed value, so the checks that need it report "unknown". A resource is located at
its call; a site joins its plan through a reference to the variable holding the plan
(`server_farm_id=plan.id`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from azfn_profile.sources import pulumi_props as pp
from azfn_profile.sources import terraform_map as tfmap
from azfn_profile.sources.graph import Graph, NotInspected, Resource
from azfn_profile.sources.pulumi_program_components import (
    DEFINITIONS,
    ComponentsMixin,
    Definition,
    Loader,
    Shared,
)
from azfn_profile.sources.pulumi_program_statements import StatementsMixin
from azfn_profile.sources.terraform_refs import locator
from azfn_profile.sources.values import MAX_DEPTH, Opaque, ResourceId, text

MAX_PROGRAM_BYTES = 2 * 1024 * 1024  # a program larger than this is refused
MAX_CALLS = 2_000  # resource calls read per program
NATIVE, CLASSIC = "pulumi_azure_native", "pulumi_azure"
OWN_COMPONENT = "azfn_profile.deploy.PythonFunctionApp"
_NATIVE_TYPES = {
    "web.WebApp": pp.WEBAPP,
    "web.WebAppSlot": pp.SLOT,
    "web.AppServicePlan": pp.PLAN,
    "web.WebAppApplicationSettings": pp.SETTINGS,
    "web.WebAppApplicationSettingsSlot": pp.SLOT_SETTINGS,
    "web.WebAppFtpAllowed": pp.FTP,
    "web.WebAppScmAllowed": pp.SCM,
    "storage.StorageAccount": pp.STORAGE,
}
_CLASSIC_TYPES = {
    "appservice.LinuxFunctionApp": "azurerm_linux_function_app",
    "appservice.WindowsFunctionApp": "azurerm_windows_function_app",
    "appservice.LinuxFunctionAppSlot": "azurerm_linux_function_app_slot",
    "appservice.ServicePlan": "azurerm_service_plan",
    "storage.Account": "azurerm_storage_account",
}
# Arguments whose dict keys are data (setting names, tag names), not argument names.
_MAP_ARGS = frozenset({"tags", "properties", "app_settings"})


class ProgramError(Exception):
    """The program cannot be read; `line`/`col` say where when known."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


class Args(dict[str, Any]):
    """The keyword arguments of an `...Args(...)` call (argument names as keys)."""


@dataclass
class Declared:
    """A resource call: its provider type, logical name and evaluated arguments."""

    provider: str  # NATIVE or CLASSIC
    type: str  # the azure-native type token, or the azurerm resource type
    logical: str
    args: dict[str, Any]
    line: int
    col: int
    deps: set[int] = field(default_factory=set)  # ids of Declared referenced
    # where each part of the arguments is, by argument path (argument names as
    # written, API names in camelCase for azure-native)
    nested: dict[tuple[Any, ...], tuple[int, int]] = field(default_factory=dict)
    file: str = ""  # the program file that makes the call
    chain: tuple[str, ...] = ()  # component instantiations that reached it
    urn: str = ""

    def __post_init__(self) -> None:
        self.urn = self.urn or f"{self.type}::{self.logical}"


@dataclass(frozen=True)
class Ref:
    """A name bound to a resource call."""

    resource: Declared

    def __hash__(self) -> int:
        return id(self.resource)


def parse_program(source: str, display: str) -> ast.Module:
    if len(source.encode("utf-8", "replace")) > MAX_PROGRAM_BYTES:
        raise ProgramError(
            f"a Pulumi program larger than {MAX_PROGRAM_BYTES // (1024 * 1024)} MiB "
            "is not read",
            1,
            1,
        )
    try:
        return ast.parse(source, filename=display)
    except SyntaxError as exc:
        raise ProgramError(
            f"invalid Python: {exc.msg}", exc.lineno or 1, exc.offset or 1
        ) from None
    except (RecursionError, MemoryError):
        raise ProgramError("nested too deeply to read", 1, 1) from None
    except ValueError as exc:
        raise ProgramError(f"invalid Python: {exc}", 1, 1) from None


class Reader(StatementsMixin, ComponentsMixin):
    """One program file's names and calls; the files of a program share `shared`."""

    def __init__(
        self, display: str, shared: Shared | None = None, loader: Loader | None = None
    ) -> None:
        self.display = display
        self.aliases: dict[str, str] = {}  # local name -> dotted module or class path
        self.env: dict[str, Any] = {}
        self.shared = shared or Shared(loader)
        self.declared = self.shared.declared
        # module-level components and functions (their own file's reader)
        self.definitions: dict[str, tuple[Definition, Reader]] = {}
        self.modules: dict[str, Reader] = {}  # local modules imported whole

    @property
    def seen(self) -> set[int]:  # ids of Call nodes read
        return self.shared.seen

    # -- names ------------------------------------------------------------------------
    def imports(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.aliases[top] = top
                found = self.local_module(alias.name)
                if found is not None and alias.asname:
                    self.modules[alias.asname] = found
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            module = self.local_module(node.module)
            for alias in node.names:
                local = alias.asname or alias.name
                self.aliases[local] = f"{node.module}.{alias.name}"
                if module is not None:
                    self.bind_import(module, alias.name, local)

    def dotted(self, node: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute) and len(parts) < 20:
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.aliases:
            return None
        return ".".join([self.aliases[node.id], *reversed(parts)])

    # -- values -----------------------------------------------------------------------
    def value(self, node: ast.expr, deps: set[int], depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return Opaque("an expression nested too deeply")
        nxt = depth + 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str | int | float | bool) or node.value is None:
                return node.value
            return Opaque("a constant")
        if isinstance(node, ast.JoinedStr):
            parts: list[Any] = []
            for part in node.values:
                inner = part.value if isinstance(part, ast.FormattedValue) else part
                got = self.value(inner, deps, nxt)
                if isinstance(part, ast.FormattedValue) and (
                    part.format_spec is not None or part.conversion != -1
                ):
                    got = Opaque("a formatted value")
                if isinstance(got, Ref):
                    got = Opaque(f"the resource {got.resource.logical}")
                parts.append(got)
            return text(parts)
        if isinstance(node, ast.Dict):
            out: dict[str, Any] = {}
            for key, val in zip(node.keys, node.values, strict=True):
                k = self.value(key, deps, nxt) if key is not None else None
                if not isinstance(k, str):
                    return Opaque("a dict with computed keys")
                out[k] = self.value(val, deps, nxt)
            return out
        if isinstance(node, ast.List | ast.Tuple):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return Opaque("a list with computed items")
            return [self.value(e, deps, nxt) for e in node.elts]
        if isinstance(node, ast.Name):
            found = self.env.get(node.id)
            if isinstance(found, Ref):
                deps.add(id(found.resource))
            if node.id in self.env:
                return found
            return Opaque(f"the value of {node.id}")
        if isinstance(node, ast.Attribute):
            base = self.value(node.value, deps, nxt)
            if isinstance(base, Ref):
                return self.attribute(base.resource, node.attr)
            return Opaque(f"the attribute {node.attr}")
        if isinstance(node, ast.Call):
            return self.call(node, deps, nxt)
        return Opaque(f"a computed {type(node).__name__} expression")

    def attribute(self, r: Declared, attr: str) -> Any:
        if r.provider == NATIVE:
            name = r.args.get("name")
            name = name if isinstance(name, str) else Opaque(f"name of {r.urn}")
            if attr == "name":
                return name
            if attr == "id" and r.type in pp._ARM_TYPES:
                return ResourceId(pp._ARM_TYPES[r.type].lower(), (name,))
        else:
            view = _View(r.args, {}, r.line, r.col)
            if attr == "name":
                return view.get("name", Opaque(f"name of {r.urn}"))
            if attr == "id":
                found = tfmap.identity(r.type, view)
                if found is not None:
                    return found
        return Opaque(f"{r.urn}.{attr}")

    def call(self, node: ast.Call, deps: set[int], depth: int) -> Any:
        self.seen.add(id(node))
        component = self.component(node)
        if component is not None:
            return self.instantiate(*component, node, deps, depth)
        name = self.dotted(node.func) or ""
        if name == OWN_COMPONENT:
            self._own_component(node)
        declared = self.resource(node, name, depth)
        if declared is not None:
            deps.add(id(declared))
            return Ref(declared)
        if name.startswith((NATIVE, CLASSIC)) and name.endswith("Args"):
            args = Args()
            for kw in node.keywords:
                if kw.arg is None:
                    return Opaque(f"{name} with ** arguments")
                args[kw.arg] = self.value(kw.value, deps, depth)
            return args
        for arg in [*node.args, *(kw.value for kw in node.keywords)]:
            self.value(arg, deps, depth)  # resources created inside still count
        return Opaque(f"the result of {name or 'a call'}")

    def resource(self, node: ast.Call, name: str, depth: int) -> Declared | None:
        provider, rtype = NATIVE, None
        for prefix, table, which in (
            (NATIVE, _NATIVE_TYPES, NATIVE),
            (CLASSIC, _CLASSIC_TYPES, CLASSIC),
        ):
            if name.startswith(prefix + "."):
                rtype = table.get(name[len(prefix) + 1 :])
                provider = which
                if rtype is not None:
                    break
        if rtype is None or len(self.declared) >= MAX_CALLS:
            return None
        deps: set[int] = set()
        logical: Any = self.value(node.args[0], deps, depth) if node.args else None
        for kw in node.keywords:
            if kw.arg == "resource_name":
                logical = self.value(kw.value, deps, depth)
        declared = Declared(
            provider,
            rtype,
            logical if isinstance(logical, str) else f"line {node.lineno}",
            {},
            node.lineno,
            node.col_offset + 1,
            file=self.display,
            chain=self.shared.chain,
            urn=self.shared.unique_urn(
                rtype, logical if isinstance(logical, str) else f"line {node.lineno}"
            ),
        )
        for kw in node.keywords:
            if kw.arg is None:
                declared.args["**"] = Opaque("arguments passed with **")
                continue
            if kw.arg in ("resource_name", "opts"):
                self.value(kw.value, deps, depth)  # depends_on references count
                continue
            declared.args[kw.arg] = self.value(kw.value, deps, depth)
            _places(kw.value, (kw.arg,), declared.nested, kw.arg in _MAP_ARGS)
        declared.deps = deps
        self.declared.append(declared)
        return declared

    def _own_component(self, node: ast.Call) -> None:
        """azfn-profile's own component deploys a resolved profile: listed, so the
        project is never passed silently; the profile is judged as a profile."""
        label = self.value(node.args[0], set()) if node.args else None
        what = f"{label}: " if isinstance(label, str) else ""
        self.shared.not_inspected.append(
            NotInspected(
                self.display,
                node.lineno,
                f"{what}azfn-profile PythonFunctionApp",
                "it deploys the profile it is given, judged as that profile (check "
                "the profile file); at preview the component refuses a shared "
                "plan_id of another SKU",
            )
        )

    # -- the program --------------------------------------------------------------------
    def read(self, module: ast.Module) -> None:
        self.body(module.body, top=True)
        for stmt in module.body:  # calls in lambdas, comprehensions, decorators, ...
            if isinstance(stmt, DEFINITIONS):
                continue  # read per instantiation, or once at the end
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Call) and id(sub) not in self.seen:
                    self.call(sub, set(), 0)


class _View:
    """Evaluated classic arguments as the Terraform mapping reads a block."""

    def __init__(
        self,
        values: dict[str, Any],
        places: dict[str, tuple[int, int]],
        line: int | None,
        col: int | None,
    ) -> None:
        self.values, self.places = values, places
        self.line, self.col = line, col

    def get(self, name: str, default: Any = tfmap.ABSENT) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def where(self, name: str) -> tfmap.Where:
        return self.places.get(name, (self.line, self.col))

    def blocks(self, name: str) -> Sequence[_View]:
        value = self.values.get(name)
        items = value if isinstance(value, list) else [value]
        line, col = self.where(name)
        return [_View(v, {}, line, col) for v in items if isinstance(v, dict)]

    def keys_where(self, name: str) -> dict[str, tfmap.Where]:
        value = self.values.get(name)
        return (
            {str(k): self.where(name) for k in value} if isinstance(value, dict) else {}
        )

    def get_all(self) -> dict[str, Any]:
        return dict(self.values)


def _places(
    node: ast.expr,
    path: tuple[Any, ...],
    out: dict[tuple[Any, ...], tuple[int, int]],
    keep_keys: bool = False,
    depth: int = 0,
) -> None:
    """Record where each argument, dict entry and list item is written."""
    if depth > MAX_DEPTH or len(out) > 10_000:
        return
    out[path] = (node.lineno, node.col_offset + 1)
    if isinstance(node, ast.Call):
        for kw in node.keywords:
            if kw.arg is not None:
                _places(kw.value, (*path, kw.arg), out, kw.arg in _MAP_ARGS, depth + 1)
    elif isinstance(node, ast.Dict):
        for key, val in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                name = key.value
                _places(val, (*path, name), out, name in _MAP_ARGS, depth + 1)
    elif isinstance(node, ast.List | ast.Tuple):
        for i, item in enumerate(node.elts):
            _places(item, (*path, i), out, False, depth + 1)


def _native_locator(d: Declared) -> Any:
    """Body paths of a converted azure-native resource to places in the program."""
    places: dict[tuple[Any, ...], tuple[int, int]] = {}
    for path, where in d.nested.items():
        converted: list[Any] = []
        keep = False
        for part in path:
            converted.append(
                part if keep or not isinstance(part, str) else _camel(part)
            )
            keep = isinstance(part, str) and part in _MAP_ARGS
        places[tuple(converted)] = where

    def locate(path: tuple[Any, ...]) -> tuple[int, int] | None:
        probe = tuple(path)
        if probe[:1] == ("properties",) and d.type not in (
            pp.SETTINGS,
            pp.SLOT_SETTINGS,
        ):
            probe = probe[1:]
        while probe:
            if probe in places:
                return places[probe]
            probe = probe[:-1]
        return None

    return locate


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _api(value: Any, keep_keys: bool = False) -> Any:
    """Python SDK arguments as the API's camelCase properties."""
    if isinstance(value, dict):
        return {
            (k if keep_keys else _camel(k)): _api(v, keep_keys=k in _MAP_ARGS)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_api(v) for v in value]
    if isinstance(value, Ref):
        return Opaque(f"the resource {value.resource.logical}")
    return value


def _plain(value: Any) -> Any:
    """Classic arguments as they are (azurerm's names), references made computed."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Ref):
        return Opaque(f"the resource {value.resource.logical}")
    return value


def program_graph(source: str, display: str, loader: Loader | None = None) -> Graph:
    """The graph of a Python program's function-app resources (ProgramError when it
    cannot be parsed); `loader` reads the project's own modules it imports."""
    module = parse_program(source, display)
    reader = Reader(display, loader=loader)
    try:
        reader.read(module)
        reader.read_uninstantiated()
    except (RecursionError, MemoryError):
        raise ProgramError("nested too deeply to read", 1, 1) from None
    graph = Graph()
    graph.not_inspected.extend(reader.shared.not_inspected)
    graph.read = {display} | {m.display for m in reader.shared.modules.values() if m}
    by_id = {id(d): d for d in reader.declared}
    native = [d for d in reader.declared if d.provider == NATIVE]
    resources = [
        pp.PulumiResource(
            d.type,
            d.urn,
            {
                _camel(k): _api(v, keep_keys=k in _MAP_ARGS)
                for k, v in d.args.items()
                if k not in ("resource_group_name", "**")
            },
            [by_id[i].urn for i in d.deps if i in by_id],
        )
        for d in native
    ]
    by_urn = {r.urn: r for r in resources}
    names = {r.urn: pp.graph_name(r) for r in resources}
    for d, r in zip(native, resources, strict=True):
        converted = pp.convert(r, names, by_urn, display)
        if converted is not None:
            converted.line, converted.col = d.line, d.col
            converted.file, converted.chain = d.file, d.chain
            converted.locate = _native_locator(d)
            converted.display = d.urn
            graph.resources.append(converted)
    for d in reader.declared:
        if d.provider != CLASSIC:
            continue
        args = {k: _plain(v) for k, v in d.args.items()}
        places = {path[0]: where for path, where in d.nested.items() if len(path) == 1}
        view = _View(args, places, d.line, d.col)
        for m in tfmap.resources(d.type, view):
            graph.resources.append(
                Resource(
                    type=m.type,
                    name=m.name,
                    body=m.body,
                    file=d.file,
                    line=d.line,
                    col=d.col,
                    display=d.urn,
                    deployment=display,
                    chain=d.chain,
                    locate=locator(m.places),
                    extra=m.extra,
                )
            )
    return graph
