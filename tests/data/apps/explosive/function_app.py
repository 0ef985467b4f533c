"""Importing this module would fail loudly: the reader must never run it."""

import sys

import azure.functions as func

raise SystemExit("this app was imported; the code reader must only read it")

app = func.FunctionApp()
sys.exit(3)


@app.route(route="boom")
def boom(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("never")
