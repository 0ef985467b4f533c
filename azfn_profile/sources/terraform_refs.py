"""What one reading of a root shares (`Deployment`, the files it may read through
its `Loader`), resource and module instances as values, and the helpers a module
instance uses to expand `count`/`for_each`, convert variables and locate arguments."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from azfn_profile.sources import terraform_map as tfmap
from azfn_profile.sources.graph import Graph
from azfn_profile.sources.terraform_eval import Depth
from azfn_profile.sources.terraform_nodes import Attr, Block, Body
from azfn_profile.sources.terraform_ops import Ref
from azfn_profile.sources.terraform_view import BlockView
from azfn_profile.sources.values import (
    Budget,
    BudgetExceeded,
    Opaque,
    ResourceId,
    split_text,
)

if TYPE_CHECKING:
    from azfn_profile.sources.terraform_module import Module

MAX_INSTANCES = 800  # instances one count or for_each may produce
Thunk = Callable[[], Any]


@dataclass
class Source:
    """One parsed file of a module folder."""

    display: str
    body: Body


class Loader(Protocol):
    root: Path

    def folder(self, path: Path, display: str) -> list[Source]: ...
    def locate(
        self, caller: Module, name: str, source: str
    ) -> tuple[Path, str] | str: ...


@dataclass
class Deployment:
    """One root configuration with one set of variable values."""

    graph: Graph
    loader: Loader
    name: str
    budget: Budget = field(default_factory=Budget)
    depth: Depth = field(default_factory=Depth)
    calls: int = 0
    listed: set[tuple[str, int | None]] = field(default_factory=set)


def key_suffix(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    if isinstance(key, str):
        return f"[{json.dumps(key, ensure_ascii=False)}]"
    return "[*]"


class Instance(Ref):
    """One instance of a resource or data block."""

    def __init__(
        self,
        module: Module,
        kind: str,
        a: str,
        b: str,
        block: Block,
        display: str,
        key: Any,
        env: dict[str, Any],
        conditional: bool,
    ) -> None:
        self.module, self.kind, self.a, self.b = module, kind, a, b
        self.block, self.display, self.key = block, display, key
        self.conditional = conditional
        prefix = "data." if kind == "data" else ""
        self.address = f"{prefix}{a}.{b}{key_suffix(key)}"
        self.view = BlockView(module, block.body, env, block.line, block.col)

    def label(self) -> str:
        return f"{self.module.prefix}{self.address}"

    def member(self, name: str) -> Any:
        if name == "id":
            found = None
            if self.kind == "data" and self.a in tfmap.DATA:
                found = ResourceId(
                    tfmap.DATA[self.a].lower(),
                    tuple(
                        split_text(
                            self.view.get("name", Opaque(f"{self.label()}.name")), "/"
                        )
                    ),
                )
            elif self.kind == "resource":
                found = tfmap.identity(self.a, self.view)
            if found is not None:
                return found
        if name in self.block.body.attrs():
            value = self.view.raw(name)
            if value is not None:
                return value
        return Opaque(f"{self.label()}.{name}")


class ModuleRef(Ref):
    """One instance of a module call; `callee` is None when it was not read."""

    def __init__(
        self, caller: Module, address: str, key: Any, callee: Module | None
    ) -> None:
        self.caller, self.address, self.key = caller, address, key
        self.callee = callee

    def label(self) -> str:
        return f"{self.caller.prefix}{self.address}"

    def member(self, name: str) -> Any:
        if self.callee is None:
            return Opaque(f"{self.label()}.{name}")
        return self.callee.output(name)


def thunk(module: Module, attr: Attr, env: dict[str, Any]) -> Thunk:
    return lambda: module.evaluator.eval(attr.expr, env)


def expand(
    module: Module, block: Block, base: str
) -> tuple[list[tuple[Any, dict[str, Any], bool]], str]:
    """The instances `count` or `for_each` gives: (key, what `count`/`each` hold,
    conditional) each, and the form references see (single, count, for_each, or
    unknown: one instance standing for a collection computed at apply time)."""
    attrs = block.body.attrs()
    if "count" in attrs:
        count = module.eval(attrs["count"], {})
        if isinstance(count, float) and count.is_integer():
            count = int(count)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            unknown = Opaque(f"{module.prefix}{base}: count.index")
            return [(unknown, {"count": {"index": unknown}}, True)], "unknown"
        bounded(count, base)
        return [(i, {"count": {"index": i}}, False) for i in range(count)], "count"
    if "for_each" in attrs:
        items = each_items(module.eval(attrs["for_each"], {}))
        if items is None:
            k = Opaque(f"{module.prefix}{base}: each.key")
            v = Opaque(f"{module.prefix}{base}: each.value")
            return [(k, {"each": {"key": k, "value": v}}, True)], "unknown"
        bounded(len(items), base)
        return [(k, {"each": {"key": k, "value": v}}, False) for k, v in items], (
            "for_each"
        )
    return [(None, {}, False)], "single"


def bounded(count: int, base: str) -> None:
    if count > MAX_INSTANCES:
        raise BudgetExceeded(f"{base}: {count:,} instances (more than {MAX_INSTANCES})")


def each_items(collection: Any) -> list[tuple[str, Any]] | None:
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, list) and all(isinstance(i, str) for i in collection):
        return [(i, i) for i in sorted(set(collection))]
    return None


def locator(places: dict[tuple[Any, ...], tfmap.Where]) -> Any:
    def locate(path: tuple[Any, ...]) -> tuple[int, int] | None:
        probe = tuple(path)
        while probe:
            found = places.get(probe)
            if found is not None and found[0] is not None:
                return found[0], found[1] or 1
            probe = probe[:-1]
        return None

    return locate
