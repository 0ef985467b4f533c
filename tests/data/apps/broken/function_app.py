import azure.functions as func
import requests

from helpers import parse

app = func.FunctionApp()


@app.route(route="ingest")
async def ingest(req: func.HttpRequest) -> func.HttpResponse:
    requests.post("https://example.invalid", data=parse(req.get_body()))
    return func.HttpResponse("ok")
