"""Sites, rooms and places as an admin keeps them, and who may see which site (SPEC 3, 8).
History is never lost: a place that took somebody is retired, not deleted, and nothing anyone is
on can be taken away."""

from __future__ import annotations

import uuid

import httpx

from tests.integration.beds.helpers import (
    SITES,
    assert_problem,
    audit_rows,
    board,
    check_in,
    checked_in,
    hold_url,
    open_site,
    place_hold,
    place_url,
    room_named,
    room_url,
    site_url,
    site_view,
    snapshot,
    stay_url,
)
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party, room


async def test_an_admin_opens_a_site_with_its_rooms_beds_and_mats(beds: Service) -> None:
    body = night_shelter(
        name="Kyrylivska night shelter",
        mats=3,
        rooms=[room("men", 4, "men"), room("women", 2, "women", accessible=True)],
    )
    site = await open_site(beds, body)

    assert site["id"]
    assert (site["name"], site["kind"], site["timezone"]) == (
        "Kyrylivska night shelter",
        "night_shelter",
        "Europe/Kyiv",
    )
    assert (site["confidential"], site["max_stay_days"], site["rollover"]) == (False, None, "08:00")
    assert (site["beds_total"], site["free_beds"], site["mats_total"], site["free_mats"]) == (6, 6, 3, 3)
    women = room_named(site, "women")
    assert (women["restriction"], women["accessible"], women["beds_total"]) == ("women", True, 2)
    assert sorted(mat["label"] for mat in site["mats"]) == ["Mat 1", "Mat 2", "Mat 3"]
    assert await site_view(beds, site["id"]) == site
    refuge = await open_site(beds, crisis_room())  # confidential and 10 days, unless told otherwise
    assert (refuge["kind"], refuge["confidential"], refuge["max_stay_days"]) == ("crisis_room", True, 10)


async def test_an_admin_edits_a_sites_name_mats_and_timezone(beds: Service) -> None:
    site = await open_site(beds, night_shelter(mats=2))
    admin = beds.token("admin")

    response = await beds.patch(
        site_url(site["id"]),
        admin,
        {"name": "Dzherelo night shelter", "mats": 5, "timezone": "Europe/Warsaw"},
    )

    assert response.status_code == 200, response.text
    edited = response.json()
    assert (edited["name"], edited["mats_total"], edited["timezone"]) == (
        "Dzherelo night shelter",
        5,
        "Europe/Warsaw",
    )
    assert await site_view(beds, site["id"]) == edited
    assert (await board(beds, site["id"]))["mats_total"] == 5
    assert_problem(await beds.patch(site_url(site["id"]), admin, {"timezone": "Mars/Olympus"}), 422)
    assert (await site_view(beds, site["id"]))["timezone"] == "Europe/Warsaw"


async def test_a_site_where_people_stay_cannot_be_retired(beds: Service) -> None:
    site = await open_site(beds, night_shelter(beds=2))
    admin, staff = beds.token("admin"), beds.token("shelter_staff", sites=[site["id"]])
    stay = (await checked_in(beds, site["id"], staff))[0]

    assert_problem(await beds.post(site_url(site["id"], "retire"), admin), 409)
    assert not (await site_view(beds, site["id"]))["retired"]

    assert (await beds.post(stay_url(stay["id"], "checkout"), staff)).status_code == 200
    retired = await beds.post(site_url(site["id"], "retire"), admin)
    assert retired.status_code == 200, retired.text
    assert retired.json()["retired"] is True
    listed = (await beds.get(SITES, beds.token("patrol"))).json()
    assert site["id"] not in [s["id"] for s in listed]
    assert_problem(await check_in(beds, site["id"], staff), 409)


async def test_an_admin_adds_a_room_changes_its_beds_and_retires_it(beds: Service) -> None:
    site = await open_site(beds, night_shelter(beds=2))
    admin = beds.token("admin")

    added = await beds.post(site_url(site["id"], "rooms"), admin, room("family room", 3, "family"))
    assert added.status_code == 201, added.text
    family = room_named(added.json(), "family room")
    assert (family["restriction"], family["beds_total"], added.json()["beds_total"]) == ("family", 3, 5)

    more = await beds.patch(room_url(family["id"]), admin, {"beds": 5})
    assert more.status_code == 200, more.text
    assert room_named(more.json(), "family room")["beds_total"] == 5

    fewer = await beds.patch(room_url(family["id"]), admin, {"beds": 1})
    assert fewer.status_code == 200, fewer.text
    assert room_named(fewer.json(), "family room")["beds_total"] == 1
    assert (await board(beds, site["id"]))["beds_total"] == 3

    retired = await beds.post(room_url(family["id"], "retire"), admin)

    assert retired.status_code == 200, retired.text
    assert room_named(retired.json(), "family room")["retired"] is True
    assert retired.json()["beds_total"] == 2
    assert (await board(beds, site["id"]))["beds_total"] == 2


async def test_a_room_cannot_lose_or_retire_beds_that_people_sleep_in(beds: Service) -> None:
    site = await open_site(beds, night_shelter(beds=2, mats=0))
    staff = beds.token("shelter_staff", sites=[site["id"]])
    await checked_in(beds, site["id"], staff)
    await checked_in(beds, site["id"], staff)
    hall = room_named(await site_view(beds, site["id"]), "hall")
    before = await snapshot(beds)

    assert_problem(await beds.patch(room_url(hall["id"]), beds.token("admin"), {"beds": 1}), 409)
    assert_problem(await beds.post(room_url(hall["id"], "retire"), beds.token("admin")), 409)

    assert await snapshot(beds) == before
    assert (await board(beds, site["id"]))["beds_occupied"] == 2


