"""Template functions, as ARM evaluates them (Bicep compiles to the same functions).

Each takes evaluated arguments and returns a value. A function whose result depends on
the deployment (`uniqueString`, `reference`, `resourceGroup()`) returns an `Opaque`
keyed by the call, so two identical calls give equal values; so does a computable
function given an argument that is not known yet. Work and sizes are charged to the
file's `Budget`.
Reference: learn.microsoft.com/azure/azure-resource-manager/templates/template-functions
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from azfn_profile.sources.values import (
    MAX_CELLS,
    Budget,
    Opaque,
    ResourceId,
    Text,
    digest,
    expanded_size,
    known,
    member_key,
    same,
    scalar_text,
    split_text,
    text,
)

TemplateFunction = Callable[[list[Any], Budget], Any]
CANON_TEXT = 4096  # a larger value's canonical text is its digest
MAX_RANGE = 10_000  # items range()/copy may produce before the budget says no


def canon(value: Any) -> str:
    """A canonical text of a value, for Opaque keys."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, Opaque):
        return value.key
    if isinstance(value, Text | ResourceId):
        return str(value)
    if isinstance(value, dict | list):
        if expanded_size(value, CANON_TEXT) > CANON_TEXT:
            return f"<value {digest(value)}>"  # large or shared: its digest
        return json.dumps(value, sort_keys=True, default=canon)
    return scalar_text(value)


def opaque_call(name: str, args: list[Any]) -> Opaque:
    return Opaque(f"{name}({', '.join(canon(a) for a in args)})")


def _concat(args: list[Any], budget: Budget) -> Any:
    if args and all(isinstance(a, list) for a in args):
        budget.cells(sum(len(a) for a in args))
        return [x for a in args for x in a]
    if any(isinstance(a, list | dict) for a in args):
        return opaque_call("concat", args)
    result = text(args)
    budget.cells(len(str(result)))
    return result


def _format(args: list[Any], budget: Budget) -> Any:
    if not args or not isinstance(args[0], str):
        return opaque_call("format", args)
    parts: list[Any] = []
    template, i = args[0], 0
    while i < len(template):  # linear: one pass over the template
        ch = template[i]
        if ch == "{" and template.startswith("{{", i):
            parts.append("{")
            i += 2
            continue
        if ch == "}" and template.startswith("}}", i):
            parts.append("}")
            i += 2
            continue
        if ch == "{":
            end = template.find("}", i)
            spec = template[i + 1 : end] if end > i else ""
            index = spec.split(":", 1)[0].split(",", 1)[0].strip()
            if end > i and index.isascii() and index.isdigit() and len(index) < 4:
                n = int(index) + 1
                parts.append(args[n] if n < len(args) else "")
                i = end + 1
                continue
        parts.append(ch)
        i += 1
    result = text(parts)
    budget.cells(len(str(result)))
    return result


def _if(args: list[Any], budget: Budget) -> Any:
    if len(args) != 3:
        return opaque_call("if", args)
    cond, yes, no = args
    if isinstance(cond, bool):
        return yes if cond else no
    if same(yes, no):
        return yes
    return opaque_call("if", args)


def _equals(args: list[Any], budget: Budget) -> Any:
    if len(args) != 2:
        return opaque_call("equals", args)
    a, b = args
    if known(a) and known(b):
        return same(a, b)
    return opaque_call("equals", args)


def _bool_op(name: str, op: Callable[[list[bool]], bool]) -> TemplateFunction:
    def impl(args: list[Any], budget: Budget) -> Any:
        if all(isinstance(a, bool) for a in args):
            return op(args)
        # and(false, x) is false and or(true, x) is true, whatever x is
        if name == "and" and any(a is False for a in args):
            return False
        if name == "or" and any(a is True for a in args):
            return True
        return opaque_call(name, args)

    return impl


def _not(args: list[Any], budget: Budget) -> Any:
    if len(args) == 1 and isinstance(args[0], bool):
        return not args[0]
    return opaque_call("not", args)


