"""Holds: a patrol keeps a place for someone on the way (SPEC 3 "Holds", 8). It lapses by itself
with a warning first, can be extended or cancelled, turns into stays on arrival, and a place is
never held and occupied at once."""

from __future__ import annotations

from datetime import timedelta

from common.clock import ManualClock
from contracts.events import beds as ev
from services.beds.domain.holds import MAX_OPEN_HOLDS_PER_CALLER, MAX_OPEN_HOLDS_PER_TEAM
from tests.integration.beds.helpers import (
    assert_problem,
    at,
    board,
    checked_in,
    counts,
    hold_url,
    open_site,
    place_hold,
    snapshot,
)
from tests.integration.conftest import EVENING
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party, room


async def test_a_patrol_holds_a_bed_for_90_minutes_or_for_the_eta_it_gives(
    beds: Service, events: EventTap
) -> None:
    site = (await open_site(beds, night_shelter(beds=2)))["id"]
    patrol = beds.token("patrol", team="patrol-north")

    response = await place_hold(beds, patrol, site)

    assert response.status_code == 201, response.text
    hold = response.json()
    assert (hold["site_id"], hold["status"], hold["source"]) == (site, "active", "patrol")
    assert at(hold["expires_at"]) == EVENING + timedelta(minutes=90)
    assert [p["kind"] for p in hold["places"]] == ["bed"]
    tonight = await board(beds, site)
    assert (tonight["beds_held"], tonight["free_beds"]) == (1, 1)
    assert [h["id"] for h in tonight["holds"]] == [hold["id"]]
    placed = await events.wait_for(ev.HoldPlaced, hold_id=hold["id"])
    assert (placed[0].place_ids, placed[0].holder_team_id) == ([hold["places"][0]["id"]], "patrol-north")
    with_eta = (await place_hold(beds, patrol, site, eta_minutes=40)).json()
    assert at(with_eta["expires_at"]) == EVENING + timedelta(minutes=40)


async def test_a_patrol_cannot_hold_at_a_confidential_site(beds: Service) -> None:
    refuge = (await open_site(beds, crisis_room()))["id"]
    before = await snapshot(beds)

    assert_problem(await place_hold(beds, beds.token("patrol"), refuge, party(1, 0, "female")), 404)

    assert await snapshot(beds) == before


async def test_a_hold_where_nothing_fits_answers_409(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=1, mats=0, rooms=[room("women", 1, "women")])))["id"]
    patrol = beds.token("patrol", team="patrol-north")
    before = await snapshot(beds)

    assert_problem(await place_hold(beds, patrol, site, party(1, 0, "male")), 409)
    assert_problem(
        await place_hold(beds, patrol, site, party(1, 0, "female"), needs={"accessible": True}), 409
    )

    assert await snapshot(beds) == before


async def test_the_holders_team_or_the_sites_staff_may_extend_a_hold_another_patrol_may_not(
    beds: Service, events: EventTap
) -> None:
    site = (await open_site(beds, night_shelter()))["id"]
    hold = (await place_hold(beds, beds.token("patrol", team="patrol-north"), site)).json()
    expires = at(hold["expires_at"])
    teammate = beds.token("patrol", team="patrol-north")
    staff = beds.token("shelter_staff", sites=[site])
    stranger = beds.token("patrol", team="patrol-south")

    by_team = await beds.post(hold_url(hold["id"], "extension"), teammate, {"minutes": 30})
    assert by_team.status_code == 200, by_team.text
    assert at(by_team.json()["expires_at"]) == expires + timedelta(minutes=30)
    by_staff = await beds.post(hold_url(hold["id"], "extension"), staff, {"minutes": 15})
    assert by_staff.status_code == 200, by_staff.text
    assert at(by_staff.json()["expires_at"]) == expires + timedelta(minutes=45)
    before = await snapshot(beds)
    assert_problem(await beds.post(hold_url(hold["id"], "extension"), stranger, {"minutes": 15}), 404)
    assert_problem(await beds.delete(hold_url(hold["id"]), stranger), 404)
    assert await snapshot(beds) == before
    await events.wait_for(ev.HoldExtended, hold_id=hold["id"], count=2)


async def test_cancelling_a_hold_frees_its_places(beds: Service, events: EventTap) -> None:
    site = (await open_site(beds, night_shelter(beds=2)))["id"]
    patrol = beds.token("patrol", team="patrol-north")
    hold = (await place_hold(beds, patrol, site, party(2, 0, "male"))).json()
    assert (await board(beds, site))["free_beds"] == 0

    cancelled = await beds.delete(hold_url(hold["id"]), patrol)

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    tonight = await board(beds, site)
    assert (tonight["beds_held"], tonight["free_beds"], tonight["holds"]) == (0, 2, [])
    await events.wait_for(ev.HoldCancelled, hold_id=hold["id"])
    assert_problem(await beds.delete(hold_url(hold["id"]), patrol), 409)


