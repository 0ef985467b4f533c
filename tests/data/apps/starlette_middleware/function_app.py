"""A Starlette app behind a registered function that hands each request to
func.AsgiMiddleware, with its routes in a list."""

import time

import azure.functions as func
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route


async def homepage(request):
    time.sleep(0.05)
    return JSONResponse({"hello": "world"})


def list_users(request):
    return JSONResponse([])


async def user_events(request):
    return JSONResponse({"events": []})


routes = [
    Route("/", homepage),
    Mount(
        "/api",
        routes=[
            Route("/users", list_users, methods=["GET", "POST"]),
            Route("/users/{id}/events", endpoint=user_events),
        ],
    ),
]
web = Starlette(routes=routes)
app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="{*route}")
async def main(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
    return await func.AsgiMiddleware(web).handle_async(req, context)
