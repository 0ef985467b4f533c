"""Statements of a Pulumi Python program, read in order as Python runs them.

A name holds what it was last bound to. A branch whose condition is known from
literals and bound names (`if threads is not None:`, `if env == "prod":`) is read as
the only path; otherwise both branches are read and every name they bind or change is
computed. A list or dict changed in place (`settings.append(...)`, `.extend`,
`.update`, `d["k"] = v`) holds its new value when the change is certain, and is
computed when it is conditional or not understood, so a value read later is never one
the program has since changed. Loops are read once, their names computed; `with`
bodies run; `try` bodies may stop anywhere, so they are conditional.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from azfn_profile.sources.pulumi_program_components import DEFINITIONS
from azfn_profile.sources.values import Opaque

if TYPE_CHECKING:
    from azfn_profile.sources.pulumi_program import Reader
    from azfn_profile.sources.pulumi_program_components import Definition

# Methods that change a list, dict or set in place.
MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "update",
        "setdefault",
        "pop",
        "popitem",
        "remove",
        "clear",
        "add",
        "discard",
        "sort",
        "reverse",
    }
)
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_SCALARS = (str, int, float, bool, type(None))
# try/except*, from Python 3.11.
_TRY: tuple[type[ast.stmt], ...] = (
    ast.Try,
    *([ast.TryStar] if hasattr(ast, "TryStar") else []),
)


class StatementsMixin:
    """The statement part of `pulumi_program.Reader`."""

    if TYPE_CHECKING:
        env: dict[str, Any]
        definitions: dict[str, tuple[Definition, Reader]]

        @property
        def seen(self) -> set[int]: ...
        def value(self, node: ast.expr, deps: set[int], depth: int = 0) -> Any: ...
        def call(self, node: ast.Call, deps: set[int], depth: int) -> Any: ...
        def imports(self, node: ast.stmt) -> None: ...
        def defined(self, stmt: Definition) -> None: ...

    def body(
        self, statements: Sequence[ast.stmt], top: bool = False, maybe: bool = False
    ) -> None:
        """Read statements in order (`maybe`: they may not run)."""
        for stmt in statements:
            self.statement(stmt, top, maybe)

    def statement(self, stmt: ast.stmt, top: bool, maybe: bool) -> None:
        self.imports(stmt)
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            if stmt.value is None:
                return
            got = self.value(stmt.value, set())
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                self._assign(target, got, maybe)
        elif isinstance(stmt, ast.AugAssign):
            self.value(stmt.value, set())
            self._computed(stmt.target, "changed in place")
        elif isinstance(stmt, ast.Expr):
            if not self._mutation(stmt.value, maybe):
                self.value(stmt.value, set())
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            self.value(stmt.value, set())
        elif isinstance(stmt, DEFINITIONS):
            if top:
                self.defined(stmt)
            self.env.pop(stmt.name, None)
        elif isinstance(stmt, ast.If):
            known = self._truth(stmt.test)
            if known is None:
                self.value(stmt.test, set())
                self.body(stmt.body, maybe=True)
                self.body(stmt.orelse, maybe=True)
            else:
                self.body(stmt.body if known else stmt.orelse, maybe=maybe)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                self.value(item.context_expr, set())
                if item.optional_vars is not None:
                    self._computed(item.optional_vars, "bound by with")
            self.body(stmt.body, maybe=maybe)
        elif isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
            self._computed(stmt.target if not isinstance(stmt, ast.While) else None)
            self._stores(stmt)  # every name a loop binds is computed after it
            self.body(stmt.body, maybe=True)
            self.body(stmt.orelse, maybe=True)
            self._stores(stmt)
        elif isinstance(stmt, _TRY):
            self.body(getattr(stmt, "body", []), maybe=True)
            for handler in getattr(stmt, "handlers", []):
                self.body(handler.body, maybe=True)
            self.body(getattr(stmt, "orelse", []), maybe=True)
            self.body(getattr(stmt, "finalbody", []), maybe=maybe)
        else:  # match, global, del, assert, ...: names computed, calls read
            self._stores(stmt)
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Call) and id(sub) not in self.seen:
                    self.call(sub, set(), 0)

    # -- names ------------------------------------------------------------------------
    def _assign(self, target: ast.expr, got: Any, maybe: bool) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = (
                Opaque(f"{target.id}, set on one path only") if maybe else got
            )
        elif isinstance(target, ast.Subscript):
            self._item(target, got, maybe)
        elif not isinstance(target, ast.Attribute):  # self.x = ...: not a name
            self._computed(target, "unpacked")

    def _item(self, target: ast.Subscript, got: Any, maybe: bool) -> None:
        base = target.value
        if not isinstance(base, ast.Name):
            return
        current = self.env.get(base.id)
        key = self.value(target.slice, set())
        if not maybe and isinstance(current, dict) and isinstance(key, str):
            self.env[base.id] = {**current, key: got}
        else:
            self._computed(base, "changed in place")

    def _mutation(self, node: ast.expr, maybe: bool) -> bool:
        """`name.append(...)` and the like: the name's new value (a new list or
        dict: what resources were given before keeps its value)."""
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.attr in MUTATORS
            and node.func.value.id in self.env
        ):
            return False
        name, method = node.func.value.id, node.func.attr
        current = self.env[name]
        args = [self.value(a, set()) for a in node.args]
        self.seen.add(id(node))
        new: Any = Opaque(f"{name}, changed by {method}")
        if not maybe and not node.keywords and len(args) == 1:
            (arg,) = args
            if isinstance(current, list) and method == "append":
                new = [*current, arg]
            elif isinstance(current, list) and method == "extend":
                new = [*current, *arg] if isinstance(arg, list) else new
            elif isinstance(current, dict) and method == "update":
                new = {**current, **arg} if isinstance(arg, dict) else new
        self.env[name] = new
        return True

    def _computed(self, target: ast.AST | None, why: str = "computed") -> None:
        if target is None:
            return
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                self.env[sub.id] = Opaque(f"{sub.id}, {why}")

    def _stores(self, stmt: ast.stmt) -> None:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                self.env[sub.id] = Opaque(f"{sub.id}, bound in a loop or branch")
            elif (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and isinstance(sub.func.value, ast.Name)
                and sub.func.attr in MUTATORS
            ):
                self.env[sub.func.value.id] = Opaque(
                    f"{sub.func.value.id}, changed in a loop or branch"
                )

    # -- conditions -------------------------------------------------------------------
    def _truth(self, test: ast.expr) -> bool | None:
        """A condition's value when literals and bound names decide it (no calls)."""
        if any(isinstance(sub, ast.Call) for sub in ast.walk(test)):
            return None
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self._truth(test.operand)
            return None if inner is None else not inner
        if isinstance(test, ast.BoolOp):
            values = [self._truth(v) for v in test.values]
            if isinstance(test.op, ast.And):
                if False in values:
                    return False
                return None if None in values else True
            if True in values:
                return True
            return None if None in values else False
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            compare = _COMPARE.get(type(test.ops[0]))
            left = self._scalar(test.left)
            right = self._scalar(test.comparators[0])
            if compare is None or left is _UNKNOWN or right is _UNKNOWN:
                return None
            if isinstance(test.ops[0], ast.Is | ast.IsNot) and not (
                left is None or right is None or isinstance(left, bool)
            ):
                return None  # identity of other values is Python's business
            return bool(compare(left, right))
        got = self._scalar(test)
        return None if got is _UNKNOWN else bool(got)

    def _scalar(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant | ast.Name):
            got = self.value(node, set())
            if isinstance(got, _SCALARS):
                return got
        return _UNKNOWN


_UNKNOWN = object()
