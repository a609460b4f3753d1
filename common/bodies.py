"""What a request must be before any handler sees it, the same for every service.

- A path id that is not a UUID names nothing: the same 404 a missing object gets, so a caller
  learns nothing from the shape of what it guessed.
- A body is JSON (`Content-Type: application/json`, else 415), at most `MAX_BODY_BYTES` (413,
  enforced by litestar while the body streams in), nested at most `MAX_DEPTH` deep (400, checked
  on the raw bytes: decoding a deeply nested body is what overflowed the stack), and decoded
  strictly into the handler's Struct (`"1"` is not an int). litestar's own decoding is lax because
  it shares one path with query strings, where every value arrives as text.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from common.access_table import AccessTable, refuse_unless
from common.errors import NotFound
from common.ids import is_uuid

MAX_BODY_BYTES = 1_000_000
MAX_DEPTH = 32

_AS_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_MSGSPEC_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)


class UnsupportedMediaType(HTTPException):
    status_code = 415


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest more than `limit` deep; brackets inside strings do not
    count. Only bytes methods (C speed, linear), so a hostile megabyte costs milliseconds."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    # After escaped backslashes and escaped quotes are gone, every quote opens or closes a string.
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside_strings = b"".join(unescaped.split(b'"')[0::2])
    brackets = outside_strings.translate(_AS_BRACKETS, _NOT_BRACKETS)
    # Each round takes away every innermost container, so what is left after `limit` rounds
    # was nested deeper than `limit` (or never closed: not JSON either way).
    for _ in range(limit):
        shorter = brackets.replace(b"()", b"")
        if shorter == brackets:
            break
        brackets = shorter
    return bool(brackets)


def is_json_media_type(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def validation_problem(exc: msgspec.ValidationError) -> ValidationException:
    """msgspec's `Expected int, got str - at $.party.adults` as a 400 that names `party.adults`."""
    match = _MSGSPEC_PATH.match(str(exc))
    assert match is not None  # the pattern matches any text
    path = (match.group("path") or "").lstrip(".")
    message = match.group("message")
    detail = f"{path}: {message}" if path else message
    return ValidationException(detail, extra=[{"key": path, "message": message, "source": "body"}])


def strict_body(body: bytes, body_type: Any) -> None:
    """Refuses a body that does not decode strictly into `body_type` (400, field named)."""
    if not body.strip():
        raise ValidationException("This call needs a JSON body.")
    if too_deep(body):
        raise ValidationException(f"The body is nested too deeply (at most {MAX_DEPTH} levels).")
    try:
        msgspec.json.decode(body, type=body_type, strict=True)
    except msgspec.ValidationError as exc:
        raise validation_problem(exc) from exc
    except msgspec.DecodeError as exc:
        raise ValidationException(f"The body is not valid JSON: {exc}") from exc


def check_path_ids(path_params: dict[str, Any]) -> None:
    for name, value in path_params.items():
        if name.endswith("_id") and isinstance(value, str) and not is_uuid(value):
            noun = name.removesuffix("_id")
            raise NotFound(f"There is no {noun} with this id.", code=f"{noun}-not-found")


class GuardRequests(ASGIMiddleware):
    """Runs after authentication (an anonymous caller gets 401, whatever it sent). First the
    role part of the service's access table (403: a refused role learns nothing from the shape
    of what it sent), then the path ids and the body."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, access: AccessTable[Any]):
        self.access = access

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope["route_handler"]
        allowed = self.access.roles_of(handler.opt)
        if allowed is not None:
            refuse_unless(scope["user"].role, allowed)
        check_path_ids(scope.get("path_params") or {})
        data = handler.parsed_fn_signature.parameters.get("data")
        if data is not None:
            request: Request[Any, Any, Any] = Request(scope, receive)
            content_type = request.headers.get("content-type", "")
            body = await request.body()
            if (body or content_type) and not is_json_media_type(content_type):
                sent = content_type or "no content type"
                raise UnsupportedMediaType(
                    f"Send the body as JSON (`Content-Type: application/json`), not {sent}."
                )
            strict_body(body, data.annotation)
        await next_app(scope, receive, send)
