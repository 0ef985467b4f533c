"""Short work: an HTTP function that returns at once, so what one invocation costs is
the worker's own dispatch, not the function's."""

import asyncio

import azure.functions as func

app = func.FunctionApp()


@app.route(route="ping", auth_level=func.AuthLevel.ANONYMOUS)
def ping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("pong", status_code=200)


@app.route(route="aping", auth_level=func.AuthLevel.ANONYMOUS)
async def aping(req: func.HttpRequest) -> func.HttpResponse:
    await asyncio.sleep(0)  # one turn of the event loop, as an awaited call takes
    return func.HttpResponse("pong", status_code=200)
