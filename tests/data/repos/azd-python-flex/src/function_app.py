import azure.functions as func

app = func.FunctionApp()


@app.route(route="orders", auth_level=func.AuthLevel.ANONYMOUS)
def orders(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("[]", mimetype="application/json")


@app.queue_trigger(
    arg_name="msg", queue_name="orders", connection="AzureWebJobsStorage"
)
def process(msg: func.QueueMessage) -> None:
    print(msg.get_body())
