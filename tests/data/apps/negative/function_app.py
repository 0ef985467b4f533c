"""Correct code: nothing here blocks an event loop, so there are no findings."""

import asyncio
import functools
import time

import aiohttp
import azure.functions as func
import httpx
import requests
from azure.storage.blob.aio import BlobServiceClient

app = func.FunctionApp()


@app.route(route="aio")
async def aio(req: func.HttpRequest) -> func.HttpResponse:
    async with aiohttp.ClientSession() as session:
        async with session.get("https://example.invalid") as response:
            return func.HttpResponse(await response.text())


@app.route(route="in_a_thread")
async def in_a_thread(req: func.HttpRequest) -> func.HttpResponse:
    response = await asyncio.to_thread(requests.get, "https://example.invalid")
    return func.HttpResponse(response.text)


@app.route(route="in_an_executor")
async def in_an_executor(req: func.HttpRequest) -> func.HttpResponse:
    loop = asyncio.get_running_loop()
    get = functools.partial(requests.get, "https://example.invalid", timeout=5)
    response = await loop.run_in_executor(None, get)
    return func.HttpResponse(response.text)


@app.route(route="httpx_async")
async def httpx_async(req: func.HttpRequest) -> func.HttpResponse:
    async with httpx.AsyncClient() as client:
        response = await client.get("https://example.invalid")
    return func.HttpResponse(response.text)


@app.route(route="blob_aio")
async def blob_aio(req: func.HttpRequest) -> func.HttpResponse:
    service = BlobServiceClient.from_connection_string("UseDevelopmentStorage=true")
    async with service:
        blob = service.get_blob_client("c", "b")
        data = await (await blob.download_blob()).readall()
    return func.HttpResponse(data)


@app.route(route="helper_in_thread")
async def helper_in_thread(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(await asyncio.to_thread(blocking_helper))


def blocking_helper() -> str:
    time.sleep(0.1)
    return requests.get("https://example.invalid").text


@app.route(route="sync_blocking")
def sync_blocking(req: func.HttpRequest) -> func.HttpResponse:
    time.sleep(0.1)
    return func.HttpResponse(requests.get("https://example.invalid").text)
