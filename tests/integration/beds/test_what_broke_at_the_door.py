"""What went wrong when the beds core was first tried as a new user would (issue 17: items 1, 2, 5,
15), through the public API: each failed before its fix."""

from __future__ import annotations

from datetime import timedelta

from contracts.events import beds as ev
from tests.integration.beds.helpers import (
    AVAILABILITY,
    assert_problem,
    board,
    check_in,
    checked_in,
    open_site,
    place_hold,
    snapshot,
)
from tests.integration.conftest import EVENING
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party, room


async def test_a_mother_and_two_children_get_the_free_beds_before_a_mat_and_never_over_capacity(
    beds: Service, events: EventTap
) -> None:
    site = await open_site(beds, night_shelter(beds=2, mats=1))
    staff = beds.token("shelter_staff", sites=[site["id"]])
    stays = await checked_in(beds, site["id"], staff, party(1, 2, "female"))
    assert [s["place_kind"] for s in stays] == ["bed", "bed", "mat"]
    now = await board(beds, site["id"])
    assert (now["free_beds"], now["mats_used"], now["over_capacity"]) == (0, 1, 0)
    await beds.relayed()
    await events.wait_for(ev.OverflowStarted, site_id=site["id"])
    await events.wait_for(ev.CapacityChanged, site_id=site["id"], over_capacity=0, free_beds=0)
    assert events.of(ev.OverCapacity, site_id=site["id"]) == []


async def test_a_dv_need_is_carried_and_a_dv_hold_is_refused_at_a_site_that_is_not_confidential(
    beds: Service, events: EventTap
) -> None:
    shelter = await open_site(beds, night_shelter(beds=4, mats=2))
    crisis = await open_site(beds, crisis_room())
    team = beds.token("crisis_team", team="9b4f7c52-3f7e-4f43-9d59-1f7a1f0d2b11")
    before = await snapshot(beds)
    refused = await place_hold(beds, team, shelter["id"], party(1, 1, "female"), needs={"dv": True})
    assert assert_problem(refused, 409)["type"].endswith("dv-needs-confidential-site")
    at_the_door = await check_in(
        beds, shelter["id"], beds.token("shelter_staff", sites=[shelter["id"]]), party(1, 0, "female"),
        needs={"dv": True},
    )  # fmt: skip
    assert_problem(at_the_door, 409)
    assert await snapshot(beds) == before, "a refused DV placement changes nothing"
    held = await place_hold(beds, team, crisis["id"], party(1, 1, "female"), needs={"dv": True})
    assert held.status_code == 201, held.text
    assert held.json()["needs"]["dv"] is True
    await beds.relayed()
    [placed] = await events.wait_for(ev.HoldPlaced, hold_id=held.json()["id"])
    assert placed.needs.dv is True


async def test_a_dv_search_offers_only_confidential_sites(beds: Service) -> None:
    await open_site(beds, night_shelter(beds=4, mats=2))
    crisis = await open_site(beds, crisis_room())
    team = beds.token("crisis_team")
    found = await beds.get(
        AVAILABILITY, team, params={"lat": 48.46, "lon": 35.04, "adults": 1, "children": 1,
                                    "gender": "female", "dv": "true"},
    )  # fmt: skip
    assert found.status_code == 200, found.text
    assert [o["site_id"] for o in found.json()] == [crisis["id"]]


async def test_a_back_dated_check_in_before_the_site_existed_is_refused(beds: Service) -> None:
    site = await open_site(beds, night_shelter())
    staff = beds.token("shelter_staff", sites=[site["id"]])
    before = await snapshot(beds)
    response = await check_in(beds, site["id"], staff, started_at=(EVENING - timedelta(hours=3)).isoformat())
    assert assert_problem(response, 422)["type"].endswith("invalid-started-at")
    assert await snapshot(beds) == before


async def test_young_adults_are_taken_in_at_a_youth_shelter_and_older_adults_are_not(beds: Service) -> None:
    site = await open_site(
        beds, {**night_shelter(rooms=[room("Youth", 4, "youth")], mats=0), "kind": "shelter"}
    )
    staff = beds.token("shelter_staff", sites=[site["id"]])
    young = await checked_in(beds, site["id"], staff, {**party(2, 0, "female"), "youth": True})
    assert [s["place_kind"] for s in young] == ["bed", "bed"]
    older = await check_in(beds, site["id"], staff, party(1, 0, "female"))
    assert_problem(older, 409)
    found = await beds.get(
        AVAILABILITY, beds.token("patrol"),
        params={"lat": 49.84, "lon": 24.03, "adults": 1, "gender": "male", "youth": "true"},
    )  # fmt: skip
    assert [o["site_id"] for o in found.json()] == [site["id"]]
    none = await beds.get(AVAILABILITY, beds.token("patrol"), params={"lat": 49.84, "lon": 24.03})
    assert none.json() == []
