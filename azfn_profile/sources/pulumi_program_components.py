"""Components in Pulumi Python programs: a class (a `pulumi.ComponentResource`, or any
class) or a function defined at module level, in the program or in a module of the
project it imports (`from components import PythonApp`), whose body creates the
resources.

Each instantiation is read on its own, as Pulumi runs it: the body of `__init__` (or
of the function) with its parameters bound to the call's arguments (positional,
keyword, then the definition's defaults; `*args`/`**kwargs` and anything else
computed). So `PythonApp("orders", sku="EP1")` and `PythonApp("reports",
sku="EP2")` are two apps, each judged with its own values. A resource is located at
its call in the component's file and names the instantiations that reached it
(`via`), outermost first, like a Bicep module's resources. A component that is never
instantiated is read once, its parameters computed. Instantiations nest at most
`MAX_NESTING` deep and never recurse.

A project module is read through `Loader` (the project's path policy: inside the
project folder, with the bounded reader); one that cannot be read or parsed is
listed as not inspected, and its components' calls are then computed values.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from azfn_profile.sources.graph import NotInspected
from azfn_profile.sources.values import Opaque

if TYPE_CHECKING:
    from azfn_profile.sources.pulumi_program import Declared, Reader

Definition: TypeAlias = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# A project module's name -> (its source, its display path), or a reason it is not
# read (str), or None when the name is not one of the project's modules.
Loader = Callable[[str], tuple[str, str] | str | None]
MAX_NESTING = 8  # components instantiated inside components
MAX_MODULES = 50  # project modules read per program
MAX_INSTANCES = 500  # component instantiations read per program


@dataclass
class Shared:
    """What the files of one program share while it is read."""

    loader: Loader | None = None
    declared: list[Declared] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)  # ids of Call nodes read
    modules: dict[str, Reader | None] = field(default_factory=dict)
    not_inspected: list[NotInspected] = field(default_factory=list)
    chain: tuple[str, ...] = ()  # the instantiations being read, outermost first
    stack: tuple[int, ...] = ()  # ids of the definitions being instantiated
    instances: int = 0
    defined: list[tuple[Definition, Reader]] = field(default_factory=list)
    instantiated: set[int] = field(default_factory=set)  # ids of definitions
    # the class being instantiated and its `self` name: `self.helper(...)` in it runs
    # that method with the instance's values
    classes: tuple[tuple[ast.ClassDef, str], ...] = ()
    urns: set[str] = field(default_factory=set)

    def unique_urn(self, rtype: str, logical: str) -> str:
        """`type::name`; two resources of one type and name (a component with a
        fixed child name) are told apart by a counter."""
        urn, n = f"{rtype}::{logical}", 1
        while urn in self.urns:
            n += 1
            urn = f"{rtype}::{logical} #{n}"
        self.urns.add(urn)
        return urn


class ComponentsMixin:
    """The component part of `pulumi_program.Reader`."""

    if TYPE_CHECKING:
        display: str
        env: dict[str, Any]
        aliases: dict[str, str]
        shared: Shared
        definitions: dict[str, tuple[Definition, Reader]]
        modules: dict[str, Reader]

        def value(self, node: ast.expr, deps: set[int], depth: int = 0) -> Any: ...
        def body(self, statements: Sequence[ast.stmt], top: bool = False) -> None: ...
        def read(self, module: ast.Module) -> None: ...
        def call(self, node: ast.Call, deps: set[int], depth: int) -> Any: ...

    # -- project modules ----------------------------------------------------------------
    def local_module(self, name: str) -> Reader | None:
        shared = self.shared
        if shared.loader is None:
            return None
        if name in shared.modules:
            return shared.modules[name]
        if len(shared.modules) >= MAX_MODULES:
            return None
        shared.modules[name] = None  # a cycle of imports reads each module once
        found = shared.loader(name)
        if found is None:
            return None
        if isinstance(found, str):
            shared.not_inspected.append(
                NotInspected(self.display, 1, f"module {name}", found)
            )
            return None
        from azfn_profile.sources.pulumi_program import (
            ProgramError,
            Reader,
            parse_program,
        )

        source, display = found
        try:
            tree = parse_program(source, display)
        except ProgramError as exc:
            shared.not_inspected.append(
                NotInspected(display, exc.line, f"module {name}", exc.message)
            )
            return None
        reader = Reader(display, shared)
        shared.modules[name] = reader
        reader.read(tree)  # importing a module runs its top level
        return reader

    def bind_import(self, module: Reader, name: str, local: str) -> None:
        if name in module.definitions:
            self.definitions[local] = module.definitions[name]
        elif name in module.env:
            self.env[local] = module.env[name]

    # -- instantiations -----------------------------------------------------------------
    def defined(self, stmt: Definition) -> None:
        self.definitions[stmt.name] = (stmt, self)  # type: ignore[assignment]
        self.shared.defined.append((stmt, self))  # type: ignore[arg-type]

    def read_uninstantiated(self) -> None:
        """A component no one instantiates is read once, its parameters computed."""
        for definition, owner in self.shared.defined:
            if id(definition) in self.shared.instantiated:
                continue
            for sub in ast.walk(definition):
                if isinstance(sub, ast.Call) and id(sub) not in self.shared.seen:
                    owner.call(sub, set(), 0)

    def component(self, node: ast.Call) -> tuple[Definition, Reader, str] | None:
        func = node.func
        method = self._method(func)
        if method is not None:
            return method, self, ""  # type: ignore[return-value]
        if isinstance(func, ast.Name) and func.id in self.definitions:
            if func.id in self.env:  # rebound since: not the definition
                return None
            definition, owner = self.definitions[func.id]
            return definition, owner, func.id
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.modules
        ):
            module = self.modules[func.value.id]
            if func.attr in module.definitions:
                definition, owner = module.definitions[func.attr]
                return definition, owner, f"{func.value.id}.{func.attr}"
        return None

    def _method(self, func: ast.expr) -> ast.FunctionDef | None:
        if not (
            self.shared.classes
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
        ):
            return None
        cls, me = self.shared.classes[-1]
        if func.value.id != me or (
            me in self.env and not isinstance(self.env[me], Opaque)
        ):
            return None
        for stmt in cls.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == func.attr:
                return stmt
        return None

    def instantiate(
        self,
        definition: Definition,
        owner: Reader,
        label: str,
        node: ast.Call,
        deps: set[int],
        depth: int,
    ) -> Any:
        shared = self.shared
        func = _entry(definition)
        if (
            func is None
            or id(definition) in shared.stack
            or len(shared.stack) >= MAX_NESTING
            or shared.instances >= MAX_INSTANCES
        ):
            for arg in [*node.args, *(kw.value for kw in node.keywords)]:
                self.value(arg, deps, depth)
            return Opaque(f"the result of {label}")
        shared.instances += 1
        shared.instantiated.add(id(definition))
        is_class = isinstance(definition, ast.ClassDef)
        helper = not label  # a method called on the instance being built
        bound = self._bind(func, is_class or helper, owner, node, deps, depth)
        if helper:  # the instance's own names stay as they are
            me = shared.classes[-1][1]
            bound = {k: v for k, v in bound.items() if k != _self_name(func)}
            bound[me] = self.env.get(me, Opaque("the component itself"))
        saved = owner.env, shared.chain, shared.stack, shared.seen, shared.classes
        owner.env = {**(owner.env if not helper else self.env), **bound}
        if not helper:
            shared.chain = (*shared.chain, f"{self.display}:{node.lineno} {label}")
        shared.stack = (*shared.stack, id(definition))
        shared.seen = set()  # each instance reads the body's calls again
        if isinstance(definition, ast.ClassDef):
            me = _self_name(func)
            if me:
                shared.classes = (*shared.classes, (definition, me))
        try:
            owner.body(func.body)
        finally:
            read_here = shared.seen
            owner.env, shared.chain, shared.stack, shared.seen, shared.classes = saved
            shared.seen |= read_here
        return Opaque(f"the result of {label or 'a method'}")

    def _bind(
        self,
        func: ast.FunctionDef | ast.AsyncFunctionDef,
        method: bool,
        owner: Reader,
        node: ast.Call,
        deps: set[int],
        depth: int,
    ) -> dict[str, Any]:
        """The parameters bound to the call's arguments (evaluated here, in the
        caller's names); defaults are the definition's, in its own module's."""
        a = func.args
        positional = [*a.posonlyargs, *a.args]
        names = [p.arg for p in positional]
        out: dict[str, Any] = {}
        if method and names:
            out[names[0]] = Opaque("the component itself")
            names = names[1:]
            positional = positional[1:]
        with_default = positional[len(positional) - len(a.defaults) :]
        defaults = dict(zip([p.arg for p in with_default], a.defaults, strict=True))
        defaults.update(
            (p.arg, d) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d
        )
        starred = any(isinstance(x, ast.Starred) for x in node.args) or any(
            kw.arg is None for kw in node.keywords
        )
        for name, arg in zip(names, node.args, strict=False):
            if isinstance(arg, ast.Starred):
                break
            out[name] = self.value(arg, deps, depth)
        for kw in node.keywords:
            if kw.arg is not None:
                out[kw.arg] = self.value(kw.value, deps, depth)
            else:
                self.value(kw.value, deps, depth)
        for name in [*names, *(p.arg for p in a.kwonlyargs)]:
            if name in out:
                continue
            if starred:
                out[name] = Opaque(f"the argument {name}")
            elif name in defaults:
                out[name] = owner.value(defaults[name], set(), depth)
            else:
                out[name] = Opaque(f"the argument {name}")
        for rest in (a.vararg, a.kwarg):
            if rest is not None:
                out[rest.arg] = Opaque(f"the arguments {rest.arg}")
        return out


def _entry(definition: Definition) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """What an instantiation runs: the function, or the class's `__init__`."""
    if not isinstance(definition, ast.ClassDef):
        return definition
    for stmt in definition.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
            return stmt
    return None


def _self_name(func: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """A method's first parameter (`self`), or "" when it has none."""
    positional = [*func.args.posonlyargs, *func.args.args]
    return positional[0].arg if positional else ""
