"""`/crisis`: the crisis team's placements with the days left of each stay's limit, highlighted
as the limit approaches; and a referral for a family fleeing violence (placed by beds at a
confidential site only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get

from services.beds.domain import commands as c
from services.beds.pages import urls
from services.beds.pages.frame import Pages, actor, render, signed_in
from services.beds.service_layer import results as r

NEAR_LIMIT_DAYS = 2.0  # the stay_limit_approaching alert's default lead


@dataclass(frozen=True)
class Placement:
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
                names[first.site_id],
                len(members),
                first.started_at,
                first.limit_at,
                first.days_left(found.now) if first.limit_at else None,
            )
        )
    return sorted(rows, key=lambda p: p.days_left if p.days_left is not None else 1e9)


class CrisisPages(Controller):
    include_in_schema = False

    @get(urls.CRISIS)
    async def crisis(self, request: Request[Any, Any, Any]) -> Response[Any]:
        pages: Pages = request.app.state.pages
        principal = signed_in(request, pages)
        rows = await pages.bus.ask(c.ListPlacements(), actor(principal), placements)
        return render(request, pages, "crisis.html", user=principal, placements=rows)
