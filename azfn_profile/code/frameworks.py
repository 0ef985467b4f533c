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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from azfn_profile.code.model import FunctionInfo
from azfn_profile.code.reader import AppReader, FunctionNode, Module, resolve_expr

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
_WRAPPERS = {
    "azure.functions.AsgiFunctionApp": "asgi",
    "azure.functions.WsgiFunctionApp": "wsgi",
}
_MIDDLEWARES = {
    "azure.functions.AsgiMiddleware": "asgi",
    "azure.functions.WsgiMiddleware": "wsgi",
}

Walk = Callable[[Module, FunctionNode, str, str], FunctionInfo]


@dataclass(frozen=True)
class _Object:
    """A framework object: the module and scope it is made in, and its name there."""

    module: Module
    name: str
    kind: str  # "app" or "router"
    framework: str
    call: ast.Call  # its constructor call
    scope: tuple[ast.stmt, ...]  # the statements that configure it


def wrapper_functions(
    reader: AppReader, module: Module, walk: Walk
) -> list[FunctionInfo]:
    """The HTTP function each AsgiFunctionApp / WsgiFunctionApp of the entry module
    registers, with the framework's routes."""
    out: list[FunctionInfo] = []
    for node in module.tree.body:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
            continue
        callee = resolve_expr(reader, module, {}, node.value.func)
        if callee is None or callee.kind != "q" or callee.name not in _WRAPPERS:
            continue
        server = _WRAPPERS[callee.name]
        name = _keyword_str(node.value, "function_name") or "http_app_func"
        target = _argument(node.value, 0, "app")
        found = _framework(reader, module, target, walk) if target else None
        framework, routes = found if found else ("", ())
        out.append(
            FunctionInfo(
                name,
                "http",
                server == "asgi",  # http_app_func: async def (ASGI), def (WSGI)
                module.display,
                node.lineno,
                node.col_offset + 1,
                awaits=server == "asgi",
                evidence=tuple(e for r in routes for e in r.evidence),
                framework=framework,
                server=server,
                routes=routes,
            )
        )
    return out


def with_middleware_routes(
    reader: AppReader,
    module: Module,
    node: FunctionNode,
    info: FunctionInfo,
    walk: Walk,
) -> FunctionInfo:
    """A registered function that hands its request to `func.AsgiMiddleware(app)`
    or `func.WsgiMiddleware(app)`: the framework's routes, as its own."""
    for call in _calls(node):
        middleware = _middleware_of(reader, module, call.func)
        if middleware is None:
            continue
        server, target = middleware
        found = _framework(reader, module, target, walk) if target else None
        if found is None:
            continue
        framework, routes = found
        return replace(
            info,
            evidence=info.evidence + tuple(e for r in routes for e in r.evidence),
            framework=framework,
            server=server,
            routes=routes,
        )
    return info


def _middleware_of(
    reader: AppReader, module: Module, func: ast.expr
) -> tuple[str, ast.expr | None] | None:
    """`func.AsgiMiddleware(app).handle_async` or `asgi.handle` (asgi a module-level
    `func.AsgiMiddleware(app)`): the server kind and the app expression."""
    if not isinstance(func, ast.Attribute) or func.attr not in (
        "handle",
        "handle_async",
    ):
        return None
    base = func.value
    if isinstance(base, ast.Name):
        made = _assigned(module.tree.body, base.id)
        base = made if made is not None else base
    if not isinstance(base, ast.Call):
        return None
    callee = resolve_expr(reader, module, {}, base.func)
    if callee is None or callee.kind != "q" or callee.name not in _MIDDLEWARES:
        return None
    return _MIDDLEWARES[callee.name], _argument(base, 0, "app")


# -- finding the framework's application ----------------------------------------------


