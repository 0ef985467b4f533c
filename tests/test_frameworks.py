"""Web frameworks served through one HTTP function, and functions that import what
they call inside their bodies: the routes read, the findings on each route's lines,
and what `init` drafts for each fixture app (golden files: pytest --update-golden)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from azfn_profile.code.analyze import read_app
from tests.test_code import APPS, findings, invoke

GOLDEN = Path(__file__).parent / "golden_init"


def routes(app: str) -> list[tuple[str, str, bool, str, int]]:
    code = read_app(APPS / app, app)
    return [
        (f.name, r.label, r.is_async, r.file, r.line)
        for f in code.functions
        for r in f.routes
    ]


def test_fastapi_routes_through_routers_and_prefixes() -> None:
    code = read_app(APPS / "fastapi_routers", "fastapi_routers")
    (served,) = code.functions
    assert (served.name, served.trigger, served.server, served.framework) == (
        "http_app_func",
        "http",
        "asgi",
        "fastapi",
    )
    assert served.is_async  # AsgiFunctionApp registers an async def
    items = "fastapi_routers/api/routers/items.py"
    assert routes("fastapi_routers") == [
        (
            "http_app_func",
            "health (GET /health)",
            True,
            "fastapi_routers/api/main.py",
            11,
        ),
        ("http_app_func", "read_item (GET /items/{item_id})", True, items, 11),
        ("http_app_func", "create_item (POST /items/)", True, items, 17),
        ("http_app_func", "list_items (GET /items/)", False, items, 24),
        (
            "http_app_func",
            "digest (GET /reports/digest)",
            True,
            "fastapi_routers/api/routers/reports.py",
            9,
        ),
    ]


def test_fastapi_findings_sit_on_each_route_s_lines() -> None:
    """The blocking call through a helper is found where it is made; the def route
    that calls requests (imported in its body) runs on anyio's threads, not the loop,
    so it is not an event-loop finding."""
    assert findings(APPS / "fastapi_routers") == {
        ("AZFN401", "fastapi_routers/api/clients.py", 9, "fail", "read_item"),
        ("AZFN402", "fastapi_routers/api/routers/reports.py", 11, "fail", "digest"),
        ("AZFN402", "fastapi_routers/api/routers/reports.py", 12, "fail", "digest"),
        ("AZFN403", "fastapi_routers/api/main.py", 11, "fail", "health"),
        ("AZFN403", "fastapi_routers/api/routers/items.py", 11, "fail", "read_item"),
        ("AZFN403", "fastapi_routers/api/routers/reports.py", 9, "fail", "digest"),
    }


def test_starlette_routes_behind_asgi_middleware() -> None:
    code = read_app(APPS / "starlette_middleware", "starlette_middleware")
    (served,) = code.functions
    assert (served.name, served.server, served.framework) == (
        "main",
        "asgi",
        "starlette",
    )
    app = "starlette_middleware/function_app.py"
    assert routes("starlette_middleware") == [
        ("main", "homepage (GET /)", True, app, 12),
        ("main", "list_users (GET,POST /api/users)", False, app, 17),
        ("main", "user_events (GET /api/users/{id}/events)", True, app, 21),
    ]
    assert findings(APPS / "starlette_middleware") == {
        ("AZFN401", app, 13, "fail", "homepage"),
        ("AZFN403", app, 12, "fail", "homepage"),
        ("AZFN403", app, 21, "fail", "user_events"),
    }


def test_flask_blueprints_and_factory_through_wsgi() -> None:
    code = read_app(APPS / "flask_wsgi", "flask_wsgi")
    (served,) = code.functions
    assert (served.name, served.server, served.framework, served.is_async) == (
        "http_app_func",
        "wsgi",
        "flask",
        False,  # WsgiFunctionApp registers a def: the worker's thread pool
    )
    orders = "flask_wsgi/shop/orders.py"
    assert routes("flask_wsgi") == [
        ("http_app_func", "ping (GET /ping)", False, "flask_wsgi/shop/__init__.py", 11),
        ("http_app_func", "get_order (GET /orders/<int:order_id>)", False, orders, 11),
        ("http_app_func", "create_order (POST /orders/)", False, orders, 18),
    ]
    assert served.classification == "io"
    # Blocking calls in sync views run on the worker's threads: no finding.
    assert findings(APPS / "flask_wsgi") == set()


def test_imports_inside_functions_conditional_and_aliased() -> None:
    app = "imports_inside/function_app.py"
    assert findings(APPS / "imports_inside") == {
        ("AZFN401", app, 20, "fail", "lookup"),  # import requests in the body
        ("AZFN401", app, 28, "fail", "pause"),  # from time import sleep as wait
        ("AZFN401", app, 35, "fail", "legacy"),  # module-level conditional import
        ("AZFN401", app, 41, "fail", "legacy"),  # import psycopg2 as pg in a try
        ("AZFN403", app, 17, "fail", "lookup"),
        ("AZFN403", app, 25, "fail", "pause"),
        ("AZFN403", app, 33, "fail", "legacy"),
    }


def test_quart_and_django_routes(tmp_path: Path) -> None:
    quart = tmp_path / "quart_app"
    quart.mkdir()
    (quart / "function_app.py").write_text(
        "import azure.functions as func\n"
        "import requests\n"
        "from quart import Quart\n\n"
        "web = Quart(__name__)\n\n\n"
        "@web.route('/a', methods=['GET', 'POST'])\n"
        "async def a():\n"
        "    return requests.get('https://x.invalid').text\n\n\n"
        "app = func.AsgiFunctionApp(app=web.asgi_app)\n"
    )
    code = read_app(quart, "q")
    assert [(r.label, r.blocks_event_loop) for r in code.functions[0].routes] == [
        ("a (GET,POST /a)", True)
    ]
    django = tmp_path / "django_app"
    for package in ("mysite", "blog"):
        (django / package).mkdir(parents=True)
        (django / package / "__init__.py").write_text("")
    # Django's own layout: wsgi.py sets the settings module and makes the app.
    (django / "function_app.py").write_text(
        "import azure.functions as func\n\n"
        "from mysite.wsgi import application\n\n"
        "app = func.WsgiFunctionApp(app=application)\n"
    )
    (django / "mysite" / "wsgi.py").write_text(
        "import os\n\nfrom django.core.wsgi import get_wsgi_application\n\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
        "application = get_wsgi_application()\n"
    )
    (django / "mysite" / "settings.py").write_text("ROOT_URLCONF = 'mysite.urls'\n")
    (django / "mysite" / "urls.py").write_text(
        "from django.urls import include, path\n\n"
        "urlpatterns = [path('blog/', include('blog.urls'))]\n"
    )
    (django / "blog" / "urls.py").write_text(
        "from django.urls import path\n\nfrom blog import views\n\n"
        "urlpatterns = [path('<int:pk>/', views.post)]\n"
    )
    (django / "blog" / "views.py").write_text(
        "import requests\n\n\ndef post(request, pk):\n"
        "    return requests.get('https://x.invalid').text\n"
    )
    code = read_app(django, "d")
    (served,) = code.functions
    assert (served.server, served.framework) == ("wsgi", "django")
    assert [(r.label, r.file, r.line) for r in served.routes] == [
        ("post (ANY /blog/<int:pk>/)", "d/blog/views.py", 4)
    ]


FIXTURES = [
    "fastapi_routers",
    "starlette_middleware",
    "flask_wsgi",
    "imports_inside",
    "durable_fanout",
]


@pytest.mark.parametrize("app", FIXTURES)
def test_init_drafts_each_fixture_exactly(
    app: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    """Run where a user would: beside a copy of the app, paths relative."""
    shutil.copytree(APPS / app, tmp_path / app)
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(
        "init", app, "--sku", "EP2", "--python", "3.12", "-o", "profile.yaml"
    )
    assert code == 0, err
    text = (tmp_path / "profile.yaml").read_text()
    golden = GOLDEN / f"{app}.yaml"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.exists(), f"no golden file {golden}; run pytest --update-golden"
    assert text == golden.read_text()
    rendered, out, err = invoke("render", "profile.yaml", "--format", "settings")
    assert rendered == 0, err
    assert "FUNCTIONS_WORKER_RUNTIME" in out


def test_an_all_def_fastapi_app_is_drafted_at_anyio_s_limiter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = tmp_path / "catalog"
    app.mkdir()
    (app / "function_app.py").write_text(
        "import azure.functions as func\n"
        "import requests\n"
        "from fastapi import FastAPI\n\n"
        "api = FastAPI()\n\n\n"
        "@api.get('/items')\n"
        "def items():\n"
        "    return requests.get('https://x.invalid', timeout=5).json()\n\n\n"
        "app = func.AsgiFunctionApp(app=api)\n"
    )
    code, out, err = invoke("init", str(app), "--sku", "EP2")
    assert code == 0, err
    assert "  concurrency: 40" in out
    assert "fastapi runs every route of http_app_func (all def) on anyio's 40" in out
    # An async-route app keeps the placeholder: the loop is not limited to 40.
    (app / "function_app.py").write_text(
        (app / "function_app.py").read_text().replace("def items", "async def items")
    )
    code, out, err = invoke("init", str(app), "--sku", "EP2")
    assert code == 0, err
    assert "  # concurrency: 64" in out


def write_app(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


ENTRY = (
    "import azure.functions as func\n\nfrom web import api\n\n"
    "app = func.AsgiFunctionApp(app=api)\n"
)


def test_cycles_in_the_framework_graph_end(tmp_path: Path) -> None:
    """Routers that include each other, modules that import each other's app, a
    factory that returns itself, a Mount nested past the bound: each is read once
    or stopped, never followed forever."""
    app = write_app(
        tmp_path / "cycles",
        {
            "function_app.py": ENTRY,
            "web.py": (
                "from fastapi import APIRouter, FastAPI\n\n"
                "a = APIRouter(prefix='/a')\nb = APIRouter(prefix='/b')\n"
                "a.include_router(b)\nb.include_router(a)\n\n\n"
                "@a.get('/x')\nasync def x():\n    return 1\n\n\n"
                "@b.get('/y')\nasync def y():\n    return 2\n\n\n"
                "api = FastAPI()\napi.include_router(a)\n"
            ),
        },
    )
    labels = [r.label for f in read_app(app, "c").functions for r in f.routes]
    assert labels == ["x (GET /a/x)", "y (GET /a/b/y)"]

    mutual = write_app(
        tmp_path / "mutual",
        {
            "function_app.py": ENTRY,
            "web.py": "from other import api\n",
            "other.py": "from web import api\n",
        },
    )
    assert read_app(mutual, "m").functions[0].routes == ()

    factory = write_app(
        tmp_path / "factory",
        {
            "function_app.py": ENTRY,
            "web.py": "def make():\n    return make()\n\n\napi = make()\n",
        },
    )
    assert read_app(factory, "f").functions[0].framework == ""

    mounts = "Route('/', home)"
    for depth in range(45):
        mounts = f"Mount('/m{depth}', routes=[{mounts}])"
    deep = write_app(
        tmp_path / "deep",
        {
            "function_app.py": ENTRY,
            "web.py": (
                "from starlette.applications import Starlette\n"
                "from starlette.routing import Mount, Route\n\n\n"
                "async def home(request):\n    return None\n\n\n"
                f"api = Starlette(routes=[{mounts}])\n"
            ),
        },
    )
    code = read_app(deep, "d")
    # Stopped at the bound, and said where: never a RecursionError, never silent.
    assert code.functions[0].routes == ()
    (problem,) = code.problems
    assert problem.file == "d/web.py"
    assert "chained or nested more than 40 deep" in problem.message


def test_many_routers_are_indexed_once(tmp_path: Path) -> None:
    """2,000 routers included into one app: every route found, each once
    (benchmarks/growth.py fastapi_routers measures that the time grows linearly)."""
    n = 2000
    routers = "".join(
        f"r{i} = APIRouter()\n\n\n@r{i}.get('/{i}')\nasync def route{i}():\n"
        f"    return {i}\n\n\n"
        for i in range(n)
    )
    includes = "".join(f"api.include_router(r{i})\n" for i in range(n))
    app = write_app(
        tmp_path / "many",
        {
            "function_app.py": ENTRY,
            "web.py": "from fastapi import APIRouter, FastAPI\n\n"
            + routers
            + "api = FastAPI()\n"
            + includes,
        },
    )
    (served,) = read_app(app, "many").functions
    assert len(served.routes) == n
    assert len({r.route for r in served.routes}) == n


def test_the_rules_name_the_route_that_blocks(tmp_path: Path) -> None:
    """A def route that blocks runs on anyio's threads; the async one that blocks
    is the one the sizing note names, even when the def route comes first."""
    app = write_app(
        tmp_path / "order",
        {
            "function_app.py": ENTRY,
            "web.py": (
                "import time\n\nfrom fastapi import FastAPI\n\napi = FastAPI()\n\n\n"
                "@api.get('/slow')\ndef slow():\n    time.sleep(1)\n\n\n"
                "@api.get('/stuck')\nasync def stuck():\n    time.sleep(1)\n"
            ),
        },
    )
    from azfn_profile.rules.workers import blocking_note

    code = read_app(app, "order")
    assert blocking_note(code.blocking_async).startswith(
        "stuck (GET /stuck) (order/web.py:14), served by http_app_func, is async def "
        "but calls time.sleep at order/web.py:15"
    )


# Shapes read in public apps on Functions (each fixture written here, minimal): what
# the reader finds, as (function, trigger, [route labels]).
SHAPES: dict[str, tuple[dict[str, str], list[tuple[str, str, list[str]]]]] = {
    "flask and its wrapper share a name": (
        {
            "function_app.py": (
                "import azure.functions as func\nfrom flask import Flask\n\n"
                "app = Flask(__name__)\n\n\n@app.route('/')\ndef index():\n"
                "    return ''\n\n\n"
                "app = func.WsgiFunctionApp(app=app.wsgi_app)\n"
            )
        },
        [("http_app_func", "http", ["index (GET /)"])],
    ),
    "the app imported inside the function": (
        {
            "function_app.py": (
                "import azure.functions as func\n\napp = func.FunctionApp()\n\n\n"
                "@app.route(route='{*route}')\n"
                "async def proxy(req, context):\n"
                "    from web import api\n\n"
                "    return await func.AsgiMiddleware(api).handle_async(req, context)\n"
            ),
            "web.py": (
                "from fastapi import FastAPI\n\napi = FastAPI()\n\n\n"
                "@api.get('/health')\nasync def health():\n    return 1\n"
            ),
        },
        [("proxy", "http", ["health (GET /health)"])],
    ),
    "the middleware from its private module, the wrapper in a try": (
        {
            "function_app.py": (
                "import azure.functions as func\n"
                "from azure.functions._http_asgi import AsgiMiddleware\n"
                "from fastapi import FastAPI\n\napi = FastAPI()\n\n\n"
                "@api.get('/a')\nasync def a():\n    return 1\n\n\n"
                "try:\n    app = func.AsgiFunctionApp(app=api)\n"
                "except ImportError:\n    app = func.FunctionApp()\n"
            )
        },
        [("http_app_func", "http", ["a (GET /a)"])],
    ),
    "a blueprint with its prefix, routes in another module": (
        {
            "function_app.py": (
                "import azure.functions as func\n\nfrom shop import create_app\n\n"
                "app = func.WsgiFunctionApp(app=create_app().wsgi_app)\n"
            ),
            "shop/__init__.py": (
                "from flask import Flask\n\n\ndef create_app():\n"
                "    from shop.items import items\n\n"
                "    app = Flask(__name__)\n    app.register_blueprint(items)\n"
                "    return app\n"
            ),
            "shop/items/__init__.py": (
                "from flask import Blueprint\n\n"
                "items = Blueprint('items', __name__, url_prefix='/items')\n\n"
                "from shop.items import routes  # noqa: E402\n"
            ),
            "shop/items/routes.py": (
                "from shop.items import items\n\n\n"
                "@items.get('/<int:i>')\ndef item(i):\n    return str(i)\n"
            ),
        },
        [("http_app_func", "http", ["item (GET /items/<int:i>)"])],
    ),
    "django URLconf concatenated, with a class-based view": (
        {
            "function_app.py": (
                "import azure.functions as func\n\nfrom proj.wsgi import application\n\n"
                "app = func.WsgiFunctionApp(app=application)\n"
            ),
            "proj/__init__.py": "",
            "proj/wsgi.py": (
                "import os\n\nfrom django.core.wsgi import get_wsgi_application\n\n"
                "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"
                "application = get_wsgi_application()\n"
            ),
            "proj/settings.py": "ROOT_URLCONF = 'proj.urls'\n",
            "proj/urls.py": (
                "from django.conf.urls.static import static\n"
                "from django.urls import path\n\nfrom proj import views\n\n"
                "urlpatterns = [path('list/', views.Listing.as_view())] + static('/s')\n"
                "urlpatterns += [path('one/', views.one)]\n"
            ),
            "proj/views.py": (
                "from django.views import View\n\n\nclass Listing(View):\n"
                "    def get(self, request):\n        return None\n\n"
                "    def post(self, request):\n        return None\n\n\n"
                "def one(request):\n    return None\n"
            ),
        },
        [
            (
                "http_app_func",
                "http",
                [
                    "Listing.get (GET /list/)",
                    "Listing.post (POST /list/)",
                    "one (ANY /one/)",
                ],
            )
        ],
    ),
    "a durable blueprint re-exported by its package": (
        {
            "function_app.py": (
                "import azure.durable_functions as df\n\nimport activities\n\n"
                "app = df.DFApp()\napp.register_blueprint(activities.bp)\n"
            ),
            "activities/__init__.py": "from .impl import bp\n",
            "activities/impl.py": (
                "import azure.durable_functions as df\n\nbp = df.Blueprint()\n\n\n"
                "@bp.activity_trigger(input_name='x')\ndef act(x):\n    return x\n"
            ),
        },
        [("act", "activity", [])],
    ),
    "one app shared from a module, decorated in others": (
        {
            "function_app.py": (
                "from core.app import app\nfrom core.flows import run\n"
                "from core.steps import step\n"
            ),
            "core/__init__.py": "",
            "core/app.py": "import azure.functions as func\n\napp = func.FunctionApp()\n",
            "core/flows.py": (
                "from core.app import app\n\n\n"
                "@app.orchestration_trigger(context_name='context')\ndef run(context):\n"
                "    return (yield context.call_activity('step', 1))\n"
            ),
            "core/steps.py": (
                "from core.app import app\n\n\n"
                "@app.activity_trigger(input_name='n')\ndef step(n):\n    return n\n"
            ),
        },
        [("run", "orchestration", []), ("step", "activity", [])],
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_shapes_of_real_apps(shape: str, tmp_path: Path) -> None:
    files, expected = SHAPES[shape]
    app = write_app(tmp_path / "app", files)
    code = read_app(app, "app")
    assert [
        (f.name, f.trigger, [r.label for r in f.routes]) for f in code.functions
    ] == expected
    assert code.unread == ()


def test_what_cannot_be_followed_is_listed_as_not_inspected(tmp_path: Path) -> None:
    """An app made at run time, and blueprints registered by a helper: never
    dropped in silence."""
    app = write_app(
        tmp_path / "app",
        {
            "function_app.py": (
                "import importlib\n\nimport azure.functions as func\n\n"
                "web = importlib.import_module('web').make()\n"
                "app = func.AsgiFunctionApp(app=web)\n"
            )
        },
    )
    code, out, _ = invoke("check", str(app))
    assert code == 0
    assert (
        f"{app}/function_app.py:6: not inspected: the routes http_app_func serves "
        "(`web` is not a web application the reader can follow (made at run time, "
        "or by a framework it does not know))"
    ) in out


def test_a_route_path_cannot_print_a_finding_of_its_own(tmp_path: Path) -> None:
    """The class: text from the code (a route's path) in any finding, whatever the
    format, stays on its one line, and cannot reorder or recolour the terminal."""
    hostile = "/\x1b[31mred\x1b[0m\nfake.py:1:1: AZFN999 [error] pwned\r\u2028\u202e"
    app = write_app(
        tmp_path / "app",
        {
            "function_app.py": ENTRY,
            "web.py": (
                "import time\n\nfrom fastapi import FastAPI\n\napi = FastAPI()\n\n\n"
                f"@api.get({hostile!r})\nasync def x():\n    time.sleep(1)\n"
            ),
        },
    )
    for fmt in ("text", "json", "sarif", "github", "markdown", "junit"):
        code, out, _ = invoke("check", str(app), "--format", fmt)
        assert code == 1, fmt
        assert not [
            line for line in out.splitlines() if line.lstrip().startswith("fake.py")
        ], fmt
        assert "\x1b" not in out and "\u202e" not in out and "\u2028" not in out, fmt
    _, out, _ = invoke("check", str(app))
    assert "\\nfake.py:1:1: AZFN999 [error] pwned\\x0d\\u2028\\u202e) is async" in out


def test_mounts_sharing_a_route_list_are_read_once(tmp_path: Path) -> None:
    """2^30 paths to one endpoint through shared lists: each list is read once."""
    lines = ["R0 = [Route('/leaf', leaf)]"]
    lines += [
        f"R{i} = [Mount('/x', routes=R{i - 1}), Mount('/y', routes=R{i - 1})]"
        for i in range(1, 31)
    ]
    app = write_app(
        tmp_path / "app",
        {
            "function_app.py": ENTRY,
            "web.py": (
                "from starlette.applications import Starlette\n"
                "from starlette.routing import Mount, Route\n\n\n"
                "async def leaf(request):\n    return None\n\n\n"
                + "\n".join(lines)
                + "\napi = Starlette(routes=R30)\n"
            ),
        },
    )
    (served,) = read_app(app, "app").functions
    assert [r.label for r in served.routes] == ["leaf (GET " + "/x" * 30 + "/leaf)"]


def test_flask_s_own_registrations_are_not_functions(tmp_path: Path) -> None:
    """`flask_app.register_blueprint(bp)` is Flask's; an async view under WSGI runs
    in its request's own loop (no event-loop finding); `methods=` may name a list;
    an annotated wrapper is a wrapper."""
    app = write_app(
        tmp_path / "app",
        {
            "function_app.py": (
                "import time\n\nimport azure.functions as func\n"
                "from flask import Blueprint, Flask\n\n"
                "METHODS = ['PUT']\nbp = Blueprint('bp', __name__, url_prefix='/bp')\n\n\n"
                "@bp.route('/x', methods=METHODS)\nasync def x():\n"
                "    time.sleep(1)\n    return ''\n\n\n"
                "flask_app = Flask(__name__)\nflask_app.register_blueprint(bp)\n"
                "app: func.WsgiFunctionApp = func.WsgiFunctionApp(app=flask_app.wsgi_app)\n"
            )
        },
    )
    code = read_app(app, "app")
    assert [
        (f.name, [(r.label, r.is_async) for r in f.routes]) for f in code.functions
    ] == [("http_app_func", [("x (PUT /bp/x)", False)])]
    assert findings(app) == set()


def test_two_functions_serving_one_starlette_app_both_get_its_routes(
    tmp_path: Path,
) -> None:
    app = write_app(
        tmp_path / "app",
        {
            "function_app.py": (
                "import azure.functions as func\n\nfrom web import api\n\n"
                "app = func.AsgiFunctionApp(app=api)\n\n\n"
                "@app.route(route='legacy/{*route}')\n"
                "async def legacy(req, context):\n"
                "    return await func.AsgiMiddleware(api).handle_async(req, context)\n"
            ),
            "web.py": (
                "from starlette.applications import Starlette\n"
                "from starlette.routing import Route\n\n\n"
                "async def home(request):\n    return None\n\n\n"
                "api = Starlette(routes=[Route('/', home)])\n"
            ),
        },
    )
    code = read_app(app, "app")
    assert [(f.name, [r.label for r in f.routes]) for f in code.functions] == [
        ("legacy", ["home (GET /)"]),
        ("http_app_func", ["home (GET /)"]),
    ]


def test_init_says_what_it_could_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = write_app(
        tmp_path / "app",
        {
            "function_app.py": (
                "import azure.functions as func\n\nfrom web import make\n\n"
                "app = func.AsgiFunctionApp(app=make())\n"
            ),
            "web.py": "def make():\n    return build_somehow()\n",
        },
    )
    code, out, err = invoke("init", str(app), "--sku", "EP2")
    assert code == 0, err
    assert "# Not read: the routes http_app_func serves: `make()` is not a web" in out
