"""An ARM deployment template as a reader of the resource graph.

Evaluated as ARM would as far as a file allows: parameters (values from a parameter
file, else defaults, else computed at deployment), variables (with `copy`), resources
as a list or, in language version 2.0, an object keyed by symbolic name, nested child
resources, `condition` (false: not deployed; computed: judged, marked conditional),
`copy` loops (bounded; a count of 0 deploys nothing), `existing` resources, and nested
deployments with an inline template in inner or outer expression scope. Sites and
slots that are not deployed (a false condition, a copy count of 0) are listed as not
inspected, with why, and never judged; so are linked templates. All work is charged
to one `Budget` per file.
Reference: learn.microsoft.com/azure/azure-resource-manager/templates/syntax
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from azfn_profile.secret import conceal
from azfn_profile.sources.arm_expr import evaluate_text
from azfn_profile.sources.graph import (
    Graph,
    Locator,
    NotInspected,
    Resource,
    identity,
    no_locator,
)
from azfn_profile.sources.jsonc import Positions
from azfn_profile.sources.values import (
    MAX_DEPTH,
    Budget,
    BudgetExceeded,
    Opaque,
    known,
    reading,
    split_text,
    text,
)

SCHEMA_MARK = "deploymenttemplate.json"
MAX_COPIES = 800  # instances one copy loop may produce (ARM allows 800)
# "Child resources can only be defined five levels deep" (learn.microsoft.com/azure/
# azure-resource-manager/templates/child-resource-name-type)
MAX_CHILD_LEVELS = 5
MAX_NESTED_DEPLOYMENTS = 32  # inline deployments within deployments (a bound of ours)
SECURE = ("securestring", "secureobject")
JsonPath = tuple[Any, ...]


def is_template(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    schema = data.get("$schema")
    if isinstance(schema, str) and SCHEMA_MARK in schema.lower():
        return True
    return "$schema" in data and isinstance(data.get("resources"), list | dict)


def read_template(
    template: dict[str, Any],
    *,
    file: str,
    positions: Positions | None,
    params: Mapping[str, Any],
    graph: Graph,
    deployment: str,
    budget: Budget | None = None,
) -> None:
    """Add the template's resources (nested deployments included) to `graph`."""
    budget = budget or Budget()
    reader = _Reader(file, positions, graph, deployment, budget)
    scope = _Scope(template, params, budget, graph)
    reader.resources(template.get("resources"), scope, ("resources",), (), None)
    list_not_deployed(graph, reader.dropped)


SITE, SLOT = "microsoft.web/sites", "microsoft.web/sites/slots"


@dataclass(frozen=True)
class Dropped:
    """A site or slot a template declares but does not deploy."""

    type: str
    name: Any  # evaluated, or the value standing for the expression
    kind: Any  # the evaluated `kind`; None when not written
    deployment: str
    file: str
    line: int | None
    what: str  # how the report names it
    reason: str  # why it is not deployed: "condition is false", "copy count is 0"


def list_not_deployed(graph: Graph, dropped: Sequence[Dropped]) -> None:
    """List the function apps among `dropped` as not inspected ("not deployed: ..."):
    a site whose kind is functionapp or computed, a slot whose kind (or, when it
    has none, its site's) is. Each is listed once."""
    if not dropped:
        return
    sites = {(r.deployment, r.key()): r for r in graph.resources if r.kind == SITE}
    listed = set(graph.not_inspected)
    for d in dropped:
        kind = d.kind
        if kind is None and d.type.lower() == SLOT:
            segments = tuple(split_text(d.name, "/"))[:-1]
            site = sites.get((d.deployment, identity(SITE, segments)))
            kind = site.body.get("kind") if site is not None else Opaque("kind")
        if kind is None or (
            isinstance(kind, str)
            and ("functionapp" not in kind.lower() or "workflowapp" in kind.lower())
        ):
            continue
        entry = NotInspected(d.file, d.line, d.what, f"not deployed: {d.reason}")
        if entry not in listed:
            listed.add(entry)
            graph.not_inspected.append(entry)