def _coalesce(args: list[Any], budget: Budget) -> Any:
    for a in args:
        if not known(a) and not isinstance(a, dict | list):
            return opaque_call("coalesce", args)
        if a is not None:
            return a
    return None


def _empty(args: list[Any], budget: Budget) -> Any:
    if len(args) != 1:
        return opaque_call("empty", args)
    value = args[0]
    if value is None:
        return True
    if isinstance(value, str | list | dict):
        return len(value) == 0
    if isinstance(value, Text | ResourceId):
        return False
    return opaque_call("empty", args)


def _contains(args: list[Any], budget: Budget) -> Any:
    if len(args) != 2 or not known(args[1]):
        return opaque_call("contains", args)
    container, item = args
    if isinstance(container, dict):
        if isinstance(item, str):
            budget.step(len(container))
            return any(k.lower() == item.lower() for k in container)
        return False
    if isinstance(container, list):
        budget.step(len(container))
        if any(same(x, item) for x in container):
            return True
        return opaque_call("contains", args) if not known(container) else False
    if isinstance(container, str) and isinstance(item, str):
        return item in container
    return opaque_call("contains", args)


def _union(args: list[Any], budget: Budget) -> Any:
    if not args:
        return opaque_call("union", args)
    if all(isinstance(a, dict) for a in args):
        merged: dict[str, Any] = {}
        for a in args:
            budget.cells(len(a))
            _deep_merge(merged, a)
        return merged
    if all(isinstance(a, list) for a in args):
        out: list[Any] = []
        seen: set[Any] = set()
        for a in args:
            budget.cells(len(a))
            for x in a:
                key = member_key(x)  # one set lookup, not a pass over `out`
                if key not in seen:
                    seen.add(key)
                    out.append(x)
        return out
    return opaque_call("union", args)


def _deep_merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            nested = dict(into[key])
            _deep_merge(nested, value)
            into[key] = nested
        else:
            into[key] = value


def _intersection(args: list[Any], budget: Budget) -> Any:
    if args and all(isinstance(a, dict) for a in args):
        first = args[0]
        return {k: v for k, v in first.items() if all(o.get(k) == v for o in args[1:])}
    if args and all(isinstance(a, list) for a in args):
        return [x for x in args[0] if all(x in o for o in args[1:])]
    return opaque_call("intersection", args)


