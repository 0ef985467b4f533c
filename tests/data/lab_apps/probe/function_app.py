"""Tiny deterministic functions for the dispatcher tests."""

import asyncio
import os
import threading
import time

import azure.functions as func

app = func.FunctionApp()
bp = func.Blueprint()
_lock = threading.Lock()
_running = 0
_peak = 0


@app.route(route="probe")
def probe(req: func.HttpRequest) -> func.HttpResponse:
    """Sleeps 20 ms in the thread pool; reports its pid and the peak concurrency seen."""
    global _running, _peak
    with _lock:
        _running += 1
        _peak = max(_peak, _running)
    time.sleep(0.02)
    with _lock:
        _running -= 1
    return func.HttpResponse(f"{os.getpid()} {_peak}")


@app.route(route="aprobe")
async def aprobe(req: func.HttpRequest) -> func.HttpResponse:
    await asyncio.sleep(0.05)
    return func.HttpResponse(str(os.getpid()))


@bp.queue_trigger(arg_name="msg", queue_name="jobs", connection="Storage")
def from_queue(msg: func.QueueMessage) -> None:
    assert msg.get_body() == b"{}"


@app.timer_trigger(schedule="0 */5 * * * *", arg_name="timer")
def every_five(timer: func.TimerRequest) -> None:
    return None


app.register_blueprint(bp)
