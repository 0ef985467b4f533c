"""Values of a Terraform plan (`terraform show -json`) as the mapping reads them.

A resource change carries `change.after` and `change.after_unknown`, a mirror of it
in which `true` marks a value known only after apply. The two are merged into one
value in which every such part is an `Opaque` stand-in, so a check that needs it
reports "unknown", never a default and never a failure. `PlanView` hands one
instance's merged values to the mapping (`terraform_map.View`): an argument set to
null is unset (the provider's default applies), a nested block is a list of
objects, and each argument is located where the plan JSON writes it.

Addresses and references are read here too: `module.app[0]`, a resource's
`azurerm_service_plan.plan["k"].id`, as Terraform writes them.
Reference: developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from azfn_profile.secret import conceal
from azfn_profile.sources.terraform_map import ABSENT, Where
from azfn_profile.sources.values import Budget, Opaque

Locate = Callable[[tuple[Any, ...]], Where]  # a path in the plan JSON -> where


def merged(
    value: Any, unknown: Any, label: str, budget: Budget, *, nulls: bool = False
) -> Any:
    """`value` with each part `unknown` marks `true` replaced by an Opaque named
    after `label` and its path; with `nulls`, every null is unknown too (planned
    values alone cannot tell an unknown from an unset value). A copy, built with an
    explicit stack, each container charged to `budget`."""

    def leaf(item: Any, mask: Any, path: str) -> Any:
        if mask is True or (nulls and item is None):
            return Opaque(f"{path}, known after apply")
        if item is None and isinstance(mask, dict | list) and _marks(mask):
            return Opaque(f"{path}, known after apply")
        return item

    top = leaf(value, unknown, label)
    if not isinstance(top, dict | list):
        return top
    root: Any = {} if isinstance(top, dict) else []
    stack: list[tuple[Any, Any, Any, str]] = [(top, unknown, root, label)]
    while stack:
        source, mask, copy, path = stack.pop()
        budget.cells(len(source) + 1)
        if isinstance(source, dict):
            masks = mask if isinstance(mask, dict) else {}
            keys = list(source) + [k for k in masks if k not in source]
            items = [(k, source.get(k), masks.get(k), f"{path}.{k}") for k in keys]
        else:
            masks_list = mask if isinstance(mask, list) else []
            items = [
                (
                    i,
                    item,
                    masks_list[i] if i < len(masks_list) else None,
                    f"{path}[{i}]",
                )
                for i, item in enumerate(source)
            ]
        for key, item, item_mask, item_path in items:
            child = leaf(item, item_mask, item_path)
            if isinstance(child, dict | list):
                made: Any = {} if isinstance(child, dict) else []
                stack.append((child, item_mask, made, item_path))
                child = made
            if isinstance(copy, dict):
                copy[str(key)] = child
            else:
                copy.append(child)
    return root


def _marks(mask: Any) -> bool:
    """Whether a mirror structure marks anything (an explicit stack)."""
    stack = [mask]
    while stack:
        item = stack.pop()
        if item is True:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def marked(value: Any, mask: Any, budget: Budget) -> Any:
    """`value` with the parts a mirror (`after_sensitive`) marks `true` made secret
    (a copy where marked; explicit stack, each container charged)."""
    if mask is True:
        return conceal(value, budget.step)
    if not isinstance(value, dict | list) or not isinstance(mask, dict | list):
        return value
    root: list[Any] = [value]
    stack: list[tuple[Any, Any, Any, Any]] = [(root, 0, value, mask)]
    while stack:
        parent, key, item, marks = stack.pop()
        budget.step()
        if marks is True:
            parent[key] = conceal(item, budget.step)
        elif isinstance(item, dict) and isinstance(marks, dict):
            copy = dict(item)
            parent[key] = copy
            stack.extend((copy, k, copy[k], marks[k]) for k in copy if k in marks)
        elif isinstance(item, list) and isinstance(marks, list):
            copy_list = list(item)
            parent[key] = copy_list
            stack.extend(
                (copy_list, i, v, m)
                for i, (v, m) in enumerate(zip(copy_list, marks, strict=False))
            )
    return root[0]


class PlanView:
    """One resource instance (or one nested block of it) of a plan."""

    def __init__(
        self,
        values: dict[str, Any],
        at: Locate,
        path: tuple[Any, ...],
        label: str,
        link: Callable[[str], Any] | None = None,
    ) -> None:
        self.values, self.at, self.path, self.label = values, at, path, label
        self.link = link  # an id known after apply, as the reference it follows
        self.line, self.col = at(path)

    def get(self, name: str, default: Any = ABSENT) -> Any:
        value = self.values.get(name)
        if isinstance(value, Opaque) and self.link is not None:
            linked = self.link(name)
            if linked is not None:
                return linked
        return default if value is None else value

    def where(self, name: str) -> Where:
        return self.at((*self.path, name))

    def blocks(self, name: str) -> Sequence[PlanView | UnknownView]:
        value = self.values.get(name)
        items = value if isinstance(value, list) else [value] if value else []
        out: list[PlanView | UnknownView] = []
        for i, item in enumerate(items):
            path = (
                (*self.path, name, i) if isinstance(value, list) else (*self.path, name)
            )
            label = f"{self.label}.{name}[{i}]"
            if isinstance(item, dict):
                out.append(PlanView(item, self.at, path, label))
            elif isinstance(item, Opaque):
                out.append(UnknownView(label, self.at(path)))
        return out

    def keys_where(self, name: str) -> dict[str, Where]:
        value = self.values.get(name)
        if not isinstance(value, dict):
            return {}
        return {str(key): self.at((*self.path, name, key)) for key in value}

    def get_all(self) -> dict[str, Any]:
        return {name: self.get(name, None) for name in self.values}


class UnknownView:
    """A nested block known only after apply: every argument is unknown."""

    def __init__(self, label: str, where: Where) -> None:
        self.label = label
        self.line, self.col = where

    def get(self, name: str, default: Any = ABSENT) -> Any:
        return Opaque(f"{self.label}.{name}, known after apply")

    def where(self, name: str) -> Where:
        return self.line, self.col

    def blocks(self, name: str) -> Sequence[UnknownView]:
        return [UnknownView(f"{self.label}.{name}", (self.line, self.col))]

    def keys_where(self, name: str) -> dict[str, Where]:
        return {}

    def get_all(self) -> dict[str, Any]:
        return {}


# -- addresses and references --------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_KEY = re.compile(r'\[(?:(\d{1,18})|("(?:[^"\\]|\\.)*"))\]')
NO_KEY: Any = object()  # a step without an instance key


@dataclass(frozen=True)
class Step:
    name: str
    key: Any = NO_KEY


def steps(text: str) -> list[Step] | None:
    """`module.a[0].azurerm_x.y["k"].id` as its steps (a key after its name);
    None when it is not an address."""
    out: list[Step] = []
    pos = 0
    while pos < len(text):
        if out:
            if text[pos] != ".":
                return None
            pos += 1
        name = _NAME.match(text, pos)
        if name is None:
            return None
        pos = name.end()
        key: Any = NO_KEY
        found = _KEY.match(text, pos)
        if found is not None:
            key = int(found.group(1)) if found.group(1) else _string(found.group(2))
            pos = found.end()
            if key is None:
                return None
        out.append(Step(name.group(), key))
    return out or None


def _string(literal: str) -> str | None:
    try:
        value = json.loads(literal)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


ModulePath = tuple[tuple[str, Any], ...]  # module instances: (call name, key)


def module_path(text: Any) -> ModulePath | None:
    """`module.a[0].module.b` as ((a, 0), (b, NO_KEY)); () for the root module."""
    if text is None or text == "":
        return ()
    parsed = steps(text) if isinstance(text, str) else None
    if parsed is None or len(parsed) % 2:
        return None
    out: list[tuple[str, Any]] = []
    for word, call in zip(parsed[0::2], parsed[1::2], strict=True):
        if word.name != "module" or word.key is not NO_KEY:
            return None
        out.append((call.name, call.key))
    return tuple(out)


def key_text(key: Any) -> str:
    if key is NO_KEY or key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{json.dumps(key, ensure_ascii=False)}]"


def module_text(path: ModulePath) -> str:
    return ".".join(f"module.{name}{key_text(key)}" for name, key in path)
