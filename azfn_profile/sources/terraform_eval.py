"""Evaluating Terraform expressions over reader values.

Values are plain data, or the stand-ins of `values` for what is decided at apply
time (`Opaque`, `Text`, `ResourceId`); `Failed` stands for an expression Terraform
would refuse (a missing key, a wrong type), which `try` and `can` see and which
otherwise counts as unknown. References (`var.`, `local.`, `module.`, `data.`,
resources, `each.`, `count.`) are resolved by the caller's `Scope`; resource and
module instances are `Ref`s whose attributes the scope evaluates on demand. Every
step is charged to the deployment's `Budget`, and nesting is bounded by `MAX_NESTING`.
Reference: developer.hashicorp.com/terraform/language/expressions
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from azfn_profile.sources.terraform_collections import COLLECTION_FUNCTIONS
from azfn_profile.sources.terraform_functions import TEXT_FUNCTIONS, Bad, Unknown, equal
from azfn_profile.sources.terraform_nodes import Expr
from azfn_profile.sources.terraform_ops import (
    Failed,
    Instances,
    Ref,
    binop,
    index,
    key_text,
    member,
    shown,
    unop,
)
from azfn_profile.sources.values import (
    Budget,
    BudgetExceeded,
    Computed,
    Opaque,
    text,
)

MAX_ITEMS = 10_000  # items one for expression may visit
# Expressions inside expressions, references through variables, locals and module
# outputs included: each level takes several Python frames, so the bound stays well
# inside Python's recursion limit.
MAX_NESTING = 64
FUNCTIONS = {**TEXT_FUNCTIONS, **COLLECTION_FUNCTIONS}
ROOTS = frozenset(
    {"var", "local", "module", "data", "each", "count", "path", "terraform", "self"}
)


class Scope(Protocol):
    budget: Budget

    def is_root(self, name: str) -> bool: ...
    def root(self, name: str, attr: str) -> Any: ...
    def data(self, kind: str, name: str) -> Any: ...


class Depth:
    """Nesting shared by every evaluator of one deployment (modules call modules)."""

    def __init__(self) -> None:
        self.level = 0


class Evaluator:
    def __init__(self, scope: Scope, depth: Depth | None = None) -> None:
        self.scope, self.budget = scope, scope.budget
        self.depth = depth or Depth()

    def eval(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        self.budget.step()
        self.depth.level += 1
        try:
            if self.depth.level > MAX_NESTING:
                raise BudgetExceeded(
                    f"expressions and references nested deeper than {MAX_NESTING} "
                    "levels"
                )
            return self._eval(expr, env)
        finally:
            self.depth.level -= 1

    def _eval(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        kind = expr.kind
        if kind == "lit":
            return expr.value
        if kind == "paren":
            return self.eval(expr.args[0], env)
        if kind == "tmpl":
            return self._template(expr, env)
        if kind == "name":
            return env[expr.value] if expr.value in env else Opaque(expr.value)
        if kind == "attr":
            return self._attr(expr, env)
        if kind == "index":
            return index(self.eval(expr.args[0], env), self.eval(expr.args[1], env))
        if kind == "splat":
            return self._splat(expr, env)
        if kind == "call":
            return self._call(expr, env)
        if kind == "tuple":
            self.budget.cells(len(expr.args))
            return [self.eval(a, env) for a in expr.args]
        if kind == "object":
            return self._object(expr, env)
        if kind == "cond":
            return self._cond(expr, env)
        if kind == "binop":
            return self._binop(expr, env)
        if kind == "unop":
            return unop(expr.value, self.eval(expr.args[0], env))
        if kind == "for":
            return self._for(expr, env)
        return Opaque(str(expr.value or kind))

    # -- references -----------------------------------------------------------------
    def _attr(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        base = expr.args[0]
        root = base.value if base.kind == "name" and base.value not in env else None
        if isinstance(root, str) and root != "data" and self.scope.is_root(root):
            return self.scope.root(root, expr.value)
        head = base.args[0] if base.kind == "attr" else None
        if head is not None and head.kind == "name" and head.value == "data" not in env:
            return self.scope.data(base.value, expr.value)
        return member(self.eval(base, env), expr.value)

    def _splat(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        base = self.eval(expr.args[0], env)
        if isinstance(base, Failed):
            return base
        if isinstance(base, Computed):
            return Opaque(f"{base}[*]")
        if isinstance(base, Instances):
            items: list[Any] = [base.ref]
        elif base is None:
            items = []
        else:
            items = base if isinstance(base, list) else [base]
        out = []
        for item in items:
            for step, arg in expr.value:
                if step == "attr":
                    item = member(item, arg.value)
                else:
                    item = index(item, self.eval(arg, env))
            out.append(item)
        return out

    # -- composite values ----------------------------------------------------------------
    def _template(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        parts = []
        for part in expr.args:
            value = self.eval(part, env)
            if isinstance(value, Failed):
                return value
            if value is None or isinstance(value, dict | list | Ref | Instances):
                return Failed(f"cannot be text: {shown(value)}")
            parts.append(value)
        result = text(parts)
        self.budget.cells(len(str(result)))
        return result

    def _object(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        self.budget.cells(len(expr.args) // 2)
        out: dict[str, Any] = {}
        pairs = expr.args
        for i in range(0, len(pairs) - 1, 2):
            key_expr = pairs[i]
            key = (
                self.eval(key_expr.args[0], env)
                if key_expr.kind == "paren"
                else self.eval(key_expr, env)
            )
            if isinstance(key, Computed):
                return Opaque(key_text(f"an object with the computed key {key}"))
            if not isinstance(key, str | int | float) or isinstance(key, bool):
                return Failed(f"an object key that is not text: {shown(key)}")
            out[key if isinstance(key, str) else str(key)] = self.eval(
                pairs[i + 1], env
            )
        return out

    def _cond(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        cond = self.eval(expr.args[0], env)
        if cond is True:
            return self.eval(expr.args[1], env)
        if cond is False:
            return self.eval(expr.args[2], env)
        if isinstance(cond, Failed) or not isinstance(cond, Computed):
            return Failed(f"a condition that is not a bool: {shown(cond)}")
        yes, no = self.eval(expr.args[1], env), self.eval(expr.args[2], env)
        if equal(yes, no) is True:
            return yes
        return Opaque(key_text(f"{cond} ? {shown(yes)} : {shown(no)}"))

    def _binop(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        op = expr.value
        left = self.eval(expr.args[0], env)
        if (op == "&&" and left is False) or (op == "||" and left is True):
            return left
        right = self.eval(expr.args[1], env)
        return binop(op, left, right)

    def _for(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        spec = expr.value
        source = self.eval(expr.args[0], env)
        if isinstance(source, Instances):
            source = [source.ref]
        if isinstance(source, Computed):
            return Opaque(key_text(f"for over {source}"))
        if isinstance(source, dict):
            items = [(k, source[k]) for k in sorted(source)]
        elif isinstance(source, list):
            items = list(enumerate(source))
        else:
            return Failed(f"for over {shown(source)}")
        if len(items) > MAX_ITEMS:
            raise BudgetExceeded(f"a for expression over {len(items):,} items")
        names = spec["names"]
        body = expr.args[1:]
        has_cond = len(body) > (2 if spec["object"] else 1)
        results: list[tuple[Any, Any]] = []
        for key, value in items:
            self.budget.step()
            local = dict(env)
            local.update(
                {names[0]: value}
                if len(names) == 1
                else dict(zip(names, (key, value), strict=False))
            )
            if has_cond:
                keep = self.eval(body[-1], local)
                if keep is False:
                    continue
                if keep is not True:
                    return Opaque(key_text(f"for over {shown(source)} if {keep}"))
            if spec["object"]:
                results.append((self.eval(body[0], local), self.eval(body[1], local)))
            else:
                results.append((None, self.eval(body[0], local)))
        self.budget.cells(len(results))
        if not spec["object"]:
            return [v for _, v in results]
        out: dict[str, Any] = {}
        for key, value in results:
            if isinstance(key, Computed):
                return Opaque(key_text(f"an object with the computed key {key}"))
            name = key if isinstance(key, str) else str(key)
            if spec["group"]:
                out.setdefault(name, []).append(value)
            else:
                out[name] = value
        return out

    # -- calls -------------------------------------------------------------------------
    def _call(self, expr: Expr, env: Mapping[str, Any]) -> Any:
        name, expand = expr.value
        name = name.removeprefix("core::")
        if name in ("try", "can"):
            return self._try(name, expr, env)
        args = [self.eval(a, env) for a in expr.args]
        failed = next((a for a in args if isinstance(a, Failed)), None)
        if failed is not None:
            return failed
        if expand and args:
            last = args.pop()
            if isinstance(last, Computed):
                return Opaque(key_text(f"{name}(..., {last}...)"))
            if not isinstance(last, list):
                return Failed(f"{name}(...): expanding {shown(last)}")
            args += last
        result = apply_function(name, args)
        self.budget.cells(len(result) if isinstance(result, str | list | dict) else 1)
        return result

    def _try(self, name: str, expr: Expr, env: Mapping[str, Any]) -> Any:
        for arg in expr.args:
            value = self.eval(arg, env)
            if name == "can":
                if isinstance(value, Failed):
                    return False
                return value if isinstance(value, Computed) else True
            if not isinstance(value, Failed):
                return value
        return Failed(f"{name}(): every argument failed")


def apply_function(name: str, args: list[Any]) -> Any:
    """A Terraform function on evaluated arguments: its value; computed when the
    function is unknown here or an argument is; Failed on a domain error (Terraform
    fails there too). Total: no argument makes it raise."""
    label = key_text(f"{name}({', '.join(shown(a) for a in args)})")
    fn = FUNCTIONS.get(name)
    if fn is None:
        return Opaque(label)
    try:
        return fn(args)
    except Unknown:
        return Opaque(label)
    except (Bad, ArithmeticError, ValueError, TypeError, IndexError, RecursionError):
        return Failed(label)


__all__ = [
    "Depth",
    "Evaluator",
    "Failed",
    "Instances",
    "Ref",
    "Scope",
    "apply_function",
]
