"""What the HTTP server answers before a request reaches the app. uvicorn (h11) refuses a request
it cannot read — a malformed request line, or headers larger than its limit, such as a 64 KB
`Authorization` header — with a `text/plain` 400 of its own. Every answer of ours is a problem
(RFC 9457), so that one is too: 431 when the headers are too large, 400 otherwise."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import h11
import msgspec
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from common.problems import MEDIA_TYPE, TYPE_BASE

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