async def test_on_arrival_the_held_places_become_stays(beds: Service, events: EventTap) -> None:
    site = (await open_site(beds, night_shelter(beds=4)))["id"]
    hold = (
        await place_hold(beds, beds.token("patrol", team="patrol-north"), site, party(2, 0, "male"))
    ).json()
    staff = beds.token("shelter_staff", sites=[site])

    arrived = await beds.post(hold_url(hold["id"], "checkin"), staff)

    assert arrived.status_code == 201, arrived.text
    stays = arrived.json()["stays"]
    assert sorted(s["place_id"] for s in stays) == sorted(p["id"] for p in hold["places"])
    assert {(s["hold_id"], s["source"], s["team_id"]) for s in stays} == {
        (hold["id"], "patrol", "patrol-north")
    }
    tonight = await board(beds, site)
    assert (tonight["beds_held"], tonight["beds_occupied"], tonight["holds"]) == (0, 2, [])
    fulfilled = await events.wait_for(ev.HoldFulfilled, hold_id=hold["id"])
    assert sorted(fulfilled[0].stay_ids) == sorted(s["id"] for s in stays)
    assert_problem(await beds.post(hold_url(hold["id"], "checkin"), staff), 409)


async def test_a_hold_warns_before_it_lapses_and_then_frees_its_places(
    beds: Service, clock: ManualClock, events: EventTap
) -> None:
    site = (await open_site(beds, night_shelter(beds=1, mats=0)))["id"]
    patrol = beds.token("patrol", team="patrol-north")
    hold = (await place_hold(beds, patrol, site)).json()

    clock.advance(timedelta(minutes=76))  # 15 minutes before expiry have begun
    await beds.tick()
    expiring = await events.wait_for(ev.HoldExpiring, hold_id=hold["id"])
    assert expiring[0].expires_at == at(hold["expires_at"])
    assert (await board(beds, site))["beds_held"] == 1

    clock.advance(timedelta(minutes=15))
    await beds.tick()
    await events.wait_for(ev.HoldExpired, hold_id=hold["id"])
    tonight = await board(beds, site)
    assert (tonight["beds_held"], tonight["free_beds"], tonight["holds"]) == (0, 1, [])
    shown = await beds.get(hold_url(hold["id"]), patrol)
    assert shown.json()["status"] == "expired"
    assert at(shown.json()["ended_at"]) == at(hold["expires_at"])
    assert len(events.of(ev.HoldExpiring, hold_id=hold["id"])) == 1


async def test_a_held_bed_is_not_given_to_a_walk_in(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=1, mats=1)))["id"]
    hold = (await place_hold(beds, beds.token("patrol", team="patrol-north"), site)).json()
    held_bed = hold["places"][0]["id"]
    staff = beds.token("shelter_staff", sites=[site])

    walk_in = (await checked_in(beds, site, staff))[0]

    assert walk_in["place_kind"] == "mat"
    assert walk_in["place_id"] != held_bed
    assert counts(await board(beds, site)) == {
        "beds_total": 1,
        "beds_occupied": 0,
        "beds_held": 1,
        "mats_total": 1,
        "mats_used": 1,
        "over_capacity": 0,
    }


async def test_one_token_cannot_hold_a_whole_site(beds: Service) -> None:
    """Found when tried from outside: one patrol token held all 30 beds of a site. Open holds
    are capped per caller and per team (409 problem, nothing held); a lapsed or cancelled hold
    no longer counts."""
    site = (await open_site(beds, night_shelter(beds=30, mats=0)))["id"]
    patrol = beds.token("patrol", team="patrol-east", subject="patrol-east-1")
    held = [(await place_hold(beds, patrol, site)).json() for _ in range(MAX_OPEN_HOLDS_PER_CALLER)]
    before = await snapshot(beds)

    refused = await place_hold(beds, patrol, site)

    assert assert_problem(refused, 409)["type"].endswith("/too-many-holds")
    assert await snapshot(beds) == before
    assert (await beds.delete(hold_url(held[0]["id"]), patrol)).status_code == 200
    assert (await place_hold(beds, patrol, site)).status_code == 201


async def test_a_team_cannot_hold_a_whole_site_from_many_phones(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=30, mats=0)))["id"]
    phones = [beds.token("patrol", team="patrol-west", subject=f"phone-{n}") for n in range(4)]
    for n in range(MAX_OPEN_HOLDS_PER_TEAM):
        assert (await place_hold(beds, phones[n % len(phones)], site)).status_code == 201

    refused = await place_hold(beds, phones[-1], site)

    assert assert_problem(refused, 409)["type"].endswith("/too-many-team-holds")
    other_team = beds.token("patrol", team="patrol-south")
    assert (await place_hold(beds, other_team, site)).status_code == 201


async def test_a_hold_cannot_be_extended_for_ever(beds: Service, clock: ManualClock) -> None:
    site = (await open_site(beds, night_shelter()))["id"]
    patrol = beds.token("patrol", team="patrol-north")
    hold = (await place_hold(beds, patrol, site, eta_minutes=60)).json()
    for _ in range(5):  # 60 + 5 x 120 minutes: eleven hours from when it was placed
        assert (
            await beds.post(hold_url(hold["id"], "extension"), patrol, {"minutes": 120})
        ).status_code == 200
        clock.advance(timedelta(minutes=100))
    too_long = await beds.post(hold_url(hold["id"], "extension"), patrol, {"minutes": 120})
    assert assert_problem(too_long, 422)["type"].endswith("/invalid-hold-time")
