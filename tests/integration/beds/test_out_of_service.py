"""Places out of service through the API (issue #22): staff of the site take a free bed out and
put it back; while out it is never offered, held or allocated — not even in a 40-way race through
two replicas —, the board and the site list count it apart, and `until` puts it back by the clock."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from common.clock import ManualClock
from contracts.events import beds as ev
from services.beds.adapters.orm import place_claims
from services.beds.app import create_app as create_beds
from tests.integration.beds.helpers import (
    AVAILABILITY,
    SITES,
    assert_problem,
    board,
    check_in,
    checked_in,
    open_site,
    place_hold,
    place_url,
    site_view,
    snapshot,
    stay_url,
)
from tests.integration.conftest import EVENING
from tests.support.events import EventTap
from tests.support.service import Service, running, service_settings
from tests.support.sites import night_shelter, party, room

RACERS = 40


def beds_of(site: dict[str, Any]) -> list[dict[str, Any]]:
    return [bed for r in site["rooms"] for bed in r["beds"]]


async def take_out(beds: Service, place_id: str, token: str, **body: Any) -> Any:
    return await beds.post(place_url(place_id, "out-of-service"), token, {"reason": "repair", **body})


async def open_claims(beds: Service) -> Counter[str]:
    async with beds.runtime.read() as uow:
        rows = await uow.session.execute(
            sa.select(place_claims.c.place_id).where(place_claims.c.ends_at.is_(None))
        )
        return Counter(row.place_id for row in rows)


@pytest.fixture
async def replica(beds_url: str, nats_url: str, data_dir: Path, clock: ManualClock) -> AsyncIterator[Service]:
    settings = service_settings("beds", database_url=beds_url, nats_url=nats_url, data_dir=data_dir)
    async with running(create_beds, settings, clock) as service:
        yield service


async def test_staff_take_a_bed_out_and_the_board_counts_it_apart(beds: Service, events: EventTap) -> None:
    site = await open_site(beds, night_shelter(beds=2, mats=1))
    staff = beds.token("shelter_staff", sites=[site["id"]])
    broken = beds_of(site)[0]

    answer = await take_out(beds, broken["id"], staff, reason="pests")

    assert answer.status_code == 200, answer.text
    assert (answer.json()["out_of_service"], answer.json()["out_of_service_reason"]) == (True, "pests")
    tonight = await board(beds, site["id"])
    assert (tonight["beds_total"], tonight["beds_out_of_service"], tonight["free_beds"]) == (1, 1, 1)
    assert [p["id"] for p in tonight["out_of_service"]] == [broken["id"]]
    [listed] = [s for s in (await beds.get(SITES, staff)).json() if s["id"] == site["id"]]
    assert (listed["beds_total"], listed["beds_out_of_service"], listed["free_beds"]) == (1, 1, 1)
    out = await events.wait_for(ev.PlaceOutOfService, place_id=broken["id"])
    assert (out[0].reason, out[0].site_id) == ("pests", site["id"])
    changed = await events.wait_for(ev.CapacityChanged, site_id=site["id"], beds_out_of_service=1)
    assert changed[-1].free_beds == 1

    stays = [s for _ in range(2) for s in await checked_in(beds, site["id"], staff)]
    assert broken["id"] not in {s["place_id"] for s in stays}
    assert [s["place_kind"] for s in stays] == ["bed", "mat"]

    back = await beds.post(place_url(broken["id"], "in-service"), staff)
    assert back.status_code == 200, back.text
    assert back.json()["out_of_service"] is False
    await events.wait_for(ev.PlaceBackInService, place_id=broken["id"])
    [again] = await checked_in(beds, site["id"], staff)
    assert again["place_id"] == broken["id"]


async def test_availability_does_not_offer_a_room_whose_beds_are_out(beds: Service) -> None:
    body = night_shelter(beds=0, mats=0, rooms=[room("family", 2, "family")], kind="shelter")
    site = await open_site(beds, body)
    staff = beds.token("shelter_staff", sites=[site["id"]])
    patrol = beds.token("patrol", team="patrol-1")
    query = {"lat": 49.84, "lon": 24.03, "adults": 1, "children": 1, "gender": "female"}
    assert [o["site_id"] for o in (await beds.get(AVAILABILITY, patrol, params=query)).json()] == [site["id"]]

    assert (await take_out(beds, beds_of(site)[0]["id"], staff)).status_code == 200

    assert (await beds.get(AVAILABILITY, patrol, params=query)).json() == []
    refused = await place_hold(beds, patrol, site["id"], party(1, 1, "female"))
    assert assert_problem(refused, 409)["type"].endswith("nothing-fits")


async def test_a_place_someone_is_on_cannot_be_taken_out_and_nothing_changes(beds: Service) -> None:
    site = await open_site(beds, night_shelter(beds=1, mats=0))
    staff = beds.token("shelter_staff", sites=[site["id"]])
    [stay] = await checked_in(beds, site["id"], staff)
    before = await snapshot(beds)

    refused = await take_out(beds, stay["place_id"], staff)

    assert assert_problem(refused, 409)["type"].endswith("place-in-use")
    assert await snapshot(beds) == before
    assert (await beds.post(stay_url(stay["id"], "checkout"), staff)).status_code == 200
    assert (await take_out(beds, stay["place_id"], staff)).status_code == 200


async def test_only_staff_of_the_site_take_places_out(beds: Service) -> None:
    site = await open_site(beds, night_shelter(beds=1, mats=0))
    other = await open_site(beds, night_shelter(name="Other shelter", beds=1, mats=0))
    [bed] = beds_of(site)
    before = await snapshot(beds)

    assert_problem(await take_out(beds, bed["id"], beds.token("patrol", team="p-1")), 403)
    assert_problem(await take_out(beds, bed["id"], beds.token("crisis_team", team="m-1")), 403)
    hidden = await take_out(beds, bed["id"], beds.token("shelter_staff", sites=[other["id"]]))
    assert assert_problem(hidden, 404)["type"].endswith("place-not-found")
    bad = await take_out(beds, bed["id"], beds.token("shelter_staff", sites=[site["id"]]), reason="broken!")
    assert_problem(bad, 400)
    past = (EVENING - timedelta(hours=1)).isoformat()
    assert_problem(await take_out(beds, bed["id"], beds.token("supervisor"), until=past), 422)
    assert await snapshot(beds) == before


async def test_until_puts_the_place_back_by_the_clock(
    beds: Service, clock: ManualClock, events: EventTap
) -> None:
    site = await open_site(beds, night_shelter(beds=1, mats=0))
    staff = beds.token("shelter_staff", sites=[site["id"]])
    [bed] = beds_of(site)
    until = EVENING + timedelta(hours=3)
    answer = await take_out(beds, bed["id"], staff, reason="cleaning", until=until.isoformat())
    assert answer.status_code == 200, answer.text

    clock.advance(timedelta(hours=2))
    await beds.tick()
    assert (await board(beds, site["id"]))["beds_out_of_service"] == 1
    clock.advance(timedelta(hours=1))
    await beds.tick()

    back = await events.wait_for(ev.PlaceBackInService, place_id=bed["id"])
    assert back[0].by_the_clock is True
    morning = await board(beds, site["id"])
    assert (morning["beds_out_of_service"], morning["free_beds"]) == (0, 1)


async def test_forty_racers_never_get_a_place_out_of_service(beds: Service, replica: Service) -> None:
    """Check-ins, holds and staff taking beds out, all at once through two replicas: at the end
    no place out of service has an open claim, and the beds out before the race were never taken."""
    body = night_shelter(beds=0, mats=0, rooms=[room("A", 10, "any")], kind="shelter")
    site = await open_site(beds, body)
    staff = beds.token("shelter_staff", sites=[site["id"]])
    team = beds.token("patrol", team="patrol-1")
    bed_ids = [b["id"] for b in beds_of(site)]
    for bed_id in bed_ids[:3]:
        assert (await take_out(beds, bed_id, staff)).status_code == 200

    async def act(n: int) -> tuple[str, int]:
        service = beds if n % 2 else replica
        if n % 4 == 0:
            bed_id = bed_ids[3 + (n // 4) % 7]
            return "out", (await take_out(service, bed_id, staff)).status_code
        if n % 4 == 1:
            return "hold", (await place_hold(service, team, site["id"])).status_code
        return "checkin", (await check_in(service, site["id"], staff, party())).status_code

    outcomes = Counter(await asyncio.gather(*(act(n) for n in range(RACERS))))

    assert {status for _, status in outcomes} <= {200, 201, 409}
    final = await site_view(beds, site["id"])
    out = {b["id"] for b in beds_of(final) if b["out_of_service"]}
    claims = await open_claims(beds)
    assert set(bed_ids[:3]) <= out
    assert not out & set(claims), "a place out of service has an open claim"
    assert set(claims.values()) == {1}
    taken = outcomes[("hold", 201)] + outcomes[("checkin", 201)]
    assert taken == len(claims) and taken + len(out) <= 10
    tonight = await board(beds, site["id"])
    assert tonight["beds_out_of_service"] == len(out)
    assert tonight["beds_occupied"] + tonight["beds_held"] == taken
