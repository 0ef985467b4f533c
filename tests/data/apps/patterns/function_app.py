"""One function per recognised pattern; the expected findings are in test_code.py."""

import asyncio
import hashlib
import http.client
import subprocess
import time
import urllib.request

import azure.functions as func
import numpy as np
import psycopg2
import pyodbc
import requests
from azure.cosmos import CosmosClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from PIL import Image

app = func.FunctionApp()
session = requests.Session()
cosmos = CosmosClient.from_connection_string("AccountEndpoint=https://x/;AccountKey=k;")


class Repository:
    def __init__(self) -> None:
        self.http = requests.Session()

    def load(self, key: str) -> bytes:
        return self.http.get(f"https://example.invalid/{key}").content


@app.route(route="requests_get")
async def requests_get(req: func.HttpRequest) -> func.HttpResponse:
    body = requests.get("https://example.invalid").text
    await asyncio.sleep(0)
    return func.HttpResponse(body)


@app.route(route="session_post")
async def session_post(req: func.HttpRequest) -> func.HttpResponse:
    session.post("https://example.invalid", data=req.get_body())
    await asyncio.sleep(0)
    return func.HttpResponse("ok")


@app.route(route="urlopen")
async def urlopen(req: func.HttpRequest) -> func.HttpResponse:
    with urllib.request.urlopen("https://example.invalid") as response:
        data = response.read()
    await asyncio.sleep(0)
    return func.HttpResponse(data)


@app.route(route="http_client")
async def http_client(req: func.HttpRequest) -> func.HttpResponse:
    conn = http.client.HTTPSConnection("example.invalid")
    conn.request("GET", "/")
    await asyncio.sleep(0)
    return func.HttpResponse(conn.getresponse().read())


@app.route(route="sleepy")
async def sleepy(req: func.HttpRequest) -> func.HttpResponse:
    time.sleep(1)
    await asyncio.sleep(0)
    return func.HttpResponse("slept")


@app.route(route="shell")
async def shell(req: func.HttpRequest) -> func.HttpResponse:
    out = subprocess.run(["echo", "hi"], capture_output=True, check=True).stdout
    await asyncio.sleep(0)
    return func.HttpResponse(out)


@app.route(route="odbc")
async def odbc(req: func.HttpRequest) -> func.HttpResponse:
    conn = pyodbc.connect("DSN=orders")
    cursor = conn.cursor()
    cursor.execute("SELECT 1")
    await asyncio.sleep(0)
    return func.HttpResponse(str(cursor.fetchone()))


@app.queue_trigger(arg_name="msg", queue_name="jobs", connection="Storage")
async def postgres(msg: func.QueueMessage) -> None:
    with psycopg2.connect("dbname=jobs") as conn:
        conn.commit()
    await asyncio.sleep(0)


@app.service_bus_queue_trigger(arg_name="msg", queue_name="in", connection="SB")
async def forward(msg: func.ServiceBusMessage) -> None:
    client = ServiceBusClient.from_connection_string("Endpoint=sb://x/")
    sender = client.get_queue_sender("out")
    sender.send_messages(ServiceBusMessage(msg.get_body()))
    await asyncio.sleep(0)


@app.route(route="cosmos_query")
async def cosmos_query(req: func.HttpRequest) -> func.HttpResponse:
    container = cosmos.get_database_client("db").get_container_client("items")
    items = list(container.query_items("SELECT * FROM c"))
    await asyncio.sleep(0)
    return func.HttpResponse(str(len(items)))


@app.route(route="through_a_method")
async def through_a_method(req: func.HttpRequest) -> func.HttpResponse:
    data = Repository().load("a")
    await asyncio.sleep(0)
    return func.HttpResponse(data)


@app.route(route="runs_a_loop")
def runs_a_loop(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(asyncio.run(fetch_async()))


@app.route(route="until_complete")
def until_complete(req: func.HttpRequest) -> func.HttpResponse:
    loop = asyncio.new_event_loop()
    return func.HttpResponse(loop.run_until_complete(fetch_async()))


async def fetch_async() -> str:
    await asyncio.sleep(0)
    return "done"


@app.route(route="numpy_in_async")
async def numpy_in_async(req: func.HttpRequest) -> func.HttpResponse:
    total = np.linalg.norm(np.ones(1000))
    await asyncio.sleep(0)
    return func.HttpResponse(str(total))


@app.blob_trigger(arg_name="blob", path="images/{name}", connection="Storage")
async def thumbnail(blob: func.InputStream) -> None:
    Image.open(blob).thumbnail((128, 128))
    await asyncio.sleep(0)


@app.route(route="digest")
async def digest(req: func.HttpRequest) -> func.HttpResponse:
    value = req.get_body()
    for _ in range(100_000):
        value = hashlib.sha256(value).digest()
    await asyncio.sleep(0)
    return func.HttpResponse(value.hex())


@app.route(route="never_awaits")
async def never_awaits(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("hello")


@app.timer_trigger(schedule="0 */5 * * * *", arg_name="timer")
def sync_is_fine(timer: func.TimerRequest) -> None:
    requests.get("https://example.invalid")
    time.sleep(1)