def _framework(
    reader: AppReader, module: Module, expr: ast.expr, walk: Walk
) -> tuple[str, tuple[FunctionInfo, ...]] | None:
    app = _locate(reader, module, module.tree.body, expr, 0)
    if app is None or app.kind != "app":
        return None
    seen: set[tuple[str, str]] = set()
    routes = list(_routes(reader, app, "", walk, seen, 0))
    if app.framework == "django":
        routes = list(_django(reader, walk))
    return app.framework, tuple(routes)


def _locate(
    reader: AppReader,
    module: Module,
    scope: Sequence[ast.stmt],
    expr: ast.expr,
    hops: int,
) -> _Object | None:
    """The framework object `expr` names: a variable of this scope or module, one
    imported from an app module, an attribute of an app module, or what an app
    factory (`create_app()`) returns."""
    if hops > MAX_HOPS:
        return None
    if isinstance(expr, ast.Name):
        made = _assigned(scope, expr.id)
        if made is None and scope is not module.tree.body:
            made = _assigned(module.tree.body, expr.id)
        if made is not None:
            return _made(reader, module, scope, expr.id, made, hops)
        ref = module.names.get(expr.id)
        if ref is not None and ref.kind == "from":
            target = reader.load(ref.module)
            if target is not None:
                name = ast.Name(ref.name, ast.Load())
                return _locate(reader, target, target.tree.body, name, hops + 1)
        return None
    if isinstance(expr, ast.Attribute) and expr.attr in _APP_ATTRIBUTES:
        # `flask_app.wsgi_app`: the framework's own entry point.
        return _locate(reader, module, scope, expr.value, hops + 1)
    if isinstance(expr, ast.Attribute):
        base = resolve_expr(reader, module, {}, expr.value)
        if base is not None and base.kind == "mod":
            target = reader.load(base.name)
            if target is not None:
                name = ast.Name(expr.attr, ast.Load())
                return _locate(reader, target, target.tree.body, name, hops + 1)
        return None
    if isinstance(expr, ast.Call):
        return _made(reader, module, scope, "", expr, hops)
    return None


def _made(
    reader: AppReader,
    module: Module,
    scope: Sequence[ast.stmt],
    name: str,
    value: ast.expr,
    hops: int,
) -> _Object | None:
    """What `name = value` makes: a framework object, or the object an app factory
    of the app returns (its statements are then the object's scope)."""
    if not isinstance(value, ast.Call):
        return _locate(reader, module, scope, value, hops + 1)
    callee = resolve_expr(reader, module, {}, value.func)
    if callee is None:
        return None
    if callee.kind == "q" and callee.name in APPS:
        return _Object(module, name, "app", APPS[callee.name], value, tuple(scope))
    if callee.kind == "q" and callee.name in ROUTERS:
        return _Object(
            module, name, "router", ROUTERS[callee.name], value, tuple(scope)
        )
    if callee.kind == "fn":
        found = reader.function_node(callee)
        if found is None:
            return None
        factory_module, factory = found
        for stmt in factory.body:
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                return _locate(
                    reader, factory_module, factory.body, stmt.value, hops + 1
                )
    return None


def _assigned(scope: Sequence[ast.stmt], name: str) -> ast.expr | None:
    """The value last assigned to `name` in these statements (and the bodies of their
    `if`/`try` blocks)."""
    found: ast.expr | None = None
    for stmt in _flat(scope):
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
        ) or (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == name
            and stmt.value is not None
        ):
            found = stmt.value
    return found


