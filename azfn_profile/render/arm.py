"""ARM deployment template (JSON) from the resource graph."""

from __future__ import annotations

from typing import Any

from azfn_profile.render.azure import (
    Attr,
    Cond,
    Empty,
    Expr,
    Graph,
    Guid,
    Id,
    Join,
    Location,
    Param,
    Replace,
    RoleDefinition,
    StorageKey,
    StorageSuffix,
    Take,
    TemplateResource,
    Union,
    UniqueSuffix,
    Var,
)

SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
)


class _Arm:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def full_type_and_name(self, r: TemplateResource) -> tuple[str, list[Expr]]:
        names: list[Expr] = [r.name]
        current = r
        while current.parent is not None:
            current = self.graph.by_symbol(current.parent)
            names.insert(0, current.name)
        return r.type, names

    def resource_id(self, symbol: str) -> str:
        rtype, names = self.full_type_and_name(self.graph.by_symbol(symbol))
        return f"resourceId('{rtype}', {', '.join(self.expr(n) for n in names)})"

    def expr(self, e: Expr) -> str:
        if isinstance(e, str):
            return "'" + e.replace("'", "''") + "'"
        if isinstance(e, Param):
            return f"parameters('{e.name}')"
        if isinstance(e, Id):
            return self.resource_id(e.symbol)
        if isinstance(e, Attr):
            r = self.graph.by_symbol(e.symbol)
            head, *rest = e.path
            if head == "identity":
                ref = f"reference({self.resource_id(e.symbol)}, '{r.api}', 'full')"
                return ".".join([ref, head, *rest])
            return ".".join(
                [f"reference({self.resource_id(e.symbol)}, '{r.api}')", *rest]
            )
        if isinstance(e, StorageKey):
            api = self.graph.by_symbol(e.symbol).api
            return f"listKeys({self.resource_id(e.symbol)}, '{api}').keys[0].value"
        if isinstance(e, StorageSuffix):
            return "environment().suffixes.storage"
        if isinstance(e, Join):
            return f"concat({', '.join(self.expr(p) for p in e.parts)})"
        if isinstance(e, Guid):
            return f"guid({', '.join(self.expr(p) for p in e.parts)})"
        if isinstance(e, UniqueSuffix):
            parts = ["resourceGroup().id", *(self.expr(p) for p in e.parts)]
            return f"uniqueString({', '.join(parts)})"
        if isinstance(e, Take):
            return f"take({self.expr(e.value)}, {e.count})"
        if isinstance(e, Replace):
            return (
                f"replace({self.expr(e.value)}, {self.expr(e.old)}, {self.expr(e.new)})"
            )
        if isinstance(e, Var):
            return f"variables('{e.name}')"
        if isinstance(e, Union):
            return f"union({', '.join(self.expr(p) for p in e.parts)})"
        if isinstance(e, Location):
            return "resourceGroup().location"
        if isinstance(e, Empty):
            return f"empty({self.expr(e.value)})"
        if isinstance(e, Cond):
            return f"if({self.expr(e.test)}, {self.expr(e.yes)}, {self.expr(e.no)})"
        assert isinstance(e, RoleDefinition)
        return (
            "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', "
            f"'{e.guid}')"
        )

    def value(self, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, str):
            return (
                "[" + v if v.startswith("[") else v
            )  # a literal '[' is escaped as '[['
        if isinstance(v, (bool, int, float)) or v is None:
            return v
        return f"[{self.expr(v)}]"

    def resource(self, r: TemplateResource) -> dict[str, Any]:
        rtype, names = self.full_type_and_name(r)
        name: Expr = (
            names[0]
            if len(names) == 1
            else Join(
                tuple(
                    x
                    for i, n in enumerate(names)
                    for x in ((n,) if i == 0 else ("/", n))
                )
            )
        )
        out: dict[str, Any] = {
            "type": rtype,
            "apiVersion": r.api,
            "name": self.value(name),
        }
        if r.condition is not None:
            out["condition"] = self.value(r.condition)
        if r.scope is not None:
            scope = self.graph.by_symbol(r.scope)
            out["scope"] = self.value(Join((f"{scope.type}/", scope.name)))
        out.update(self.value(r.body))
        depends = [*r.depends_on]
        parent = r.parent
        while parent is not None:  # the nearest deployed ancestor
            p = self.graph.by_symbol(parent)
            if not p.existing:
                depends.insert(0, parent)
                break
            parent = p.parent
        if depends:
            out["dependsOn"] = [
                f"[{self.resource_id(s)}]" for s in dict.fromkeys(depends)
            ]
        return out

    def template(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for p in self.graph.params:
            param: dict[str, Any] = {
                "type": p.type,
                "defaultValue": self.value(p.default),
                "metadata": {"description": p.description},
            }
            if p.min_length is not None:
                param["minLength"] = p.min_length
            if p.max_length is not None:
                param["maxLength"] = p.max_length
            params[p.name] = param
        return {
            "$schema": SCHEMA,
            "contentVersion": "1.0.0.0",
            "metadata": {"generator": "azfn-profile"},
            "parameters": params,
            "variables": {k: self.value(v) for k, v in self.graph.variables.items()},
            "resources": [
                self.resource(r) for r in self.graph.resources if not r.existing
            ],
            "outputs": {
                name: {"type": t, "value": self.value(v)}
                for name, (t, v) in self.graph.outputs.items()
            },
        }


def template(graph: Graph) -> dict[str, Any]:
    return _Arm(graph).template()
