"""Mixed: ~10 ms of CPU work, then a blocking call to the upstream."""

import os
import urllib.request

import azure.functions as func

app = func.FunctionApp()


def work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


@app.route(route="etl", auth_level=func.AuthLevel.ANONYMOUS)
def etl(req: func.HttpRequest) -> func.HttpResponse:
    checksum = work(100_000)
    with urllib.request.urlopen(os.environ["UPSTREAM_URL"], timeout=30) as response:
        response.read()
    return func.HttpResponse(str(checksum))
