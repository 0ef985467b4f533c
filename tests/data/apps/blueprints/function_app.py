"""Functions from blueprints in a package and a module, helpers in another module."""

import azure.functions as func

import reports
from orders.blueprint import bp as orders_bp

app = func.FunctionApp()
app.register_functions(orders_bp)
app.register_blueprint(reports.bp)


@app.route(route="health")
def health(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("ok")
