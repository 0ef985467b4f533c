import os

import azure.functions as func

app = func.FunctionApp()


@app.route(route="die")
def die(req: func.HttpRequest) -> func.HttpResponse:
    os._exit(3)
