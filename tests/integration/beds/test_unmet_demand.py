"""Unmet demand (issue #22): staff at a full site that is not a night shelter record whom they
had to turn away, a hold that lapses without arrival is a no-show for its team and referral, and
both add up in `GET /unmet-demand` — the figure the reports add to the referrals nobody placed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from common.clock import ManualClock
from contracts.events import beds as ev
from tests.integration.beds.helpers import (
    UNMET_DEMAND,
    assert_problem,
    checked_in,
    open_site,
    place_hold,
    site_url,
    snapshot,
)
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party, room

TONIGHT = "2026-11-23"


def shelter(**kw: Any) -> dict[str, Any]:
    return {**night_shelter(beds=0, mats=0, rooms=[room("A", 1, "any")], **kw), "kind": "shelter"}


async def turn_away(beds: Service, site_id: str, token: str, **body: Any) -> Any:
    return await beds.post(
        site_url(site_id, "turnaways"), token, {"party": party(1, 2, "female"), "reason": "full", **body}
    )


async def demand(beds: Service, **params: str) -> dict[str, Any]:
    answer = await beds.get(
        UNMET_DEMAND, beds.token("supervisor"), params={"from": TONIGHT, "to": TONIGHT, **params}
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_a_turn_away_at_a_full_shelter_is_counted(beds: Service, events: EventTap) -> None:
    site = (await open_site(beds, shelter()))["id"]
    staff = beds.token("shelter_staff", sites=[site], team="staff-1")
    await checked_in(beds, site, staff)

    answer = await turn_away(beds, site, staff, reason="no_fitting_room")

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["site_id"], body["night"], body["reason"]) == (site, TONIGHT, "no_fitting_room")
    recorded = await events.wait_for(ev.TurnawayRecorded, site_id=site)
    assert (recorded[0].party.children, recorded[0].team_id) == (2, "staff-1")
    figures = await demand(beds)
    assert (figures["turnaways"], figures["turnaway_people"]) == (1, 3)
    assert figures["turnaways_by_site"] == {site: 1}
    assert figures["turnaways_by_reason"] == {"no_fitting_room": 1}
    assert (await demand(beds, site_id=site))["turnaways"] == 1
    assert (await demand(beds, **{"from": "2026-11-24", "to": "2026-11-24"}))["turnaways"] == 0


async def test_no_turn_away_at_a_night_shelter_or_while_a_place_fits(beds: Service) -> None:
    night = (await open_site(beds, night_shelter(beds=0, mats=0)))["id"]
    free = (await open_site(beds, shelter(name="Has a bed")))["id"]
    before = await snapshot(beds)

    refused = await turn_away(beds, night, beds.token("shelter_staff", sites=[night]), party=party())
    assert assert_problem(refused, 409)["type"].endswith("night-shelter-never-refuses")
    fits = await turn_away(beds, free, beds.token("shelter_staff", sites=[free]), party=party())
    assert assert_problem(fits, 409)["type"].endswith("place-free")
    assert await snapshot(beds) == before


async def test_only_the_sites_own_staff_record_a_turn_away(beds: Service) -> None:
    site = (await open_site(beds, shelter()))["id"]
    hidden = (await open_site(beds, crisis_room(rooms=[room("A", 0, "women")])))["id"]
    other_staff = beds.token("shelter_staff", sites=[site])
    before = await snapshot(beds)

    assert_problem(await turn_away(beds, site, beds.token("patrol", team="p-1")), 403)
    assert_problem(await turn_away(beds, site, beds.token("shelter_staff", sites=[hidden])), 403)
    assert_problem(await turn_away(beds, hidden, other_staff), 404)
    assert_problem(await turn_away(beds, site, other_staff, reason="they were rude"), 400)
    assert_problem(await beds.get(UNMET_DEMAND, other_staff), 403)
    assert await snapshot(beds) == before


async def test_a_hold_that_lapses_is_a_no_show_for_its_team_and_referral(
    beds: Service, clock: ManualClock, events: EventTap
) -> None:
    site = (await open_site(beds, shelter()))["id"]
    patrol = beds.token("patrol", team="patrol-7")
    referral = "0b0e4c8e-7a3f-4d4e-9d1c-2f4a9c6b1e11"
    held = await place_hold(beds, patrol, site, eta_minutes=30, referral_id=referral)
    assert held.status_code == 201, held.text

    clock.advance(timedelta(minutes=31))
    await beds.tick()
    await events.wait_for(ev.HoldExpired, hold_id=held.json()["id"])

    figures = await demand(beds)
    assert (figures["no_shows"], figures["no_shows_of_referrals"]) == (1, 1)
    assert figures["no_shows_by_team"] == {"patrol-7": 1}
    assert figures["no_shows_by_site"] == {site: 1}