def _create_object(args: list[Any], budget: Budget) -> Any:
    if len(args) % 2 or not all(isinstance(k, str) for k in args[0::2]):
        return opaque_call("createObject", args)
    budget.cells(len(args) // 2)
    return dict(zip(args[0::2], args[1::2], strict=True))


def _create_array(args: list[Any], budget: Budget) -> Any:
    budget.cells(len(args))
    return list(args)


def _json(args: list[Any], budget: Budget) -> Any:
    if len(args) != 1 or not isinstance(args[0], str):
        return opaque_call("json", args)
    budget.cells(len(args[0]))
    from azfn_profile.sources.jsonc import JsonError, loads

    try:
        return loads(args[0])
    except JsonError:
        return opaque_call("json", args)


def _string(args: list[Any], budget: Budget) -> Any:
    if len(args) != 1:
        return opaque_call("string", args)
    value = args[0]
    if isinstance(value, str):
        return value
    if isinstance(value, Text | Opaque):
        return value
    if not known(value):
        return opaque_call("string", args)
    if isinstance(value, dict | list):  # charged as written out, before writing
        budget.cells(expanded_size(value, MAX_CELLS))
    return scalar_text(value)


def _int(args: list[Any], budget: Budget) -> Any:
    if len(args) != 1:
        return opaque_call("int", args)
    value = args[0]
    if isinstance(value, bool):
        return opaque_call("int", args)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        from azfn_profile.numbers import ascii_int

        number = ascii_int(value, signed=True)
        return number if number is not None else opaque_call("int", args)
    return opaque_call("int", args)


def _bool(args: list[Any], budget: Budget) -> Any:
    if len(args) == 1 and isinstance(args[0], bool):
        return args[0]
    if (
        len(args) == 1
        and isinstance(args[0], str)
        and args[0].lower()
        in (
            "true",
            "false",
        )
    ):
        return args[0].lower() == "true"
    return opaque_call("bool", args)


def _length(args: list[Any], budget: Budget) -> Any:
    if len(args) == 1 and isinstance(args[0], str | list | dict):
        return len(args[0])
    return opaque_call("length", args)


def _range(args: list[Any], budget: Budget) -> Any:
    if len(args) != 2 or not all(
        isinstance(a, int) and not isinstance(a, bool) for a in args
    ):
        return opaque_call("range", args)
    start, count = args
    if count < 0:
        return opaque_call("range", args)
    budget.cells(count)
    if count > MAX_RANGE:
        from azfn_profile.sources.values import BudgetExceeded

        raise BudgetExceeded(f"range() of {count:,} items (at most {MAX_RANGE:,})")
    return list(range(start, start + count))


def _slice(name: str) -> TemplateFunction:
    def impl(args: list[Any], budget: Budget) -> Any:
        if len(args) != 2 or not isinstance(args[1], int) or isinstance(args[1], bool):
            return opaque_call(name, args)
        value, n = args
        if not isinstance(value, str | list):
            return opaque_call(name, args)
        n = max(0, n)
        return value[:n] if name == "take" else value[n:]

    return impl


def _first_last(name: str) -> TemplateFunction:
    def impl(args: list[Any], budget: Budget) -> Any:
        if len(args) != 1 or not isinstance(args[0], str | list):
            return opaque_call(name, args)
        value = args[0]
        if not value:
            return "" if isinstance(value, str) else None
        return value[0] if name == "first" else value[-1]

    return impl


def _split(args: list[Any], budget: Budget) -> Any:
    if len(args) != 2 or not isinstance(args[1], str) or not args[1]:
        return opaque_call("split", args)
    if isinstance(args[0], str | Text):
        parts = split_text(args[0], args[1])
        budget.cells(len(parts))
        return parts
    return opaque_call("split", args)


def _string_op(name: str, op: Callable[..., Any], arity: int) -> TemplateFunction:
    def impl(args: list[Any], budget: Budget) -> Any:
        if len(args) != arity or not all(isinstance(a, str) for a in args):
            return opaque_call(name, args)
        result = op(*args)
        if isinstance(result, str):
            budget.cells(len(result))
        return result

    return impl


def _substring(args: list[Any], budget: Budget) -> Any:
    if not args or not isinstance(args[0], str):
        return opaque_call("substring", args)
    ints = args[1:]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ints):
        return opaque_call("substring", args)
    start = ints[0] if ints else 0
    end = start + ints[1] if len(ints) > 1 else None
    return args[0][start:end]


def _items(args: list[Any], budget: Budget) -> Any:
    if len(args) != 1 or not isinstance(args[0], dict):
        return opaque_call("items", args)
    budget.cells(len(args[0]))
    return [{"key": k, "value": v} for k, v in sorted(args[0].items())]


def _compare(name: str, op: Callable[[Any, Any], bool]) -> TemplateFunction:
    def impl(args: list[Any], budget: Budget) -> Any:
        if len(args) == 2 and all(
            isinstance(a, int | float) and not isinstance(a, bool) for a in args
        ):
            return op(args[0], args[1])
        if len(args) == 2 and all(isinstance(a, str) for a in args):
            return op(args[0], args[1])
        return opaque_call(name, args)

    return impl


def _arith(name: str, op: Callable[[int, int], int]) -> TemplateFunction:
    def impl(args: list[Any], budget: Budget) -> Any:
        if len(args) == 2 and all(
            isinstance(a, int) and not isinstance(a, bool) for a in args
        ):
            try:
                result = op(args[0], args[1])
            except ZeroDivisionError:
                return opaque_call(name, args)
            if abs(result) > 2**53:
                return opaque_call(name, args)
            return result
        return opaque_call(name, args)

    return impl


