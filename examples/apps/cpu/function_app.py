"""CPU-bound: about 20 ms of pure-Python work per call, holding the interpreter lock."""

import azure.functions as func

app = func.FunctionApp()
ITERATIONS = 200_000  # ~20 ms on a 2-core CI machine


def work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


@app.route(route="crunch", auth_level=func.AuthLevel.ANONYMOUS)
def crunch(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(str(work(ITERATIONS)))
