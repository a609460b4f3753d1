"""Per-request observation: a request id (from X-Request-ID or new), one access log line and the
HTTP metrics, labelled by route template (`/api/v1/holds/{hold_id}`), never by raw path."""

from __future__ import annotations

import re
import time
import uuid
from http import HTTPStatus
from typing import Any

import structlog

from common.http_server import headers_too_large, send_problem
from common.logging import get_logger
from common.metrics import ServiceMetrics

log = get_logger("shelterbeds.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class ObserveRequests:
    """Wraps the whole ASGI handler, so unmatched routes (404) are counted and carry an id too."""

    def __init__(self, app: Any, metrics: ServiceMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        status = 500

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                if headers_too_large(scope):  # as the server answers when they arrive in pieces
                    await send_problem(send_with_id, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
                    return
                await self.app(scope, receive, send_with_id)
            finally:
                elapsed = time.perf_counter() - started
                route = scope.get("path_template") or "unmatched"
                method = scope.get("method", "GET")
                self.metrics.http_requests.labels(method=method, route=route, status=str(status)).inc()
                self.metrics.http_duration.labels(method=method, route=route).observe(elapsed)
                if route not in ("/health/live", "/health/ready", "/metrics"):
                    log.info(
                        "http_request", method=method, route=route, status=status, ms=round(elapsed * 1000, 1)
                    )
