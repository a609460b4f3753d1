"""Cold-weather mode, the winter campaign (SPEC 3): a supervisor raises the mats to the emergency
number, every patrol hears of it, and switching it off brings the regular mats back."""

from __future__ import annotations

from contracts.events import beds as ev
from tests.integration.beds.helpers import (
    assert_problem,
    board,
    checked_in,
    hold_url,
    open_site,
    place_hold,
    site_url,
    site_view,
    snapshot,
    stay_url,
)
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter


async def test_a_supervisor_switches_cold_weather_on_and_off(beds: Service, events: EventTap) -> None:
    site = (await open_site(beds, night_shelter(beds=1, mats=2)))["id"]
    supervisor = beds.token("supervisor")

    on = await beds.post(site_url(site, "cold-weather"), supervisor, {"on": True, "mats": 10})

    assert on.status_code == 200, on.text
    assert (on.json()["cold_weather"], on.json()["mats_total"]) == (True, 10)
    winter = await board(beds, site)
    assert (winter["cold_weather"], winter["mats_total"], winter["free_mats"]) == (True, 10, 10)
    switched_on = await events.wait_for(ev.ColdWeatherSwitchedOn, site_id=site)
    assert switched_on[0].mats_total == 10
    staff = beds.token("shelter_staff", sites=[site])
    places = [(await checked_in(beds, site, staff))[0]["place_label"] for _ in range(3)]
    assert places == ["hall-1", "Mat 1", "Mat 2"]  # regular mats first: emergency ones go when it ends

    off = await beds.post(site_url(site, "cold-weather"), supervisor, {"on": False})

    assert off.status_code == 200, off.text
    spring = await board(beds, site)
    assert (spring["cold_weather"], spring["mats_total"], spring["mats_used"]) == (False, 2, 2)
    switched_off = await events.wait_for(ev.ColdWeatherSwitchedOff, site_id=site)
    assert switched_off[0].mats_total == 2


async def test_only_a_supervisor_switches_cold_weather(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(mats=2)))["id"]
    before = await snapshot(beds)

    for role in ("shelter_staff", "patrol", "crisis_team"):
        token = beds.token(role, sites=[site])
        assert_problem(await beds.post(site_url(site, "cold-weather"), token, {"on": True, "mats": 10}), 403)

    assert await snapshot(beds) == before
    assert (await board(beds, site))["mats_total"] == 2


async def test_a_hold_on_an_emergency_mat_outlives_the_cold_and_the_mat_is_put_away_after(
    beds: Service,
) -> None:
    site = (await open_site(beds, night_shelter(beds=0, mats=0)))["id"]
    supervisor = beds.token("supervisor")
    assert (
        await beds.post(site_url(site, "cold-weather"), supervisor, {"on": True, "mats": 2})
    ).status_code == 200
    patrol = beds.token("patrol", team="patrol-1")
    held = await place_hold(beds, patrol, site)
    assert held.status_code == 201, held.text

    assert (await beds.post(site_url(site, "cold-weather"), supervisor, {"on": False})).status_code == 200
    mats = (await site_view(beds, site))["mats"]
    assert [m["label"] for m in mats] == ["Emergency mat 1"]  # the held one stays, the free one went

    staff = beds.token("shelter_staff", sites=[site])
    arrived = await beds.post(hold_url(held.json()["id"], "checkin"), staff, {})
    assert arrived.status_code == 201, arrived.text
    [stay] = arrived.json()["stays"]
    assert stay["place_label"] == "Emergency mat 1"

    left = await beds.post(stay_url(stay["id"], "checkout"), staff, {})
    assert left.status_code == 200, left.text
    assert (await site_view(beds, site))["mats"] == []
    after = await board(beds, site)
    assert (after["mats_total"], after["mats_used"], after["free_mats"]) == (0, 0, 0)


async def test_cold_weather_is_refused_at_a_confidential_site_and_nothing_is_told(beds: Service) -> None:
    """Found when tried from outside: switching it on at a crisis room emitted the event that
    alerts every patrol. Now a 409 problem, and nothing changes (no event in the outbox)."""
    refuge = (await open_site(beds, crisis_room()))["id"]
    before = await snapshot(beds)

    refused = await beds.post(site_url(refuge, "cold-weather"), beds.token("supervisor"), {"on": True})

    assert assert_problem(refused, 409)["type"].endswith("/confidential-site")
    assert await snapshot(beds) == before
