"""`Idempotency-Key` (SPEC 6, 8): a phone on a bad connection that sends the same request again
gets the same answer, and nothing happens twice."""

from __future__ import annotations

import asyncio

from tests.integration.beds.helpers import (
    HOLDS,
    assert_problem,
    board,
    open_site,
    site_url,
    snapshot,
    stay_url,
)
from tests.support.service import Service
from tests.support.sites import night_shelter, party


async def test_the_same_hold_sent_twice_with_one_key_is_placed_once(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=3)))["id"]
    patrol = beds.token("patrol", team="patrol-north")
    body = {"site_id": site, "party": party()}
    key = {"Idempotency-Key": "phone-42-hold-1"}

    first = await beds.post(HOLDS, patrol, body, headers=key)
    again = await beds.post(HOLDS, patrol, body, headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    tonight = await board(beds, site)
    assert ([h["id"] for h in tonight["holds"]], tonight["beds_held"]) == ([first.json()["id"]], 1)


async def test_a_key_reused_for_a_different_request_is_refused(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=3)))["id"]
    patrol = beds.token("patrol", team="patrol-north")
    key = {"Idempotency-Key": "phone-42-hold-1"}
    assert (
        await beds.post(HOLDS, patrol, {"site_id": site, "party": party()}, headers=key)
    ).status_code == 201
    before = await snapshot(beds)

    refused = await beds.post(HOLDS, patrol, {"site_id": site, "party": party(2, 0, "male")}, headers=key)

    assert_problem(refused, 422)
    for bad_key in ("   ", "k" * 201):
        assert_problem(
            await beds.post(
                HOLDS, patrol, {"site_id": site, "party": party()}, headers={"Idempotency-Key": bad_key}
            ),
            400,
        )
    assert await snapshot(beds) == before
    assert len((await board(beds, site))["holds"]) == 1


async def test_different_callers_may_use_the_same_key(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=3)))["id"]
    north = beds.token("patrol", team="patrol-north", subject="phone-north")
    south = beds.token("patrol", team="patrol-south", subject="phone-south")
    body = {"site_id": site, "party": party()}
    key = {"Idempotency-Key": "hold-1"}

    by_north = await beds.post(HOLDS, north, body, headers=key)
    by_south = await beds.post(HOLDS, south, body, headers=key)

    assert (by_north.status_code, by_south.status_code) == (201, 201)
    assert by_north.json()["id"] != by_south.json()["id"]
    assert "Idempotent-Replayed" not in by_south.headers
    assert (await board(beds, site))["beds_held"] == 2


async def test_a_repeated_check_in_with_one_key_checks_in_once(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=3)))["id"]
    staff = beds.token("shelter_staff", sites=[site])
    key = {"Idempotency-Key": "desk-1-evening-17"}

    first = await beds.post(site_url(site, "checkins"), staff, {"party": party(2, 0, "male")}, headers=key)
    again = await beds.post(site_url(site, "checkins"), staff, {"party": party(2, 0, "male")}, headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (await board(beds, site))["beds_occupied"] == 2


async def test_a_failed_request_is_not_remembered_under_its_key(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=1, mats=0)))["id"]
    patrol = beds.token("patrol", team="patrol-north")
    staff = beds.token("shelter_staff", sites=[site])
    body = {"site_id": site, "party": party()}
    key = {"Idempotency-Key": "retry-me"}
    stay = (await beds.post(site_url(site, "checkins"), staff, {"party": party()})).json()["stays"][0]

    assert_problem(await beds.post(HOLDS, patrol, body, headers=key), 409)  # the only bed is taken
    assert (await beds.post(stay_url(stay["id"], "checkout"), staff)).status_code == 200
    retried = await beds.post(HOLDS, patrol, body, headers=key)

    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers


async def test_a_retry_that_races_the_first_request_still_places_one_hold(beds: Service) -> None:
    site = (await open_site(beds, night_shelter(beds=3)))["id"]
    patrol = beds.token("patrol", team="patrol-north")
    body = {"site_id": site, "party": party()}
    key = {"Idempotency-Key": "phone-42-impatient"}

    answers = await asyncio.gather(*(beds.post(HOLDS, patrol, body, headers=key) for _ in range(3)))

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 2
    assert (await board(beds, site))["beds_held"] == 1
