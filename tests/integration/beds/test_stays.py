"""Crisis-room stays and their 10-day limit (SPEC 3 "Stays"): nobody is evicted by software; the
team hears two days before and at the limit, and only a supervisor, with a reason, extends."""

from __future__ import annotations

from datetime import timedelta

from common.clock import ManualClock
from contracts.events import beds as ev
from tests.integration.beds.helpers import (
    assert_problem,
    at,
    audit_rows,
    checked_in,
    open_site,
    site_url,
    snapshot,
    stay_url,
)
from tests.integration.conftest import EVENING
from tests.support.events import EventTap
from tests.support.service import Service
from tests.support.sites import crisis_room, night_shelter, party

REASON = "court hearing on Monday; the family has nowhere safe to go until then"


async def test_a_crisis_stay_warns_two_days_before_its_limit_and_again_at_the_limit(
    beds: Service, clock: ManualClock, events: EventTap
) -> None:
    site = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1")
    stay = (await checked_in(beds, site, team, party(1, 0, "female")))[0]
    assert at(stay["limit_at"]) == EVENING + timedelta(days=10)
    assert stay["days_left"] == 10

    roll_call = {"stay_ids": [stay["id"]]}  # seen every night: it does not end as left
    clock.advance(timedelta(days=8))
    assert (await beds.post(site_url(site, "presence"), team, roll_call)).status_code == 200
    await beds.tick()
    approaching = await events.wait_for(ev.StayLimitApproaching, stay_id=stay["id"])
    assert (approaching[0].team_id, approaching[0].limit_at) == ("mobile-1", EVENING + timedelta(days=10))
    assert events.of(ev.StayLimitReached, stay_id=stay["id"]) == []

    clock.advance(timedelta(days=2))
    assert (await beds.post(site_url(site, "presence"), team, roll_call)).status_code == 200
    await beds.tick()
    await events.wait_for(ev.StayLimitReached, stay_id=stay["id"])
    shown = await beds.get(stay_url(stay["id"]), team)
    assert (shown.json()["ended_at"], shown.json()["days_left"]) == (None, 0)  # still there: no eviction
    assert len(events.of(ev.StayLimitApproaching, stay_id=stay["id"])) == 1


async def test_a_supervisor_extends_a_stay_with_a_reason_that_stays_in_the_audit_log(
    beds: Service, clock: ManualClock, events: EventTap
) -> None:
    site = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1")
    stay = (await checked_in(beds, site, team, party(1, 2, "female")))[0]
    clock.advance(timedelta(days=10))
    await beds.tick()
    supervisor = beds.token("supervisor", subject="supervisor-anna")

    extended = await beds.post(stay_url(stay["id"], "extension"), supervisor, {"days": 3, "reason": REASON})

    assert extended.status_code == 200, extended.text
    assert at(extended.json()["limit_at"]) == EVENING + timedelta(days=13)
    assert extended.json()["extension_days"] == 3
    rows = [r for r in await audit_rows(beds, stay["id"]) if r.action == "stay.extended"]
    assert [(r.actor, r.actor_role, r.reason, r.detail["days"]) for r in rows] == [
        ("supervisor-anna", "supervisor", REASON, 3)
    ]
    published = await events.wait_for(ev.StayExtended, stay_id=stay["id"])
    assert (published[0].days, published[0].limit_at) == (3, EVENING + timedelta(days=13))
    await beds.relayed()
    assert not any(b"court hearing" in payload for payload in events.payloads())


async def test_an_extension_needs_a_reason_and_a_supervisor(beds: Service) -> None:
    site = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1")
    stay = (await checked_in(beds, site, team, party(1, 0, "female")))[0]
    supervisor = beds.token("supervisor")
    url = stay_url(stay["id"], "extension")
    night = (await open_site(beds, night_shelter()))["id"]
    tonight = (await checked_in(beds, night, beds.token("shelter_staff", sites=[night])))[0]
    before = await snapshot(beds)

    assert_problem(await beds.post(url, supervisor, {"days": 3}), 400)
    assert_problem(await beds.post(url, supervisor, {"days": 3, "reason": "   "}), 400)
    assert_problem(await beds.post(url, supervisor, {"days": 0, "reason": REASON}), 400)
    assert_problem(
        await beds.post(url, beds.token("shelter_staff", sites=[site]), {"days": 3, "reason": REASON}), 403
    )
    assert_problem(await beds.post(url, team, {"days": 3, "reason": REASON}), 403)
    # A night-shelter stay ends at the rollover: it has no limit to extend.
    assert_problem(
        await beds.post(stay_url(tonight["id"], "extension"), supervisor, {"days": 3, "reason": REASON}), 422
    )

    assert await snapshot(beds) == before


async def test_a_family_placed_together_keeps_one_limit_and_is_extended_together(
    beds: Service, events: EventTap
) -> None:
    site = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1")
    mother, child = await checked_in(beds, site, team, party(1, 1, "female"))
    alone = (await checked_in(beds, site, team, party(1, 0, "female")))[0]
    supervisor = beds.token("supervisor", subject="supervisor-anna")

    extended = await beds.post(stay_url(mother["id"], "extension"), supervisor, {"days": 3, "reason": REASON})

    assert extended.status_code == 200, extended.text
    answer = extended.json()
    assert answer["group_id"] == mother["group_id"]
    assert sorted(answer["extended_stay_ids"]) == sorted([mother["id"], child["id"]])
    for stay in (mother, child):
        shown = (await beds.get(stay_url(stay["id"]), supervisor)).json()
        assert at(shown["limit_at"]) == at(stay["limit_at"]) + timedelta(days=3)
        assert shown["extension_days"] == 3
        [row] = [r for r in await audit_rows(beds, stay["id"]) if r.action == "stay.extended"]
        assert (row.actor, row.reason, row.detail["group_id"]) == (
            "supervisor-anna",
            REASON,
            mother["group_id"],
        )
        assert sorted(row.detail["extended_stay_ids"]) == sorted([mother["id"], child["id"]])
        await events.wait_for(ev.StayExtended, stay_id=stay["id"])
    untouched = (await beds.get(stay_url(alone["id"]), supervisor)).json()
    assert (untouched["limit_at"], untouched["extension_days"]) == (alone["limit_at"], 0)


async def test_a_member_who_has_left_is_not_extended_with_the_rest_of_the_family(beds: Service) -> None:
    site = (await open_site(beds, crisis_room()))["id"]
    team = beds.token("crisis_team", team="mobile-1")
    mother, child, older = await checked_in(beds, site, team, party(1, 2, "female"))
    assert (await beds.post(stay_url(older["id"], "checkout"), team)).status_code == 200

    extended = await beds.post(
        stay_url(child["id"], "extension"), beds.token("supervisor"), {"days": 2, "reason": REASON}
    )

    assert extended.status_code == 200, extended.text
    assert sorted(extended.json()["extended_stay_ids"]) == sorted([mother["id"], child["id"]])
    left = (await beds.get(stay_url(older["id"]), beds.token("supervisor"))).json()
    assert left["extension_days"] == 0