def _minmax(name: str) -> TemplateFunction:
    def impl(args: list[Any], budget: Budget) -> Any:
        values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        if values and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values
        ):
            return min(values) if name == "min" else max(values)
        return opaque_call(name, args)

    return impl


def _resource_id(name: str) -> TemplateFunction:
    """resourceId([sub], [rg], type, name1, name2, ...): a comparable ResourceId."""

    def impl(args: list[Any], budget: Budget) -> Any:
        for i, a in enumerate(args):
            if isinstance(a, str) and "/" in a and "." in a.split("/", 1)[0]:
                names = tuple(args[i + 1 :])
                if not names:
                    break
                return ResourceId(a.lower(), names)
        return opaque_call(name, args)

    return impl


def _extension_id(args: list[Any], budget: Budget) -> Any:
    return _resource_id("extensionResourceId")(args[1:], budget) if args else None


def _array(args: list[Any], budget: Budget) -> Any:
    if len(args) != 1:
        return opaque_call("array", args)
    return args[0] if isinstance(args[0], list) else [args[0]]


def _deployment_value(name: str) -> TemplateFunction:
    def impl(args: list[Any], budget: Budget) -> Any:
        return opaque_call(name, args)

    return impl


def _last_index(args: list[Any], budget: Budget) -> Any:
    if len(args) == 2 and all(isinstance(a, str) for a in args):
        return args[0].lower().rfind(args[1].lower())
    return opaque_call("lastIndexOf", args)


def _index(args: list[Any], budget: Budget) -> Any:
    if len(args) == 2 and all(isinstance(a, str) for a in args):
        return args[0].lower().find(args[1].lower())
    return opaque_call("indexOf", args)


def _join(args: list[Any], budget: Budget) -> Any:
    if (
        len(args) == 2
        and isinstance(args[0], list)
        and isinstance(args[1], str)
        and all(isinstance(a, str | Text | Opaque) for a in args[0])
    ):
        parts: list[Any] = []
        for i, item in enumerate(args[0]):
            parts += [args[1], item] if i else [item]
        return text(parts)
    return opaque_call("join", args)


def _object_keys(args: list[Any], budget: Budget) -> Any:
    if len(args) == 1 and isinstance(args[0], dict):
        return list(args[0])
    return opaque_call("objectKeys", args)


FUNCTIONS: dict[str, TemplateFunction] = {
    "concat": _concat,
    "format": _format,
    "if": _if,
    "equals": _equals,
    "and": _bool_op("and", all),
    "or": _bool_op("or", any),
    "not": _not,
    "coalesce": _coalesce,
    "empty": _empty,
    "contains": _contains,
    "union": _union,
    "intersection": _intersection,
    "createobject": _create_object,
    "createarray": _create_array,
    "array": _array,
    "json": _json,
    "string": _string,
    "int": _int,
    "bool": _bool,
    "length": _length,
    "range": _range,
    "take": _slice("take"),
    "skip": _slice("skip"),
    "first": _first_last("first"),
    "last": _first_last("last"),
    "split": _split,
    "substring": _substring,
    "items": _items,
    "objectkeys": _object_keys,
    "join": _join,
    "tolower": _string_op("toLower", str.lower, 1),
    "toupper": _string_op("toUpper", str.upper, 1),
    "trim": _string_op("trim", str.strip, 1),
    "replace": _string_op("replace", str.replace, 3),
    "startswith": _string_op(
        "startsWith", lambda a, b: a.lower().startswith(b.lower()), 2
    ),
    "endswith": _string_op("endsWith", lambda a, b: a.lower().endswith(b.lower()), 2),
    "indexof": _index,
    "lastindexof": _last_index,
    "greater": _compare("greater", lambda a, b: a > b),
    "greaterorequals": _compare("greaterOrEquals", lambda a, b: a >= b),
    "less": _compare("less", lambda a, b: a < b),
    "lessorequals": _compare("lessOrEquals", lambda a, b: a <= b),
    "add": _arith("add", lambda a, b: a + b),
    "sub": _arith("sub", lambda a, b: a - b),
    "mul": _arith("mul", lambda a, b: a * b),
    "div": _arith("div", lambda a, b: int(a / b)),
    "mod": _arith("mod", lambda a, b: int(math.fmod(a, b))),
    "min": _minmax("min"),
    "max": _minmax("max"),
    "resourceid": _resource_id("resourceId"),
    "subscriptionresourceid": _resource_id("subscriptionResourceId"),
    "tenantresourceid": _resource_id("tenantResourceId"),
    "managementgroupresourceid": _resource_id("managementGroupResourceId"),
    "extensionresourceid": _extension_id,
    "null": lambda a, b: None,
    "true": lambda a, b: True,
    "false": lambda a, b: False,
}

