"""A stand-in Python worker for the lab's host tests (`bench --worker-dir`).

It speaks the worker protocol as the real worker does (FunctionRpc.proto beside it;
its code is generated into azure_functions_worker/protos at test time): it opens the
EventStream with StartStream, answers WorkerInitRequest, the environment reload, the
metadata request (indexing function_app.py with the lab's loader), the load, and each
invocation, running sync functions on a thread pool of PYTHON_THREADPOOL_THREAD_COUNT
threads and coroutines on one event loop.

STANDIN_GENERATION=proxy keeps the pool built at start across the environment reload,
as the proxy worker of Python 3.13+ does (facts.py, RUNTIME_LIBRARY_RELOAD_LINE);
otherwise the reload rebuilds it from the app's settings, as the worker up to 3.12
does. Like the real worker, it keeps running when the host's stream ends, and it
ignores SIGTERM: the host must make sure it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import queue
import signal
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc
from azure_functions_worker.protos import FunctionRpc_pb2 as pb

from azfn_profile.lab.app import load_functions, trigger_input

METHOD = "/AzureFunctionsRpcMessages.FunctionRpc/EventStream"


def pool_size() -> int:
    value = os.environ.get("PYTHON_THREADPOOL_THREAD_COUNT")
    return int(value) if value else min(32, (os.cpu_count() or 1) + 4)


class Worker:
    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.out: queue.Queue[Any] = queue.Queue()
        self.pool = ThreadPoolExecutor(max_workers=pool_size())
        self.keep_pool = os.environ.get("STANDIN_GENERATION") == "proxy"
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.functions: dict[str, Any] = {}
        self.app = Path(os.environ.get("AzureWebJobsScriptRoot", "."))  # noqa: SIM112

    def outgoing(self) -> Iterator[Any]:
        yield pb.StreamingMessage(
            request_id="w", start_stream=pb.StartStream(worker_id=self.worker_id)
        )
        while True:
            message = self.out.get()
            if message is None:
                return
            yield message

    def send(self, **content: Any) -> None:
        self.out.put(pb.StreamingMessage(request_id="w", **content))

    def ok(self) -> Any:
        return pb.StatusResult(status=pb.StatusResult.Success)

    def handle(self, message: Any) -> None:
        kind = message.WhichOneof("content")
        if kind == "worker_init_request":
            self.send(
                worker_init_response=pb.WorkerInitResponse(
                    worker_version="stand-in", result=self.ok()
                )
            )
        elif kind == "function_environment_reload_request":
            request = message.function_environment_reload_request
            os.environ.clear()
            os.environ.update(request.environment_variables)
            self.app = Path(request.function_app_directory)
            if not self.keep_pool:
                self.pool = ThreadPoolExecutor(max_workers=pool_size())
            self.send(
                function_environment_reload_response=(
                    pb.FunctionEnvironmentReloadResponse(result=self.ok())
                )
            )
        elif kind == "functions_metadata_request":
            self.app = Path(message.functions_metadata_request.function_app_directory)
            self.send(function_metadata_response=self.index())
        elif kind == "function_load_request":
            request = message.function_load_request
            self.send(
                function_load_response=pb.FunctionLoadResponse(
                    function_id=request.function_id, result=self.ok()
                )
            )
        elif kind == "invocation_request":
            self.invoke(message.invocation_request)

    def index(self) -> Any:
        try:
            found = load_functions(self.app)
        except Exception as exc:  # noqa: BLE001 - reported to the host
            return pb.FunctionMetadataResponse(
                result=pb.StatusResult(
                    status=pb.StatusResult.Failure,
                    exception=pb.RpcException(message=str(exc)),
                )
            )
        results = []
        for name, fn in found.items():
            function_id = str(uuid.uuid5(uuid.NAMESPACE_OID, name))
            self.functions[function_id] = fn
            results.append(
                pb.RpcFunctionMetadata(
                    name=name,
                    function_id=function_id,
                    directory=str(self.app),
                    script_file="function_app.py",
                    entry_point=name,
                    language="python",
                    bindings={
                        fn.arg_name: pb.BindingInfo(type=fn.trigger, direction=0),
                        "$return": pb.BindingInfo(type="http", direction=1),
                    },
                    properties={"worker_indexed": "True"},
                )
            )
        return pb.FunctionMetadataResponse(
            function_metadata_results=results, result=self.ok()
        )

    def invoke(self, request: Any) -> None:
        fn = self.functions[request.function_id]
        data = request.input_data[0].data
        body = (
            data.http.body.bytes
            if data.HasField("http")
            else (data.bytes or data.string.encode())
        )
        arg = {fn.arg_name: trigger_input(fn, body)}

        def done(result: Any = None, error: BaseException | None = None) -> None:
            if error is not None:
                status = pb.StatusResult(
                    status=pb.StatusResult.Failure,
                    exception=pb.RpcException(message=str(error)),
                )
                value = pb.TypedData()
            else:
                status = self.ok()
                raw = result.get_body() if hasattr(result, "get_body") else b""
                value = pb.TypedData(
                    http=pb.RpcHttp(status_code="200", body=pb.TypedData(bytes=raw))
                )
            self.send(
                invocation_response=pb.InvocationResponse(
                    invocation_id=request.invocation_id,
                    result=status,
                    return_value=value,
                )
            )

        def finished(future: Any) -> None:
            error = future.exception()
            done(None if error else future.result(), error)

        if fn.is_async:
            asyncio.run_coroutine_threadsafe(
                fn.user_function(**arg), self.loop
            ).add_done_callback(finished)
        else:
            self.pool.submit(fn.user_function, **arg).add_done_callback(finished)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workerId", required=True)
    parser.add_argument("--requestId", required=True)
    args, _ = parser.parse_known_args()
    # The worst a worker can do when stopped: ignore SIGTERM (only SIGKILL ends it).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    worker = Worker(args.workerId)
    channel = grpc.insecure_channel(f"{args.host}:{args.port}")
    stream = channel.stream_stream(
        METHOD,
        request_serializer=pb.StreamingMessage.SerializeToString,
        response_deserializer=pb.StreamingMessage.FromString,
    )
    with contextlib.suppress(grpc.RpcError):
        for message in stream(worker.outgoing()):
            worker.handle(message)
    # Like the real worker, outlive the host's stream: only the host stops it.
    threading.Event().wait()


if __name__ == "__main__":
    main()
