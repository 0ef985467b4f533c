"""I/O-bound, async: aiohttp awaits the upstream on the worker's event loop."""

import os

import aiohttp
import azure.functions as func

app = func.FunctionApp()
_session: aiohttp.ClientSession | None = None


@app.route(route="fetch", auth_level=func.AuthLevel.ANONYMOUS)
async def fetch(req: func.HttpRequest) -> func.HttpResponse:
    global _session
    if _session is None:  # one pooled session per worker process
        _session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    async with _session.get(os.environ["UPSTREAM_URL"]) as response:
        return func.HttpResponse(await response.read(), status_code=200)
