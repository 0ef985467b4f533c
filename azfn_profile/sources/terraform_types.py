"""A variable's value converted to its declared type, as Terraform does before the
module sees it: primitives from strings (`"true"` for a `bool`), and the defaults of
`optional(type, default)` attributes of object types filled in, through `map`,
`list`, `set` and nested objects (Azure Verified Modules declare most of their
inputs this way). A value computed at apply time is left as it is.
Reference: developer.hashicorp.com/terraform/language/expressions/type-constraints
"""

from __future__ import annotations

from typing import Any

from azfn_profile.sources.terraform_eval import Evaluator
from azfn_profile.sources.terraform_nodes import Expr
from azfn_profile.sources.terraform_ops import Failed
from azfn_profile.sources.values import Computed

MAX_TYPE_DEPTH = 32  # types inside types


def typed(kind: Expr | None, value: Any, evaluator: Evaluator) -> Any:
    """`value` converted to the type `kind` (a type constraint expression)."""
    if kind is None:
        return value
    return _convert(kind, value, evaluator, 0)


def _convert(kind: Expr, value: Any, evaluator: Evaluator, depth: int) -> Any:
    if depth > MAX_TYPE_DEPTH or value is None or isinstance(value, Computed):
        return value
    if kind.kind == "name":
        return _primitive(kind.value, value)
    if kind.kind != "call" or not kind.args:
        return value
    name = kind.value[0]
    inner = kind.args[0]
    evaluator.budget.step()
    if name == "optional":
        return _convert(inner, value, evaluator, depth + 1)
    if name == "map" and isinstance(value, dict):
        evaluator.budget.cells(len(value))
        return {k: _convert(inner, v, evaluator, depth + 1) for k, v in value.items()}
    if name in ("list", "set") and isinstance(value, list):
        evaluator.budget.cells(len(value))
        return [_convert(inner, v, evaluator, depth + 1) for v in value]
    if name == "object" and inner.kind == "object" and isinstance(value, dict):
        return _object(inner, value, evaluator, depth)
    return value


def _object(
    fields: Expr, value: dict[str, Any], evaluator: Evaluator, depth: int
) -> dict[str, Any]:
    out = dict(value)
    pairs = fields.args
    evaluator.budget.cells(len(pairs))
    for i in range(0, len(pairs) - 1, 2):
        key, kind = pairs[i], pairs[i + 1]
        if key.kind != "lit" or not isinstance(key.value, str):
            continue
        name = key.value
        optional = kind.kind == "call" and kind.value[0] == "optional" and kind.args
        if optional and out.get(name) is None:
            default = kind.args[1] if len(kind.args) > 1 else None
            out[name] = evaluator.eval(default, {}) if default is not None else None
        if name in out:
            out[name] = _convert(kind, out[name], evaluator, depth + 1)
    return out


def _primitive(kind: str, value: Any) -> Any:
    if kind == "bool" and value in ("true", "false"):
        return value == "true"
    if kind == "number" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return Failed(f"{value[:40]!r} is not a number")
        return int(number) if number.is_integer() else number
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "string" and isinstance(value, int | float):
        return str(value)
    return value
