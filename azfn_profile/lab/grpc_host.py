"""A minimal Functions host for the real Python worker (`bench --worker-dir`).

The lab's dispatcher (dispatch.py) talks to each worker process over a pipe: it sends
("invoke", id) and reads ("done", id, ok, detail, seconds). This process stands
between those pipes and the user's own Python worker, speaking the worker protocol
(FunctionRpc.proto, Azure/azure-functions-language-worker-protobuf) the way the
Functions host does (Azure/azure-functions-host, GrpcWorkerChannel.cs):

1. a gRPC server on loopback; each worker is started as the host starts it
   (`worker.py --host --port --workerId --requestId`, and the `--functions-*` names
   newer workers read), with the platform's worker environment;
2. the worker opens the EventStream with StartStream; the host sends
   WorkerInitRequest, and, for a pre-warmed instance (`specialize`), first
   initialises the worker as a placeholder and then sends
   FunctionEnvironmentReloadRequest with the app's settings, as the platform does
   when it assigns the instance to the app;
3. FunctionsMetadataRequest (the worker indexes function_app.py), then
   FunctionLoadRequest for the function measured;
4. InvocationRequest per ("invoke", id); each InvocationResponse is answered with
   ("done", ...), the time being the host's round trip, as the host sees it.

The message classes are the worker's own generated code, imported from its folder at
run time (never copied into this project): azure_functions_worker/protos for the
worker of Python up to 3.12, proxy_worker/protos for the proxy worker of 3.13+. The
host's own CPU is reported apart from the workers', which are read from /proc.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from azfn_profile import facts

SERVICE = "AzureFunctionsRpcMessages.FunctionRpc"
# Where each worker generation keeps its generated protocol code.
PROTO_PACKAGES = ("azure_functions_worker.protos", "proxy_worker.protos")
# Shorter than the dispatcher's wait for the host (dispatch.HOSTED_START_TIMEOUT_S),
# so that the host's own reason reaches the user.
HANDSHAKE_TIMEOUT_S = 60.0
# The messages the host sends or reads.
MESSAGES = (
    "StreamingMessage",
    "WorkerInitRequest",
    "FunctionEnvironmentReloadRequest",
    "FunctionsMetadataRequest",
    "FunctionLoadRequest",
    "InvocationRequest",
    "ParameterBinding",
    "TypedData",
    "RpcHttp",
    "StatusResult",
)
STOP_TIMEOUT_S = 2.0  # a worker's grace period after SIGTERM
HOST_VERSION = "4.1037.0"  # what the host reports in WorkerInitRequest
# Set by the host for a worker process it starts, unless the app sets it
# (facts.HOST_DEFAULT_THREADS; cite.HOST_PROCESS_FACTORY).
PLACEHOLDER_THREADS = str(facts.HOST_DEFAULT_THREADS)
# Tell the worker it runs in Azure: it then changes its import path and start-up
# (worker.py's is_azure_environment); the lab runs it as Core Tools does, locally.
AZURE_MARKERS = ("CONTAINER_NAME", "WEBSITE_INSTANCE_ID")


class HostError(Exception):
    """The worker folder or the worker cannot be driven; the message says why."""


def find_protos(worker_dir: Path) -> tuple[str, Path]:
    """(package, file) of the worker's generated FunctionRpc_pb2 in `worker_dir`."""
    for package in PROTO_PACKAGES:
        path = worker_dir.joinpath(*package.split("."), "FunctionRpc_pb2.py")
        if path.is_file():
            return package, path
    wanted = " or ".join(
        str(Path(*p.split("."), "FunctionRpc_pb2.py")) for p in PROTO_PACKAGES
    )
    raise HostError(
        f"--worker-dir {worker_dir}: no generated worker protocol code ({wanted}); "
        "point it at the Python worker folder Core Tools ships "
        "(workers/python/<version>/<OS>/<arch>) or at a worker checkout whose "
        "protos are built"
    )


def worker_script(worker_dir: Path) -> Path:
    script = worker_dir / "worker.py"
    if not script.is_file():
        raise HostError(f"--worker-dir {worker_dir}: no worker.py in it")
    return script


