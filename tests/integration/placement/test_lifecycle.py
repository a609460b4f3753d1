"""How a referral ends when nobody arrives or nothing frees: a lapsed hold is `expired`, and so
is a wait on the list past its setting; anonymising the person changes no figure in beds."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from common.clock import ManualClock
from contracts.events import beds as ev
from tests.integration.beds.helpers import checked_in, hold_url
from tests.integration.intake.helpers import OLENA, referral
from tests.integration.placement.flow import referral_in, shelter
from tests.support.events import EventTap
from tests.support.service import Service

TEAM = str(uuid.uuid4())


async def test_a_hold_that_lapses_without_arrival_leaves_the_referral_expired(
    beds: Service, intake: Service, clock: ManualClock
) -> None:
    await shelter(beds, "Near")
    patrol = intake.token("patrol", team=TEAM)
    made = (await intake.post("/api/v1/referrals", patrol, referral())).json()
    await referral_in(intake, made["id"], patrol, "held")
    clock.advance(timedelta(hours=3))
    await beds.tick()
    expired = await referral_in(intake, made["id"], patrol, "expired")
    assert "expires_at" not in expired


async def test_a_referral_waits_on_the_list_for_twelve_hours_at_most(
    beds: Service, intake: Service, clock: ManualClock, events: EventTap
) -> None:
    site = await shelter(beds, "Only")
    await checked_in(beds, site, beds.token("shelter_staff", sites=[site]))
    patrol = intake.token("patrol", team=TEAM)
    made = (await intake.post("/api/v1/referrals", patrol, referral())).json()
    await referral_in(intake, made["id"], patrol, "waitlisted")
    clock.advance(timedelta(hours=11, minutes=59))
    await beds.tick()
    assert (await intake.get(f"/api/v1/referrals/{made['id']}", patrol)).json()["status"] == "waitlisted"
    clock.advance(timedelta(minutes=2))
    await beds.tick()
    await events.wait_for(ev.ReferralWaitlistExpired, referral_id=made["id"])
    await referral_in(intake, made["id"], patrol, "expired")


async def test_a_named_person_with_a_phone_and_notes_appears_nowhere_on_the_bus_or_in_the_logs(
    beds: Service, intake: Service, nats_url: str, log_lines: io.StringIO
) -> None:
    refuge = await shelter(beds, "Refuge", kind="crisis_room")
    team = intake.token("crisis_team", team=TEAM)
    async with EventTap(nats_url, subject=">") as everything:
        body = referral(1, 0, "female", source="mobile_team", needs={"dv": True}, person=OLENA)
        made = (await intake.post("/api/v1/referrals", team, body)).json()
        held = await referral_in(intake, made["id"], team, "held")
        assert held["site_id"] == refuge and held["person"]["phone"] == OLENA["phone"]
        await intake.post("/api/v1/referrals", team, {**body, "person": {**OLENA, "phone": "not a phone"}})
        arrived = await beds.post(hold_url(held["hold_id"], "checkin"), beds.token("crisis_team", team=TEAM))
        assert arrived.status_code == 201
        await referral_in(intake, made["id"], team, "placed")
        await intake.relayed()
        await beds.relayed()
    wire = b"".join(everything.payloads()) + b"".join(
        str(msg.headers or {}).encode() for _, _, msg in everything.received
    )
    logged = log_lines.getvalue()
    assert everything.received and logged
    for secret in ("Olena", "Kovalenko", "380501234567", "husband"):
        assert secret.encode() not in wire, secret
        assert secret not in logged, secret


async def test_anonymising_a_person_leaves_beds_figures_unchanged(
    beds: Service, intake: Service, clock: ManualClock
) -> None:
    site = await shelter(beds, "Near")
    patrol = intake.token("patrol", team=TEAM)
    made = (await intake.post("/api/v1/referrals", patrol, referral(person=OLENA))).json()
    held = await referral_in(intake, made["id"], patrol, "held")
    staff = beds.token("shelter_staff", sites=[site])
    assert (await beds.post(hold_url(held["hold_id"], "checkin"), staff)).status_code == 201
    clock.advance(timedelta(days=2))
    await beds.tick()
    supervisor = beds.token("supervisor")
    ledger = (await beds.get("/api/v1/ledger", supervisor, params={"site_id": site})).json()
    assert sum(night["people"] for night in ledger) >= 1  # every night they slept there
    person_id = (await intake.get(f"/api/v1/referrals/{made['id']}", patrol)).json()["person"]["id"]
    done = await intake.post(f"/api/v1/people/{person_id}/anonymise", intake.token("supervisor"))
    assert done.status_code == 200
    await intake.relayed()
    await beds.tick()
    assert (await beds.get("/api/v1/ledger", supervisor, params={"site_id": site})).json() == ledger
    after = (await intake.get(f"/api/v1/referrals/{made['id']}", patrol)).json()
    assert after["status"] == "placed" and after["person"]["anonymised"] is True
