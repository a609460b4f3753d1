"""The morning rollover and the nightly ledger (SPEC 3 "Stays"): night-shelter stays end at 08:00
local time, and each night closes into the figures a centre publishes."""

from __future__ import annotations

from datetime import timedelta

from common.clock import ManualClock
from contracts.events import beds as ev
from tests.integration.beds.helpers import LEDGER, at, board, checked_in, open_site, open_site_days_ago
from tests.integration.conftest import EVENING
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import night_shelter, party

TONIGHT = "2026-11-23"
TOMORROW_MORNING = EVENING + timedelta(hours=12)  # 08:00 in Kyiv


async def test_night_shelter_stays_end_at_the_morning_rollover_and_the_night_closes_into_the_ledger(
    beds: Service, clock: ManualClock, events: EventTap
) -> None:
    site = (await open_site(beds, night_shelter(beds=2, mats=1)))["id"]
    staff = beds.token("shelter_staff", sites=[site])
    stays = [
        *await checked_in(beds, site, staff, party(2, 0, "male")),
        *await checked_in(beds, site, staff, source="police"),
        *await checked_in(beds, site, staff, source="patrol"),
    ]
    assert [s["place_kind"] for s in stays] == ["bed", "bed", "mat", "over_capacity"]
    assert {at(s["ends_at"]) for s in stays} == {TOMORROW_MORNING}

    clock.advance(timedelta(hours=12))
    await beds.tick()
    await beds.tick()  # a second round finds nothing left to do

    for stay in stays:
        ended = await events.wait_for(ev.StayEnded, stay_id=stay["id"])
        assert (ended[0].reason, ended[0].ended_at) == ("rollover", TOMORROW_MORNING)
    closed = await events.wait_for(ev.NightClosed, site_id=site)
    assert (closed[0].night.isoformat(), closed[0].people) == (TONIGHT, 4)
    morning = await board(beds, site)
    assert (morning["stays"], morning["beds_occupied"], morning["mats_used"], morning["over_capacity"]) == (
        [],
        0,
        0,
        0,
    )

    expected = {
        "site_id": site,
        "night": TONIGHT,
        "people": 4,
        "beds_used": 2,
        "mats_used": 1,
        "over_capacity": 1,
        "arrivals_by_source": {"patrol": 1, "police": 1, "walk_in": 2},
    }
    for reader in (staff, beds.token("supervisor")):
        ledger = await beds.get(LEDGER, reader, params={"site_id": site, "from": TONIGHT, "to": TONIGHT})
        assert ledger.status_code == 200, ledger.text
        assert [{k: v for k, v in night.items() if k != "revision"} for night in ledger.json()] == [expected]
    await beds.relayed()
    assert len(events.of(ev.NightClosed, site_id=site)) == 1
    assert len(events.of(ev.StayEnded, site_id=site)) == 4


async def test_a_late_record_of_last_night_is_counted_in_last_nights_ledger(
    beds: Service, events: EventTap
) -> None:
    site = (await open_site_days_ago(beds, night_shelter(), days=1))["id"]
    staff = beds.token("shelter_staff", sites=[site])
    await checked_in(beds, site, staff, started_at="2026-11-22T23:30:00+02:00")

    await beds.tick()

    # the clocks may have closed the night (empty) between the site's opening and the late
    # record; the record then closes it again, counted: the figures that stand are the later ones
    closed = await events.wait_for(ev.NightClosed, site_id=site, people=1)
    assert (closed[-1].night.isoformat(), closed[-1].people, closed[-1].beds_used) == ("2026-11-22", 1, 1)
    ledger = (
        await beds.get(LEDGER, staff, params={"site_id": site, "from": "2026-11-22", "to": TONIGHT})
    ).json()
    assert [(n["night"], n["people"], n["arrivals_by_source"]) for n in ledger] == [
        ("2026-11-22", 1, {"walk_in": 1})
    ]
