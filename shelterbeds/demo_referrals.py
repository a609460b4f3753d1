"""Demo referrals, one in every state a referrer can see (issue 19): pending, held, placed,
waitlisted, offered, cancelled, expired.

They are made the way the running system makes them, only with the clock set to when each was
made: intake's referral (with its `referral.created` in the outbox), beds' placement consumer
handling that event (nearest fitting site, a hold for the ETA, else the waitlist), a check-in
from the hold, a cancellation, new beds offered to the waitlist. Intake's status follows what
beds did, through the same domain steps its event handlers take. The events left in both
outboxes are published when the services start; each is one both sides have already applied, so
nothing changes twice (a repeated `referral.created` finds its placement; a hold event about a
final referral changes nothing).

Two states are moments by nature: the pending referral is one beds has not seen yet (it is
placed within seconds of the start, as any new one would be), and the expired one's hold lapsed
while the system was down (beds' clock releases the place at start)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.clock import Clock, ManualClock
from common.db import Database
from common.settings import Settings
from contracts.envelope import wrap
from contracts.events.base import NeedsFacts, PartyFacts
from contracts.events.intake import ReferralCancelled, ReferralCreated
from services.beds.adapters.orm import plumbing as beds_plumbing
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import commands as c
from services.beds.domain.access import Actor
from services.beds.domain.inventory import RoomSpec
from services.beds.service_layer import sites
from services.beds.service_layer.messagebus import beds_bus
from services.beds.service_layer.placement import Placer
from services.intake.adapters.orm import plumbing as intake_plumbing
from services.intake.adapters.unit_of_work import IntakeUnitOfWork
from services.intake.domain.referrals import Referral
from shelterbeds.demo import DEMO_ADMIN, SITES, TEAMS, demo_id

LVIV_STATION = (49.8397, 23.9945)
DNIPRO_CENTRE = (48.4647, 35.0462)


@dataclass(frozen=True)
class DemoReferral:
    key: str
    outcome: str  # the state it is left in
    source: str
    team: str
    party: PartyFacts
    location: tuple[float, float]
    made_ago: timedelta
    dv: bool = False
    urgency: str = "urgent"

    @property
    def id(self) -> str:
        return demo_id(f"referral/{self.key}")


ALONE = PartyFacts(1, 0, "male")
# Two adults and three children: no confidential room takes five, so a DV family of five waits.
BIG_FAMILY = PartyFacts(2, 3, "female")
REFERRALS = (
    DemoReferral("placed", "placed", "patrol", "lviv-patrol", ALONE, LVIV_STATION, timedelta(hours=3)),
    DemoReferral("expired", "expired", "patrol", "lviv-patrol", ALONE, LVIV_STATION, timedelta(hours=5)),
    DemoReferral(
        "cancelled",
        "cancelled",
        "contact_centre",
        "lviv-contact-centre",
        ALONE,
        LVIV_STATION,
        timedelta(hours=2),
    ),
    DemoReferral("held", "held", "patrol", "lviv-patrol", ALONE, LVIV_STATION, timedelta(minutes=10)),
    DemoReferral(
        "offered",
        "offered",
        "mobile_team",
        "dnipro-mobile-1",
        BIG_FAMILY,
        DNIPRO_CENTRE,
        timedelta(hours=4),
        dv=True,
    ),
    DemoReferral(
        "waitlisted",
        "waitlisted",
        "police",
        "dnipro-mobile-2",
        BIG_FAMILY,
        DNIPRO_CENTRE,
        timedelta(hours=3),
        dv=True,
        urgency="routine",
    ),
    DemoReferral(
        "pending", "pending", "phone", "lviv-contact-centre", ALONE, LVIV_STATION, timedelta(minutes=1)
    ),
)
ARRIVED_AFTER = timedelta(minutes=25)
CANCELLED_AFTER = timedelta(minutes=5)
# Beds that free for the waitlist: a larger family room at the Dnipro crisis room, opened later.
NEW_ROOM = RoomSpec("Кімната 3 (велика)", "family", beds=5)
DNIPRO_CRISIS = next(site for site in SITES if site.key == "dnipro-crisis-room")


def _referral(spec: DemoReferral, made_at: datetime) -> Referral:
    lat, lon = spec.location
    return Referral.create(
        id=spec.id,
        source=spec.source,
        party=spec.party,
        needs=NeedsFacts(dv=spec.dv),
        lat=lat,
        lon=lon,
        urgency=spec.urgency,
        team_id=TEAMS[spec.team],
        referrer_subject=f"demo-{spec.team}",
        referrer_role="crisis_team" if spec.dv else "patrol",
        created_at=made_at,
        updated_at=made_at,
    )


@dataclass(frozen=True)
class _Held:
    hold_id: str
    site_id: str
    confidential: bool
    placed_at: datetime
    expires_at: datetime


class _Beds:
    """beds' own placement consumer and bus, on a clock set by the demo."""

    def __init__(self, db: Database, clock: ManualClock):
        self.db, self.clock = db, clock
        factory: Callable[..., BedsUnitOfWork] = lambda **_: BedsUnitOfWork(db, beds_plumbing, clock)  # noqa: E731
        self.bus = beds_bus(factory)
        self.placer = Placer(self.bus, factory)

    def uow(self) -> BedsUnitOfWork:
        return BedsUnitOfWork(self.db, beds_plumbing, self.clock)


