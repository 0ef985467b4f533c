"""A loopback HTTP upstream with a fixed latency, for the I/O-bound reference apps.

It runs on its own asyncio event loop in a thread: waiting costs a timer, not a thread,
so the upstream stays cheap next to the workers it serves and does not cap what the lab
can measure. It answers every GET with a small JSON body after `latency_s` and keeps
connections alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_BODY = b'{"ok": true}'
_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(_BODY)).encode()
    + b"\r\n\r\n"
    + _BODY
)


async def _handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency_s: float
) -> None:
    # Cancelled at shutdown: end quietly, or asyncio's stream callback logs the
    # cancellation as an error.
    try:
        with contextlib.suppress(
            ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError
        ):
            await _serve_connection(reader, writer, latency_s)
    finally:
        writer.close()


async def _serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency_s: float
) -> None:
    while True:
        head = await reader.readuntil(b"\r\n\r\n")
        if not head:
            return
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if length:
            await reader.readexactly(length)
        await asyncio.sleep(latency_s)
        writer.write(_RESPONSE)
        await writer.drain()
        if b"connection: close" in head.lower():
            return


@contextmanager
def upstream(latency_s: float = 0.05) -> Iterator[str]:
    """Serve on 127.0.0.1 (a free port) until the block ends; yields the base URL."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict[str, object] = {}

    async def serve() -> None:
        server = await asyncio.start_server(
            lambda r, w: _handle(r, w, latency_s), "127.0.0.1", 0, backlog=1024
        )
        state["port"] = server.sockets[0].getsockname()[1]
        state["server"] = server
        started.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(serve())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield f"http://127.0.0.1:{state['port']}/"
    finally:
        # Close the server and cancel the connections it still serves (kept-alive ones
        # wait for a next request), so no task is left pending when the loop goes.
        stopping = asyncio.run_coroutine_threadsafe(_shutdown(state), loop)
        with contextlib.suppress(Exception):
            stopping.result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        if not thread.is_alive():
            loop.close()


async def _shutdown(state: dict[str, object]) -> None:
    server = state.get("server")
    if isinstance(server, asyncio.Server):
        server.close()
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
