"""I/O-bound, sync: a blocking HTTP call to the upstream holds a thread while it waits."""

import os
import urllib.request

import azure.functions as func

app = func.FunctionApp()


@app.route(route="fetch", auth_level=func.AuthLevel.ANONYMOUS)
def fetch(req: func.HttpRequest) -> func.HttpResponse:
    with urllib.request.urlopen(os.environ["UPSTREAM_URL"], timeout=30) as response:
        return func.HttpResponse(response.read(), status_code=200)
