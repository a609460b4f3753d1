"""Found when tried from outside: a 64 KB `Authorization` header got uvicorn's own text/plain 400.
The server every service runs on (`common.http_server`) answers an unreadable request with a
problem too."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from common.http_server import MAX_HEADER_BYTES, server_config
from common.metrics import ServiceMetrics
from common.observe import ObserveRequests


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"read"})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    port = free_port()
    app = ObserveRequests(hello, ServiceMetrics("test"))  # as create_service_app wraps every service
    server = uvicorn.Server(server_config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None))
    serving = asyncio.create_task(server.serve())
    for _ in range(1000):
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await serving


async def test_a_64_kb_authorization_header_is_answered_with_a_problem(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        answer = await client.get("/api/v1/sites", headers={"Authorization": "Bearer " + "x" * 64 * 1024})
    assert answer.status_code == 431
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 431
    assert problem["type"].endswith("/headers-too-large")
    assert f"{MAX_HEADER_BYTES // 1024} KB" in problem["detail"]


async def test_headers_too_large_arriving_in_pieces_are_answered_with_a_problem(base_url: str) -> None:
    """h11 refuses headers it must buffer beyond its limit: uvicorn's own text/plain 400 before."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET /api/v1/sites HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"x" * 20_000)
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.write(b"x" * 44_000 + b"\r\n\r\n")
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431")
    assert b"content-type: application/problem+json" in head.lower()
    assert b"headers-too-large" in body


async def test_a_malformed_request_is_answered_with_a_problem(base_url: str) -> None:
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET /api/v1/sites HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n")
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/problem+json" in head.lower()
    assert b"malformed-request" in body


async def test_headers_within_the_limit_reach_the_app(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        answer = await client.get("/", headers={"Authorization": "Bearer " + "x" * 8 * 1024})
    assert answer.status_code == 200
    assert answer.text == "read"