async def test_a_free_bed_can_be_retired_but_an_occupied_one_cannot(beds: Service) -> None:
    site = await open_site(beds, night_shelter(beds=2, mats=0))
    admin, staff = beds.token("admin"), beds.token("shelter_staff", sites=[site["id"]])
    occupied = (await checked_in(beds, site["id"], staff))[0]["place_id"]
    hold = (await place_hold(beds, staff, site["id"])).json()
    free = hold["places"][0]["id"]
    assert (await beds.delete(hold_url(hold["id"]), staff)).status_code == 200

    assert_problem(await beds.post(place_url(occupied, "retire"), admin), 409)
    retired = await beds.post(place_url(free, "retire"), admin)

    assert retired.status_code == 200, retired.text
    assert (await board(beds, site["id"]))["beds_total"] == 1
    assert (await board(beds, site["id"]))["beds_occupied"] == 1


async def test_a_place_that_never_took_anybody_can_be_deleted_one_with_history_only_retired(
    beds: Service,
) -> None:
    site = await open_site(beds, night_shelter(beds=0, mats=2, rooms=[]))
    admin, staff = beds.token("admin"), beds.token("shelter_staff", sites=[site["id"]])
    used = (await checked_in(beds, site["id"], staff))[0]
    assert used["place_kind"] == "mat"
    assert (await beds.post(stay_url(used["id"], "checkout"), staff)).status_code == 200
    never_used = next(m["id"] for m in site["mats"] if m["id"] != used["place_id"])

    deleted = await beds.delete(place_url(never_used), admin)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"id": never_used, "status": "deleted"}
    assert_problem(await beds.delete(place_url(used["place_id"]), admin), 409)

    mats = (await site_view(beds, site["id"]))["mats"]
    assert [m["id"] for m in mats] == [used["place_id"]]
    assert_problem(await beds.delete(place_url(never_used), admin), 404)


async def test_new_beds_never_reuse_the_labels_of_retired_ones(beds: Service) -> None:
    site = await open_site(beds, night_shelter(beds=2, mats=0))
    admin, staff = beds.token("admin"), beds.token("shelter_staff", sites=[site["id"]])
    hall = room_named(site, "hall")

    assert (await beds.patch(room_url(hall["id"]), admin, {"beds": 1})).status_code == 200  # hall-2 retired
    assert (await beds.patch(room_url(hall["id"]), admin, {"beds": 2})).status_code == 200
    hold = await place_hold(beds, staff, site["id"], party(2, 0, "male"))

    assert hold.status_code == 201, hold.text
    assert sorted(p["label"] for p in hold.json()["places"]) == ["hall-1", "hall-3"]


async def test_the_site_list_shows_each_caller_only_what_they_may_see(beds: Service) -> None:
    shelter = await open_site(beds, night_shelter(name="A night shelter", beds=3, mats=2))
    refuge = await open_site(beds, crisis_room(name="B crisis room"))
    other_refuge = await open_site(beds, crisis_room(name="C crisis room"))
    staff = beds.token("shelter_staff", sites=[shelter["id"]])
    await checked_in(beds, shelter["id"], staff)

    def ids(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()]

    assert ids(await beds.get(SITES, beds.token("patrol"))) == [shelter["id"]]
    assert ids(await beds.get(SITES, staff)) == [shelter["id"]]
    refuge_staff = beds.token("shelter_staff", sites=[refuge["id"]])
    assert ids(await beds.get(SITES, refuge_staff)) == [shelter["id"], refuge["id"]]
    everything = [shelter["id"], refuge["id"], other_refuge["id"]]
    assert ids(await beds.get(SITES, beds.token("crisis_team", team="mobile-1"))) == everything
    listed = (await beds.get(SITES, beds.token("patrol"))).json()[0]
    assert (listed["name"], listed["kind"], listed["free_beds"], listed["free_mats"]) == (
        "A night shelter",
        "night_shelter",
        2,
        2,
    )


async def test_a_patrol_never_sees_a_confidential_site_and_a_crisis_teams_look_is_audited(
    beds: Service,
) -> None:
    refuge = await open_site(beds, crisis_room())
    assert_problem(await beds.get(site_url(refuge["id"]), beds.token("patrol")), 404)
    stranger = beds.token("shelter_staff", sites=[str(uuid.uuid4())])
    assert_problem(await beds.get(site_url(refuge["id"]), stranger), 404)
    assert await audit_rows(beds, refuge["id"]) == []

    team = beds.token("crisis_team", team="mobile-1", subject="crisis-team-member-7")
    seen = await beds.get(site_url(refuge["id"]), team)

    assert seen.status_code == 200, seen.text
    assert seen.json()["address"] == "made-up street 5"
    rows = await audit_rows(beds, refuge["id"])
    assert [(r.action, r.actor, r.actor_role, r.object_type) for r in rows] == [
        ("site.read", "crisis-team-member-7", "crisis_team", "site")
    ]
