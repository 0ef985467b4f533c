"""A Bicep file as a check source, parsed with pycep-parser (the `bicep` extra).

pycep gives resources, parameters and variables with values as data; this evaluates
what links and configures a function app (parameter defaults, variables, `x.id`
references, literals) into the same resource list the ARM source joins. Anything
else (function calls, most interpolations) is unknown to the checks that need it.
"""

from __future__ import annotations

import re
from typing import Any

from azfn_profile.checking import SourceTarget
from azfn_profile.findings import Finding, Location
from azfn_profile.sources.arm import Res, resource_targets
from azfn_profile.sources.arm_expr import UNKNOWN


def _unreadable(display: str, message: str, line: int | None = None) -> Finding:
    return Finding(
        "AZFN000",
        "input.unreadable",
        "error",
        message,
        Location(display, line, 1 if line else None),
    )


def _key(key: str) -> str:
    return key[1:-1] if len(key) > 1 and key[0] == key[-1] == "'" else key


class _Bicep:
    def __init__(self, parsed: dict[str, Any]) -> None:
        self.params = {
            name: p.get("default", UNKNOWN)
            for name, p in (parsed.get("parameters") or {}).items()
        }
        self.variables = {
            name: v.get("value", UNKNOWN)
            for name, v in (parsed.get("variables") or {}).items()
        }
        self.decls = dict(parsed.get("resources") or {})
        self.names: dict[str, Any] = {}

    def full_name(self, symbol: str) -> Any:
        if symbol not in self.names:
            self.names[symbol] = UNKNOWN  # guards against parent cycles
            config = self.decls[symbol].get("config") or {}
            name = self.value(config.get("name", UNKNOWN))
            parent = config.get("parent")
            if isinstance(parent, str) and parent in self.decls:
                above = self.full_name(parent)
                name = (
                    f"{above}/{name}"
                    if isinstance(above, str) and isinstance(name, str)
                    else UNKNOWN
                )
            self.names[symbol] = name
        return self.names[symbol]

    def value(self, v: Any, depth: int = 0) -> Any:
        if depth > 20:
            return UNKNOWN
        if isinstance(v, str):
            if v in self.params:
                return self.value(self.params[v], depth + 1)
            if v in self.variables:
                return self.value(self.variables[v], depth + 1)
            return UNKNOWN if "${" in v else v
        if isinstance(v, list):
            return [self.value(x, depth + 1) for x in v]
        if isinstance(v, dict):
            if "operator" in v or "function" in v:
                return self._operation(v)
            # pycep keeps the quotes of quoted keys ('azfn-profile:workload').
            return {_key(k): self.value(x, depth + 1) for k, x in v.items()}
        return v

    def _operation(self, v: dict[str, Any]) -> Any:
        op = v.get("operator") or {}
        operands = op.get("operands") or {}
        target, attr = operands.get("operand_1"), operands.get("operand_2")
        if (
            op.get("type") == "property_accessor"
            and attr == "id"
            and isinstance(target, str)
            and target in self.decls
        ):
            name = self.full_name(target)
            rtype = self.decls[target].get("type", "")
            return f"{rtype}/{name}".lower() if isinstance(name, str) else UNKNOWN
        return UNKNOWN

    def resources(self) -> list[Res]:
        out = []
        for symbol, decl in self.decls.items():
            config = dict(decl.get("config") or {})
            body = {
                k: self.value(x)
                for k, x in config.items()
                if k not in ("name", "parent", "scope")
            }
            body["type"] = decl.get("type", "")
            out.append(
                Res(
                    str(decl.get("type", "")),
                    self.full_name(symbol),
                    body,
                    ("resource", symbol),
                    config,
                )
            )
        return out


class _BicepMarks:
    """Locations: the line declaring each resource symbol."""

    def __init__(self, text: str, display: str) -> None:
        self.display = display  # read by the ARM source for whole-app locations
        self.lines = {
            m.group(1): text.count("\n", 0, m.start()) + 1
            for m in re.finditer(r"^resource\s+(\w+)\s", text, re.MULTILINE)
        }

    def at(self, path: tuple[str | int, ...], resource: str) -> Location:
        line = self.lines.get(str(path[1])) if len(path) > 1 else None
        return Location(self.display, line, 1 if line else None, resource)


def bicep_targets(text: str, display: str) -> tuple[list[SourceTarget], list[Finding]]:
    from azfn_profile.extras import hint, missing

    module = missing("bicep")
    if module is not None:
        return [], [_unreadable(display, hint("bicep", "checking Bicep", module))]
    from pycep import BicepParser

    try:
        parsed = BicepParser().parse(text=text)
    except Exception as exc:  # noqa: BLE001 - lark raises many error types
        line = getattr(exc, "line", None)
        first = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        return [], [
            _unreadable(
                display,
                f"invalid Bicep: {first}",
                line if isinstance(line, int) else None,
            )
        ]
    resources = _Bicep(dict(parsed)).resources()
    return resource_targets(
        resources, _BicepMarks(text, display), display, "Bicep file"
    )
