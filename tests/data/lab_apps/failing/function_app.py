import azure.functions as func

app = func.FunctionApp()


@app.route(route="boom")
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise ValueError("boom")
