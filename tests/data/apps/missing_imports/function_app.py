"""Imports that are not installed anywhere: the reader never imports them."""

import azure.functions as func
import company_internal_sdk as sdk
from another_missing_package import Client

app = func.FunctionApp()
client = Client()


@app.route(route="lookup")
def lookup(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(sdk.lookup(client.fetch(req.params.get("id"))))