def _flat(scope: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in scope:
        yield stmt
        if isinstance(stmt, ast.If | ast.Try):
            bodies = [stmt.body, stmt.orelse]
            if isinstance(stmt, ast.Try):
                bodies += [h.body for h in stmt.handlers] + [stmt.finalbody]
            for body in bodies:
                yield from _flat(body)


# -- its routes --------------------------------------------------------------------------


def _routes(
    reader: AppReader,
    obj: _Object,
    prefix: str,
    walk: Walk,
    seen: set[tuple[str, str]],
    hops: int,
) -> Iterator[FunctionInfo]:
    key = (obj.module.name, f"{obj.call.lineno}:{obj.call.col_offset}")
    if key in seen or hops > MAX_HOPS:
        return
    seen.add(key)
    base = prefix + (_keyword_str(obj.call, "prefix") or "")
    if obj.name:
        yield from _decorated(obj, base, walk)
    if obj.framework == "starlette":
        listed = _argument(obj.call, 0, "routes")
        yield from _starlette(reader, obj.module, listed, base, walk, hops)
    for call in _configuring(obj):
        include = isinstance(call.func, ast.Attribute) and (
            call.func.attr == "include_router"
        )
        target = _argument(call, 0, "router" if include else "blueprint")
        if target is None:
            continue
        child = _locate(reader, obj.module, obj.scope, target, hops + 1)
        if child is None or child.kind != "router":
            continue
        extra = _keyword_str(call, "prefix") or _keyword_str(call, "url_prefix") or ""
        yield from _routes(reader, child, base + extra, walk, seen, hops + 1)


def _configuring(obj: _Object) -> Iterator[ast.Call]:
    """`<obj>.include_router(...)` / `<obj>.register_blueprint(...)` in its scope."""
    if not obj.name:
        return
    for stmt in _flat(obj.scope):
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            if (
                isinstance(call.func, ast.Attribute)
                and call.func.attr in _INCLUDES
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == obj.name
            ):
                yield call


def _decorated(obj: _Object, prefix: str, walk: Walk) -> Iterator[FunctionInfo]:
    """Functions decorated `@<obj>.get("/path")` (and the other route decorators)
    in its module, or in the factory that makes it."""
    module = obj.module
    bodies = [module.tree.body]
    if tuple(module.tree.body) != obj.scope:
        bodies.insert(0, list(obj.scope))
    for body in bodies:
        for node in body:
            if not isinstance(node, FunctionNode):
                continue
            for decorator in node.decorator_list:
                label = _route_label(decorator, obj.name, prefix)
                if label is not None:
                    info = walk(module, node, "http", node.name)
                    yield replace(info, route=label, framework=obj.framework)
                    break


def _route_label(decorator: ast.expr, owner: str, prefix: str) -> str | None:
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call else decorator
    if not (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == owner
        and target.attr in _ROUTE_DECORATORS
    ):
        return None
    path = _argument_str(call, 0, "path") or _argument_str(call, 0, "rule") or ""
    if target.attr in _METHODS:
        methods = [target.attr.upper()]
    elif target.attr == "websocket":
        methods = ["WEBSOCKET"]
    else:
        methods = _methods(call) or ["GET"]
    return f"{','.join(methods)} {prefix}{path}"


def _methods(call: ast.Call | None) -> list[str]:
    for kw in call.keywords if call else ():
        if kw.arg == "methods" and isinstance(kw.value, ast.List | ast.Tuple | ast.Set):
            return [
                str(e.value).upper()
                for e in kw.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return []


def _starlette(
    reader: AppReader,
    module: Module,
    listed: ast.expr | None,
    prefix: str,
    walk: Walk,
    hops: int,
) -> Iterator[FunctionInfo]:
    """`Starlette(routes=[Route("/", endpoint), Mount("/api", routes=[...])])`."""
    if isinstance(listed, ast.Name):
        listed = _assigned(module.tree.body, listed.id)
    if not isinstance(listed, ast.List | ast.Tuple) or hops > MAX_HOPS:
        return
    for element in listed.elts:
        if not isinstance(element, ast.Call):
            continue
        callee = resolve_expr(reader, module, {}, element.func)
        if callee is None or callee.kind != "q" or callee.name not in _STARLETTE_ROUTES:
            continue
        path = _argument_str(element, 0, "path") or ""
        if callee.name.endswith("Mount"):
            inner = _argument(element, 1, "routes")
            yield from _starlette(reader, module, inner, prefix + path, walk, hops + 1)
            continue
        endpoint = _argument(element, 1, "endpoint")
        info = _endpoint(reader, module, endpoint, walk)
        if info is not None:
            methods = _methods(element) or ["GET"]
            label = f"{','.join(methods)} {prefix}{path}"
            yield replace(info, route=label, framework="starlette")


def _endpoint(
    reader: AppReader, module: Module, expr: ast.expr | None, walk: Walk
) -> FunctionInfo | None:
    if expr is None:
        return None
    ref = resolve_expr(reader, module, {}, expr)
    if ref is None or ref.kind != "fn":
        return None
    found = reader.function_node(ref)
    if found is None:
        return None
    owner, node = found
    return walk(owner, node, "http", node.name)


def _django(reader: AppReader, walk: Walk) -> Iterator[FunctionInfo]:
    """Views in the app's URLconf: `urlpatterns` of the settings' ROOT_URLCONF, or
    of any `urls` module the app folder holds, through `include()`."""
    found = _url_modules(reader)
    included = {target for dotted in found for target in _includes(reader, dotted)}
    # The URLconfs no other includes first (the project's), then any left.
    ordered = [d for d in found if d not in included] + [
        d for d in found if d in included
    ]
    seen: set[str] = set()
    for dotted in ordered:
        yield from _urlconf(reader, dotted, "", walk, seen, 0)


def _includes(reader: AppReader, dotted: str) -> list[str]:
    module = reader.load(dotted)
    if module is None:
        return []
    out: list[str] = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            callee = resolve_expr(reader, module, {}, node.func)
            target = _argument_str(node, 0, "arg")
            if callee is not None and callee.name == _DJANGO_INCLUDE and target:
                out.append(target)
    return out


def _url_modules(reader: AppReader) -> list[str]:
    found: list[str] = []
    for path in sorted(reader.root.rglob("urls.py"))[:20]:
        parts = path.relative_to(reader.root).with_suffix("").parts
        if all(p.isidentifier() for p in parts):
            found.append(".".join(parts))
    return found


def _urlconf(
    reader: AppReader,
    dotted: str,
    prefix: str,
    walk: Walk,
    seen: set[str],
    hops: int,
) -> Iterator[FunctionInfo]:
    if dotted in seen or hops > MAX_HOPS:
        return
    seen.add(dotted)
    module = reader.load(dotted)
    if module is None:
        return
    patterns = _assigned(module.tree.body, "urlpatterns")
    if not isinstance(patterns, ast.List | ast.Tuple):
        return
    for element in patterns.elts:
        if not isinstance(element, ast.Call):
            continue
        callee = resolve_expr(reader, module, {}, element.func)
        if callee is None or callee.kind != "q" or callee.name not in _DJANGO_PATHS:
            continue
        path = _argument_str(element, 0, "route") or ""
        view = _argument(element, 1, "view")
        if isinstance(view, ast.Call):
            inner = resolve_expr(reader, module, {}, view.func)
            if (
                inner is not None
                and inner.kind == "q"
                and inner.name == _DJANGO_INCLUDE
            ):
                target = _argument_str(view, 0, "arg")
                if target:
                    yield from _urlconf(
                        reader, target, prefix + path, walk, seen, hops + 1
                    )
            continue
        info = _endpoint(reader, module, view, walk)
        if info is not None:
            yield replace(info, route=f"ANY /{prefix}{path}", framework="django")


# -- small readers ---------------------------------------------------------------------------


def _calls(node: FunctionNode) -> Iterator[ast.Call]:
    stack: list[ast.AST] = list(node.body)
    while stack:
        child = stack.pop()
        if isinstance(child, ast.Call):
            yield child
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        stack.extend(ast.iter_child_nodes(child))


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return None


def _argument_str(call: ast.Call | None, index: int, keyword: str) -> str | None:
    value = _argument(call, index, keyword) if call is not None else None
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


def _keyword_str(call: ast.Call, keyword: str) -> str | None:
    for kw in call.keywords:
        if (
            kw.arg == keyword
            and isinstance(kw.value, ast.Constant)
            and isinstance(kw.value.value, str)
        ):
            return kw.value.value
    return None
