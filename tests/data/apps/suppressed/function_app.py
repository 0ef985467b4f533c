import asyncio
import time

import azure.functions as func
import requests

app = func.FunctionApp()


@app.route(route="accepted")
async def accepted(req: func.HttpRequest) -> func.HttpResponse:
    time.sleep(0.01)  # azfn: ignore[AZFN401] a 10 ms pause, measured as harmless
    await asyncio.sleep(0)
    return func.HttpResponse("ok")


@app.route(route="lapsed")
async def lapsed(req: func.HttpRequest) -> func.HttpResponse:
    requests.get(
        "https://example.invalid"
    )  # azfn: ignore[AZFN401] expires=2026-01-31 until the aiohttp port
    await asyncio.sleep(0)
    return func.HttpResponse("ok")


@app.route(route="no_reason")
async def no_reason(req: func.HttpRequest) -> func.HttpResponse:
    requests.get("https://example.invalid")  # azfn: ignore[AZFN401]
    await asyncio.sleep(0)
    return func.HttpResponse("ok")


@app.route(route="whole_function")
async def whole_function(
    req: func.HttpRequest,
) -> func.HttpResponse:  # azfn: ignore[AZFN401,AZFN403] legacy endpoint, retired in Q1
    requests.get("https://example.invalid")
    return func.HttpResponse("ok")


@app.route(route="formatted")
async def formatted(req: func.HttpRequest) -> func.HttpResponse:
    requests.get(
        "https://example.invalid", timeout=1
    )  # azfn: ignore[AZFN401] one short health probe; a formatter moved this comment
    await asyncio.sleep(0)
    return func.HttpResponse("ok")
