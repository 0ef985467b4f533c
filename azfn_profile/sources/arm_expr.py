"""A small evaluator for ARM template expressions.

Covers what templates use to name and link resources: parameters() (with their
defaultValue), variables(), concat, format, resourceId, subscriptionResourceId,
toLower/toUpper, string, and property/index access. Anything else (reference,
listKeys, uniqueString, ...) evaluates to UNKNOWN, which propagates: a check that
needs the value reports "unknown" instead of guessing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+)|(?P<name>[A-Za-z_][\w]*)"
    r"|(?P<punct>[(),.\[\]]))"
)


class ExprError(ValueError):
    pass


@functools.lru_cache(maxsize=4096)  # templates repeat the same expressions
def _tokens(text: str) -> tuple[tuple[str, str], ...]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise ExprError(f"cannot read expression at {text[pos : pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return tuple(out)


class Evaluator:
    def __init__(
        self, parameters: Mapping[str, Any], variables: Mapping[str, Any]
    ) -> None:
        self.parameters = parameters
        self.raw_variables = variables
        self.variables: dict[str, Any] = {}
        self.functions: dict[str, Callable[[list[Any]], Any]] = {
            "parameters": self._parameter,
            "variables": self._variable,
            "concat": self._concat,
            "format": self._format,
            "resourceid": self._resource_id,
            "subscriptionresourceid": self._resource_id,
            "tolower": lambda a: a[0].lower() if isinstance(a[0], str) else UNKNOWN,
            "toupper": lambda a: a[0].upper() if isinstance(a[0], str) else UNKNOWN,
            "string": lambda a: a[0] if isinstance(a[0], str) else UNKNOWN,
        }

    # values -------------------------------------------------------------------------
    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            if v.startswith("[[") or not (v.startswith("[") and v.endswith("]")):
                return v[1:] if v.startswith("[[") else v
            try:
                return self.expression(v[1:-1])
            except (ExprError, IndexError, KeyError, TypeError):
                return UNKNOWN
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        return v

    def expression(self, text: str) -> Any:
        tokens = _tokens(text)
        result, rest = self._parse(tokens, 0)
        if rest != len(tokens):
            raise ExprError("trailing text")
        return result

    def _parse(self, t: tuple[tuple[str, str], ...], i: int) -> tuple[Any, int]:
        kind, tok = t[i]
        if kind == "str":
            value: Any = tok[1:-1].replace("''", "'")
            i += 1
        elif kind == "num":
            value, i = int(tok), i + 1
        elif (
            kind == "name"
            and tok in ("true", "false")
            and (i + 1 == len(t) or t[i + 1][1] != "(")
        ):
            value, i = tok == "true", i + 1
        elif kind == "name":
            if t[i + 1][1] != "(":
                raise ExprError(f"expected ( after {tok}")
            args, i = [], i + 2
            while t[i][1] != ")":
                arg, i = self._parse(t, i)
                args.append(arg)
                if t[i][1] == ",":
                    i += 1
            i += 1
            func = self.functions.get(tok.lower())
            value = (
                UNKNOWN
                if func is None or any(a is UNKNOWN for a in args)
                else func(args)
            )
        else:
            raise ExprError(f"unexpected {tok!r}")
        while i < len(t) and t[i][1] in (".", "["):
            if t[i][1] == ".":
                key, i = t[i + 1][1], i + 2
            else:
                key, i = self._parse(t, i + 1)
                i += 1  # ]
            value = self._access(value, key)
        return value, i

    @staticmethod
    def _access(value: Any, key: Any) -> Any:
        if value is UNKNOWN or key is UNKNOWN:
            return UNKNOWN
        if isinstance(value, dict):
            return value.get(key, UNKNOWN)
        if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            return value[key]
        return UNKNOWN

    # functions ----------------------------------------------------------------------
    def _parameter(self, args: list[Any]) -> Any:
        return self.parameters.get(args[0], UNKNOWN)

    def _variable(self, args: list[Any]) -> Any:
        name = args[0]
        if name not in self.variables:
            self.variables[name] = UNKNOWN  # guards against cycles
            self.variables[name] = self.value(self.raw_variables.get(name, UNKNOWN))
        return self.variables[name]

    @staticmethod
    def _concat(args: list[Any]) -> Any:
        if all(isinstance(a, list) for a in args):
            return [x for a in args for x in a]
        return "".join(str(a).lower() if isinstance(a, bool) else str(a) for a in args)

    @staticmethod
    def _format(args: list[Any]) -> Any:
        template = args[0]
        return re.sub(r"\{(\d+)\}", lambda m: str(args[int(m.group(1)) + 1]), template)

    @staticmethod
    def _resource_id(args: list[Any]) -> Any:
        # Canonical, comparable form: "type/name[/child...]" (scope arguments dropped).
        strings = [a for a in args if isinstance(a, str)]
        for i, s in enumerate(strings):
            if "/" in s and "." in s.split("/")[0]:
                return "/".join(strings[i:]).lower()
        return UNKNOWN


def canonical_id(value: Any) -> Any:
    """A resource id in any form -> "provider/type/name", lower case (top-level types)."""
    if not isinstance(value, str):
        return UNKNOWN
    return value.split("/providers/")[-1].lower()