class _Scope:
    """What expressions in one template see: its parameters, variables, copy indexes."""

    def __init__(
        self,
        template: Mapping[str, Any],
        supplied: Mapping[str, Any],
        budget: Budget,
        graph: Graph,
    ) -> None:
        self.budget, self.graph = budget, graph
        declared = template.get("parameters")
        self.declared = declared if isinstance(declared, dict) else {}
        # parameter names are case-insensitive; the first declared wins
        self.declared_by_lower: dict[str, str] = {}
        for k in self.declared:
            self.declared_by_lower.setdefault(str(k).lower(), k)
        raw_vars = template.get("variables")
        self.raw_variables = raw_vars if isinstance(raw_vars, dict) else {}
        self.supplied = supplied
        self.params: dict[str, Any] = {}
        self.variables: dict[str, Any] = {}
        self.busy: set[str] = set()
        self.busy_params: set[str] = set()
        self.copies: dict[str, Any] = {}  # loop name -> current index
        self.innermost: str | None = None
        self.depth = 0

    # the Scope protocol -----------------------------------------------------------
    def parameter(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Opaque("parameters(<computed>)")
        key = self.declared_by_lower.get(name.lower(), name)
        if key in self.params:
            return self.params[key]
        if key in self.busy_params:
            return Opaque(f"parameters('{key}') refers to itself")
        self.busy_params.add(key)
        try:
            spec = self.declared.get(key)
            secure = (
                isinstance(spec, dict) and str(spec.get("type", "")).lower() in SECURE
            )
            if key in self.supplied:
                value = self.supplied[key]
            elif isinstance(spec, dict) and "defaultValue" in spec:
                value = self.value(spec["defaultValue"])
            else:
                value = Opaque(f"parameters('{key}')")
            if secure:  # its values are secrets; the keys of an object stay text
                value = conceal(value, self.budget.step)
            self.params[key] = value
            return value
        finally:
            self.busy_params.discard(key)

    def variable(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Opaque("variables(<computed>)")
        if name in self.variables:
            return self.variables[name]
        if name in self.busy:
            return Opaque(f"variables('{name}') refers to itself")
        if self.depth > MAX_DEPTH:
            raise BudgetExceeded(f"variables nested deeper than {MAX_DEPTH} levels")
        self.busy.add(name)
        self.depth += 1
        try:
            value = self._variable_value(name)
        finally:
            self.depth -= 1
            self.busy.discard(name)
        self.variables[name] = value
        return value

    def copy_index(self, args: list[Any]) -> Any:
        loop = self.innermost
        offset: Any = 0
        for arg in args:
            if isinstance(arg, str):
                loop = arg
            else:
                offset = arg
        index = self.copies.get(loop) if loop else None
        if index is None:
            return Opaque(f"copyIndex('{loop or ''}')")
        if (
            isinstance(index, int)
            and isinstance(offset, int)
            and not isinstance(offset, bool)
        ):
            return index + offset
        return Opaque(f"copyIndex('{loop}', {offset})")

    # values -----------------------------------------------------------------------
    def value(self, raw: Any, depth: int = 0) -> Any:
        if type(raw) is str:  # the common case first: most strings are literal
            if raw[:1] != "[" or raw[-1:] != "]" or raw[1:2] == "[":
                return raw[1:] if raw[:2] == "[[" else raw
            self.budget.step()
            return evaluate_text(raw, self)
        if depth > MAX_DEPTH:
            raise BudgetExceeded(f"values nested deeper than {MAX_DEPTH} levels")
        if isinstance(raw, dict):
            self.budget.step()
            self.budget.cells(len(raw))
            return {str(k): self.value(v, depth + 1) for k, v in raw.items()}
        if isinstance(raw, list):
            self.budget.step()
            self.budget.cells(len(raw))
            return [self.value(v, depth + 1) for v in raw]
        return raw

    def _variable_value(self, name: str) -> Any:
        if name in self.raw_variables:
            return self.value(self.raw_variables[name])
        loops = self.raw_variables.get("copy")
        for loop in loops if isinstance(loops, list) else []:
            if isinstance(loop, dict) and loop.get("name") == name:
                return self._variable_loop(loop)
        return Opaque(f"variables('{name}')")

    def _variable_loop(self, loop: dict[str, Any]) -> Any:
        count = self.value(loop.get("count"))
        name = str(loop.get("name"))
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            return Opaque(f"variables('{name}')")
        if count > MAX_COPIES:
            raise BudgetExceeded(
                f"copy loop {name!r} of {count} items (ARM allows 800)"
            )
        items = []
        saved = self.copies.get(name)
        for i in range(count):
            self.copies[name] = i
            items.append(self.value(loop.get("input")))
        self.copies[name] = saved
        return items


def _child_level(path: JsonPath) -> int:
    """How deep a resource is nested in its template's resources (0: top level)."""
    level = 0
    for part in path:
        if part == "template":
            level = 0  # an inline deployment's template starts again
        elif part == "resources":
            level += 1
    return level - 1


_SKIPPED = frozenset({"resources", "copy", "condition", "dependsOn", "comments"})


class _Reader:
    def __init__(
        self,
        file: str,
        positions: Positions | None,
        graph: Graph,
        deployment: str,
        budget: Budget,
    ) -> None:
        self.file, self.positions, self.graph = file, positions, graph
        self.deployment, self.budget = deployment, budget
        self.dropped: list[Dropped] = []

    def where(self, path: JsonPath) -> tuple[int | None, int | None]:
        if self.positions is None:
            return None, None
        return self.positions.at(path)

    def resources(
        self,
        raw: Any,
        scope: _Scope,
        path: JsonPath,
        chain: tuple[str, ...],
        parent: tuple[str, Any] | None,
    ) -> None:
        if isinstance(raw, dict):  # language version 2.0: symbolic names
            items = [(name, (*path, name), r) for name, r in raw.items()]
        elif isinstance(raw, list):
            items = [(None, (*path, i), r) for i, r in enumerate(raw)]
        else:
            return
        for symbol, at, resource in items:
            if isinstance(resource, dict):
                with reading(self.file, *self.where(at)):
                    self.resource(resource, scope, at, chain, parent, symbol)

    def resource(
        self,
        raw: dict[str, Any],
        scope: _Scope,
        path: JsonPath,
        chain: tuple[str, ...],
        parent: tuple[str, Any] | None,
        symbol: str | None,
    ) -> None:
        self.budget.step()
        copy = raw.get("copy")
        if not isinstance(copy, dict):
            self._instance(raw, scope, path, chain, parent, symbol, False)
            return
        loop = str(copy.get("name", "copy"))
        count = scope.value(copy.get("count"))
        if not isinstance(count, int) or isinstance(count, bool):
            scope.copies[loop], saved = None, scope.innermost
            scope.innermost = loop
            self._instance(raw, scope, path, chain, parent, symbol, True)
            scope.innermost = saved
            return
        if count > MAX_COPIES:
            raise BudgetExceeded(
                f"copy loop {loop!r} of {count} instances (ARM allows 800)"
            )
        saved = scope.innermost
        scope.innermost = loop
        if count <= 0:  # no instance: copyIndex() stays computed in its name
            scope.copies[loop] = None
            self._drop(raw, scope, path, parent, symbol, f"copy count is {count}")
        for i in range(max(0, count)):
            scope.copies[loop] = i
            self._instance(raw, scope, path, chain, parent, symbol, False)
        scope.copies.pop(loop, None)
        scope.innermost = saved

    def _instance(
        self,
        raw: dict[str, Any],
        scope: _Scope,
        path: JsonPath,
        chain: tuple[str, ...],
        parent: tuple[str, Any] | None,
        symbol: str | None,
        conditional: bool,
    ) -> None:
        condition = scope.value(raw["condition"]) if "condition" in raw else True
        if condition is False:
            self._drop(raw, scope, path, parent, symbol, "condition is false")
            return
        conditional = conditional or condition is not True
        rtype, name, display = _identity(raw, scope, parent, symbol)
        if rtype.lower() == "microsoft.resources/deployments":
            self._deployment(raw, scope, path, chain, name)
            return
        body = {str(k): scope.value(v) for k, v in raw.items() if k not in _SKIPPED}
        line, col = self.where(path)
        if scope.innermost is not None:  # made by a loop: its children count too
            self.budget.instances(1, f"copy loop {scope.innermost!r}")
        self.graph.resources.append(
            Resource(
                type=rtype,
                name=name,
                body=body,
                file=self.file,
                line=line,
                col=col,
                display=display,
                chain=chain,
                deployment=self.deployment,
                symbol=symbol,
                existing=raw.get("existing") is True,
                conditional=conditional,
                locate=_locator(self.positions, path),
            )
        )
        children = raw.get("resources")
        if children is not None:
            if _child_level(path) >= MAX_CHILD_LEVELS:
                raise BudgetExceeded(
                    f"child resources nested more than {MAX_CHILD_LEVELS} levels deep "
                    "(ARM allows five)"
                )
            self.resources(children, scope, (*path, "resources"), chain, (rtype, name))

    def _drop(
        self,
        raw: dict[str, Any],
        scope: _Scope,
        path: JsonPath,
        parent: tuple[str, Any] | None,
        symbol: str | None,
        reason: str,
    ) -> None:
        """Note a site or slot that is not deployed, for `list_not_deployed`."""
        if raw.get("existing") is True:
            return
        rtype, name, display = _identity(raw, scope, parent, symbol)
        if rtype.lower() not in (SITE, SLOT):
            return
        kind = scope.value(raw["kind"]) if "kind" in raw else None
        line, _ = self.where(path)
        self.dropped.append(
            Dropped(
                rtype,
                name,
                kind,
                self.deployment,
                self.file,
                line,
                f"{rtype} {display}",
                reason,
            )
        )

    def _deployment(
        self,
        raw: dict[str, Any],
        scope: _Scope,
        path: JsonPath,
        chain: tuple[str, ...],
        name: Any,
    ) -> None:
        if len(chain) >= MAX_NESTED_DEPLOYMENTS:
            raise BudgetExceeded(
                f"deployments nested more than {MAX_NESTED_DEPLOYMENTS} levels deep"
            )
        props = raw.get("properties")
        props = props if isinstance(props, dict) else {}
        line, _ = self.where(path)
        label = name if isinstance(name, str) else str(name)
        if "templateLink" in props:
            link = scope.value(props["templateLink"])
            uri = link.get("uri") or link.get("id") if isinstance(link, dict) else link
            self.graph.not_inspected.append(
                NotInspected(
                    self.file,
                    line,
                    f"linked template {uri if known(uri) else '(computed)'}",
                    "linked templates are not fetched",
                )
            )
            return
        inner = props.get("template")
        if not isinstance(inner, dict):
            return
        options = props.get("expressionEvaluationOptions")
        mode = options.get("scope") if isinstance(options, dict) else None
        step = f"{self.file}:{line or '?'} deployment {label}"
        inner_path = (*path, "properties", "template")
        if str(mode).lower() == "inner":
            given = props.get("parameters")
            supplied = {}
            for key, spec in given.items() if isinstance(given, dict) else []:
                if isinstance(spec, dict) and "value" in spec:
                    supplied[str(key)] = scope.value(spec["value"])
                else:
                    supplied[str(key)] = Opaque(f"{label}.parameters.{key}")
            inner_scope = _Scope(inner, supplied, self.budget, self.graph)
        else:  # outer scope: the inner template sees the outer's parameters
            inner_scope = scope
        self.resources(
            inner.get("resources"),
            inner_scope,
            (*inner_path, "resources"),
            (*chain, step),
            None,
        )


def _identity(
    raw: dict[str, Any],
    scope: _Scope,
    parent: tuple[str, Any] | None,
    symbol: str | None,
) -> tuple[str, Any, str]:
    """A resource's type and name (a nested child's relative to its parent's), and
    the name as shown: evaluated, else as written, else its symbol."""
    rtype = scope.value(raw.get("type", ""))
    name = scope.value(raw.get("name", Opaque("<no name>")))
    if not isinstance(rtype, str):
        rtype = "<computed type>"
    if parent is not None:  # a nested child: type and name relative to it
        rtype = f"{parent[0]}/{rtype}"
        name = text([parent[1], "/", name])
    raw_name = raw.get("name")
    display = (
        name
        if isinstance(name, str)
        else (raw_name if isinstance(raw_name, str) else symbol or "<computed>")
    )
    return rtype, name, display


def _locator(positions: Positions | None, base: JsonPath) -> Locator:
    if positions is None:
        return no_locator

    def locate(path: JsonPath) -> tuple[int, int] | None:
        return positions.at(base + path)

    return locate
