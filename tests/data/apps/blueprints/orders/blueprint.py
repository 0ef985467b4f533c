import aiohttp
import azure.functions as func

from lib import storage

bp = func.Blueprint()


@bp.route(route="orders/{id}")
async def get_order(req: func.HttpRequest) -> func.HttpResponse:
    async with aiohttp.ClientSession() as client:
        async with client.get("https://orders.invalid/" + req.route_params["id"]) as r:
            return func.HttpResponse(await r.text())


@bp.blob_trigger(arg_name="blob", path="orders/{name}", connection="Storage")
async def archive_order(blob: func.InputStream) -> None:
    await storage.archive(blob.name)