# Decided at deployment: equal calls give equal (opaque) values.
for _name in (
    "uniqueString",
    "guid",
    "newGuid",
    "utcNow",
    "resourceGroup",
    "subscription",
    "tenant",
    "managementGroup",
    "deployment",
    "environment",
    "reference",
    "listKeys",
    "listSecrets",
    "listAccountSas",
    "listServiceSas",
    "list",
    "pickZones",
    "providers",
    "base64",
    "base64ToString",
    "uri",
    "uriComponent",
    "uriComponentToString",
    "dataUri",
    "dateTimeAdd",
    "padLeft",
    "getSecret",
):
    FUNCTIONS[_name.lower()] = _deployment_value(_name)


def call(name: str, args: list[Any], budget: Budget) -> Any:
    """Apply the template function `name` (case-insensitive); unknown ones are opaque."""
    budget.step()
    lowered = name.lower()
    if lowered.startswith("list") and lowered not in FUNCTIONS:
        return opaque_call(name, args)  # listKeys-style functions of any resource
    impl = FUNCTIONS.get(lowered)
    if impl is None:
        return opaque_call(name, args)
    try:
        return impl(args, budget)
    except (ArithmeticError, ValueError):
        # a domain error (mod(x, 0), a huge power, an unencodable string): the
        # deployment would fail there; the value is unknown, never a crash
        return opaque_call(name, args)


def member(
    value: Any, name: Any, *, safe: bool = False, budget: Budget | None = None
) -> Any:
    """`value.name` / `value[name]`: computed values stay computed. A name found only
    without case needs the object's keys without case: built once per object and
    file (charged to `budget`), so repeated lookups cost one each."""
    if isinstance(value, dict):
        if isinstance(name, str):
            if name in value:
                return value[name]
            lowered = budget.lowered_keys(value) if budget is not None else None
            if lowered is None:
                lowered = {k.lower(): k for k in value if isinstance(k, str)}
            if name.lower() in lowered:
                return value[lowered[name.lower()]]
            return None if safe else Opaque(f"{canon(value)[:40]}...missing.{name}")
        return Opaque(f"{canon(value)[:40]}[{canon(name)}]")
    if isinstance(value, list):
        if isinstance(name, int) and not isinstance(name, bool):
            if 0 <= name < len(value):
                return value[name]
            return None if safe else Opaque(f"index {name} out of range")
        return Opaque(f"[...][{canon(name)}]")
    if isinstance(value, Opaque):
        key = name if isinstance(name, str) else canon(name)
        return Opaque(f"{value.key}.{key}")
    if isinstance(value, ResourceId) and isinstance(name, str):
        return _ref_member(value, name)
    if value is None and safe:
        return None
    return Opaque(f"{canon(value)}.{canon(name)}")


def _ref_member(ref: ResourceId, name: str) -> Any:
    lowered = name.lower()
    if lowered == "id":
        return ref
    if lowered == "name":
        return ref.segments[-1] if ref.segments else Opaque(f"{ref}.name")
    if lowered == "type":
        return ref.type
    return Opaque(f"reference({ref}).{name}")
