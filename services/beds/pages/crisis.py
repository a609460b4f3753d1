"""`/crisis`: the crisis team's placements with the days left of each stay's limit, highlighted
as the limit approaches, each with its extension request (ask a supervisor; the answer shows
here); a supervisor sees the requests waiting and grants or refuses them; and a referral for a
family fleeing violence (placed by beds at a confidential site only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get

from common.pagination import MAX_PAGE
from services.beds.domain import commands as c
from services.beds.domain.access import OVERSEERS
from services.beds.domain.extensions import ExtensionRequest
from services.beds.domain.stays import MAX_EXTENSION_DAYS
from services.beds.pages import urls
from services.beds.pages.frame import Pages, actor, render, signed_in
from services.beds.service_layer import results as r

NEAR_LIMIT_DAYS = 2.0  # the stay_limit_approaching alert's default lead


@dataclass(frozen=True)
class Placement:
    stay_id: str
    group_id: str
    site_name: str
    people: int
    started_at: datetime
    limit_at: datetime | None
    days_left: float | None

    @property
    def state(self) -> str:
        if self.days_left is None:
            return ""
        return (
            "over-limit" if self.days_left <= 0 else "near-limit" if self.days_left <= NEAR_LIMIT_DAYS else ""
        )


def placements(found: r.Placements) -> list[Placement]:
    names = {site.id: site.name for site in found.sites}
    families: dict[str, list[Any]] = {}
    for stay in found.stays:
        families.setdefault(stay.group_id, []).append(stay)
    rows = []
    for members in families.values():
        first = min(members, key=lambda s: s.started_at)
        rows.append(
            Placement(
                first.id,
                first.group_id,
                names[first.site_id],
                len(members),
                first.started_at,
                first.limit_at,
                first.days_left(found.now) if first.limit_at else None,
            )
        )
    return sorted(rows, key=lambda p: p.days_left if p.days_left is not None else 1e9)


@dataclass(frozen=True)
class Requests:
    """The newest request of each family, and the ones waiting for a supervisor (oldest first)."""

    latest: dict[str, ExtensionRequest]
    pending: list[tuple[ExtensionRequest, str]]  # with the site's name


def requests(found: r.ExtensionRequests) -> Requests:
    names = {site.id: site.name for site in found.sites}
    latest: dict[str, ExtensionRequest] = {}
    for request in found.requests:
        latest[request.group_id] = request  # oldest first: the last one seen is the newest
    pending = [(q, names.get(q.site_id, "")) for q in found.requests if q.status == "pending"]
    return Requests(latest, pending)


class CrisisPages(Controller):
    include_in_schema = False

    @get(urls.CRISIS)
    async def crisis(self, request: Request[Any, Any, Any]) -> Response[Any]:
        pages: Pages = request.app.state.pages
        principal = signed_in(request, pages)
        who = actor(principal)
        rows = await pages.bus.ask(c.ListPlacements(), who, placements)
        # A supervisor answers what waits; a team sees its own requests' answers beside its families.
        shown = c.ListExtensionRequests(
            status="pending" if principal.role in OVERSEERS else None, limit=MAX_PAGE
        )
        found = await pages.bus.ask(shown, who, requests)
        return render(
            request,
            pages,
            "crisis.html",
            user=principal,
            placements=rows,
            requests=found,
            decides=principal.role in OVERSEERS,
            max_days=MAX_EXTENSION_DAYS,
        )
