"""Web frameworks served through one HTTP function: their routes, read statically.

`func.AsgiFunctionApp(app=...)` and `func.WsgiFunctionApp(app=...)` register one
HTTP function (`http_app_func`, or `function_name=`) that hands every request to the
framework; so does a registered function that calls `func.AsgiMiddleware(app)
.handle_async(...)` / `.handle(...)` or `func.WsgiMiddleware(app).handle(...)`. The
framework's own routes are the code that runs: FastAPI and Starlette (`@app.get`,
`APIRouter` + `include_router`, `Route(...)` lists), Quart and Flask (`@app.route`,
`Blueprint` + `register_blueprint`, app factories), and Django's URLconf
(`urlpatterns` with `path()`/`re_path()` and `include()`).

How the worker runs them (cite.ASGI_FUNCTION_APP): AsgiFunctionApp's function is
`async def` and awaits the framework on the worker's event loop, so an `async def`
route runs on that loop; a `def` route runs where the framework sends it (FastAPI
and Starlette: anyio's worker threads, 40 at once by default, cite.ANYIO_THREADS;
Quart: the loop's default executor, cite.QUART_SYNC; Django: asgiref's threads).
WsgiFunctionApp's function is a `def`, run on the worker's thread pool like any
sync function; the framework's view runs on that thread.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from azfn_profile.code.model import FunctionInfo, Unread
from azfn_profile.code.reader import (
    AppReader,
    Binding,
    FunctionNode,
    Module,
    import_bindings,
    resolve_expr,
)
from azfn_profile.errors import Problem
from azfn_profile.sink import escape_controls, one_line

MAX_HOPS = 40  # imports, includes and factories followed to find one object

# Constructors of a framework's application, and of its route containers.
APPS: dict[str, str] = {
    "fastapi.FastAPI": "fastapi",
    "fastapi.applications.FastAPI": "fastapi",
    "starlette.applications.Starlette": "starlette",
    "quart.Quart": "quart",
    "flask.Flask": "flask",
    "django.core.asgi.get_asgi_application": "django",
    "django.core.wsgi.get_wsgi_application": "django",
}
ROUTERS: dict[str, str] = {
    "fastapi.APIRouter": "fastapi",
    "fastapi.routing.APIRouter": "fastapi",
    "starlette.routing.Router": "starlette",
    "flask.Blueprint": "flask",
    "quart.Blueprint": "quart",
}
_METHODS = ("get", "post", "put", "delete", "patch", "options", "head", "trace")
_ROUTE_DECORATORS = frozenset({*_METHODS, "route", "api_route", "websocket"})
# `flask_app.wsgi_app` / `quart_app.asgi_app`: the application object's own entry.
_APP_ATTRIBUTES = frozenset({"wsgi_app", "asgi_app"})
_INCLUDES = frozenset({"include_router", "register_blueprint"})
_STARLETTE_ROUTES = frozenset({"starlette.routing.Route", "starlette.routing.Mount"})
_DJANGO_PATHS = frozenset(
    {"django.urls.path", "django.urls.re_path", "django.conf.urls.url"}
)
_DJANGO_INCLUDE = "django.urls.include"
_DJANGO_SETTINGS = "DJANGO_SETTINGS_MODULE"
_WRAPPERS = {
    "azure.functions.AsgiFunctionApp": "asgi",
    "azure.functions.WsgiFunctionApp": "wsgi",
    "azure.functions.decorators.function_app.AsgiFunctionApp": "asgi",
    "azure.functions.decorators.function_app.WsgiFunctionApp": "wsgi",
}
_MIDDLEWARES = {
    "azure.functions.AsgiMiddleware": "asgi",
    "azure.functions.WsgiMiddleware": "wsgi",
    "azure.functions._http_asgi.AsgiMiddleware": "asgi",
    "azure.functions._http_wsgi.WsgiMiddleware": "wsgi",
}
# A Django class-based view: `View.as_view()` dispatches to its method per verb.
_VIEW_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


class Walker(Protocol):
    """The analyser's walker: what a function does, and the app's one step budget
    (it raises when the app is too large to read in full)."""

    def function(
        self,
        module: Module,
        node: FunctionNode,
        trigger: str,
        name: str,
        qualname: str = "",
    ) -> FunctionInfo: ...

    def tick(self) -> None: ...


@dataclass(frozen=True)
class _Object:
    """A framework object: the module and scope it is made in, and its name there."""

    module: Module
    name: str
    kind: str  # "app" or "router"
    framework: str
    call: ast.Call  # its constructor call
    scope: tuple[ast.stmt, ...]  # the statements that configure it


@dataclass
class Frameworks:
    """The web frameworks of one app and their routes. Every statement it visits
    is a step of the app's budget, and each scope is indexed once (its assignments and its
    decorated functions by owner), so a module of n statements costs O(n) however
    many objects, includes and routes it declares."""

    reader: AppReader
    walker: Walker
    _assigned: dict[int, dict[str, list[tuple[int, ast.expr]]]] = field(
        default_factory=dict
    )
    _decorated: dict[int, dict[str, list[tuple[FunctionNode, ast.expr]]]] = field(
        default_factory=dict
    )
    _calls: dict[int, dict[str, list[ast.Call]]] = field(default_factory=dict)
    _imports: dict[int, dict[str, Binding]] = field(default_factory=dict)
    _lists: set[int] = field(default_factory=set)  # Starlette route lists read

    # -- the functions that serve a framework --------------------------------------
    def wrapper_functions(self, module: Module) -> list[FunctionInfo]:
        """The HTTP function each AsgiFunctionApp / WsgiFunctionApp of the entry
        module registers, with the framework's routes."""
        out: list[FunctionInfo] = []
        for node in self.flat(module.tree.body):  # `try:`/`if` blocks too
            if not isinstance(node, ast.Assign | ast.AnnAssign) or not isinstance(
                node.value, ast.Call
            ):
                continue
            callee = resolve_expr(self.reader, module, {}, node.value.func)
            if callee is None or callee.kind != "q" or callee.name not in _WRAPPERS:
                continue
            server = _WRAPPERS[callee.name]
            name = _keyword_str(node.value, "function_name") or "http_app_func"
            info = FunctionInfo(
                name,
                "http",
                server == "asgi",  # http_app_func: async def (ASGI), def (WSGI)
                module.display,
                node.lineno,
                node.col_offset + 1,
                awaits=server == "asgi",
            )
            target = _argument(node.value, 0, "app")
            # `app = Flask(...)` ... `app = func.WsgiFunctionApp(app=app.wsgi_app)`:
            # the name means what it was before this statement.
            found = (
                self.framework(module, target, node.lineno, name) if target else None
            )
            out.append(_serving(info, server, found))
        return out

    def with_middleware_routes(
        self, module: Module, node: FunctionNode, info: FunctionInfo
    ) -> FunctionInfo:
        """A registered function that hands its request to `func.AsgiMiddleware(app)`
        or `func.WsgiMiddleware(app)`: the framework's routes, as its own."""
        for call in self.calls(node):
            middleware = self.middleware_of(module, call.func)
            if middleware is None:
                continue
            server, target = middleware
            found = (
                self.framework(module, target, None, info.name, node.body)
                if target
                else None
            )
            if found is not None:
                return _serving(info, server, found)
        return info

    # -- the application ------------------------------------------------------------
    def framework(
        self,
        module: Module,
        expr: ast.expr,
        before: int | None,
        function: str,
        scope: Sequence[ast.stmt] | None = None,
    ) -> tuple[str, tuple[FunctionInfo, ...]] | None:
        """The framework `expr` names and its routes; what cannot be followed is
        noted in the reader's `unread`, never dropped in silence."""
        self._lists.clear()  # each function's routes are read whole
        app = self.locate(module, scope or module.tree.body, expr, 0, before)
        if app is None or app.kind != "app":
            self.unread(
                module,
                expr,
                f"the routes {function} serves",
                f"`{_text(expr)}` is not a web application the reader can follow "
                "(made at run time, or by a framework it does not know)",
            )
            return None
        found = (
            self.django(app.module)
            if app.framework == "django"
            else self.routes(app, "", set(), 0)
        )
        # A def served at several paths is one piece of code: judged once, under
        # the first path it is found at.
        first: dict[tuple[str, int], FunctionInfo] = {}
        for route in found:
            first.setdefault((route.file, route.line), route)
        routes = tuple(first.values())
        if not routes:
            self.unread(
                app.module,
                app.call,
                f"the {app.framework} routes {function} serves",
                "no route is declared where the reader can see it (routes added at "
                "run time, or through a helper)",
            )
        return app.framework, routes

    def unread(self, module: Module, node: ast.AST, what: str, reason: str) -> None:
        line = getattr(node, "lineno", None)
        self.reader.unread.append(Unread(module.display, line, what, reason))

    def middleware_of(
        self, module: Module, func: ast.expr
    ) -> tuple[str, ast.expr | None] | None:
        """`func.AsgiMiddleware(app).handle_async` or `asgi.handle` (asgi a
        module-level `func.AsgiMiddleware(app)`): the server and the app."""
        if not isinstance(func, ast.Attribute) or func.attr not in (
            "handle",
            "handle_async",
        ):
            return None
        base = func.value
        if isinstance(base, ast.Name):
            made = self.assigned(module.tree.body, base.id)
            base = made if made is not None else base
        if not isinstance(base, ast.Call):
            return None
        callee = resolve_expr(self.reader, module, {}, base.func)
        if callee is None or callee.kind != "q" or callee.name not in _MIDDLEWARES:
            return None
        return _MIDDLEWARES[callee.name], _argument(base, 0, "app")

    def locate(
        self,
        module: Module,
        scope: Sequence[ast.stmt],
        expr: ast.expr,
        hops: int,
        before: int | None = None,
    ) -> _Object | None:
        """The framework object `expr` names: a variable of this scope or module
        (as assigned before line `before`, when given), one imported from an app
        module (at the top or inside the function), an attribute of an app module,
        or what an app factory (`create_app()`) returns."""
        self.walker.tick()
        if hops > MAX_HOPS:
            self.too_far(module, expr)
            return None
        local = self.local_imports(module, scope)
        if isinstance(expr, ast.Name):
            made = self.assigned(scope, expr.id, before)
            if made is None and _key(scope) != _key(module.tree.body):
                made = self.assigned(module.tree.body, expr.id, before)
            if made is not None:
                return self.made(module, scope, expr.id, made, hops)
            ref = local.get(expr.id) or module.names.get(expr.id)
            if ref is not None and ref.kind == "from":
                target = self.reader.load(ref.module)
                if target is not None:
                    name = ast.Name(ref.name, ast.Load())
                    return self.locate(target, target.tree.body, name, hops + 1)
            return None
        if isinstance(expr, ast.Attribute) and expr.attr in _APP_ATTRIBUTES:
            # `flask_app.wsgi_app`: the framework's own entry point.
            return self.locate(module, scope, expr.value, hops + 1, before)
        if isinstance(expr, ast.Attribute):
            base = resolve_expr(self.reader, module, local, expr.value)
            if base is not None and base.kind == "mod":
                target = self.reader.load(base.name)
                if target is not None:
                    name = ast.Name(expr.attr, ast.Load())
                    return self.locate(target, target.tree.body, name, hops + 1)
            return None
        if isinstance(expr, ast.Call):
            return self.made(module, scope, "", expr, hops)
        return None

    def made(
        self,
        module: Module,
        scope: Sequence[ast.stmt],
        name: str,
        value: ast.expr,
        hops: int,
    ) -> _Object | None:
        """What `name = value` makes: a framework object, or the object an app
        factory of the app returns (its statements are then the object's scope)."""
        if not isinstance(value, ast.Call):
            return self.locate(module, scope, value, hops + 1)
        callee = resolve_expr(self.reader, module, {}, value.func)
        if callee is None:
            return None
        for table, kind in ((APPS, "app"), (ROUTERS, "router")):
            if callee.kind == "q" and callee.name in table:
                return _Object(
                    module, name, kind, table[callee.name], value, tuple(scope)
                )
        if callee.kind == "fn":
            found = self.reader.function_node(callee)
            if found is None:
                return None
            factory_module, factory = found
            for stmt in factory.body:
                if isinstance(stmt, ast.Return) and stmt.value is not None:
                    return self.locate(
                        factory_module, factory.body, stmt.value, hops + 1
                    )
        return None

    # -- scope indexes ----------------------------------------------------------------
    def assigned(
        self, scope: Sequence[ast.stmt], name: str, before: int | None = None
    ) -> ast.expr | None:
        """The value last assigned to `name` in these statements (and the bodies of
        their `if`/`try` blocks), or the last one before line `before`."""
        key = _key(scope)
        if key not in self._assigned:
            index: dict[str, list[tuple[int, ast.expr]]] = {}
            for stmt in self.flat(scope):
                if isinstance(stmt, ast.Assign):
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            index.setdefault(target.id, []).append(
                                (stmt.lineno, stmt.value)
                            )
                elif (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and stmt.value is not None
                ):
                    index.setdefault(stmt.target.id, []).append(
                        (stmt.lineno, stmt.value)
                    )
            self._assigned[key] = index
        values = self._assigned[key].get(name, [])
        if before is not None:
            values = [v for v in values if v[0] < before]
        return values[-1][1] if values else None

    def local_imports(
        self, module: Module, scope: Sequence[ast.stmt]
    ) -> dict[str, Binding]:
        """Names a function body binds by importing (`from web import api`)."""
        if _key(scope) == _key(module.tree.body):
            return {}
        key = _key(scope)
        if key not in self._imports:
            found: dict[str, Binding] = {}
            package = self.reader.package_of(module)
            for stmt in self.flat(scope):
                if isinstance(stmt, ast.Import | ast.ImportFrom):
                    found.update(import_bindings(self.reader, module, package, stmt))
            self._imports[key] = found
        return self._imports[key]

    def flat(self, scope: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
        stack = list(reversed(scope))
        while stack:
            stmt = stack.pop()
            self.walker.tick()
            yield stmt
            if isinstance(stmt, ast.If | ast.Try):
                bodies = [stmt.body, stmt.orelse]
                if isinstance(stmt, ast.Try):
                    bodies += [h.body for h in stmt.handlers] + [stmt.finalbody]
                for body in reversed(bodies):
                    stack.extend(reversed(body))

    def configuring(self, obj: _Object) -> list[ast.Call]:
        """`<obj>.include_router(...)` / `<obj>.register_blueprint(...)` in its
        scope."""
        key = _key(obj.scope)
        if key not in self._calls:
            index: dict[str, list[ast.Call]] = {}
            for stmt in self.flat(obj.scope):
                if not (
                    isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                ):
                    continue
                func = stmt.value.func
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr in _INCLUDES
                    and isinstance(func.value, ast.Name)
                ):
                    index.setdefault(func.value.id, []).append(stmt.value)
            self._calls[key] = index
        return self._calls[key].get(obj.name, []) if obj.name else []

    def decorated(
        self, body: Sequence[ast.stmt]
    ) -> dict[str, list[tuple[FunctionNode, ast.expr]]]:
        """The functions of a body by the object decorating them (`@api.get`)."""
        key = _key(body)
        if key not in self._decorated:
            index: dict[str, list[tuple[FunctionNode, ast.expr]]] = {}
            for node in body:
                self.walker.tick()
                if not isinstance(node, FunctionNode):
                    continue
                for decorator in node.decorator_list:
                    owner = _route_owner(decorator)
                    if owner is not None:
                        index.setdefault(owner, []).append((node, decorator))
                        break
            self._decorated[key] = index
        return self._decorated[key]

    # -- routes -------------------------------------------------------------------------
    def routes(
        self,
        obj: _Object,
        prefix: str,
        seen: set[tuple[str, int, int]],
        hops: int,
    ) -> Iterator[FunctionInfo]:
        key = (obj.module.name, obj.call.lineno, obj.call.col_offset)
        if hops > MAX_HOPS:
            self.too_far(obj.module, obj.call)
        if key in seen or hops > MAX_HOPS:
            return
        seen.add(key)
        own = _keyword_str(obj.call, "prefix") or _keyword_str(obj.call, "url_prefix")
        base = prefix + (own or "")
        if obj.name:
            bodies = [obj.module.tree.body]
            if _key(obj.scope) != _key(obj.module.tree.body):
                bodies.insert(0, list(obj.scope))  # an app factory's own body
            for body in bodies:
                for node, decorator in self.decorated(body).get(obj.name, []):
                    info = self.walker.function(
                        obj.module,
                        node,
                        "http",
                        node.name,
                        f"{node.name}@{node.lineno}",
                    )
                    label = _route_label(self.constant(obj.module, decorator), base)
                    yield replace(info, route=label, framework=obj.framework)
            yield from self.elsewhere(obj, base)
        if obj.framework == "starlette":
            listed = _argument(obj.call, 0, "routes")
            yield from self.starlette(obj.module, listed, base, hops)
        for call in self.configuring(obj):
            include = isinstance(call.func, ast.Attribute) and (
                call.func.attr == "include_router"
            )
            target = _argument(call, 0, "router" if include else "blueprint")
            if target is None:
                continue
            child = self.locate(obj.module, obj.scope, target, hops + 1)
            if child is None or child.kind != "router":
                continue
            extra = _keyword_str(call, "prefix") or _keyword_str(call, "url_prefix")
            yield from self.routes(child, base + (extra or ""), seen, hops + 1)

    def constant(self, module: Module, decorator: ast.expr) -> ast.expr:
        """The decorator with `methods=NAME` replaced by the list NAME holds at the
        module's top level (`METHODS = ["PUT"]`)."""
        if not isinstance(decorator, ast.Call):
            return decorator
        keywords = []
        for kw in decorator.keywords:
            value = kw.value
            if kw.arg == "methods" and isinstance(value, ast.Name):
                value = self.assigned(module.tree.body, value.id) or value
            keywords.append(ast.keyword(kw.arg, value))
        return ast.Call(decorator.func, decorator.args, keywords)

    def elsewhere(self, obj: _Object, prefix: str) -> Iterator[FunctionInfo]:
        """Routes decorated in other modules that import the object (`bp` made in a
        package, `@bp.route` in its `routes.py`): the app's modules loaded so far
        and the package's own submodules it imports."""
        if _key(obj.scope) != _key(obj.module.tree.body):
            return  # an object made inside a factory has no importable name
        for name, ref in list(obj.module.names.items()):
            if ref.kind == "from" and self.reader.module_path(f"{ref.module}.{name}"):
                self.reader.load(f"{ref.module}.{name}")
            elif ref.kind == "mod":
                self.reader.load(ref.name)
        for other in list(self.reader.modules.values()):
            self.walker.tick()
            if other is None or other is obj.module:
                continue
            for owner, entries in self.decorated(other.tree.body).items():
                imported = other.names.get(owner)
                if not (
                    imported is not None
                    and imported.kind == "from"
                    and imported.module == obj.module.name
                    and imported.name == obj.name
                ):
                    continue
                for node, decorator in entries:
                    info = self.walker.function(
                        other, node, "http", node.name, f"{node.name}@{node.lineno}"
                    )
                    label = _route_label(self.constant(other, decorator), prefix)
                    yield replace(info, route=label, framework=obj.framework)

    def starlette(
        self, module: Module, listed: ast.expr | None, prefix: str, hops: int
    ) -> Iterator[FunctionInfo]:
        """`Starlette(routes=[Route("/", endpoint), Mount("/api", routes=[...])])`."""
        if isinstance(listed, ast.Name):
            listed = self.assigned(module.tree.body, listed.id)
        if not isinstance(listed, ast.List | ast.Tuple) or id(listed) in self._lists:
            return  # a list mounted twice is read once, at its first path
        self._lists.add(id(listed))
        if hops > MAX_HOPS:
            self.too_far(module, listed)
            return
        for element in listed.elts:
            self.walker.tick()
            if not isinstance(element, ast.Call):
                continue
            callee = resolve_expr(self.reader, module, {}, element.func)
            if callee is None or callee.name not in _STARLETTE_ROUTES:
                continue
            path = _argument_str(element, 0, "path") or ""
            if callee.name.endswith("Mount"):
                inner = _argument(element, 1, "routes")
                yield from self.starlette(module, inner, prefix + path, hops + 1)
                continue
            info = self.endpoint(module, _argument(element, 1, "endpoint"))
            if info is not None:
                methods = _methods(element) or ["GET"]
                label = _label(",".join(methods), prefix + path)
                yield replace(info, route=label, framework="starlette")

    def endpoint(self, module: Module, expr: ast.expr | None) -> FunctionInfo | None:
        if expr is None:
            return None
        ref = resolve_expr(self.reader, module, {}, expr)
        if ref is None or ref.kind != "fn":
            return None
        found = self.reader.function_node(ref)
        if found is None:
            return None
        owner, node = found
        return self.walker.function(owner, node, "http", node.name)

    # -- Django ---------------------------------------------------------------------------
    def django(self, module: Module) -> Iterator[FunctionInfo]:
        """Views in the project's URLconf: DJANGO_SETTINGS_MODULE as the module that
        makes the application sets it (`os.environ.setdefault(...)`), that
        settings module's ROOT_URLCONF, and the URLconfs it includes."""
        settings = None
        for stmt in self.flat(module.tree.body):
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "setdefault"
                and len(call.args) == 2
                and _string(call.args[0]) == _DJANGO_SETTINGS
            ):
                settings = _string(call.args[1])
        conf = self.reader.load(settings) if settings else None
        root = _string(self.assigned(conf.tree.body, "ROOT_URLCONF")) if conf else None
        if root:
            yield from self.urlconf(root, "", set(), 0)

    def urlconf(
        self, dotted: str, prefix: str, seen: set[str], hops: int
    ) -> Iterator[FunctionInfo]:
        if dotted in seen:
            return
        seen.add(dotted)
        if hops > MAX_HOPS:
            found = self.reader.module_path(dotted)
            shown = self.reader.display(found) if found else dotted
            message = f"URLconfs included more than {MAX_HOPS} deep; read in part"
            self.reader.problems.append(Problem(shown, message))
            return
        module = self.reader.load(dotted)
        if module is None:
            return
        for element in self.patterns(module):
            self.walker.tick()
            if not isinstance(element, ast.Call):
                continue
            callee = resolve_expr(self.reader, module, {}, element.func)
            if callee is None or callee.name not in _DJANGO_PATHS:
                continue
            path = _argument_str(element, 0, "route") or ""
            view = _argument(element, 1, "view")
            if isinstance(view, ast.Call):
                inner = resolve_expr(self.reader, module, {}, view.func)
                if inner is not None and inner.name == _DJANGO_INCLUDE:
                    target = _argument_str(view, 0, "arg")
                    if target:
                        yield from self.urlconf(target, prefix + path, seen, hops + 1)
                    continue
            yield from self.view(module, view, f"/{prefix}{path}")

    def patterns(self, module: Module) -> Iterator[ast.expr]:
        """`urlpatterns = [...] + [...]`, and `urlpatterns += [...]` after it."""
        stack = [self.assigned(module.tree.body, "urlpatterns")]
        stack += [
            stmt.value
            for stmt in self.flat(module.tree.body)
            if isinstance(stmt, ast.AugAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "urlpatterns"
        ]
        while stack:
            value = stack.pop(0)
            if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
                stack[:0] = [value.left, value.right]
            elif isinstance(value, ast.List | ast.Tuple):
                yield from value.elts

    def view(
        self, module: Module, view: ast.expr | None, path: str
    ) -> Iterator[FunctionInfo]:
        """A function view, or a class-based view's methods (`View.as_view()`)."""
        if (
            isinstance(view, ast.Call)
            and isinstance(view.func, ast.Attribute)
            and view.func.attr == "as_view"
        ):
            cls = resolve_expr(self.reader, module, {}, view.func.value)
            found = self.reader.load(cls.module) if cls and cls.kind == "cls" else None
            node = found.classes.get(cls.name) if found and cls else None
            for member in node.body if node else ():
                if isinstance(member, FunctionNode) and member.name in _VIEW_METHODS:
                    assert found is not None and cls is not None
                    qualname = f"{cls.name}.{member.name}"
                    info = self.walker.function(
                        found, member, "http", qualname, qualname
                    )
                    label = _label(member.name.upper(), path)
                    yield replace(info, route=label, framework="django")
            return
        plain = self.endpoint(module, view)
        if plain is not None:
            yield replace(plain, route=_label("ANY", path), framework="django")

    def too_far(self, module: Module, node: ast.AST) -> None:
        """Past MAX_HOPS: the rest is not read, and the app's problems say where."""
        self.reader.problems.append(
            Problem(
                module.display,
                f"the web framework's objects are chained or nested more than "
                f"{MAX_HOPS} deep here; routes beyond it are not read",
                getattr(node, "lineno", 1),
                getattr(node, "col_offset", 0) + 1,
            )
        )

    def calls(self, node: FunctionNode) -> Iterator[ast.Call]:
        stack: list[ast.AST] = list(node.body)
        while stack:
            child = stack.pop()
            self.walker.tick()
            if isinstance(child, ast.Call):
                yield child
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            stack.extend(ast.iter_child_nodes(child))


# -- small readers ---------------------------------------------------------------------------


def _serving(
    info: FunctionInfo,
    server: str,
    found: tuple[str, tuple[FunctionInfo, ...]] | None,
) -> FunctionInfo:
    """The function with the framework it serves and its routes. Under WSGI every
    view runs on its request's own thread: Flask and Django run an `async def` view
    in an event loop of that request's, never the worker's, so it is judged as the
    blocking code it is on that thread."""
    framework, routes = found if found else ("", ())
    if server == "wsgi":
        routes = tuple(replace(r, is_async=False) for r in routes)
    return replace(
        info,
        evidence=info.evidence + tuple(e for r in routes for e in r.evidence),
        framework=framework,
        server=server,
        routes=routes,
    )


def _text(expr: ast.expr) -> str:
    try:
        text = ast.unparse(expr)
    except (ValueError, RecursionError):  # pragma: no cover - parsed code unparses
        return "the app object"
    return text if len(text) <= 60 else text[:57] + "..."


def _key(scope: Sequence[ast.stmt]) -> int:
    """A scope by its first statement (a module's or a function's body)."""
    return id(scope[0]) if scope else 0


def _route_owner(decorator: ast.expr) -> str | None:
    """`api` for `@api.get(...)` and the other route decorators."""
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call else decorator
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.attr in _ROUTE_DECORATORS
    ):
        return target.value.id
    return None