def load_protos(worker_dir: Path) -> ModuleType:
    """The worker's FunctionRpc_pb2, imported from its folder (searched last, so the
    folder's own copies of grpc and protobuf never replace this process's)."""
    package, _ = find_protos(worker_dir)
    if str(worker_dir) not in sys.path:
        sys.path.append(str(worker_dir))
    try:
        module = importlib.import_module(package + ".FunctionRpc_pb2")
    except Exception as exc:  # noqa: BLE001 - any import failure is the folder's
        from importlib.metadata import PackageNotFoundError, version

        try:
            runtime = f"protobuf {version('protobuf')}"
        except PackageNotFoundError:
            runtime = "no protobuf"
        raise HostError(
            f"--worker-dir {worker_dir}: its protocol code does not import with this "
            f"host's {runtime} ({type(exc).__name__}: {str(exc)[:300]}); code "
            "generated for another protobuf major version needs that version "
            "installed beside azfn-profile"
        ) from None
    absent = [name for name in MESSAGES if not hasattr(module, name)]
    if absent:
        raise HostError(
            f"--worker-dir {worker_dir}: its protocol code lacks "
            f"{', '.join(absent)}: not the Functions worker protocol"
        )
    return module


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process `pid` so far (Linux /proc), 0.0 if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Channel:
    """One worker process: its stream, its pipe to the dispatcher, its function."""

    def __init__(self, pb: ModuleType, index: int, conn: Connection) -> None:
        self.pb = pb
        self.conn = conn
        self.worker_id = f"worker-{index}"
        self.outgoing: queue.Queue[Any] = queue.Queue()
        self.control: queue.Queue[Any] = queue.Queue()
        self.sent: dict[str, float] = {}
        self.send_lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None
        self.function_id = ""
        self.binding = ""
        self.trigger = ""
        self.errors: list[str] = []  # the worker's error logs, newest last
        self.log: IO[bytes] | None = None  # the worker's console

    def stream(self, requests: Iterator[Any]) -> Iterator[Any]:
        """EventStream, the host's side: read the worker, write what is queued."""

        def read() -> None:
            with contextlib.suppress(Exception):  # the stream ended: worker gone
                for message in requests:
                    self.received(message)
            self.control.put(None)

        threading.Thread(target=read, daemon=True).start()
        while True:
            message = self.outgoing.get()
            if message is None:
                return
            yield message

    def received(self, message: Any) -> None:
        kind = message.WhichOneof("content")
        if kind == "invocation_response":
            self.answered(message.invocation_response)
        elif kind == "rpc_log":
            log = message.rpc_log
            if log.level >= 4:  # Error, Critical
                self.errors = [*self.errors[-4:], log.message[:500]]
        else:
            self.control.put(message)

    def answered(self, response: Any) -> None:
        finished = time.perf_counter()
        started = self.sent.pop(response.invocation_id, finished)
        ok = response.result.status == self.pb.StatusResult.Success
        detail = (
            _describe(response.return_value)
            if ok
            else (response.result.exception.message or "failed")[:500]
        )
        with self.send_lock, contextlib.suppress(OSError, ValueError):
            self.conn.send(
                ("done", int(response.invocation_id), ok, detail, finished - started)
            )

    def send(self, **content: Any) -> None:
        self.outgoing.put(self.pb.StreamingMessage(request_id="lab", **content))

    def expect(self, kind: str, deadline: float) -> Any:
        """The next control message, which must be `kind`."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise HostError(
                    f"the worker sent no {kind} within {HANDSHAKE_TIMEOUT_S:.0f} s"
                    + self.last_error()
                )
            try:
                message = self.control.get(timeout=min(0.25, left))
            except queue.Empty:
                code = None if self.proc is None else self.proc.poll()
                if code is not None:
                    raise HostError(
                        f"the worker exited (code {code}) before {kind}"
                        + self.last_error()
                    ) from None
                continue
            if message is None:
                raise HostError(
                    f"the worker closed its stream before {kind}" + self.last_error()
                )
            if message.WhichOneof("content") == kind:
                return getattr(message, kind)
            # Status requests and the like: not part of the start-up exchange.

    def last_error(self) -> str:
        """The worker's last error log, else the end of its console."""
        if self.errors:
            return f"; its last error: {self.errors[-1]}"
        if self.log is None:
            return ""
        self.log.seek(0, os.SEEK_END)
        self.log.seek(max(0, self.log.tell() - 2000))
        tail = self.log.read().decode("utf-8", "replace").strip().splitlines()[-8:]
        return "; the worker said:\n  " + "\n  ".join(tail) if tail else ""

    def check(self, result: Any, step: str) -> None:
        if result.status != self.pb.StatusResult.Success:
            raise HostError(
                f"the worker refused {step}: "
                f"{result.exception.message or 'no message'}"[:800]
            )

    def invoke(self, invocation: int, body: bytes) -> None:
        pb = self.pb
        if self.trigger == "httpTrigger":
            data = pb.TypedData(
                http=pb.RpcHttp(
                    method="POST",
                    url=f"http://localhost/api/{self.binding}",
                    headers={"content-type": "application/octet-stream"},
                    body=pb.TypedData(bytes=body),
                )
            )
        else:
            try:
                data = pb.TypedData(string=body.decode("utf-8"))
            except UnicodeDecodeError:
                data = pb.TypedData(bytes=body)
        key = str(invocation)
        self.sent[key] = time.perf_counter()
        self.send(
            invocation_request=pb.InvocationRequest(
                invocation_id=key,
                function_id=self.function_id,
                input_data=[pb.ParameterBinding(name=self.binding, data=data)],
            )
        )


