"""The guide's anti-pattern: an `async def` that makes a blocking call.

The blocking urlopen runs on the worker's only event loop, so each process serves one
invocation per upstream latency, whatever the threads or the client concurrency.
"""

import os
import urllib.request

import azure.functions as func

app = func.FunctionApp()


@app.route(route="fetch", auth_level=func.AuthLevel.ANONYMOUS)
async def fetch(req: func.HttpRequest) -> func.HttpResponse:
    # The blocking call is the point of this app (the anti-pattern it demonstrates).
    with urllib.request.urlopen(os.environ["UPSTREAM_URL"], timeout=30) as response:  # noqa: ASYNC210
        return func.HttpResponse(response.read(), status_code=200)
