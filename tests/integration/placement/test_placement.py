"""Placement across services over the session's real NATS: intake's referral.created reaches beds'
placement consumer, which holds the nearest fitting place (or waitlists), and the referral's
status comes back to the referrer from beds' events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import nats
import sqlalchemy as sa

from contracts import encode, wrap
from contracts.events import beds as ev
from contracts.events import intake as iv
from contracts.events.base import NeedsFacts, PartyFacts
from services.beds.adapters.orm import placements
from tests.integration.beds.helpers import checked_in, hold_url, stay_url
from tests.integration.intake.helpers import referral
from tests.integration.placement.flow import FAR_SITE, family_shelter, referral_in, shelter
from tests.support.events import EventTap
from tests.support.service import Service, wait_until

TEAM = str(uuid.uuid4())


async def test_a_patrol_referral_is_held_at_the_nearest_fitting_site_and_placed_on_arrival(
    beds: Service, intake: Service, events: EventTap
) -> None:
    far = await shelter(beds, "Far", **FAR_SITE)
    near = await shelter(beds, "Near")
    patrol = intake.token("patrol", team=TEAM)
    made = (await intake.post("/api/v1/referrals", patrol, referral())).json()
    held = await referral_in(intake, made["id"], patrol, "held")
    assert held["site_id"] == near != far and held["hold_id"] and held["expires_at"]
    staff = beds.token("shelter_staff", sites=[near])
    arrived = await beds.post(hold_url(held["hold_id"], "checkin"), staff)
    assert arrived.status_code == 201, arrived.text
    placed = await referral_in(intake, made["id"], patrol, "placed")
    assert placed["site_id"] == near


async def test_a_mat_at_the_nearest_night_shelter_only_when_no_bed_fits_anywhere(
    beds: Service, intake: Service
) -> None:
    mats_only = await shelter(beds, "Mats near", beds_=0, mats=3)
    bed_far = await shelter(beds, "Bed further", **FAR_SITE)
    patrol = intake.token("patrol", team=TEAM)
    first = (await intake.post("/api/v1/referrals", patrol, referral())).json()
    assert (await referral_in(intake, first["id"], patrol, "held"))["site_id"] == bed_far
    second = (await intake.post("/api/v1/referrals", patrol, referral())).json()
    assert (await referral_in(intake, second["id"], patrol, "held"))["site_id"] == mats_only
    family = (await intake.post("/api/v1/referrals", patrol, referral(1, 1, "female"))).json()
    await referral_in(intake, family["id"], patrol, "waitlisted")  # children never sleep on mats


async def test_a_full_city_waitlists_and_a_check_out_offers_the_freed_bed_in_order(
    beds: Service, intake: Service, events: EventTap
) -> None:
    site = await shelter(beds, "Only")
    staff = beds.token("shelter_staff", sites=[site])
    [stay] = await checked_in(beds, site, staff)
    patrol = intake.token("patrol", team=TEAM)
    routine = (await intake.post("/api/v1/referrals", patrol, referral(urgency="routine"))).json()
    emergency = (await intake.post("/api/v1/referrals", patrol, referral(urgency="emergency"))).json()
    await referral_in(intake, routine["id"], patrol, "waitlisted")
    await referral_in(intake, emergency["id"], patrol, "waitlisted")
    [waiting] = await events.wait_for(ev.ReferralWaitlisted, referral_id=emergency["id"])
    assert isinstance(waiting, ev.ReferralWaitlisted) and waiting.position == 1
    assert await beds.tick() >= 0
    assert (await beds.post(stay_url(stay["id"], "checkout"), staff)).status_code == 200
    await beds.tick()
    offered = await referral_in(intake, emergency["id"], patrol, "offered")
    assert offered["site_id"] == site and offered["hold_id"]
    [offer] = await events.wait_for(ev.ReferralOffered, referral_id=emergency["id"])
    assert isinstance(offer, ev.ReferralOffered) and offer.hold_id == offered["hold_id"]
    assert (await intake.get(f"/api/v1/referrals/{routine['id']}", patrol)).json()["status"] == "waitlisted"
    arrived = await beds.post(hold_url(offered["hold_id"], "checkin"), staff)
    assert arrived.status_code == 201
    await referral_in(intake, emergency["id"], patrol, "placed")


async def test_a_dv_mother_with_two_children_gets_one_crisis_room_invisible_to_a_patrol(
    beds: Service, intake: Service, events: EventTap
) -> None:
    open_family_room = await family_shelter(beds, "Family shelter nearby")
    crisis = await family_shelter(beds, "Refuge", kind="crisis_room", **FAR_SITE)
    patrol = intake.token("patrol", team=TEAM)
    body = referral(1, 2, "female", needs={"dv": True})
    made = (await intake.post("/api/v1/referrals", patrol, body)).json()
    seen = await referral_in(intake, made["id"], patrol, "held")
    assert "site_id" not in seen and "hold_id" not in seen and "expires_at" not in seen
    by_supervisor = (await intake.get(f"/api/v1/referrals/{made['id']}", intake.token("supervisor"))).json()
    assert by_supervisor["site_id"] == crisis != open_family_room
    [held] = await events.wait_for(ev.HoldPlaced, referral_id=made["id"])
    assert isinstance(held, ev.HoldPlaced) and held.confidential and len(held.place_ids) == 3
    hold = await beds.get(hold_url(by_supervisor["hold_id"]), beds.token("supervisor"))
    assert hold.json()["site_id"] == crisis
    room_ids = {p["room_id"] for p in hold.json()["places"]}
    assert len(room_ids) == 1
    assert (
        await beds.get(hold_url(by_supervisor["hold_id"]), beds.token("patrol", team=TEAM))
    ).status_code == 404


async def test_cancelling_a_referral_releases_its_hold(
    beds: Service, intake: Service, events: EventTap
) -> None:
    await shelter(beds, "Near")
    patrol = intake.token("patrol", team=TEAM)
    made = (await intake.post("/api/v1/referrals", patrol, referral())).json()
    held = await referral_in(intake, made["id"], patrol, "held")
    assert (await intake.post(f"/api/v1/referrals/{made['id']}/cancel", patrol)).status_code == 200
    await events.wait_for(ev.HoldCancelled, hold_id=held["hold_id"])
    hold = (await beds.get(hold_url(held["hold_id"]), beds.token("supervisor"))).json()
    assert hold["status"] == "cancelled"
    assert (await intake.get(f"/api/v1/referrals/{made['id']}", patrol)).json()["status"] == "cancelled"


async def test_the_same_referral_delivered_twice_makes_one_hold(
    beds: Service, nats_url: str, events: EventTap
) -> None:
    await shelter(beds, "Near", beds_=4)
    referral_id = str(uuid.uuid4())
    created = iv.ReferralCreated(
        referral_id=referral_id,
        source="patrol",
        team_id=TEAM,
        party=PartyFacts(1, 0, "male"),
        needs=NeedsFacts(),
        location=iv.ApproxLocation(49.84, 24.03),
        urgency="urgent",
    )
    now = datetime.now(UTC)
    first = wrap(created, event_id=str(uuid.uuid4()), time=now, subject=referral_id)
    again = wrap(created, event_id=str(uuid.uuid4()), time=now, subject=referral_id)
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        subject = iv.ReferralCreated.KIND.subject
        await js.publish(subject, encode(first), headers={"Nats-Msg-Id": "a"})
        await js.publish(subject, encode(first), headers={"Nats-Msg-Id": "b"})  # redelivered under a new id
        await js.publish(subject, encode(again), headers={"Nats-Msg-Id": "c"})  # the referral, re-announced
    finally:
        await nc.close()
    await events.wait_for(ev.HoldPlaced, referral_id=referral_id)
    consumer = next(c for c in beds.runtime.consumers if c.durable == "beds-placement")

    async def all_three_seen() -> bool:
        info = await beds.runtime.nats.js.consumer_info("SHELTER_INTAKE", consumer.durable)
        return bool(info.num_pending == 0 and info.num_ack_pending == 0)

    await wait_until(all_three_seen)
    await beds.relayed()
    assert len(events.of(ev.HoldPlaced, referral_id=referral_id)) == 1
    async with beds.runtime.read() as uow:
        rows = (await uow.session.execute(sa.select(placements))).all()
    assert [(r.referral_id, r.status) for r in rows] == [(referral_id, "held")]


async def test_a_check_out_wakes_the_waitlist_without_waiting_for_the_clocks(
    beds: Service, intake: Service, events: EventTap
) -> None:
    site = await shelter(beds, "Only")
    staff = beds.token("shelter_staff", sites=[site])
    [stay] = await checked_in(beds, site, staff)
    patrol = intake.token("patrol", team=TEAM)
    waiting = (await intake.post("/api/v1/referrals", patrol, referral())).json()
    await referral_in(intake, waiting["id"], patrol, "waitlisted")
    # the clocks tick once an hour here and are never asked to: only the check-out can wake it
    assert (await beds.post(stay_url(stay["id"], "checkout"), staff)).status_code == 200
    offered = await referral_in(intake, waiting["id"], patrol, "offered")
    assert offered["site_id"] == site
