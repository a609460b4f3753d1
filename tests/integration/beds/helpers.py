"""Small helpers so that the beds API tests read like the shelter's day: open a site, check
someone in, look at the board, and check that a refused request left nothing behind."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import ManualClock
from services.beds.adapters.orm import holds, metadata, placements
from services.beds.api.urls import API, AVAILABILITY, HOLDS, LEDGER, SITES, UNMET_DEMAND
from tests.support.service import Service
from tests.support.sites import party

__all__ = ["API", "AVAILABILITY", "HOLDS", "LEDGER", "SITES", "UNMET_DEMAND"]

PROBLEM = "application/problem+json"

# What a refused request must not touch. The outbox is compared without `sent_at` (the relay
# marks rows in the background); leases and the inbox belong to the clocks and consumers.
WATCHED_TABLES = (
    "sites",
    "rooms",
    "places",
    "place_claims",
    "holds",
    "stays",
    "nightly_ledger",
    "turnaways",
    "extension_requests",
    "audit_log",
    "idempotency_keys",
)


def site_url(site_id: str, *rest: str) -> str:
    return "/".join([SITES, site_id, *rest])


def stay_url(stay_id: str, *rest: str) -> str:
    return "/".join([API, "stays", stay_id, *rest])


def hold_url(hold_id: str, *rest: str) -> str:
    return "/".join([HOLDS, hold_id, *rest])


def room_url(room_id: str, *rest: str) -> str:
    return "/".join([API, "rooms", room_id, *rest])


def place_url(place_id: str, *rest: str) -> str:
    return "/".join([API, "places", place_id, *rest])


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def open_site(beds: Service, body: dict[str, Any]) -> dict[str, Any]:
    response = await beds.post(SITES, beds.token("admin"), body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def open_site_days_ago(beds: Service, body: dict[str, Any], days: float) -> dict[str, Any]:
    """A site opened earlier on the test's manual clock: a late record may not start before it."""
    clock = beds.runtime.clock
    assert isinstance(clock, ManualClock)
    now = clock.now()
    clock.set(now - timedelta(days=days))
    try:
        return await open_site(beds, body)
    finally:
        clock.set(now)


async def check_in(
    beds: Service, site_id: str, token: str, who: dict[str, Any] | None = None, **extra: Any
) -> httpx.Response:
    return await beds.post(site_url(site_id, "checkins"), token, {"party": who or party(), **extra})


async def checked_in(
    beds: Service, site_id: str, token: str, who: dict[str, Any] | None = None, **extra: Any
) -> list[dict[str, Any]]:
    """The stays of a check-in that must succeed."""
    response = await check_in(beds, site_id, token, who, **extra)
    assert response.status_code == 201, response.text
    return list(response.json()["stays"])


async def place_hold(
    beds: Service, token: str, site_id: str, who: dict[str, Any] | None = None, **extra: Any
) -> httpx.Response:
    return await beds.post(HOLDS, token, {"site_id": site_id, "party": who or party(), **extra})


async def board(beds: Service, site_id: str) -> dict[str, Any]:
    response = await beds.get(site_url(site_id, "board"), beds.token("supervisor"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def counts(board_: dict[str, Any]) -> dict[str, int]:
    keys = ("beds_total", "beds_occupied", "beds_held", "mats_total", "mats_used", "over_capacity")
    return {key: board_[key] for key in keys}


async def site_view(beds: Service, site_id: str) -> dict[str, Any]:
    response = await beds.get(site_url(site_id), beds.token("admin"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def room_named(site: dict[str, Any], name: str) -> dict[str, Any]:
    return next(room for room in site["rooms"] if room["name"] == name)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 answer with the expected status, a title and a human detail; never a 500."""
    assert response.status_code == status, (response.request.method, response.request.url, response.text)
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body = dict(response.json())
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


async def snapshot(beds: Service) -> dict[str, list[str]]:
    """Every row the beds database holds (and every event it has queued), for 'nothing changed'."""
    tables = {table.name: table for table in metadata.sorted_tables}
    state: dict[str, list[str]] = {}
    async with beds.runtime.read() as uow:
        for name in WATCHED_TABLES:
            rows = await uow.session.execute(sa.select(tables[name]))
            state[name] = sorted(repr(tuple(row)) for row in rows)
        outbox = uow.tables.outbox
        rows = await uow.session.execute(sa.select(outbox.c.event_id, outbox.c.type))
        state["outbox"] = sorted(repr(tuple(row)) for row in rows)
    return state


async def audit_rows(beds: Service, object_id: str) -> list[Any]:
    async with beds.runtime.read() as uow:
        audit = uow.tables.audit_log
        rows = await uow.session.execute(
            sa.select(audit).where(audit.c.object_id == object_id).order_by(audit.c.id)
        )
        return list(rows)


async def raw(
    beds: Service, method: str, path: str, token: str | None, content: bytes | None, **headers: str
) -> httpx.Response:
    """A request whose body is sent as given (invalid JSON, or no body at all)."""
    all_headers = {"content-type": "application/json", **headers}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    return await beds.http.request(method, path, content=content, headers=all_headers)


async def insert_referral_hold(
    session: AsyncSession, site_id: str, *, status: str, made_at: datetime, ended_at: datetime
) -> None:
    """A patrol referral for one man, made and held at `made_at`, its hold ended at `ended_at` in
    `status`: the rows placement leaves, written straight to the tables, so a report test can put
    a referral at any moment without running the flow."""
    hold_id, referral_id = str(uuid.uuid4()), str(uuid.uuid4())
    await session.execute(
        holds.insert().values(
            id=hold_id, site_id=site_id, status=status, adults=1, children=0, gender="male",
            youth=False, accessible=False, pet=False, dv=False, placed_at=made_at, expires_at=ended_at,
            warn_at=ended_at, ended_at=ended_at, holder_subject="placement", holder_role="placement",
            referral_id=referral_id, source="patrol",
        )
    )  # fmt: skip
    await session.execute(
        placements.insert().values(
            referral_id=referral_id, status="held", source="patrol", youth=False,
            accessible=False, pet=False, dv=False, lat=49.84, lon=24.03, urgency="normal",
            urgency_rank=1, hold_id=hold_id, referred_at=made_at, updated_at=ended_at,
        )
    )  # fmt: skip
