"""Terraform's functions over lists, sets and maps (see `terraform_functions`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azfn_profile.sources.terraform_functions import (
    MAX_WALK,
    Bad,
    Unknown,
    equal,
    need_int,
    need_list,
    need_map,
    need_str,
)
from azfn_profile.sources.values import Computed

# Items range() may build: Terraform's own limit, past which it fails
# (https://developer.hashicorp.com/terraform/language/functions/range).
MAX_RANGE = 1_024


def _merge(args: list[Any]) -> Any:
    out: dict[str, Any] = {}
    for arg in args:
        if arg is None:
            continue
        out.update(need_map(arg))
    return out


def _lookup(args: list[Any]) -> Any:
    if len(args) not in (2, 3):
        raise Bad("lookup takes 2 or 3 arguments")
    table, key = need_map(args[0]), need_str(args[1])
    if key in table:
        return table[key]
    if len(args) == 3:
        return args[2]
    raise Bad(f"no key {key!r}")


def _coalescelist(args: list[Any]) -> Any:
    for arg in args:
        if need_list(arg):
            return arg
    return []


def _concat(args: list[Any]) -> Any:
    return [item for arg in args for item in need_list(arg)]


def _length(args: list[Any]) -> Any:
    (value,) = args
    if isinstance(value, Computed):
        raise Unknown
    if isinstance(value, str | list | dict):
        return len(value)
    raise Bad("length of a value that has none")


def _contains(args: list[Any]) -> Any:
    items, wanted = need_list(args[0]), args[1]
    allowance = [MAX_WALK]
    found = [equal(item, wanted, allowance) for item in items]
    if any(f is True for f in found):
        return True
    if any(f is None for f in found):
        raise Unknown
    return False


def _keys(args: list[Any]) -> Any:
    return sorted(need_map(args[0]))


def _values(args: list[Any]) -> Any:
    table = need_map(args[0])
    return [table[k] for k in sorted(table)]


def _element(args: list[Any]) -> Any:
    items, index = need_list(args[0]), need_int(args[1])
    if not items:
        raise Bad("element of an empty list")
    return items[index % len(items)]


def _flatten(args: list[Any]) -> Any:
    out: list[Any] = []
    stack = [iter(need_list(args[0]))]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, list):
            stack.append(iter(item))
        elif isinstance(item, Computed):
            raise Unknown
        else:
            out.append(item)
            if len(out) > MAX_WALK:
                raise Bad(f"flatten of more than {MAX_WALK:,} values")
    return out


def _distinct(args: list[Any]) -> Any:
    out: list[Any] = []
    seen: set[tuple[str, Any]] = set()
    allowance = [MAX_WALK]
    for item in need_list(args[0]):
        if isinstance(item, str | int | float) or item is None:
            key = ("text", item) if isinstance(item, str) else ("value", item)
            if isinstance(item, bool):
                key = ("bool", item)
            if key not in seen:
                seen.add(key)
                out.append(item)
        elif not any(equal(item, other, allowance) is True for other in out):
            if allowance[0] < 0:
                raise Bad("distinct of lists or objects too large to compare")
            out.append(item)
    return out


def _toset(args: list[Any]) -> Any:
    items = _distinct(args)
    if all(isinstance(i, str) for i in items):
        return sorted(items)
    return items


def _tomap(args: list[Any]) -> Any:
    return dict(need_map(args[0]))


def _tolist(args: list[Any]) -> Any:
    return list(need_list(args[0]))


def _one(args: list[Any]) -> Any:
    items = need_list(args[0])
    if len(items) > 1:
        raise Bad("more than one element")
    return items[0] if items else None


def _zipmap(args: list[Any]) -> Any:
    names, items = need_list(args[0]), need_list(args[1])
    if len(names) != len(items):
        raise Bad("zipmap of lists of different lengths")
    return {need_str(k): v for k, v in zip(names, items, strict=True)}


def _range(args: list[Any]) -> Any:
    numbers = [need_int(a) for a in args]
    if not 1 <= len(numbers) <= 3:
        raise Bad("range takes 1 to 3 arguments")
    if len(numbers) == 1:
        numbers = [0, numbers[0]]
    start, stop = numbers[0], numbers[1]
    # the step's default follows the direction from start to limit
    step = numbers[2] if len(numbers) == 3 else (1 if stop >= start else -1)
    if step == 0 or len(range(start, stop, step)) > MAX_RANGE:
        raise Bad("range too large")
    return list(range(start, stop, step))


_END = object()


COLLECTION_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "merge": _merge,
    "lookup": _lookup,
    "coalescelist": _coalescelist,
    "concat": _concat,
    "length": _length,
    "contains": _contains,
    "keys": _keys,
    "values": _values,
    "element": _element,
    "flatten": _flatten,
    "distinct": _distinct,
    "compact": lambda args: [i for i in need_list(args[0]) if i not in (None, "")],
    "one": _one,
    "zipmap": _zipmap,
    "range": _range,
    "toset": _toset,
    "tomap": _tomap,
    "tolist": _tolist,
}
