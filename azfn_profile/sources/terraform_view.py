"""A block of one resource instance, evaluated on demand: its arguments (each once),
its nested blocks (`dynamic` blocks expanded) and where each argument is written.

An argument set to null is unset, as Terraform has it: the provider's default
applies. Values handed to the mapping are plain (`terraform_ops.plain`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azfn_profile.sources.terraform_map import ABSENT, Where
from azfn_profile.sources.terraform_nodes import Body
from azfn_profile.sources.terraform_ops import Failed, Instances, plain
from azfn_profile.sources.values import BudgetExceeded, Computed, Opaque

if TYPE_CHECKING:
    from azfn_profile.sources.terraform_module import Module

MAX_DYNAMIC = 800  # blocks one dynamic block may produce


class BlockView:
    def __init__(
        self,
        module: Module,
        body: Body,
        env: dict[str, Any],
        line: int | None,
        col: int | None,
    ) -> None:
        self.module, self.body, self.env = module, body, env
        self.line, self.col = line, col
        self.values: dict[str, Any] = {}
        self.busy: set[str] = set()

    def raw(self, name: str) -> Any:
        """The argument as evaluated (references kept), None when absent."""
        attr = self.body.attrs().get(name)
        if attr is None:
            return None
        if name in self.values:
            return self.values[name]
        if name in self.busy:
            return Failed(f"{name} refers to itself")
        self.busy.add(name)
        try:
            value = self.module.evaluator.eval(attr.expr, self.env)
        finally:
            self.busy.discard(name)
        self.values[name] = value
        return value

    def get(self, name: str, default: Any = ABSENT) -> Any:
        value = self.raw(name)
        return default if value is None else plain(value, self.module.budget)

    def get_all(self) -> dict[str, Any]:
        return {name: self.get(name, None) for name in self.body.attrs()}

    def where(self, name: str) -> Where:
        attr = self.body.attrs().get(name)
        return (attr.line, attr.col) if attr is not None else (self.line, self.col)

    def keys_where(self, name: str) -> dict[str, Where]:
        attr = self.body.attrs().get(name)
        if attr is None or attr.expr.kind != "object":
            return {}
        pairs = attr.expr.args
        return {
            str(pairs[i].value): (pairs[i].line, pairs[i].col)
            for i in range(0, len(pairs) - 1, 2)
            if pairs[i].kind == "lit"
        }

    def blocks(self, name: str) -> list[BlockView]:
        found = [
            BlockView(self.module, b.body, self.env, b.line, b.col)
            for b in self.body.blocks(name)
        ]
        for dynamic in self.body.blocks("dynamic", 1):
            if dynamic.labels[:1] == [name]:
                found += self._dynamic(name, dynamic.body, dynamic.line, dynamic.col)
        return found

    def _dynamic(
        self, name: str, body: Body, line: int | None, col: int | None
    ) -> list[BlockView]:
        attrs = body.attrs()
        contents = body.blocks("content")
        each = attrs.get("for_each")
        if not contents or each is None:
            return []
        iterator = attrs.get("iterator")
        var = iterator.expr.value if iterator and iterator.expr.kind == "name" else name
        items = self.module.evaluator.eval(each.expr, self.env)
        if isinstance(items, Instances):
            items = [items.ref]
        pairs: list[tuple[Any, Any]]
        if isinstance(items, dict):
            pairs = [(k, items[k]) for k in sorted(items)]
        elif isinstance(items, list):
            pairs = list(enumerate(items))
        elif items is None or isinstance(items, Failed):
            pairs = []
        elif isinstance(items, Computed):
            pairs = [(Opaque(f"{items}: key"), Opaque(f"{items}: value"))]
        else:
            pairs = [(0, items)]
        if len(pairs) > MAX_DYNAMIC:
            raise BudgetExceeded(f"dynamic {name!r}: {len(pairs):,} blocks")
        content = contents[0]
        return [
            BlockView(
                self.module,
                content.body,
                {**self.env, var: {"key": k, "value": v}},
                content.line or line,
                content.col or col,
            )
            for k, v in pairs
        ]
