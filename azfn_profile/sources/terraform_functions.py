"""The Terraform functions configurations use to build names, settings and maps.

Each function takes evaluated arguments and returns a value; an argument computed at
deployment makes the result computed (`Unknown`), a wrong type is Terraform's error
(`Bad`, which `try` and `can` see). Functions that read files, hash, or depend on the
clock are not here: the evaluator makes their result computed.
Reference: developer.hashicorp.com/terraform/language/functions
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from azfn_profile.sources.values import MAX_CELLS, Computed, scalar_text


class Unknown(Exception):
    """An argument is computed at deployment: so is the result."""


class Bad(Exception):
    """Terraform would refuse these arguments."""


def _sized(length: int) -> None:
    """Refuse to build a string larger than any file's evaluation may hold."""
    if length > MAX_CELLS:
        raise Bad(f"a string of {length:,} characters")


def need_str(value: Any) -> str:
    if isinstance(value, Computed):
        raise Unknown
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise Bad("a string is required")
    return value if isinstance(value, str) else scalar_text(value)


def need_int(value: Any) -> int:
    if isinstance(value, Computed):
        raise Unknown
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Bad("a whole number is required")
    return value


def need_list(value: Any) -> list[Any]:
    if isinstance(value, Computed):
        raise Unknown
    if not isinstance(value, list):
        raise Bad("a list is required")
    return value


def need_map(value: Any) -> dict[str, Any]:
    if isinstance(value, Computed):
        raise Unknown
    if not isinstance(value, dict):
        raise Bad("a map or object is required")
    return value


MAX_WALK = 100_000  # values one comparison or encoding may visit


def walk(value: Any, limit: int = MAX_WALK) -> bool | None:
    """Whether `value` is known throughout (as `values.known`), visiting at most
    `limit` values: lists that repeat lists grow exponentially, so None past it."""
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > limit:
            return None
        if isinstance(item, Computed):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def equal(a: Any, b: Any, allowance: list[int] | None = None) -> bool | None:
    """Terraform's ==: values of different types differ. None when a part is
    computed, or when comparing would visit more than the allowance (shared by
    the comparisons of one call: `[MAX_WALK]` by default)."""
    left = allowance if allowance is not None else [MAX_WALK]
    stack = [(a, b)]
    result: bool | None = True
    while stack:
        left[0] -= 1
        if left[0] < 0:
            return None
        x, y = stack.pop()
        if isinstance(x, Computed) or isinstance(y, Computed):
            result = None
            continue
        if isinstance(x, bool) or isinstance(y, bool):
            same = type(x) is type(y) and x == y
        elif isinstance(x, int | float) and isinstance(y, int | float):
            same = bool(x == y)
        elif type(x) is not type(y):
            same = False
        elif isinstance(x, list):
            same = len(x) == len(y)
            stack.extend(zip(x, y, strict=False))
        elif isinstance(x, dict):
            same = x.keys() == y.keys()
            stack.extend((x[k], y[k]) for k in x if k in y)
        else:
            same = bool(x == y)
        if not same:
            return False
    return result


def _coalesce(args: list[Any]) -> Any:
    for arg in args:
        if isinstance(arg, Computed):
            raise Unknown
        if arg is not None and arg != "":
            return arg
    raise Bad("no non-null, non-empty argument")


def _format(args: list[Any]) -> Any:
    if not args:
        raise Bad("format needs a format string")
    spec, values = need_str(args[0]), list(args[1:])
    out: list[str] = []
    pos = 0
    for match in _VERB.finditer(spec):
        out.append(spec[pos : match.start()])
        pos = match.end()
        flags, width, precision, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        if not values:
            raise Bad("too few arguments for format")
        value = values.pop(0)
        if verb in ("d", "f"):
            amount = need_int(value) if verb == "d" else number(value)
            pattern = f"%{flags}{width}{'.' + precision if precision else ''}{verb}"
            out.append(pattern % amount)
        elif verb == "q":
            out.append(json.dumps(need_str(value)))
        elif verb == "t":
            if not isinstance(value, bool):
                raise Unknown if isinstance(value, Computed) else Bad("not a bool")
            out.append("true" if value else "false")
        else:
            text = need_str(value) if not isinstance(value, dict | list) else ""
            if isinstance(value, dict | list):
                text = _json(value)
            out.append(f"%{flags.replace('0', '')}{width}s" % text)
    out.append(spec[pos:])
    return "".join(out)


_VERB = re.compile(r"%([-+ 0#]*)([0-9]{0,3})(?:\.([0-9]{1,3}))?([sdvqtf%])")


def number(value: Any) -> float | int:
    if isinstance(value, Computed):
        raise Unknown
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Bad("a number is required")
    try:
        number = float(value) if isinstance(value, str) else value
    except ValueError:
        raise Bad("not a number") from None
    return int(number) if float(number).is_integer() else number


def _json(value: Any) -> str:
    if walk(value) is not True:
        raise Unknown
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _substr(args: list[Any]) -> Any:
    text, offset, length = need_str(args[0]), need_int(args[1]), need_int(args[2])
    if offset < 0:
        offset = max(0, len(text) + offset)
    return text[offset:] if length < 0 else text[offset : offset + length]


def _replace(args: list[Any]) -> Any:
    text, old, new = (need_str(a) for a in args)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        raise Unknown  # a regular expression (RE2): not evaluated here
    if not old:
        return text
    _sized(len(text) + text.count(old) * (len(new) - len(old)))
    return text.replace(old, new)


def _split(args: list[Any]) -> Any:
    sep, text = need_str(args[0]), need_str(args[1])
    return text.split(sep) if sep else list(text)


def _join(args: list[Any]) -> Any:
    sep = need_str(args[0])
    parts = [need_str(item) for arg in args[1:] for item in need_list(arg)]
    _sized(sum(len(p) for p in parts) + len(sep) * len(parts))
    return sep.join(parts)


def _tostring(args: list[Any]) -> Any:
    value = args[0]
    return None if value is None else need_str(value)


def _tonumber(args: list[Any]) -> Any:
    return None if args[0] is None else number(args[0])


def _tobool(args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, Computed):
        raise Unknown
    if value in ("true", "false"):
        return value == "true"
    if isinstance(value, bool) or value is None:
        return value
    raise Bad("not a bool")


def _text(fn: Callable[[str], Any]) -> Callable[[list[Any]], Any]:
    return lambda args: fn(need_str(args[0]))


def _text2(fn: Callable[[str, str], Any]) -> Callable[[list[Any]], Any]:
    return lambda args: fn(need_str(args[0]), need_str(args[1]))


def _numbers(fn: Callable[..., Any]) -> Callable[[list[Any]], Any]:
    return lambda args: fn(number(a) for a in args)


TEXT_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "coalesce": _coalesce,
    "format": _format,
    "lower": _text(str.lower),
    "upper": _text(str.upper),
    "title": _text(str.title),
    "trimspace": _text(str.strip),
    "chomp": _text(lambda s: s.rstrip("\r\n")),
    "startswith": _text2(str.startswith),
    "endswith": _text2(str.endswith),
    "trimprefix": _text2(str.removeprefix),
    "trimsuffix": _text2(str.removesuffix),
    "substr": _substr,
    "replace": _replace,
    "split": _split,
    "join": _join,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "jsonencode": lambda args: _json(args[0]),
    "min": _numbers(min),
    "max": _numbers(max),
    "abs": lambda args: abs(number(args[0])),
}
