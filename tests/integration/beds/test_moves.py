"""Moving a stay through the API (issue #22): the crisis room's 10-day clock keeps running, the
old place is free and the new one taken in the same transaction, and a family moves together."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from common.clock import ManualClock
from contracts.events import beds as ev
from tests.integration.beds.helpers import (
    assert_problem,
    board,
    checked_in,
    open_site,
    site_view,
    snapshot,
    stay_url,
)
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party, room


def free_beds_of(site: dict[str, Any], room_name: str, taken: set[str]) -> list[str]:
    [found] = [r for r in site["rooms"] if r["name"] == room_name]
    return [b["id"] for b in found["beds"] if b["id"] not in taken]


async def move(beds: Service, stay_id: str, token: str, place_id: str) -> Any:
    return await beds.post(stay_url(stay_id, "move"), token, {"place_id": place_id})


async def test_a_move_keeps_the_stays_start_and_limit(
    beds: Service, clock: ManualClock, events: EventTap
) -> None:
    site = await open_site(beds, crisis_room(rooms=[room("A", 2, "women"), room("B", 2, "women")]))
    team = beds.token("crisis_team", team="mobile-1")
    [stay] = await checked_in(beds, site["id"], team, party(gender="female"))
    clock.advance(timedelta(days=3))
    target = free_beds_of(site, "B", {stay["place_id"]})[0]

    answer = await move(beds, stay["id"], team, target)

    assert answer.status_code == 200, answer.text
    [moved] = answer.json()["stays"]
    assert (moved["id"], moved["place_id"]) == (stay["id"], target)
    assert (moved["started_at"], moved["limit_at"]) == (stay["started_at"], stay["limit_at"])
    assert moved["days_left"] == 7.0
    event = await events.wait_for(ev.StayMoved, stay_id=stay["id"])
    assert (event[0].from_place_id, event[0].place_id) == (stay["place_id"], target)
    tonight = await board(beds, site["id"])
    assert [(s["id"], s["place_id"]) for s in tonight["stays"]] == [(stay["id"], target)]
    assert (tonight["beds_occupied"], tonight["free_beds"]) == (1, 3)


async def test_a_family_moves_together_or_not_at_all(beds: Service) -> None:
    body = night_shelter(beds=0, mats=0, rooms=[room("small", 3, "family"), room("large", 4, "family")])
    site = await open_site(beds, {**body, "kind": "shelter"})
    staff = beds.token("shelter_staff", sites=[site["id"]])
    family = await checked_in(beds, site["id"], staff, party(1, 2, "female"))
    target = free_beds_of(site, "large", set())[0]

    answer = await move(beds, family[0]["id"], staff, target)

    assert answer.status_code == 200, answer.text
    moved = answer.json()["stays"]
    assert {s["id"] for s in moved} == {s["id"] for s in family}
    view = await site_view(beds, site["id"])
    assert {r["name"]: r["free_beds"] for r in view["rooms"]} == {"small": 3, "large": 1}

    # Back into the small room, while another family took two of its beds: the family stays put.
    await checked_in(beds, site["id"], staff, party(1, 1, "female"))
    taken = {s["place_id"] for s in (await board(beds, site["id"]))["stays"]}
    spare = free_beds_of(view, "small", taken)[0]
    before = await snapshot(beds)
    refused = await move(beds, family[0]["id"], staff, spare)
    assert assert_problem(refused, 409)["type"].endswith("family-does-not-fit")
    assert await snapshot(beds) == before


async def test_a_move_is_refused_clearly_and_changes_nothing(beds: Service) -> None:
    site = await open_site(beds, night_shelter(beds=2, mats=0))
    other = await open_site(beds, night_shelter(name="Other", beds=1, mats=0))
    staff = beds.token("shelter_staff", sites=[site["id"]])
    first, second = [(await checked_in(beds, site["id"], staff))[0] for _ in range(2)]
    before = await snapshot(beds)

    taken = await move(beds, first["id"], staff, second["place_id"])
    assert assert_problem(taken, 409)["type"].endswith("place-taken")
    elsewhere = free_beds_of(other, "hall", set())[0]
    assert_problem(await move(beds, first["id"], staff, elsewhere), 422)
    hidden = await move(beds, first["id"], beds.token("shelter_staff", sites=[other["id"]]), elsewhere)
    assert assert_problem(hidden, 404)["type"].endswith("stay-not-found")
    assert_problem(await move(beds, first["id"], beds.token("patrol", team="p-1"), elsewhere), 403)
    assert_problem(await beds.post(stay_url(first["id"], "move"), staff, {"place_id": "bed-1"}), 400)
    assert await snapshot(beds) == before
