"""What every page shares: who is signed in (the cookie), the language, the security headers,
the template response, and friendly error pages in the user's language instead of a problem
document or a stack trace."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.exceptions import NotFoundException as HttpNotFound
from litestar.response import Redirect, Template

from common.auth import COOKIE, InvalidToken, Principal, Tokens
from common.clock import Clock
from common.errors import DomainError, Forbidden, NotFound
from common.logging import get_logger
from common.problems import EXCEPTION_HANDLERS
from services.beds.domain.access import Actor
from services.beds.pages import i18n, urls
from services.beds.service_layer.messagebus import BedsBus

log = get_logger(__name__)
LANG_COOKIE_AGE = timedelta(days=365)

# No inline script or style anywhere: the pages' scripts are files served by beds itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Pages:
    """What the page handlers need, built once by `pages.app`."""

    bus: BedsBus
    tokens: Tokens
    clock: Clock
    cookie_secure: bool
    intake: httpx.AsyncClient  # intake's HTTP API, reached from the server (same origin for the page)


class SignInNeeded(Exception):
    pass


def signed_in(request: Request[Any, Any, Any], pages: Pages) -> Principal:
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignInNeeded
    try:
        return pages.tokens.verify(token)
    except InvalidToken as exc:
        raise SignInNeeded from exc


def actor(principal: Principal) -> Actor:
    return Actor(principal.subject, principal.role, principal.team_id, principal.site_ids)


def language(request: Request[Any, Any, Any]) -> str:
    return i18n.chosen(request)[0]


def render(
    request: Request[Any, Any, Any],
    pages: Pages,
    template: str,
    *,
    status: int = 200,
    user: Principal | None = None,
    **context: Any,
) -> Template:
    lang, asked = i18n.chosen(request)
    response = Template(
        template_name=template,
        context={"lang": lang, "user": user, "path": request.url.path, **context},
        status_code=status,
        headers=SECURITY_HEADERS,
    )
    if asked:
        response.set_cookie(
            i18n.COOKIE,
            lang,
            max_age=int(LANG_COOKIE_AGE.total_seconds()),
            httponly=True,
            secure=pages.cookie_secure,
            samesite="lax",
        )
    return response


def with_security_headers(response: Response[Any]) -> Response[Any]:
    response.headers.update(SECURITY_HEADERS)
    return response


def _error_page(request: Request[Any, Any, Any], status: int) -> Response[Any]:
    pages: Pages = request.app.state.pages
    user = None
    with contextlib.suppress(SignInNeeded):
        user = signed_in(request, pages)
    return render(request, pages, "error.html", status=status, user=user, status_code=status)


def _sign_in_first(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return with_security_headers(Redirect(f"{urls.SIGN_IN}?next={quote(target)}", status_code=303))


def _status_of(exc: Exception) -> int:
    if isinstance(exc, NotFound | HttpNotFound):
        return 404
    if isinstance(exc, Forbidden | PermissionDeniedException):
        return 403
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, DomainError):
        return 409
    return 500


def _friendly(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    status = _status_of(exc)
    if status >= 500:
        log.error(
            "page_failed", error=type(exc).__name__, route=request.scope.get("path_template"), exc_info=exc
        )
    return _error_page(request, status if status in HTTPStatus._value2member_map_ else 500)


# Every type the app's problem handlers know is named here too: the most specific handler wins
# across layers, so `Exception` alone would leave a DomainError to the JSON handler.
PAGE_ERRORS: dict[Any, Any] = {
    **{kind: _friendly for kind in EXCEPTION_HANDLERS},
    SignInNeeded: _sign_in_first,
    NotAuthorizedException: _sign_in_first,
}
