"""CSRF protection for everything a browser sends with the sign-in cookie: litestar's
double-submit check (a `csrftoken` cookie, echoed in the form's `_csrf_token` field or the
`x-csrftoken` header that the pages' scripts add to their API calls).

A call with `Authorization: Bearer` is not a browser's ambient credential and skips it; so does an
API call with no sign-in cookie at all (it is refused as unauthenticated anyway, 401)."""

from __future__ import annotations

from litestar.config.csrf import CSRFConfig
from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from common.auth import COOKIE
from services.beds.api import urls as api_urls

CSRF_COOKIE = "csrftoken"


def csrf_config(secret: str, *, secure: bool) -> CSRFConfig:
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        cookie_secure=secure,
        cookie_httponly=True,  # the pages carry the token in a meta tag; scripts never read cookies
        cookie_samesite="strict",
    )


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope.get("headers", []) if k == name), None)


class CookieCSRF:
    def __init__(self, app: ASGIApp, config: CSRFConfig):
        self.app = app
        self.csrf = CSRFMiddleware(app, config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or self._exempt(scope):
            await self.app(scope, receive, send)
            return
        await self.csrf(scope, receive, send)

    @staticmethod
    def _exempt(scope: Scope) -> bool:
        if _header(scope, b"authorization") is not None:
            return True
        if not scope["path"].startswith(api_urls.API):
            return False  # pages: the check, and the cookie set on the first page
        cookies = (_header(scope, b"cookie") or b"").decode("latin-1")
        return f"{COOKIE}=" not in cookies or scope.get("method") in ("GET", "HEAD", "OPTIONS")
