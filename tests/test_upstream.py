"""The loopback upstream: latency, keep-alive, and a quiet shutdown."""

from __future__ import annotations

import gc
import logging
import socket
import time
from urllib.parse import urlsplit

import pytest

from azfn_profile.lab.upstream import upstream


def _get(sock: socket.socket) -> bytes:
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while not data.endswith(b'{"ok": true}'):
        chunk = sock.recv(4096)
        assert chunk, "upstream closed the connection"
        data += chunk
    return data


def test_answers_after_its_latency_and_keeps_connections_alive() -> None:
    with upstream(0.05) as url:
        where = urlsplit(url)
        with socket.create_connection((where.hostname, where.port), timeout=5) as sock:
            started = time.perf_counter()
            first = _get(sock)
            second = _get(sock)  # same connection
            elapsed = time.perf_counter() - started
    assert first.startswith(b"HTTP/1.1 200 OK") and second.startswith(b"HTTP/1.1 200")
    assert elapsed >= 0.1


def test_shutdown_with_open_connections_leaves_no_pending_tasks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="asyncio")
    with upstream(0.01) as url:
        where = urlsplit(url)
        idle = socket.create_connection((where.hostname, where.port), timeout=5)
        _get(idle)  # the handler now waits on this kept-alive connection
        mid_request = socket.create_connection((where.hostname, where.port), timeout=5)
        mid_request.sendall(b"GET / HTTP/1.1\r\n")  # half a request
        time.sleep(0.05)
    idle.close()
    mid_request.close()
    gc.collect()
    assert not [r for r in caplog.records if "destroyed" in r.getMessage()]
