import azure.durable_functions as df
import azure.functions as func
import requests

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="orchestrators/{name}")
@app.durable_client_input(client_name="client")
async def start(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    instance_id = await client.start_new(req.route_params["name"])
    return client.create_check_status_response(req, instance_id)


@app.orchestration_trigger(context_name="context")
def pipeline(context: df.DurableOrchestrationContext):
    result = yield context.call_activity("fetch", "a")
    return result


@app.activity_trigger(input_name="item")
def fetch(item: str) -> str:
    return requests.get("https://example.invalid/" + item).text
