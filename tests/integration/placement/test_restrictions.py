"""Restrictions across services (issue #22): a supervisor restricts a person in intake; beds
learns it from an event carrying ids only, refuses them at that site's door with a clear 409 and
places their referrals elsewhere — and in cold-weather mode the site takes them in, audited."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import nats
import sqlalchemy as sa

from common.clock import ManualClock
from contracts import encode, wrap
from contracts.events import beds as ev
from contracts.events import intake as iv
from contracts.events.base import NeedsFacts, PartyFacts
from services.beds.adapters.orm import restrictions
from tests.integration.beds.helpers import assert_problem, audit_rows, check_in, site_url, snapshot
from tests.integration.conftest import EVENING
from tests.integration.intake.helpers import referral
from tests.integration.placement.flow import FAR_SITE, referral_in, shelter
from tests.support.events import EventTap
from tests.support.service import Service, wait_until

UNTIL = (EVENING + timedelta(days=30)).isoformat()


async def a_person(intake: Service, *, beds_running: bool = True) -> str:
    """Intake keeps people only with a referral: the person it names (with a pet no room here
    takes, so the referral waits and holds nothing while the test watches beds)."""
    patrol = intake.token("patrol", team="patrol-1")
    body = referral(person={"name": "Made-up Name", "birth_year": 1980}, needs={"pet": True})
    made = (await intake.post("/api/v1/referrals", patrol, body)).json()
    supervisor = intake.token("supervisor")
    if beds_running:
        shown = await referral_in(intake, made["id"], supervisor, "waitlisted")
    else:
        shown = (await intake.get(f"/api/v1/referrals/{made['id']}", supervisor)).json()
    return str(shown["person"]["id"])


async def restrict(intake: Service, person_id: str, **body: Any) -> dict[str, Any]:
    answer = await intake.post(
        f"/api/v1/people/{person_id}/restrictions",
        intake.token("supervisor"),
        {"until": UNTIL, "reason": "violence", **body},
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def known_to_beds(beds: Service, restriction_id: str) -> None:
    async def there() -> bool:
        async with beds.runtime.read() as uow:
            found = await uow.session.scalar(
                sa.select(restrictions.c.id).where(restrictions.c.id == restriction_id)
            )
            return found is not None

    await wait_until(there, within=15)


async def test_a_restricted_person_is_refused_at_the_door_and_admitted_in_cold_weather(
    beds: Service, intake: Service, events: EventTap
) -> None:
    site = await shelter(beds, "Restricting", beds_=2)
    other = await shelter(beds, "Elsewhere", beds_=2)
    person = await a_person(intake)
    imposed = await restrict(intake, person, site_id=site)
    [event] = await events.wait_for(iv.RestrictionImposed, restriction_id=imposed["id"])
    assert (event.person_id, event.site_id) == (person, site)
    assert "violence" not in events.payloads()[-1].decode()  # the reason stays in intake
    await known_to_beds(beds, imposed["id"])
    staff = beds.token("shelter_staff", sites=[site, other])
    before = await snapshot(beds)

    refused = await check_in(beds, site, staff, person_id=person)
    assert assert_problem(refused, 409)["type"].endswith("person-restricted")
    held = await beds.post(
        "/api/v1/holds",
        beds.token("patrol", team="p-1"),
        {
            "site_id": site,
            "party": {"adults": 1, "children": 0, "gender": "male"},
            "person_id": person,
        },
    )
    assert_problem(held, 409)
    assert await snapshot(beds) == before
    assert (await check_in(beds, other, staff, person_id=person)).status_code == 201

    cold = await beds.post(site_url(site, "cold-weather"), beds.token("supervisor"), {"on": True, "mats": 5})
    assert cold.status_code == 200, cold.text
    admitted = await check_in(beds, site, staff, person_id=person)

    assert admitted.status_code == 201, admitted.text
    group = admitted.json()["stays"][0]["group_id"]
    [audit] = [r for r in await audit_rows(beds, group) if r.action == "restriction.overridden"]
    assert (audit.reason, audit.detail["restriction_id"], audit.detail["person_id"]) == (
        "cold_weather",
        imposed["id"],
        person,
    )
    # The supervisor finds the override in beds' audit log over HTTP; the door staff may not look.
    query = f"/api/v1/audit?action=restriction.overridden&object_id={group}"
    logged = await beds.get(query, beds.token("supervisor"))
    assert logged.status_code == 200, logged.text
    [entry] = logged.json()["items"]
    assert (entry["object_type"], entry["reason"], entry["detail"]["restriction_id"]) == (
        "stay_group",
        "cold_weather",
        imposed["id"],
    )
    assert entry["actor_role"] == "shelter_staff"
    assert_problem(await beds.get(query, staff), 403)


async def test_a_restriction_from_all_sites_refuses_everywhere(beds: Service, intake: Service) -> None:
    site = await shelter(beds, "Any", beds_=2)
    person = await a_person(intake)
    imposed = await restrict(intake, person, reason="threats")
    await known_to_beds(beds, imposed["id"])

    refused = await check_in(beds, site, beds.token("shelter_staff", sites=[site]), person_id=person)
    assert_problem(refused, 409)


async def test_placement_skips_a_site_that_restricts_the_referred_person(
    beds: Service, intake: Service, nats_url: str, events: EventTap, clock: ManualClock
) -> None:
    near = await shelter(beds, "Near", beds_=2)
    far = await shelter(beds, "Far", beds_=2, **FAR_SITE)
    person = await a_person(intake)
    imposed = await restrict(intake, person, site_id=near)
    await known_to_beds(beds, imposed["id"])
    referral_id = str(uuid.uuid4())
    created = iv.ReferralCreated(
        referral_id=referral_id,
        source="patrol",
        team_id="patrol-1",
        party=PartyFacts(1, 0, "male"),
        needs=NeedsFacts(),
        location=iv.ApproxLocation(49.84, 24.03),
        urgency="urgent",
        person_id=person,
    )
    nc = await nats.connect(nats_url)
    try:
        envelope = wrap(created, event_id=str(uuid.uuid4()), time=clock.now(), subject=referral_id)
        await nc.jetstream().publish(iv.ReferralCreated.KIND.subject, encode(envelope))
    finally:
        await nc.close()

    [held] = await events.wait_for(ev.HoldPlaced, referral_id=referral_id)
    assert held.site_id == far != near


async def test_only_a_supervisor_restricts_and_bad_input_changes_nothing(intake: Service) -> None:
    person = await a_person(intake, beds_running=False)
    url = f"/api/v1/people/{person}/restrictions"
    body = {"until": UNTIL, "reason": "violence"}

    assert_problem(await intake.post(url, intake.token("patrol", team="p-1"), body), 403)
    supervisor = intake.token("supervisor")
    assert_problem(await intake.post(url, supervisor, {**body, "reason": "he was rude"}), 400)
    past = (EVENING - timedelta(days=1)).isoformat()
    assert_problem(await intake.post(url, supervisor, {**body, "until": past}), 422)
    missing = f"/api/v1/people/{uuid.uuid4()}/restrictions"
    assert_problem(await intake.post(missing, supervisor, body), 404)
