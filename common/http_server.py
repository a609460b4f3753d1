"""What the HTTP server answers before a request reaches the app. uvicorn (h11) refuses a request
it cannot read — a malformed request line, or headers larger than its limit, such as a 64 KB
`Authorization` header — with a `text/plain` 400 of its own. Every answer of ours is a problem
(RFC 9457), so that one is too: 431 when the headers are too large, 400 otherwise."""

from __future__ import annotations

import os
import signal
import threading
import time
from http import HTTPStatus
from types import FrameType
from typing import Any

import h11
import msgspec
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from common.logging import get_logger
from common.problems import MEDIA_TYPE, TYPE_BASE

log = get_logger(__name__)
# How far past the grace a stuck shutdown (a driver call that ignores cancellation) may run
# before the process ends itself: the bound is the promise, a clean exit only the usual case.
OVERRUN_S = 2.0

# h11's own default; headers (request line included) above it are refused unread.
MAX_HEADER_BYTES = 16 * 1024


def unreadable_request_problem(status: int) -> bytes:
    if status == HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE:
        detail = f"The request's headers are larger than {MAX_HEADER_BYTES // 1024} KB; nothing was read."
        code = "headers-too-large"
    else:
        detail = "The request could not be read as HTTP/1.1; nothing was read."
        code = "malformed-request"
    body = {"type": TYPE_BASE + code, "status": status, "title": HTTPStatus(status).phrase, "detail": detail}
    return msgspec.json.encode(body)


def headers_too_large(scope: dict[str, Any]) -> bool:
    """The same limit for headers that arrived whole (h11 only limits what it must buffer)."""
    size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
    return size + sum(len(k) + len(v) + 4 for k, v in scope.get("headers") or ()) > MAX_HEADER_BYTES


async def send_problem(send: Any, status: HTTPStatus) -> None:
    body = unreadable_request_problem(status)
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": int(status), "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ProblemH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering an unreadable request with a problem."""

    def send_400_response(self, msg: str) -> None:
        unread, _ = self.conn.trailing_data
        too_large = len(unread) > MAX_HEADER_BYTES
        status = HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE if too_large else HTTPStatus.BAD_REQUEST
        body = unreadable_request_problem(status)
        headers = [
            (b"content-type", MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=int(status), headers=headers, reason=status.phrase.encode()),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


def server_config(app: Any, *, host: str, port: int, **options: Any) -> uvicorn.Config:
    """How every service is served: our h11 protocol, the header limit above, no server header."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=ProblemH11Protocol,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        server_header=False,
        **options,
    )


class GracefulServer(uvicorn.Server):
    """uvicorn, stopping the way a replica behind a load balancer must (docs/operations.md):

    1. SIGTERM (or SIGINT): `/health/ready` answers 503 at once, requests are still served;
    2. after `drain_seconds` the listener closes; requests in hand get their answers;
    3. the app's shutdown: consumers ack what they hold, the outbox is relayed, NATS and the
       database are closed — all of it by `grace_seconds` after the signal;
    4. exit 0. uvicorn itself would re-raise the signal once done (exit status -15), which tells
       a supervisor the process was killed rather than that it finished cleanly.
    A second SIGINT ends it without the app's shutdown; a shutdown stuck past the grace ends with
    exit status 1."""

    def __init__(self, config: uvicorn.Config, runtime: Any, *, grace_seconds: float, drain_seconds: float):
        super().__init__(config)
        self.runtime = runtime
        self.grace_seconds = grace_seconds
        self.drain_seconds = min(drain_seconds, grace_seconds / 4)
        self.signalled_at: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.signalled_at is not None:
            if sig == signal.SIGINT:
                self.force_exit = True
            return
        self.signalled_at = time.monotonic()
        self.runtime.begin_stopping()
        self.runtime.stop_deadline = self.signalled_at + self.grace_seconds
        # Requests in hand get up to half of what is left after the drain; the rest is the app's.
        self.config.timeout_graceful_shutdown = max(1, int((self.grace_seconds - self.drain_seconds) / 2))
        watchdog = threading.Timer(self.grace_seconds + OVERRUN_S, self._overrun)
        watchdog.daemon = True
        watchdog.start()

    def _overrun(self) -> None:
        log.error("shutdown_overran", grace_seconds=self.grace_seconds)
        os._exit(1)

    async def on_tick(self, counter: int) -> bool:
        if self.signalled_at is not None and time.monotonic() - self.signalled_at >= self.drain_seconds:
            self.should_exit = True
        return await super().on_tick(counter)
