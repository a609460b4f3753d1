"""`/patrol`: find and hold on a phone. The page calls beds' JSON API (nearest places, holds)
with the sign-in cookie; a referral goes to intake through `ReferralsLink`, a small same-origin
pass-through on beds: the cookie is HttpOnly and belongs to beds' origin, the page's CSP allows
`connect-src 'self'` only, and no CORS rule has to be kept in step on intake. The caller's own
token goes with each call, so intake applies its own access rules, as for any client."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from common.auth import COOKIE
from common.problems import problem
from services.beds.pages import urls
from services.beds.pages.frame import Pages, SignInNeeded, render, signed_in

INTAKE_REFERRALS = "/api/v1/referrals"
PASSED_HEADERS = ("content-type", "idempotency-key")


class PatrolPages(Controller):
    include_in_schema = False

    @get(urls.PATROL)
    async def patrol(self, request: Request[Any, Any, Any]) -> Response[Any]:
        pages: Pages = request.app.state.pages
        principal = signed_in(request, pages)
        return render(request, pages, "patrol.html", user=principal, source=source_of(principal.role))


def source_of(role: str) -> str:
    return "mobile_team" if role == "crisis_team" else "patrol" if role == "patrol" else "walk_in"


class ReferralsLink(Controller):
    """JSON in, JSON out, as intake answers; outside the pages' router so that its errors are
    problem documents (a script reads them), not HTML pages."""

    include_in_schema = False

    async def _forward(self, request: Request[Any, Any, Any], method: str, path: str) -> Response[Any]:
        pages: Pages = request.app.state.pages
        try:
            principal_token = request.cookies.get(COOKIE, "")
            signed_in(request, pages)
        except SignInNeeded:
            return problem(401, "Sign in first: this page needs your sign-in cookie.")
        headers = {"Authorization": f"Bearer {principal_token}"}
        headers.update({h: request.headers[h] for h in PASSED_HEADERS if h in request.headers})
        body = await request.body() if method == "POST" else None
        try:
            answer = await pages.intake.request(method, path, content=body, headers=headers)
        except httpx.HTTPError:
            return problem(503, "The referrals service cannot be reached right now; nothing was sent.")
        return Response(
            answer.content,
            status_code=answer.status_code,
            media_type=answer.headers.get("content-type", "application/json"),
        )

    @post(urls.REFERRALS, status_code=202)
    async def send(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await self._forward(request, "POST", INTAKE_REFERRALS)

    @get(urls.REFERRAL)
    async def status(self, request: Request[Any, Any, Any], referral_id: FromPath[str]) -> Response[Any]:
        return await self._forward(request, "GET", f"{INTAKE_REFERRALS}/{referral_id}")