def _route_label(decorator: ast.expr, prefix: str) -> str:
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call else decorator
    attr = target.attr if isinstance(target, ast.Attribute) else "route"
    path = _argument_str(call, 0, "path") or _argument_str(call, 0, "rule") or ""
    if attr in _METHODS:
        methods = [attr.upper()]
    elif attr == "websocket":
        methods = ["WEBSOCKET"]
    else:
        methods = _methods(call) or ["GET"]
    return _label(",".join(methods), prefix + path)


def _label(methods: str, path: str) -> str:
    """`GET /items/{id}`: a path from the code, shown on one line and inert (it
    names the route in every output: findings, drafts, explain's notes)."""
    return escape_controls(one_line(f"{methods} {path}"))


def _methods(call: ast.Call | None) -> list[str]:
    for kw in call.keywords if call else ():
        if kw.arg == "methods" and isinstance(kw.value, ast.List | ast.Tuple | ast.Set):
            return [
                str(e.value).upper()
                for e in kw.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return []


def _string(expr: ast.expr | None) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return None


def _argument_str(call: ast.Call | None, index: int, keyword: str) -> str | None:
    return _string(_argument(call, index, keyword)) if call is not None else None


def _keyword_str(call: ast.Call, keyword: str) -> str | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return _string(kw.value)
    return None
