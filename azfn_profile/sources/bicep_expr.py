"""Evaluating Bicep expressions (operators, lambdas, loops) over reader values.

Bicep compiles to ARM template functions, so calls go to `functions.call`; what is
Bicep's own (operators, `??`, `.?`, lambdas with map/filter/reduce/sort/toObject,
`[for ...]` comprehensions) is evaluated here. Names are resolved by the caller
(`Names`): parameters, variables, resource and module symbols, loop variables.
Reference: learn.microsoft.com/azure/azure-resource-manager/bicep/operators
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from azfn_profile.sources.arm_functions import call, canon, member, opaque_call
from azfn_profile.sources.bicep_parser import Node
from azfn_profile.sources.values import (
    MAX_DEPTH,
    Budget,
    BudgetExceeded,
    Opaque,
    known,
    same,
    text,
)

MAX_ITEMS = 800  # items a [for ...] loop may produce (ARM's copy limit)


class Names(Protocol):
    budget: Budget

    def lookup(self, name: str, env: dict[str, Any]) -> Any: ...
    def member_of(self, value: Any, name: str, safe: bool) -> Any: ...
    def special(self, name: str, args: list[Any], node: Node) -> Any: ...


@dataclass(frozen=True)
class Lambda:
    params: tuple[str, ...]
    body: Node
    env: dict[str, Any]


_NO_SPECIAL = object()


class Evaluator:
    def __init__(self, names: Names) -> None:
        self.names = names
        self.budget = names.budget
        self.depth = 0

    def eval(self, node: Node, env: dict[str, Any]) -> Any:
        self.budget.step()
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise BudgetExceeded(
                    f"expressions nested deeper than {MAX_DEPTH} levels"
                )
            return getattr(self, f"_{node.kind}")(node, env)
        finally:
            self.depth -= 1

    def _lit(self, node: Node, env: dict[str, Any]) -> Any:
        return node.value

    def _str(self, node: Node, env: dict[str, Any]) -> Any:
        parts = [p if isinstance(p, str) else self.eval(p, env) for p in node.args]
        result = text(parts)
        self.budget.cells(len(str(result)))
        return result

    def _arr(self, node: Node, env: dict[str, Any]) -> Any:
        out: list[Any] = []
        for item in node.args:
            if item.kind == "spread":
                value = self.eval(item.args[0], env)
                if not isinstance(value, list):
                    return Opaque("[...spread of a computed array]")
                out.extend(value)
            else:
                out.append(self.eval(item, env))
        self.budget.cells(len(out))
        return out

    def _obj(self, node: Node, env: dict[str, Any]) -> Any:
        out: dict[str, Any] = {}
        for prop in node.value["props"]:
            if prop.key is None:  # ...spread
                value = self.eval(prop.value, env)
                if not isinstance(value, dict):
                    return Opaque("{...spread of a computed object}")
                out.update(value)
                continue
            key = prop.key if isinstance(prop.key, str) else self.eval(prop.key, env)
            out[key if isinstance(key, str) else str(key)] = self.eval(prop.value, env)
        self.budget.cells(len(out))
        return out

    def _ident(self, node: Node, env: dict[str, Any]) -> Any:
        if node.value in env:
            return env[node.value]
        return self.names.lookup(node.value, env)

    def _member(self, node: Node, env: dict[str, Any]) -> Any:
        target, safe = node.args
        value = self.eval(target, env)
        return self.names.member_of(value, node.value, safe)

    def _index(self, node: Node, env: dict[str, Any]) -> Any:
        target, index, safe = node.args
        value = self.eval(target, env)
        key = self.eval(index, env)
        if isinstance(key, str):
            return self.names.member_of(value, key, safe)
        return member(value, key, safe=safe, budget=self.budget)

    def _call(self, node: Node, env: dict[str, Any]) -> Any:
        callee, arg_nodes = node.args
        name: str | None = None
        if (callee.kind == "ident" and callee.value not in env) or (
            callee.kind == "member"
            and callee.args[0].kind == "ident"
            and callee.args[0].value in ("sys", "az")
        ):
            name = callee.value
        if name is None:  # a resource function (stg.listKeys()) or a computed callee
            target = self.eval(callee.args[0], env) if callee.kind == "member" else None
            return Opaque(f"{canon(target)[:60]}.{callee.value}()")
        lowered = name.lower()
        if lowered in _LAMBDA_FUNCTIONS:
            return self._with_lambda(lowered, arg_nodes, env)
        if lowered == "if" and len(arg_nodes) == 3:
            cond = self.eval(arg_nodes[0], env)
            if isinstance(cond, bool):
                return self.eval(arg_nodes[1 if cond else 2], env)
        args = [self.eval(a, env) for a in arg_nodes]
        special = self.names.special(lowered, args, node)
        if special is not _NO_SPECIAL:
            return special
        return call(name, args, self.budget)

    def _unary(self, node: Node, env: dict[str, Any]) -> Any:
        value = self.eval(node.args[0], env)
        if node.value == "!":
            return (
                (not value) if isinstance(value, bool) else opaque_call("not", [value])
            )
        if isinstance(value, int) and not isinstance(value, bool):
            return -value if node.value == "-" else value
        return opaque_call(f"unary{node.value}", [value])

    def _binary(self, node: Node, env: dict[str, Any]) -> Any:
        op = node.value
        left = self.eval(node.args[0], env)
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
        if op == "??":
            if left is None:
                return self.eval(node.args[1], env)
            if known(left) or isinstance(left, dict | list):
                return left
            right = self.eval(node.args[1], env)
            return left if same(left, right) else opaque_call("coalesce", [left, right])
        right = self.eval(node.args[1], env)
        return _BINARY.get(op, _unknown_op(op))(left, right)

    def _ternary(self, node: Node, env: dict[str, Any]) -> Any:
        cond = self.eval(node.args[0], env)
        if isinstance(cond, bool):
            return self.eval(node.args[1 if cond else 2], env)
        yes, no = self.eval(node.args[1], env), self.eval(node.args[2], env)
        return (
            yes if same(yes, no) and known(yes) else opaque_call("if", [cond, yes, no])
        )

    def _lambda(self, node: Node, env: dict[str, Any]) -> Any:
        return Lambda(tuple(node.value), node.args[0], env)

    def _spread(self, node: Node, env: dict[str, Any]) -> Any:
        return self.eval(node.args[0], env)

    def _for(self, node: Node, env: dict[str, Any]) -> Any:
        item, index = node.value
        source = self.eval(node.args[0], env)
        if isinstance(source, dict):
            source = [{"key": k, "value": v} for k, v in source.items()]
        if not isinstance(source, list):
            return opaque_call("for", [source])
        if len(source) > MAX_ITEMS:
            raise BudgetExceeded(f"a [for ...] loop of {len(source):,} items")
        body: Node = node.args[2]
        out = []
        for i, value in enumerate(source):
            local = {**env, item: value}
            if index:
                local[index] = i
            if body.kind == "if":
                cond = self.eval(body.args[0], local)
                if cond is False:
                    continue
                if not isinstance(cond, bool):
                    return opaque_call("for-if", [cond])
                out.append(self.eval(body.args[1], local))
            else:
                out.append(self.eval(body, local))
        self.budget.cells(len(out))
        return out

    def _if(self, node: Node, env: dict[str, Any]) -> Any:  # only inside bodies
        cond = self.eval(node.args[0], env)
        if cond is False:
            return None
        return self.eval(node.args[1], env)

    # lambdas -----------------------------------------------------------------------
    def apply(self, fn: Any, args: list[Any]) -> Any:
        if not isinstance(fn, Lambda):
            return Opaque("a computed function")
        local = {**fn.env, **dict(zip(fn.params, args, strict=False))}
        return self.eval(fn.body, local)

    def _with_lambda(
        self, name: str, arg_nodes: list[Node], env: dict[str, Any]
    ) -> Any:
        args = [self.eval(a, env) for a in arg_nodes]
        if not args or not isinstance(args[0], list):
            return opaque_call(name, args[:1])
        items = args[0]
        if len(items) > MAX_ITEMS:
            raise BudgetExceeded(f"{name}() over {len(items):,} items")
        fn = args[-1]
        self.budget.step(len(items))
        if name == "map":
            return [self.apply(fn, [x, i]) for i, x in enumerate(items)]
        if name == "filter":
            kept = []
            for i, x in enumerate(items):
                verdict = self.apply(fn, [x, i])
                if not isinstance(verdict, bool):
                    return opaque_call("filter", [items])
                if verdict:
                    kept.append(x)
            return kept
        if name == "reduce" and len(args) == 3:
            acc = args[1]
            for i, x in enumerate(items):
                acc = self.apply(fn, [acc, x, i])
            return acc
        if name == "toobject":
            out: dict[str, Any] = {}
            for x in items:
                key = self.apply(args[1], [x])
                if not isinstance(key, str):
                    return opaque_call("toObject", [items])
                out[key] = self.apply(args[2], [x]) if len(args) > 2 else x
            return out
        return opaque_call(name, [items])


_LAMBDA_FUNCTIONS = {
    "map",
    "filter",
    "reduce",
    "sort",
    "toobject",
    "groupby",
    "mapvalues",
}


def _eq(a: Any, b: Any) -> Any:
    return same(a, b) if known(a) and known(b) else opaque_call("equals", [a, b])


def _ieq(a: Any, b: Any) -> Any:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return opaque_call("equals-i", [a, b])


def _not(value: Any) -> Any:
    return (not value) if isinstance(value, bool) else opaque_call("not", [value])


def _number_op(name: str, op: Callable[[int, int], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (a, b))
        strings = all(isinstance(x, str) for x in (a, b)) and name in (
            "<",
            "<=",
            ">",
            ">=",
        )
        if ints or strings:
            try:
                result = op(a, b)
            except ZeroDivisionError:
                return opaque_call(name, [a, b])
            if isinstance(result, int) and abs(result) > 2**53:
                return opaque_call(name, [a, b])
            return result
        return opaque_call(name, [a, b])

    return apply


def _logic(name: str) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if isinstance(a, bool) and isinstance(b, bool):
            return (a and b) if name == "&&" else (a or b)
        if name == "&&" and b is False:
            return False
        if name == "||" and b is True:
            return True
        return opaque_call(name, [a, b])

    return apply


def _unknown_op(op: str) -> Callable[[Any, Any], Any]:
    return lambda a, b: opaque_call(op, [a, b])


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": _eq,
    "!=": lambda a, b: _not(_eq(a, b)),
    "=~": _ieq,
    "!~": lambda a, b: _not(_ieq(a, b)),
    "<": _number_op("<", lambda a, b: a < b),
    "<=": _number_op("<=", lambda a, b: a <= b),
    ">": _number_op(">", lambda a, b: a > b),
    ">=": _number_op(">=", lambda a, b: a >= b),
    "+": _number_op("+", lambda a, b: a + b),
    "-": _number_op("-", lambda a, b: a - b),
    "*": _number_op("*", lambda a, b: a * b),
    "/": _number_op("/", lambda a, b: int(a / b)),
    "%": _number_op("%", lambda a, b: a - b * int(a / b)),
    "&&": _logic("&&"),
    "||": _logic("||"),
}

NO_SPECIAL = _NO_SPECIAL
