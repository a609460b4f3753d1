"""RFC 9457 problem details for every failure, so that a client always gets
`application/problem+json` with `status`, `title` and `detail` — and never a 500 for bad input."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from common.auth import COOKIE
from common.db import is_unavailable
from common.errors import Conflict, DomainError, Forbidden, NotFound, RuleViolation
from common.logging import get_logger

log = get_logger(__name__)
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://shelterbeds.org/problems/"

_STATUS_OF_DOMAIN_ERROR: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (RuleViolation, 422),
    (DomainError, 422),
]


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code if code else "about:blank",
        "status": status,
        "title": title or HTTPStatus(status).phrase,
        "detail": detail,
    }
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        body["request_id"] = request_id
    body.update({k: v for k, v in extra.items() if v is not None})
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = next(code for cls, code in _STATUS_OF_DOMAIN_ERROR if isinstance(exc, cls))
    return problem(status, exc.detail, code=exc.code, **exc.extra)


def _validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    messages = [
        f"{e['key']}: {e['message']}" if e.get("key") else str(e["message"])
        for e in errors
        if isinstance(e, dict) and e.get("message")
    ]
    detail = "; ".join(messages) or str(exc.detail)
    return problem(400, detail, title="Invalid request", code="invalid-request", errors=errors or None)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    detail = exc.detail if exc.detail and exc.detail != HTTPStatus(status).phrase else _default_detail(status)
    headers = dict(exc.headers or {})
    if status == 401 and "WWW-Authenticate" not in headers:
        # RFC 6750: say which scheme, and whether the token sent was the problem
        sent = "authorization" in request.headers or COOKIE in request.cookies
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if sent else "Bearer"
    return problem(status, detail, headers=headers or None)


UNAVAILABLE_RETRY_AFTER_S = 2


def _unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    if is_unavailable(exc):
        # Not a bug of ours: PostgreSQL is away for a moment (readiness says so too). A client
        # retries with the same Idempotency-Key.
        route = request.scope.get("path_template")
        log.warning("database_unavailable", error=type(exc).__name__, route=route)
        return problem(
            503,
            "The database cannot be reached just now; nothing was changed. Try again in a moment.",
            code="database-unavailable",
            headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
        )
    log.error(
        "unhandled_error", error=type(exc).__name__, route=request.scope.get("path_template"), exc_info=exc
    )
    return problem(500, "Something went wrong on our side; nothing was changed. Try again in a moment.")


def _default_detail(status: int) -> str:
    return {
        401: "This call needs `Authorization: Bearer <token>` (see `shelterbeds token`).",
        403: "Your role may not do this.",
        404: "There is nothing here, or you may not see it.",
        405: "This path does not take that method.",
    }.get(status, HTTPStatus(status).description or HTTPStatus(status).phrase)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: _domain_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected_error,
}