async def seed_referrals(beds_settings: Settings, intake_settings: Settings, clock: Clock) -> bool:
    """Makes the demo referrals unless they exist. Returns True if it made them."""
    beds_db, intake_db = Database(beds_settings.database_url), Database(intake_settings.database_url)
    now = clock.now()
    try:
        async with IntakeUnitOfWork(intake_db, intake_plumbing, ManualClock(now)) as uow:
            if await uow.referrals.get(REFERRALS[0].id) is not None:
                return False
        moment = ManualClock(now)
        beds = _Beds(beds_db, moment)
        for spec in sorted(REFERRALS, key=lambda s: -s.made_ago):
            made_at = now - spec.made_ago
            moment.set(made_at)
            referral = _referral(spec, made_at)
            created = next(e for e in referral.events if isinstance(e, ReferralCreated))
            async with IntakeUnitOfWork(intake_db, intake_plumbing, ManualClock(made_at)) as uow:
                uow.referrals.add(referral)
                await uow.commit()
            if spec.outcome == "pending":
                continue  # beds has not seen it yet
            async with beds.uow() as uow:
                envelope = wrap(created, event_id=demo_id(f"event/{spec.key}"), time=made_at, subject=spec.id)
                await beds.placer.on_referral_created(created, envelope, uow)
                await uow.commit()
            await _follow_up(spec, beds, moment, made_at)
        moment.set(now - timedelta(hours=1))
        async with beds.uow() as uow:  # new beds: the waitlist's first family of five is offered them
            await sites.add_room(c.AddRoom(site_id=DNIPRO_CRISIS.id, room=NEW_ROOM), DEMO_ADMIN, uow)
            await uow.commit()
        await beds.placer.offer_waitlist()
        await _mirror_in_intake(beds, intake_db, now)
        return True
    finally:
        await beds_db.dispose()
        await intake_db.dispose()


async def _follow_up(spec: DemoReferral, beds: _Beds, moment: ManualClock, made_at: datetime) -> None:
    """What happened next at beds: the party arrived, or the referrer called it off."""
    if spec.outcome == "placed":
        async with beds.uow() as uow:
            placement = await uow.placements.get(spec.id)
            hold = await uow.holds.get(placement.hold_id) if placement and placement.hold_id else None
            assert hold is not None, "the demo city has a bed for one man"
            hold_id, site_id = hold.id, hold.site_id
        moment.set(made_at + ARRIVED_AFTER)
        door = Actor("demo-door", "shelter_staff", None, frozenset({site_id}))
        async with beds.uow() as uow:
            await beds.bus.handle(c.CheckInFromHold(hold_id=hold_id), door, uow)
            await uow.commit()
    if spec.outcome == "cancelled":
        moment.set(made_at + CANCELLED_AFTER)
        cancelled = ReferralCancelled(referral_id=spec.id, team_id=TEAMS[spec.team])
        envelope = wrap(
            cancelled, event_id=demo_id(f"event/{spec.key}/cancel"), time=moment.now(), subject=spec.id
        )
        async with beds.uow() as uow:
            await beds.placer.on_referral_cancelled(cancelled, envelope, uow)
            await uow.commit()


async def _mirror_in_intake(beds: _Beds, intake_db: Database, now: datetime) -> None:
    """Each referral's status as intake's event handlers would have set it from beds' events."""
    for spec in REFERRALS:
        if spec.outcome == "pending":
            continue
        made_at = now - spec.made_ago
        held: _Held | None = None
        async with beds.uow() as uow:
            placement = await uow.placements.get(spec.id)
            assert placement is not None
            hold = await uow.holds.get(placement.hold_id) if placement.hold_id else None
            site = await uow.reads.site(hold.site_id) if hold else None
            if hold is not None and site is not None:
                held = _Held(hold.id, site.id, site.confidential, hold.placed_at, hold.expires_at)
        async with IntakeUnitOfWork(intake_db, intake_plumbing, ManualClock(now)) as uow:
            referral = await uow.referrals.get(spec.id, for_update=True)
            assert referral is not None
            if spec.outcome in ("waitlisted", "offered"):
                referral.waitlisted(made_at)
            if held is not None:
                if spec.outcome == "offered":
                    referral.offered(held.hold_id, held.site_id, held.confidential, held.placed_at)
                referral.held(held.hold_id, held.site_id, held.confidential, held.expires_at, held.placed_at)
                if spec.outcome == "placed":
                    referral.hold_ended(held.hold_id, "placed", made_at + ARRIVED_AFTER)
                if spec.outcome == "expired":
                    referral.hold_ended(held.hold_id, "expired", held.expires_at)
            if spec.outcome == "cancelled" and referral.status != "cancelled":
                referral.cancel(made_at + CANCELLED_AFTER)
            assert referral.status == spec.outcome, (spec.key, referral.status)
            await uow.commit()
