"""Two functions that disagree: one resizes images (CPU), one calls an API (I/O)."""

import aiohttp
import azure.functions as func
from PIL import Image

app = func.FunctionApp()


@app.blob_trigger(arg_name="blob", path="uploads/{name}", connection="Storage")
def resize(blob: func.InputStream) -> None:
    image = Image.open(blob)
    image.thumbnail((512, 512))


@app.route(route="status")
async def status(req: func.HttpRequest) -> func.HttpResponse:
    async with aiohttp.ClientSession() as session:
        async with session.get("https://status.invalid") as response:
            return func.HttpResponse(await response.text())
