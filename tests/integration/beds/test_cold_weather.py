"""Cold-weather mode, the winter campaign (SPEC 3): a supervisor raises the mats to the emergency
number, every patrol hears of it, and switching it off brings the regular mats back."""

from __future__ import annotations

from contracts.events import beds as ev
from tests.integration.beds.helpers import assert_problem, board, checked_in, open_site, site_url, snapshot
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import night_shelter


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
