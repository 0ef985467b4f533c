"""Short work: an HTTP function that returns at once, so what one invocation costs is
the worker's own dispatch, not the function's."""

import azure.functions as func

app = func.FunctionApp()


@app.route(route="ping", auth_level=func.AuthLevel.ANONYMOUS)
def ping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("pong", status_code=200)
