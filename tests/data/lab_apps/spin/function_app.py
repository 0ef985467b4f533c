"""CPU-bound and short: about 3 ms of pure-Python work per call (tune's tests)."""

import azure.functions as func

app = func.FunctionApp()


@app.route(route="spin")
def spin(req: func.HttpRequest) -> func.HttpResponse:
    total = 0
    for i in range(30_000):
        total += i * i % 7
    return func.HttpResponse(str(total))
