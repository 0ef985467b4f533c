"""A blueprint no app registers: its functions are not the app's."""

import time

import azure.functions as func

bp = func.Blueprint()


@bp.route(route="never")
async def never_registered(req: func.HttpRequest) -> func.HttpResponse:
    time.sleep(1)
    return func.HttpResponse("")
