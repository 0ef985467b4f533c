"""Find an app's functions and what each one does, through its own helpers.

`read_app(APP)` returns an AppCode: every function registered on the app (directly
or through a registered blueprint), its trigger, `async def` or not, and the evidence
of what its body does, following calls into the app's own functions, methods and
modules (one call graph, depth-bounded). Only calls listed in `known` are evidence.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from azfn_profile.code import known
from azfn_profile.code.frameworks import Frameworks
from azfn_profile.code.model import AppCode, Evidence, FunctionInfo
from azfn_profile.code.pins import runtime_pin
from azfn_profile.code.reader import (
    AppReader,
    Binding,
    FunctionNode,
    Module,
    app_object,
    call_result,
    import_bindings,
    resolve_expr,
)
from azfn_profile.errors import Problem

MAX_DEPTH = 8  # helper calls followed from a function
MAX_STEPS = 2_000_000  # AST nodes visited for one app

_LOOP = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


class AppNotFound(Exception):
    """APP is not a v2-model function app folder or file."""


class _Budget(Exception):
    pass


def entry_file(path: Path) -> Path:
    """APP is a folder holding function_app.py, or a .py file."""
    if path.is_dir():
        candidate = path / "function_app.py"
        if not candidate.is_file():
            raise AppNotFound(
                f"{path} holds no function_app.py (a Python v2-model app)"
            )
        return candidate
    if path.suffix != ".py" or not path.is_file():
        raise AppNotFound(f"{path}: not a Python file or an app folder")
    return path


def read_app(path: Path, display: str | None = None) -> AppCode:
    """Read the app at `path` (a folder or a .py file) without importing it."""
    entry = entry_file(path)
    root = entry.parent
    named = display if display is not None else str(path)
    shown = named if path.is_dir() else str(Path(named).parent)
    reader = AppReader(root, shown)
    module = reader.load(entry.stem)
    if module is None:
        return AppCode(
            shown,
            reader.display(entry),
            (),
            tuple(reader.suppressions),
            tuple(reader.problems),
            runtime_pin=runtime_pin(root, shown),
        )
    walker = _Walker(reader)
    functions: list[FunctionInfo] = []
    try:
        frameworks = Frameworks(reader, walker)
        for owner, node, trigger, name in _registered(reader, module):
            info = walker.function(owner, node, trigger, name)
            if trigger == "http":
                info = frameworks.with_middleware_routes(owner, node, info)
            functions.append(info)
        functions += frameworks.wrapper_functions(module)
    except (_Budget, RecursionError):
        reader.problems.append(
            Problem(
                reader.display(entry),
                "too large to analyse in full; read in part",
                1,
                1,
            )
        )
    return AppCode(
        shown,
        reader.display(entry),
        tuple(functions),
        tuple(reader.suppressions),
        tuple(reader.problems),
        tuple(m.display for m in reader.modules.values() if m is not None),
        runtime_pin(root, shown),
        unread=tuple(reader.unread),
    )


# -- which functions the app registers ----------------------------------------------------


def _app_names(module: Module) -> dict[str, str]:
    return {n: r.name for n, r in module.names.items() if r.kind == "app"}


def _registered(
    reader: AppReader, entry: Module
) -> list[tuple[Module, FunctionNode, str, str]]:
    """(module, def, trigger, function name) for the entry's apps and the blueprints
    registered on them, in source order: decorated in the module that makes the app
    or blueprint, or in any module the entry imports (directly or through others)
    that imports that object by name (an app shared from `core/app.py`)."""
    objects: list[tuple[Module, str]] = [(entry, n) for n in _app_names(entry)]
    objects += [
        origin
        for name, ref in entry.names.items()
        if ref.kind == "from" and (origin := _origin(reader, entry, name)) is not None
    ]
    for node in ast.walk(entry.tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in known.REGISTER_METHODS
            and node.args
        ):
            continue
        # `flask_app.register_blueprint(bp)` is Flask's: only a Functions app
        # registers, and only a Functions blueprint.
        receiver = node.func.value
        if not (
            isinstance(receiver, ast.Name)
            and _origin(reader, entry, receiver.id) is not None
        ):
            continue
        origin = _blueprint_origin(reader, entry, node.args[0])
        if origin is not None:
            objects.append(origin)
    wanted = {(m.name, n) for m, n in objects}
    out: list[tuple[Module, FunctionNode, str, str]] = []
    seen: set[tuple[str, int]] = set()
    # Each module's names that stand for one of those objects, found once: the
    # object's own name where it is made, the names importing it elsewhere.
    modules = {m.name: m for m in [m for m, _ in objects] + _imported(reader, entry)}
    for module in modules.values():
        names = set()
        for name in module.names:
            origin = _origin(reader, module, name)
            if origin is not None and (origin[0].name, origin[1]) in wanted:
                names.add(name)
        for found in _decorated(reader, module, names):
            key = (found[0].name, found[1].lineno)
            if key not in seen:
                seen.add(key)
                out.append(found)
    return out


def _origin(
    reader: AppReader, module: Module, name: str, depth: int = 0
) -> tuple[Module, str] | None:
    """The module that makes the app or blueprint `name` names in `module`, through
    `from ... import` chains (a package re-exporting its submodule's blueprint)."""
    ref = module.names.get(name)
    if ref is None or depth > 20:
        return None
    if ref.kind == "app":
        return module, name
    if ref.kind == "from":
        target = reader.load(ref.module)
        return _origin(reader, target, ref.name, depth + 1) if target else None
    return None


def _imported(reader: AppReader, entry: Module) -> list[Module]:
    """The app modules the entry imports, directly or through others (each once;
    the reader's module bound applies)."""
    found: dict[str, Module] = {}
    queue = [entry]
    while queue:
        module = queue.pop(0)
        for ref in list(module.names.values()):
            dotted = ""
            if ref.kind == "mod":
                dotted = ref.name
            elif ref.kind == "from":
                sub = f"{ref.module}.{ref.name}" if ref.module else ref.name
                dotted = sub if reader.module_path(sub) else ref.module
            if not dotted or dotted in found or dotted == entry.name:
                continue
            loaded = reader.load(dotted)
            if loaded is not None:
                found[dotted] = loaded
                queue.append(loaded)
    return list(found.values())


def _blueprint_origin(
    reader: AppReader, module: Module, expr: ast.expr
) -> tuple[Module, str] | None:
    """Where the blueprint a register call names is made: `bp`, or `triggers.bp`
    (an app module's attribute)."""
    if isinstance(expr, ast.Name):
        return _origin(reader, module, expr.id)
    if isinstance(expr, ast.Attribute):
        base = resolve_expr(reader, module, {}, expr.value)
        owner = (
            reader.load(base.name) if base is not None and base.kind == "mod" else None
        )
        return _origin(reader, owner, expr.attr) if owner is not None else None
    return None


def _decorated(
    reader: AppReader, module: Module, apps: set[str]
) -> list[tuple[Module, FunctionNode, str, str]]:
    if not apps:
        return []
    # `app = Flask(...)`, its views, then `app = func.WsgiFunctionApp(...)`: a def
    # is the Functions app's only if the name was last bound to one above it.
    other = _rebound(reader, module, apps)
    out = []
    for node in module.tree.body:
        if not isinstance(node, FunctionNode):
            continue
        trigger, name, ours = "", node.name, False
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if not (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id in apps
                and not _other_at(other.get(target.value.id, []), node.lineno)
            ):
                continue
            ours = True
            if target.attr in known.TRIGGER_DECORATORS:
                trigger = trigger or known.TRIGGER_DECORATORS[target.attr]
            elif target.attr == "function_name" and call is not None:
                name = _string_arg(call, "name") or name
            elif target.attr == "generic_trigger" and call is not None:
                kind = (_string_arg(call, "type") or "").removesuffix("Trigger")
                trigger = trigger or _GENERIC.get(kind.lower(), "")
        if ours:
            out.append((module, node, trigger, name))
    return out


def _rebound(
    reader: AppReader, module: Module, names: set[str]
) -> dict[str, list[tuple[int, bool]]]:
    """For each name, its top-level assignments: (line, not an app object)."""
    found: dict[str, list[tuple[int, bool]]] = {}
    for stmt in module.tree.body:
        if not isinstance(stmt, ast.Assign):
            continue
        for target in stmt.targets:
            if isinstance(target, ast.Name) and target.id in names:
                made = app_object(reader, module, stmt.value)
                found.setdefault(target.id, []).append((stmt.lineno, made is None))
    return found


def _other_at(assignments: list[tuple[int, bool]], line: int) -> bool:
    """The name's last assignment above `line` made something other than an app."""
    above = [other for at, other in assignments if at < line]
    return bool(above) and above[-1]


_GENERIC = {
    "http": "http",
    "queue": "queue",
    "servicebus": "servicebus",
    "eventhub": "eventhub",
    "blob": "blob",
    "eventgrid": "eventgrid",
    "timer": "timer",
    "cosmosdb": "cosmosdb",
}


def _string_arg(call: ast.Call, keyword: str) -> str | None:
    for kw in call.keywords:
        if kw.arg == keyword and isinstance(kw.value, ast.Constant):
            return str(kw.value.value)
    if call.args and isinstance(call.args[0], ast.Constant):
        return str(call.args[0].value)
    return None


# -- what a function does ------------------------------------------------------------------


@dataclass
class _Walker:
    reader: AppReader
    steps: int = 0
    memo: dict[tuple[str, str], tuple[Evidence, ...]] = field(default_factory=dict)
    active: set[tuple[str, str]] = field(default_factory=set)

    def function(
        self,
        module: Module,
        node: FunctionNode,
        trigger: str,
        name: str,
        qualname: str = "",
    ) -> FunctionInfo:
        """`qualname`: the def's name in its module when it is not top-level
        (`View.get`, a route defined in an app factory), so two defs of one name
        never share what was found."""
        return FunctionInfo(
            name,
            trigger,
            isinstance(node, ast.AsyncFunctionDef),
            module.display,
            node.lineno,
            node.col_offset + 1,
            _awaits(node),
            self.evidence(module, node, qualname or node.name, 0),
            _durable_role(node),
        )

    def evidence(
        self, module: Module, node: FunctionNode, qualname: str, depth: int
    ) -> tuple[Evidence, ...]:
        key = (module.name, qualname)
        if key in self.memo:
            return self.memo[key]
        if key in self.active or depth > MAX_DEPTH:
            return ()
        self.active.add(key)
        try:
            found = tuple(_Body(self, module, node, depth).run())
        finally:
            self.active.discard(key)
        self.memo[key] = found
        return found

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Budget


class _Body:
    """One function body: its local names, then every call in it, in order."""

    def __init__(
        self, walker: _Walker, module: Module, node: FunctionNode, depth: int
    ) -> None:
        self.walker, self.reader = walker, walker.reader
        self.module, self.node, self.depth = module, node, depth
        self.local: dict[str, Binding] = {}
        self.found: list[Evidence] = []
        self_name = node.args.args[0].arg if node.args.args else None
        owner = _owning_class(module, node)
        if owner is not None and self_name is not None:
            self.local[self_name] = Binding("inst", owner, module.name)
        self._memo: dict[int, Binding | None] = {}  # chain links of one statement

    def run(self) -> list[Evidence]:
        for stmt in self.node.body:
            self.visit(stmt, loops=0, awaited="")
        return self.found

    def visit(self, node: ast.AST, loops: int, awaited: str) -> None:
        """`awaited`: "await" or "async with" when the loop waits on `node`."""
        self.walker.tick()
        if isinstance(node, ast.stmt):
            self._memo.clear()  # bindings may change between statements
        if isinstance(node, _NESTED):
            return
        if isinstance(node, ast.Import | ast.ImportFrom):  # an import in the body
            package = self.reader.package_of(self.module)
            self.local.update(import_bindings(self.reader, self.module, package, node))
            return
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            self.visit(node.value, loops, "")
            self._bind(node)
            return
        if isinstance(node, ast.With | ast.AsyncWith):
            entered = "async with" if isinstance(node, ast.AsyncWith) else ""
            for item in node.items:
                self.visit(item.context_expr, loops, entered)
                if isinstance(item.optional_vars, ast.Name):
                    result = self._result(item.context_expr)
                    if result is not None:
                        self.local[item.optional_vars.id] = result
            for stmt in node.body:
                self.visit(stmt, loops, "")
            return
        if isinstance(node, ast.Await):
            self.visit(node.value, loops, "await")
            return
        if isinstance(node, ast.For) and self._cpu_loop(node):
            self._add("cpu", "a pure-Python loop", node)
        if isinstance(node, ast.Call):
            self._call(node, loops, awaited)
        inner = loops + 1 if isinstance(node, _LOOP) else loops
        for child in ast.iter_child_nodes(node):
            self.visit(child, inner, "")

    def _bind(self, node: ast.Assign | ast.AnnAssign) -> None:
        result = self._result(node.value) if node.value is not None else None
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                if result is not None:
                    self.local[target.id] = result
                else:
                    self.local.pop(target.id, None)

    def _result(self, expr: ast.expr) -> Binding | None:
        if isinstance(expr, ast.Call):
            return call_result(self.reader, self._resolve(expr.func))
        return self._resolve(expr)

    def _resolve(self, expr: ast.expr) -> Binding | None:
        return resolve_expr(self.reader, self.module, self.local, expr, self._memo)

    def _call(self, call: ast.Call, loops: int, awaited: str) -> None:
        callee = self._resolve(call.func)
        if callee is None:
            if awaited:
                self._add("async_io", f"{awaited} {_text(call.func)}", call)
            return
        if callee.kind == "q":
            self._external(callee.name, call, loops, awaited)
        elif callee.kind == "method":
            self._method(callee, call, awaited)
        elif callee.kind == "fn":
            self._helper(callee, call)
        elif callee.kind == "cls":
            self._helper(Binding("fn", f"{callee.name}.__init__", callee.module), call)
        elif awaited:
            self._add("async_io", f"{awaited} {_text(call.func)}", call)

    def _external(self, name: str, call: ast.Call, loops: int, awaited: str) -> None:
        blocking = known.BLOCKING_CALLS.get(name)
        if blocking is not None and not awaited:
            self._add("blocking", name, call, blocking.what, blocking.alternative)
        elif name in known.NONDETERMINISTIC_CALLS or _in(
            name, known.NONDETERMINISTIC_MODULES
        ):
            alternative = known.NONDETERMINISTIC_CALLS.get(name, known.REPLAY_RANDOM)
            self._add("nondeterministic", name, call, "", alternative)
        elif name in known.LOOP_RUNNERS:
            self._add("loop_runner", name, call)
        elif _in(name, known.CPU_MODULES) or (loops and _in(name, known.CPU_IN_LOOPS)):
            self._add("cpu", name, call)
        elif name in known.FILE_CALLS:
            self._add("file", name, call)
        elif awaited:
            self._add("async_io", f"{awaited} {name}", call)

    def _method(self, callee: Binding, call: ast.Call, awaited: str) -> None:
        type_, method = callee.module, callee.name
        shown = f"{_text(call.func)}"
        if type_ == "event-loop" and method in known.LOOP_RUN_METHODS:
            self._add("loop_runner", shown, call)
            return
        blocking = known.OBJECT_BLOCKING.get(type_)
        if type_ == "azure-sync":
            io = not method.endswith(known.AZURE_CLIENT_FACTORY_SUFFIXES) and (
                method not in known.AZURE_NO_IO_METHODS
            )
        else:
            io = (
                method in known.OBJECT_METHODS.get(type_, (frozenset(), frozenset()))[0]
            )
        if io and blocking is not None and not awaited:
            self._add("blocking", shown, call, blocking.what, blocking.alternative)
        elif awaited:
            self._add("async_io", f"{awaited} {shown}", call)

    def _helper(self, callee: Binding, call: ast.Call) -> None:
        found = self.reader.function_node(callee)
        if found is None:
            return
        module, node = found
        via = f"{module.display}:{node.lineno} {callee.name}"
        for e in self.walker.evidence(module, node, callee.name, self.depth + 1):
            self.found.append(
                Evidence(
                    e.kind,
                    e.call,
                    e.file,
                    e.line,
                    e.col,
                    (via, *e.via),
                    e.what,
                    e.alternative,
                )
            )

    def _add(
        self,
        kind: str,
        call: str,
        node: ast.expr | ast.stmt,
        what: str = "",
        alternative: str = "",
    ) -> None:
        self.found.append(
            Evidence(
                kind,  # type: ignore[arg-type]
                call,
                self.module.display,
                node.lineno,
                node.col_offset + 1,
                (),
                what,
                alternative,
            )
        )

    def _cpu_loop(self, node: ast.For) -> bool:
        """`for ... in range(...)` whose body computes and neither awaits nor calls
        anything recognised as I/O."""
        if not (
            isinstance(node.iter, ast.Call)
            and isinstance(node.iter.func, ast.Name)
            and node.iter.func.id == "range"
        ):
            return False
        arithmetic = False
        for child in ast.walk(ast.Module(body=node.body, type_ignores=[])):
            if isinstance(child, ast.Await | ast.AsyncFor | ast.AsyncWith):
                return False
            if isinstance(child, ast.AugAssign | ast.BinOp) and isinstance(
                child.op, _ARITHMETIC
            ):
                arithmetic = True
            if isinstance(child, ast.Call) and self._io_call(child):
                return False
        return arithmetic

    def _io_call(self, call: ast.Call) -> bool:
        callee = self._resolve(call.func)
        if callee is None:
            return False
        if callee.kind == "q":
            return (
                callee.name in known.BLOCKING_CALLS or callee.name in known.FILE_CALLS
            )
        return callee.kind == "method" and callee.module in known.OBJECT_BLOCKING


def _in(name: str, modules: tuple[str, ...]) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


def _durable_role(node: FunctionNode) -> str:
    """orchestration, activity or entity, from the def's Durable trigger decorator."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in known.DURABLE_ROLES:
            return known.DURABLE_ROLES[target.attr]
    return ""


def _awaits(node: FunctionNode) -> bool:
    stack: list[ast.AST] = list(node.body)
    while stack:
        child = stack.pop()
        if isinstance(child, ast.Await | ast.AsyncFor | ast.AsyncWith):
            return True
        if isinstance(child, _NESTED):
            continue
        stack.extend(ast.iter_child_nodes(child))
    return False


def _owning_class(module: Module, node: FunctionNode) -> str | None:
    for cls in module.classes.values():
        if node in cls.body:
            return cls.name
    return None


def _text(expr: ast.expr) -> str:
    try:
        text = ast.unparse(expr)
    except (ValueError, RecursionError):  # pragma: no cover - parsed code unparses
        return "a call"
    return text if len(text) <= 60 else text[:57] + "..."
