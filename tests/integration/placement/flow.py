"""Helpers for the placement flow across intake and beds, read like the story they tell."""

from __future__ import annotations

from typing import Any

from tests.integration.beds.helpers import open_site
from tests.support.service import Service, wait_until
from tests.support.sites import night_shelter, room

NEAR = (49.8412, 24.0312)  # where the patrol found them
NEAR_SITE = {"lat": 49.845, "lon": 24.035}
FAR_SITE = {"lat": 49.95, "lon": 24.20}


async def shelter(beds: Service, name: str, *, beds_: int = 1, mats: int = 0, **kw: Any) -> str:
    kind = kw.pop("kind", "shelter" if mats == 0 else "night_shelter")
    body = night_shelter(name, beds_, mats, kind=kind, **{**NEAR_SITE, **kw})
    return str((await open_site(beds, body))["id"])


async def family_shelter(beds: Service, name: str, **kw: Any) -> str:
    where = {"kind": "shelter", **NEAR_SITE, **kw}
    body = night_shelter(name, 0, 0, rooms=[room("family", 4, "family")], **where)
    return str((await open_site(beds, body))["id"])


async def referral_in(intake: Service, referral_id: str, token: str, status: str) -> dict[str, Any]:
    """The referral as its team sees it, once beds' events have brought it to `status`."""

    async def reached() -> dict[str, Any] | None:
        body: dict[str, Any] = (await intake.get(f"/api/v1/referrals/{referral_id}", token)).json()
        return body if body.get("status") == status else None

    found: dict[str, Any] = await wait_until(reached, within=15)
    return found
