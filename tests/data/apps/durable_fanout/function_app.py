"""A Durable fan-out/fan-in: an async HTTP starter, an orchestrator that fans out
eight CPU-bound activities, and two replay mistakes in the orchestrator."""

import hashlib
import logging
from datetime import datetime

import azure.durable_functions as df
import azure.functions as func

from shared import audit

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)


@app.route(route="reports/{day}")
@app.durable_client_input(client_name="client")
async def start_report(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    instance_id = await client.start_new(
        "build_report", client_input=req.route_params["day"]
    )
    return client.create_check_status_response(req, instance_id)


@app.orchestration_trigger(context_name="context")
def build_report(context: df.DurableOrchestrationContext):
    day = context.get_input()
    started = datetime.now()
    tasks = [context.call_activity("summarise", f"{day}/{n}") for n in range(8)]
    parts = yield context.task_all(tasks)
    audit(day)
    return {"day": day, "parts": parts, "started": started.isoformat()}


@app.activity_trigger(input_name="chunk")
def summarise(chunk: str) -> str:
    digest = chunk.encode()
    for _ in range(50_000):
        digest = hashlib.sha256(digest).digest()
    logging.info("summarised %s", chunk)
    return digest.hex()
