"""ARM template expressions: `[concat(parameters('name'), '-plan')]`.

A linear tokenizer and a recursive-descent parser (depth-bounded) turn an expression
into a small tree, cached by its text; `evaluate` runs the tree in a `Scope` that
supplies what the template declares (`parameters()`, `variables()`, `copyIndex()`).
Everything else is a template function (`functions.call`).
Reference: learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions
"""

from __future__ import annotations

import functools
import re
from typing import Any, Protocol

from azfn_profile.sources.arm_functions import call, canon, member
from azfn_profile.sources.values import MAX_DEPTH, Budget, Opaque

MAX_EXPRESSION = 64 * 1024  # characters in one expression

_TOKEN = re.compile(
    r"[ \t\r\n]*(?:(?P<str>'[^']*(?:''[^']*)*')|(?P<num>-?[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?=[ \t]*\())"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[(),.\[\]]))"
)
_TRAILING = re.compile(r"[ \t\r\n]*")

Node = tuple[Any, ...]


class ExprError(ValueError):
    """An expression this evaluator cannot read."""


class Scope(Protocol):
    budget: Budget

    def parameter(self, name: Any) -> Any: ...
    def variable(self, name: Any) -> Any: ...
    def copy_index(self, args: list[Any]) -> Any: ...


def is_expression(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("[")
        and value.endswith("]")
        and not value.startswith("[[")
    )


def literal(value: str) -> str:
    """A string that starts with `[[` stands for itself, less one bracket."""
    return value[1:] if value.startswith("[[") else value


def evaluate_text(text: str, scope: Scope) -> Any:
    """Evaluate a template string (an expression in brackets, or a literal)."""
    if not is_expression(text):
        return literal(text)
    try:
        tree = parse(text[1:-1])
    except ExprError as exc:
        return Opaque(f"unreadable expression ({exc})")
    return evaluate(tree, scope, 0)


@functools.lru_cache(maxsize=8192)  # templates repeat the same expressions
def parse(text: str) -> Node:
    if len(text) > MAX_EXPRESSION:
        raise ExprError(f"expression longer than {MAX_EXPRESSION} characters")
    tokens = _tokens(text)
    node, pos = _expr(tokens, 0, 0)
    if pos != len(tokens):
        raise ExprError(f"unexpected {tokens[pos][1]!r}")
    return node


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, end = [], 0, len(text)
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:
            if _TRAILING.fullmatch(text, pos):
                break
            raise ExprError(f"cannot read {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _expr(t: list[tuple[str, str]], i: int, depth: int) -> tuple[Node, int]:
    if depth > MAX_DEPTH:
        raise ExprError(f"nested deeper than {MAX_DEPTH} levels")
    if i >= len(t):
        raise ExprError("expression ends too early")
    kind, tok = t[i]
    node: Node
    if kind == "str":
        node, i = ("lit", tok[1:-1].replace("''", "'")), i + 1
    elif kind == "num":
        if "." in tok or len(tok.lstrip("-")) > 18:
            node = ("lit", Opaque(f"the number {tok[:20]}"))
        else:
            node = ("lit", int(tok))
        i += 1
    elif kind == "name":
        args, i = [], i + 2  # name and "("
        while i < len(t) and t[i][1] != ")":
            arg, i = _expr(t, i, depth + 1)
            args.append(arg)
            if i < len(t) and t[i][1] == ",":
                i += 1
            elif i < len(t) and t[i][1] != ")":
                raise ExprError(f"expected , or ) but found {t[i][1]!r}")
        if i >= len(t):
            raise ExprError(f"{tok}( is not closed")
        node, i = ("call", tok, tuple(args)), i + 1
    elif kind == "ident" and tok in ("true", "false", "null"):
        node, i = ("lit", {"true": True, "false": False, "null": None}[tok]), i + 1
    else:
        raise ExprError(f"unexpected {tok!r}")
    while i < len(t) and t[i][1] in (".", "["):
        if t[i][1] == ".":
            if i + 1 >= len(t) or t[i + 1][0] not in ("ident", "name"):
                raise ExprError("expected a property name after .")
            node, i = ("member", node, ("lit", t[i + 1][1])), i + 2
        else:
            key, i = _expr(t, i + 1, depth + 1)
            if i >= len(t) or t[i][1] != "]":
                raise ExprError("[ is not closed")
            node, i = ("member", node, key), i + 1
    return node, i


_SCOPED = {"parameters", "variables", "copyindex"}


def evaluate(node: Node, scope: Scope, depth: int) -> Any:
    scope.budget.step()
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "member":
        return member(
            evaluate(node[1], scope, depth + 1),
            evaluate(node[2], scope, depth + 1),
            budget=scope.budget,
        )
    name: str = node[1]
    lowered = name.lower()
    if lowered == "if" and len(node[2]) == 3:  # only the branch taken is evaluated
        cond = evaluate(node[2][0], scope, depth + 1)
        if isinstance(cond, bool):
            return evaluate(node[2][1 if cond else 2], scope, depth + 1)
    args = [evaluate(a, scope, depth + 1) for a in node[2]]
    if lowered in _SCOPED:
        if lowered == "copyindex":
            return scope.copy_index(args)
        if len(args) != 1:
            return Opaque(f"{name}({', '.join(canon(a) for a in args)})")
        if lowered == "parameters":
            return scope.parameter(args[0])
        return scope.variable(args[0])
    return call(name, args, scope.budget)