def _describe(value: Any) -> str:
    kind = value.WhichOneof("data")
    if kind == "http":
        inner = value.http.body
        raw = inner.bytes if inner.WhichOneof("data") == "bytes" else inner.string
    elif kind is None:
        return ""
    else:
        raw = getattr(value, kind)
    if isinstance(raw, bytes):
        return raw[:200].decode("utf-8", "replace")
    return str(raw)[:200]


class Host:
    def __init__(self, conns: list[Connection], args: dict[str, Any]) -> None:
        self.worker_dir = Path(args["worker_dir"])
        self.app = Path(args["app"])
        self.function = args["function"]
        self.threads = int(args["threads"])
        self.python = args["python"]
        self.env = dict(args["env"])
        self.specialize = bool(args.get("specialize"))
        self.body = bytes.fromhex(args["body"])
        self.cores: list[int] | None = args.get("cores")
        self.pb = load_protos(self.worker_dir)
        self.script = worker_script(self.worker_dir)
        self.channels = [Channel(self.pb, i, c) for i, c in enumerate(conns)]
        self.by_id = {ch.worker_id: ch for ch in self.channels}
        self.placeholder = tempfile.mkdtemp(prefix="azfn-profile-placeholder-")
        self.server: Any = None

    def serve(self) -> int:
        import grpc  # type: ignore[import-untyped]

        def stream(requests: Iterator[Any], context: Any) -> Iterator[Any]:
            first = next(requests, None)
            if first is None or first.WhichOneof("content") != "start_stream":
                return
            channel = self.by_id.get(first.start_stream.worker_id)
            if channel is None:
                return
            channel.control.put(first)
            yield from channel.stream(requests)

        handler = grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "EventStream": grpc.stream_stream_rpc_method_handler(
                    stream,
                    request_deserializer=self.pb.StreamingMessage.FromString,
                    response_serializer=self.pb.StreamingMessage.SerializeToString,
                )
            },
        )
        unlimited = [
            ("grpc.max_receive_message_length", -1),
            ("grpc.max_send_message_length", -1),
        ]
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=len(self.channels) + 4),
            options=unlimited,
        )
        self.server.add_generic_rpc_handlers((handler,))
        port = int(self.server.add_insecure_port("127.0.0.1:0"))
        self.server.start()
        return port

    def app_settings(self) -> dict[str, str]:
        """What the app's workers see once the instance is the app's."""
        return {
            "FUNCTIONS_WORKER_RUNTIME": "python",
            facts.PROCESS_COUNT: str(len(self.channels)),
            facts.THREAD_COUNT: str(self.threads),
            "AzureWebJobsScriptRoot": str(self.app),
            **self.env,
        }

    def start(self, channel: Channel, port: int) -> None:
        base = {k: v for k, v in os.environ.items() if k not in AZURE_MARKERS}
        base.pop("PYTHONPATH", None)
        if self.specialize:
            env = {
                **base,
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "WEBSITE_PLACEHOLDER_MODE": "1",
                "AzureWebJobsScriptRoot": self.placeholder,
                facts.THREAD_COUNT: PLACEHOLDER_THREADS,
            }
            cwd = self.placeholder
        else:
            env, cwd = {**base, **self.app_settings()}, str(self.app)
        uri = f"http://127.0.0.1:{port}"
        channel.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        try:
            channel.proc = subprocess.Popen(
                [
                    self.python,
                    str(self.script),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workerId",
                    channel.worker_id,
                    "--requestId",
                    "lab",
                    "--grpcMaxMessageLength",
                    "2147483647",
                    "--functions-uri",
                    uri,
                    "--functions-worker-id",
                    channel.worker_id,
                    "--functions-request-id",
                    "lab",
                    "--functions-grpc-max-message-length",
                    "2147483647",
                ],
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=channel.log,
                stderr=subprocess.STDOUT,
            )
        except OSError as exc:
            raise HostError(f"cannot start {self.python}: {exc.strerror}") from None
        if self.cores and hasattr(os, "sched_setaffinity"):
            with contextlib.suppress(OSError):  # it may have exited already
                os.sched_setaffinity(channel.proc.pid, self.cores)

    def handshake(self, channel: Channel) -> None:
        pb, deadline = self.pb, time.monotonic() + HANDSHAKE_TIMEOUT_S
        channel.expect("start_stream", deadline)
        channel.send(
            worker_init_request=pb.WorkerInitRequest(
                host_version=HOST_VERSION,
                worker_directory=str(self.worker_dir),
                function_app_directory=self.placeholder
                if self.specialize
                else str(self.app),
            )
        )
        channel.check(channel.expect("worker_init_response", deadline).result, "init")
        if self.specialize:
            settings = {k: v for k, v in os.environ.items() if k not in AZURE_MARKERS}
            settings.pop("PYTHONPATH", None)
            settings.update(self.app_settings())
            channel.send(
                function_environment_reload_request=pb.FunctionEnvironmentReloadRequest(
                    environment_variables=settings,
                    function_app_directory=str(self.app),
                )
            )
            reply = channel.expect("function_environment_reload_response", deadline)
            channel.check(reply.result, "the environment reload")
        channel.send(
            functions_metadata_request=pb.FunctionsMetadataRequest(
                function_app_directory=str(self.app)
            )
        )
        found = channel.expect("function_metadata_response", deadline)
        channel.check(found.result, "indexing the app")
        names = [m.name for m in found.function_metadata_results]
        metadata = next(
            (m for m in found.function_metadata_results if m.name == self.function),
            None,
        )
        if metadata is None:
            raise HostError(
                f"the worker found no function {self.function!r} in {self.app} "
                f"(it found: {', '.join(names) or 'none'})"
            )
        for name, binding in metadata.bindings.items():
            if binding.type.endswith("Trigger") and binding.direction == 0:
                channel.binding, channel.trigger = name, binding.type
        channel.function_id = metadata.function_id
        channel.send(
            function_load_request=pb.FunctionLoadRequest(
                function_id=metadata.function_id, metadata=metadata
            )
        )
        channel.check(
            channel.expect("function_load_response", deadline).result, "the load"
        )

    def run(self) -> None:
        port = self.serve()
        for channel in self.channels:
            self.start(channel, port)
        for channel in self.channels:
            self.handshake(channel)
        host_ready = time.process_time()
        for channel in self.channels:
            assert channel.proc is not None
            channel.conn.send(
                ("ready", channel.proc.pid, cpu_seconds(channel.proc.pid))
            )
        stopped = threading.Barrier(len(self.channels) + 1)
        for channel in self.channels:
            threading.Thread(
                target=self.relay, args=(channel, stopped), daemon=True
            ).start()
        stopped.wait()
        host_cpu = time.process_time() - host_ready
        for i, channel in enumerate(self.channels):
            assert channel.proc is not None
            pid = channel.proc.pid
            with contextlib.suppress(OSError, ValueError):
                channel.conn.send(
                    (
                        "stopped",
                        peak_rss_mb(pid),
                        cpu_seconds(pid),
                        host_cpu if i == 0 else 0.0,
                    )
                )

    def relay(self, channel: Channel, stopped: threading.Barrier) -> None:
        while True:
            try:
                message = channel.conn.recv()
            except (EOFError, OSError):
                break
            if message[0] != "invoke":
                break
            channel.invoke(message[1], self.body)
        stopped.wait()

    def close(self) -> None:
        for channel in self.channels:
            channel.outgoing.put(None)
            if channel.proc is not None and channel.proc.poll() is None:
                channel.proc.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for channel in self.channels:  # one grace period for them all, then SIGKILL
            if channel.proc is None:
                continue
            try:
                channel.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                channel.proc.kill()
                channel.proc.wait(timeout=5)
        for channel in self.channels:
            if channel.log is not None:
                channel.log.close()
        if self.server is not None:
            self.server.stop(0)
        with contextlib.suppress(OSError):
            Path(self.placeholder).rmdir()


def main() -> None:
    """`python -m azfn_profile.lab.grpc_host FD,FD,... ARGS`: one host for a point."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the dispatcher stops the run

    def terminated(*_: object) -> None:
        # Once closing, finish closing: the workers are being stopped.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, terminated)
    conns = [Connection(int(fd)) for fd in sys.argv[1].split(",")]
    args = json.loads(sys.argv[2])
    host: Host | None = None
    try:
        host = Host(conns, args)
        host.run()
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none hidden
        message = (
            str(exc)
            if isinstance(exc, HostError)
            else "the lab's host could not drive the worker in "
            f"{args.get('worker_dir')}: {type(exc).__name__}: {str(exc)[:500]}"
        )
        for conn in conns:
            with contextlib.suppress(OSError, ValueError):
                conn.send(("error", message))
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a late stop: close anyway
        if host is not None:
            host.close()


if __name__ == "__main__":
    main()
