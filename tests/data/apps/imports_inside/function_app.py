"""Functions that import what they call inside their bodies, conditionally, or
under other names."""

import os

import azure.functions as func

app = func.FunctionApp()

if os.environ.get("USE_URLLIB"):
    import urllib.request as fetcher
else:
    fetcher = None


@app.route(route="lookup")
async def lookup(req: func.HttpRequest) -> func.HttpResponse:
    import requests

    response = requests.get("https://api.example.com/lookup", timeout=5)
    return func.HttpResponse(response.text)


@app.route(route="pause")
async def pause(req: func.HttpRequest) -> func.HttpResponse:
    from time import sleep as wait

    wait(0.2)
    return func.HttpResponse("done")


@app.route(route="legacy")
async def legacy(req: func.HttpRequest) -> func.HttpResponse:
    if fetcher is not None:
        with fetcher.urlopen("https://legacy.example.com") as page:
            return func.HttpResponse(page.read())
    try:
        import psycopg2 as pg
    except ImportError:
        return func.HttpResponse(status_code=503)
    conn = pg.connect("dbname=app")
    return func.HttpResponse(str(conn.closed))
