"""The demo's history (SPEC 9) is laid out by the site's nights, whatever hour it is seeded at:
exactly one over-capacity night in the ledger, and tonight's board shows tonight's arrivals."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from common.clock import ManualClock
from services.beds.api.urls import LEDGER
from services.beds.domain.nights import night_of
from services.beds.domain.sites import DEFAULT_ROLLOVER
from shelterbeds.demo import HISTORY, NIGHT_SHELTER, SITES, TONIGHT_SO_FAR, seed_demo
from tests.support.service import Service, service_settings

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.fixture(params=["02:34", "07:59", "08:01", "20:00", "23:59"])
def clock(request: pytest.FixtureRequest) -> ManualClock:
    hour, minute = map(int, request.param.split(":"))
    return ManualClock(datetime(2026, 11, 24, hour, minute, tzinfo=KYIV))


async def _closed_every_night(beds: Service) -> None:
    for _ in range(20):
        if await beds.tick() == 0:
            return
    raise AssertionError("the clocks kept finding work")


async def test_the_demo_has_one_over_capacity_night_and_tonights_arrivals_whatever_the_hour(
    beds: Service, beds_url: str, nats_url: str, data_dir: Path, clock: ManualClock
) -> None:
    settings = service_settings("beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir)
    assert await seed_demo(settings, clock)
    await _closed_every_night(beds)

    supervisor = beds.token("supervisor")
    tonight = night_of(clock.now(), KYIV, DEFAULT_ROLLOVER)
    query = {"from": (tonight - timedelta(days=30)).isoformat(), "to": tonight.isoformat()}
    ledger = (await beds.get(LEDGER, supervisor, params=query)).json()
    over = [(n["site_id"], n["night"], n["people"]) for n in ledger if n["over_capacity"]]
    assert over == [(NIGHT_SHELTER.id, (tonight - timedelta(days=2)).isoformat(), HISTORY[1])]
    shelter_nights = {n["night"]: n["people"] for n in ledger if n["site_id"] == NIGHT_SHELTER.id}
    for nights_ago, people in zip((3, 2, 1), HISTORY, strict=True):
        assert shelter_nights[(tonight - timedelta(days=nights_ago)).isoformat()] == people
    assert tonight.isoformat() not in shelter_nights, "tonight is not over yet"

    board = (await beds.get(f"/api/v1/sites/{NIGHT_SHELTER.id}/board", supervisor)).json()
    assert len(board["stays"]) == TONIGHT_SO_FAR
    assert (board["beds_occupied"], board["mats_used"], board["over_capacity"]) == (TONIGHT_SO_FAR, 0, 0)
    assert len((await beds.get("/api/v1/sites", supervisor)).json()) == len(SITES)
