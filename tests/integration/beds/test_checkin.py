"""Check-in at the door and check-out (SPEC 3 "Stays", 8). A fitting bed first, then a mat, and
a night shelter never turns anyone away; a family stays together in one room; each room takes
only the people it is meant for."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from contracts.events import beds as ev
from tests.integration.beds.helpers import (
    assert_problem,
    at,
    audit_rows,
    board,
    check_in,
    checked_in,
    counts,
    open_site,
    open_site_days_ago,
    room_named,
    snapshot,
    stay_url,
)
from tests.integration.conftest import EVENING
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party, room

# 08:00 in Kyiv this morning: last night's rollover.
THIS_MORNING = EVENING.replace(hour=6)


def shelter(**kw: Any) -> dict[str, Any]:
    """A longer-stay shelter: no mats, so a party that fits no room is refused."""
    return {**night_shelter(**kw), "kind": "shelter", "mats": 0}


async def test_a_night_shelter_gives_a_bed_then_a_mat_then_checks_in_over_capacity(
    beds: Service, events: EventTap
) -> None:
    site = (await open_site(beds, night_shelter(beds=1, mats=1)))["id"]
    staff = beds.token("shelter_staff", sites=[site])

    kinds = [(await checked_in(beds, site, staff))[0]["place_kind"] for _ in range(3)]

    assert kinds == ["bed", "mat", "over_capacity"]
    tonight = await board(beds, site)
    assert counts(tonight) == {
        "beds_total": 1,
        "beds_occupied": 1,
        "beds_held": 0,
        "mats_total": 1,
        "mats_used": 1,
        "over_capacity": 1,
    }
    assert len(tonight["stays"]) == 3
    overflow = await events.wait_for(ev.OverflowStarted, site_id=site)
    assert (overflow[0].mats_used, overflow[0].mats_total) == (1, 1)
    over = await events.wait_for(ev.OverCapacity, site_id=site)
    assert over[0].over_capacity == 1

    crowd = await checked_in(beds, site, staff, party(3, 0, "male"))  # never refused, even a crowd

    assert [s["place_kind"] for s in crowd] == ["over_capacity"] * 3
    assert len({s["group_id"] for s in crowd}) == 1
    assert (await board(beds, site))["over_capacity"] == 4
    await events.wait_for(ev.OverCapacity, site_id=site, count=4)


async def test_a_family_no_room_can_take_gets_the_free_beds_first_at_a_night_shelter_elsewhere_one_room(
    beds: Service,
) -> None:
    site = (await open_site(beds, night_shelter(mats=3, rooms=[room("A", 2), room("B", 2)])))["id"]
    staff = beds.token("shelter_staff", sites=[site])
    await checked_in(beds, site, staff, party(2, 0, "male"))  # room A or B, both beds
    alone = await checked_in(beds, site, staff)  # one bed of the other room
    assert alone[0]["place_kind"] == "bed"

    mother_and_son = await checked_in(beds, site, staff, party(1, 1, "female"))

    # No room takes both: a night shelter never refuses, and uses its last free bed before a mat.
    assert [s["place_kind"] for s in mother_and_son] == ["bed", "mat"]
    assert (await board(beds, site))["free_beds"] == 0

    refuge = await open_site(
        beds, crisis_room(rooms=[room("small", 2, "family"), room("large", 4, "family")])
    )
    team = beds.token("crisis_team", team="mobile-1")

    stays = await checked_in(beds, refuge["id"], team, party(1, 3, "female"))

    assert {s["room_id"] for s in stays} == {room_named(refuge, "large")["id"]}
    assert [s["is_child"] for s in stays] == [False, True, True, True]
    assert len({s["group_id"] for s in stays}) == 1


async def test_each_room_takes_the_people_it_is_meant_for(beds: Service) -> None:
    rooms = [
        room("women", 1, "women"),
        room("men", 1, "men"),
        room("family", 2, "family"),
        room("youth", 1, "youth"),
        room("wheelchair", 1, "any", accessible=True),
        room("dogs", 1, "any", pets_allowed=True),
    ]
    site = await open_site(beds, shelter(rooms=rooms))
    staff = beds.token("shelter_staff", sites=[site["id"]])

    async def room_of(who: dict[str, Any], **needs: bool) -> str:
        body = {"needs": needs} if needs else {}
        stays = await checked_in(beds, site["id"], staff, who, **body)
        names = {r["id"]: r["name"] for r in site["rooms"]}
        return ",".join(sorted({names[s["room_id"]] for s in stays}))

    assert await room_of(party(1, 0, "female")) == "women"
    assert await room_of(party(1, 0, "male")) == "men"
    assert await room_of(party(1, 1, "female")) == "family"
    assert await room_of(party(0, 1, "other")) == "youth"
    assert await room_of(party(1, 0, "male"), accessible=True) == "wheelchair"
    assert await room_of(party(1, 0, "other"), pet=True) == "dogs"


async def test_a_room_never_takes_a_party_it_is_not_meant_for(beds: Service) -> None:
    rooms = [room("women", 2, "women"), room("family", 2, "family"), room("youth", 2, "youth")]
    site = (await open_site(beds, shelter(rooms=rooms)))["id"]
    staff = beds.token("shelter_staff", sites=[site])
    before = await snapshot(beds)

    assert_problem(await check_in(beds, site, staff, party(1, 0, "male")), 409)
    assert_problem(await check_in(beds, site, staff, party(1, 0, "female"), needs={"accessible": True}), 409)
    assert_problem(await check_in(beds, site, staff, party(1, 0, "female"), needs={"pet": True}), 409)
    assert_problem(await check_in(beds, site, staff, party(1, 3, "female")), 409)  # 4 > any room

    assert await snapshot(beds) == before


async def test_a_crisis_room_with_nothing_fitting_answers_409(beds: Service) -> None:
    site = (await open_site(beds, crisis_room(rooms=[room("B", 3, "women")])))["id"]
    team = beds.token("crisis_team", team="mobile-1")
    await checked_in(beds, site, team, party(1, 2, "female"))
    board_before = await board(beds, site)

    refused = assert_problem(await check_in(beds, site, team, party(1, 0, "female")), 409)

    assert "fits" in refused["detail"]
    assert counts(await board(beds, site)) == counts(board_before)


async def test_a_crisis_team_checks_in_at_a_crisis_room_but_not_at_a_night_shelter(beds: Service) -> None:
    refuge = (await open_site(beds, crisis_room()))["id"]
    night = (await open_site(beds, night_shelter()))["id"]
    team = beds.token("crisis_team", team="mobile-1")

    placed = await checked_in(beds, refuge, team, party(1, 1, "female"))
    assert {s["source"] for s in placed} == {"mobile_team"}
    assert {s["team_id"] for s in placed} == {"mobile-1"}
    assert_problem(await check_in(beds, night, team), 403)
    assert (await board(beds, night))["stays"] == []


async def test_staff_of_another_site_get_403_at_a_public_site_and_404_at_a_confidential_one(
    beds: Service,
) -> None:
    night = (await open_site(beds, night_shelter()))["id"]
    refuge = (await open_site(beds, crisis_room()))["id"]
    elsewhere = beds.token("shelter_staff", sites=[str(uuid.uuid4())])
    patrol = beds.token("patrol", team="patrol-1")

    assert_problem(await check_in(beds, night, elsewhere), 403)
    assert_problem(await check_in(beds, refuge, elsewhere, party(1, 0, "female")), 404)
    assert_problem(await check_in(beds, night, patrol), 403)
    assert (await board(beds, night))["stays"] == []
    assert (await board(beds, refuge))["stays"] == []


async def test_a_late_record_of_last_nights_check_in_already_ended_at_this_mornings_rollover(
    beds: Service,
) -> None:
    site = (await open_site_days_ago(beds, night_shelter(beds=1), days=1))["id"]
    staff = beds.token("shelter_staff", sites=[site], subject="desk-1")

    stays = await checked_in(beds, site, staff, started_at="2026-11-22T21:00:00+02:00")

    stay = stays[0]
    assert (stay["place_kind"], stay["end_reason"]) == ("bed", "rollover")
    assert at(stay["started_at"]) == at("2026-11-22T21:00:00+02:00")
    assert at(stay["ended_at"]) == THIS_MORNING
    tonight = await board(beds, site)
    assert (tonight["beds_occupied"], tonight["free_beds"], tonight["stays"]) == (0, 1, [])
    audited = await audit_rows(beds, stay["group_id"])
    assert [(r.action, r.actor) for r in audited] == [("stay.backdated_check_in", "desk-1")]
    assert (await checked_in(beds, site, staff))[0]["place_kind"] == "bed"  # last night's bed is free


async def test_a_check_in_in_the_future_or_more_than_14_days_back_is_refused(beds: Service) -> None:
    site = (await open_site(beds, night_shelter()))["id"]
    staff = beds.token("shelter_staff", sites=[site])
    board_before = await board(beds, site)
    before = await snapshot(beds)

    for started in (EVENING + timedelta(hours=1), EVENING - timedelta(days=15)):
        refused = assert_problem(await check_in(beds, site, staff, started_at=started.isoformat()), 422)
        assert "started_at" in refused["detail"]

    assert await snapshot(beds) == before
    assert await board(beds, site) == board_before


async def test_check_out_frees_the_place_a_full_site_hears_beds_are_free_again_and_twice_is_409(
    beds: Service, events: EventTap
) -> None:
    site = (await open_site(beds, night_shelter(beds=1, mats=0)))["id"]
    staff = beds.token("shelter_staff", sites=[site])
    stay = (await checked_in(beds, site, staff))[0]
    assert (await board(beds, site))["free_beds"] == 0

    out = await beds.post(stay_url(stay["id"], "checkout"), staff)

    assert out.status_code == 200, out.text
    assert (out.json()["end_reason"], out.json()["ended_at"] is not None) == ("checkout", True)
    tonight = await board(beds, site)
    assert (tonight["free_beds"], tonight["beds_occupied"], tonight["stays"]) == (1, 0, [])
    free_again = await events.wait_for(ev.BedsFreeAgain, site_id=site)
    assert free_again[0].free_beds == 1
    ended = await events.wait_for(ev.StayEnded, stay_id=stay["id"])
    assert ended[0].reason == "checkout"

    before = await snapshot(beds)
    assert_problem(await beds.post(stay_url(stay["id"], "checkout"), staff), 409)  # checking out twice
    assert await snapshot(beds) == before
