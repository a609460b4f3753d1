"""Sign-in with a token pasted once (then an HttpOnly, Secure, SameSite cookie), or with the
short-lived link `shelterbeds token --link` prints; sign-out. The cookie is SameSite=Lax, not
Strict: a sign-in link opened from a messenger is a cross-site navigation, and a Strict cookie
would not be sent on the redirect that follows it. Writes are covered by the CSRF check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Response

from common.auth import COOKIE, InvalidToken, Principal
from common.rate_limits import by_address
from services.beds.pages import urls
from services.beds.pages.frame import Pages, SignInNeeded, render, signed_in, with_security_headers

SESSION = timedelta(hours=12)
MAX_TOKEN = 4000


class SignInForm(msgspec.Struct):
    token: str = ""
    next: str = ""


def local_target(value: str | None) -> str:
    """Only a path on this site: `//elsewhere` or `https://…` would send the user away."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return urls.HOME


def _signed_in_response(pages: Pages, token: str, target: str, ttl_seconds: int) -> Response[Any]:
    response = Redirect(local_target(target), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=ttl_seconds,
        httponly=True,
        secure=pages.cookie_secure,
        samesite="lax",
        path="/",
    )
    return with_security_headers(response)


def home_of(principal: Principal) -> str:
    if principal.role == "shelter_staff" and principal.site_ids:
        return urls.BOARD.replace("{site_id:str}", sorted(principal.site_ids)[0])
    return {"patrol": urls.PATROL, "crisis_team": urls.CRISIS, "supervisor": urls.REPORTS}.get(
        principal.role, urls.PATROL
    )


class SessionPages(Controller):
    include_in_schema = False

    @get(urls.HOME)
    async def home(self, request: Request[Any, Any, Any]) -> Response[Any]:
        pages: Pages = request.app.state.pages
        return with_security_headers(Redirect(home_of(signed_in(request, pages)), status_code=303))

    @get(urls.SIGN_IN)
    async def sign_in_page(self, request: Request[Any, Any, Any], next: FromQuery[str] = "") -> Response[Any]:
        pages: Pages = request.app.state.pages
        return render(request, pages, "sign_in.html", next=local_target(next), failed=False)

    @post(urls.SIGN_IN, opt=by_address())  # no token yet: limited per client address
    async def sign_in(self, request: Request[Any, Any, Any]) -> Response[Any]:
        # The form is read here, not as `data`: the API's door takes JSON bodies only.
        pages: Pages = request.app.state.pages
        form = await request.form()
        data = SignInForm(str(form.get("token", "")), str(form.get("next", "")))
        token = data.token.strip()
        try:
            if not token or len(token) > MAX_TOKEN:
                raise InvalidToken("no token")
            pages.tokens.verify(token)
        except InvalidToken:
            return render(
                request, pages, "sign_in.html", status=401, next=local_target(data.next), failed=True
            )
        return _signed_in_response(pages, token, data.next, int(SESSION.total_seconds()))

    @get(urls.SIGN_IN_LINK, opt=by_address())
    async def sign_in_link(
        self, request: Request[Any, Any, Any], token: FromQuery[str] = ""
    ) -> Response[Any]:
        pages: Pages = request.app.state.pages
        try:
            principal = pages.tokens.redeem_link(token[:MAX_TOKEN])
        except InvalidToken:
            return render(request, pages, "sign_in.html", status=401, next=urls.HOME, failed=True)
        session = pages.tokens.issue(
            principal.role,
            team_id=principal.team_id,
            site_ids=sorted(principal.site_ids),
            ttl=SESSION,
            subject=principal.subject,
        )
        return _signed_in_response(pages, session, home_of(principal), int(SESSION.total_seconds()))

    @post(urls.SIGN_OUT)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Response[Any]:
        response = Redirect(urls.SIGN_IN, status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return with_security_headers(response)


__all__ = ["SessionPages", "SignInNeeded"]
