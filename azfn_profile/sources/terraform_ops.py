"""Values of Terraform evaluation and the operations on them.

`Failed` stands for an expression Terraform would refuse (a missing key, a wrong
type): `try` and `can` see it, the checks see an unknown. Resource and module
instances are `Ref`s; `Instances` stands for every instance of a `count`/`for_each`
block whose collection is computed. Operators follow Terraform's rules: values of
different types are never equal, arithmetic takes numbers (or numeric strings),
and a computed operand makes the result computed.
Reference: developer.hashicorp.com/terraform/language/expressions/operators
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from azfn_profile.sources.terraform_functions import equal
from azfn_profile.sources.values import Budget, Computed, Opaque


@dataclass(frozen=True)
class Failed(Opaque):
    """An expression Terraform refuses: unknown to the checks, an error to `try`."""


class Ref:
    """A resource or module instance as a value: its attributes on demand."""

    def member(self, name: str) -> Any:
        raise NotImplementedError

    def label(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Instances:
    """The instances of a `count`/`for_each` block whose collection is computed:
    one stands for all, whatever the index."""

    ref: Ref


def key_text(value: str) -> str:
    """A key for an Opaque value: short, and distinct for distinct texts."""
    if len(value) <= 160:
        return value
    digest = hashlib.sha1(value.encode("utf-8", "replace")).hexdigest()[:12]
    return f"{value[:140]}…#{digest}"


def shown(value: Any) -> str:
    if isinstance(value, Computed):
        return str(value)
    if isinstance(value, Ref):
        return value.label()
    if isinstance(value, Instances):
        return value.ref.label()
    if isinstance(value, dict | list):
        kind = "an object" if isinstance(value, dict) else "a list"
        return f"{kind} of {len(value)}"
    return repr(value[:80] if isinstance(value, str) else value)[:80]


# -- operations on values ------------------------------------------------------------


def member(value: Any, name: str) -> Any:
    if isinstance(value, Ref):
        return value.member(name)
    if isinstance(value, Failed):
        return value
    if isinstance(value, dict):
        return value[name] if name in value else Failed(f"no attribute {name!r}")
    if isinstance(value, (Instances, *Computed)):
        return Opaque(key_text(f"{shown(value)}.{name}"))
    return Failed(f"{shown(value)} has no attribute {name!r}")


def index(value: Any, key: Any) -> Any:
    if isinstance(value, Failed):
        return value
    if isinstance(key, Failed):
        return key
    if isinstance(value, Instances):
        return value.ref
    if isinstance(value, Computed) or isinstance(key, Computed):
        return Opaque(key_text(f"{shown(value)}[{shown(key)}]"))
    if isinstance(value, list):
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(value):
            return value[key]
        return Failed(f"no element {shown(key)}")
    if isinstance(value, dict):
        name = key if isinstance(key, str) else str(key)
        return value[name] if name in value else Failed(f"no key {shown(key)}")
    return Failed(f"{shown(value)} cannot be indexed")


def binop(op: str, left: Any, right: Any) -> Any:
    for side in (left, right):
        if isinstance(side, Failed):
            return side
    if op in ("==", "!="):
        same = equal(left, right)
        if same is None:
            return Opaque(key_text(f"{shown(left)} {op} {shown(right)}"))
        return same if op == "==" else not same
    if op in ("&&", "||"):
        if isinstance(left, Computed) or isinstance(right, Computed):
            if op == "&&" and (right is False):
                return False
            if op == "||" and (right is True):
                return True
            return Opaque(key_text(f"{shown(left)} {op} {shown(right)}"))
        if not isinstance(left, bool) or not isinstance(right, bool):
            return Failed(f"{op} of values that are not bools")
        return left and right if op == "&&" else left or right
    a, b = _as_number(left), _as_number(right)
    if isinstance(a, Computed) or isinstance(b, Computed):
        return Opaque(key_text(f"{shown(left)} {op} {shown(right)}"))
    if a is None or b is None:
        return Failed(f"{op} of values that are not numbers")
    return _arith(op, a, b)


def _arith(op: str, a: float, b: float) -> Any:
    if op in ("/", "%") and b == 0:
        return Failed(f"{op} by zero")
    result: Any = {
        "+": lambda: a + b,
        "-": lambda: a - b,
        "*": lambda: a * b,
        "/": lambda: a / b,
        "%": lambda: a % b,
        "<": lambda: a < b,
        ">": lambda: a > b,
        "<=": lambda: a <= b,
        ">=": lambda: a >= b,
    }.get(op, lambda: Failed(f"operator {op}"))()
    if isinstance(result, float) and result.is_integer() and abs(result) < 2**53:
        return int(result)
    number = isinstance(result, int | float) and not isinstance(result, bool)
    return Failed("a number too large") if number and abs(result) > 10**30 else result


def _as_number(value: Any) -> Any:
    if isinstance(value, Computed):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


def unop(op: str, value: Any) -> Any:
    if isinstance(value, Computed):
        return value if isinstance(value, Failed) else Opaque(f"{op}{value}")
    if op == "!":
        return (not value) if isinstance(value, bool) else Failed("! of a non-bool")
    number = _as_number(value)
    return -number if number is not None else Failed("- of a non-number")


def plain(value: Any, budget: Budget) -> Any:
    """A value as a resource body holds it (references and errors become Opaque):
    a copy, built with an explicit stack, each value charged to `budget` (a list
    that repeats a list is copied as often as it appears)."""
    if not isinstance(value, dict | list):
        return _plain_leaf(value)
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, copy = stack.pop()
        budget.cells(len(source) + 1)
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            child = _plain_leaf(item)
            if isinstance(item, dict | list):
                child = {} if isinstance(item, dict) else []
                stack.append((item, child))
            if isinstance(copy, dict):
                copy[key] = child
            else:
                copy.append(child)
    return root


def _plain_leaf(value: Any) -> Any:
    if isinstance(value, Failed):
        return Opaque(value.key)
    if isinstance(value, Ref | Instances):
        return Opaque(shown(value))
    return value
