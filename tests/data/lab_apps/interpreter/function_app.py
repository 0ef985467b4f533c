"""Says which interpreter runs it: the lab's `--python` tests."""

import sys

import azure.functions as func

app = func.FunctionApp()


@app.route(route="where")
def where(req: func.HttpRequest) -> func.HttpResponse:
    """The worker's interpreter and its Python version, e.g. `/venv/bin/python 3.12`."""
    version = ".".join(map(str, sys.version_info[:2]))
    return func.HttpResponse(f"{sys.executable} {version}")
