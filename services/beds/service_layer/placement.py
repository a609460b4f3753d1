"""Placing referrals from intake: the nearest fitting site gets a hold, else the waitlist; a
cancelled referral's hold is released; the waitlist is offered places as they free, and lapses.

The waitlist is served when something may have freed a place (`may_free_a_place` over the events
of a commit of this process: a check-out, a lapsed or cancelled hold, cold weather, new beds) and
once at start (for what freed while no process listened), never on a timer: each replica serves
it after its own commits; offers from two replicas at once are safe (the placement row and the
site are locked, the placement's status re-read).

Holds are taken and released by dispatching the same `PlaceHold` / `CancelHold` commands the
HTTP controllers build, through the same bus and access table, as the placement actor (the
referring team rides along as the holder's team, so that team can see, check in and cancel its
hold). Each event is applied in its consumer's inbox transaction: a repeated `referral.created`
finds its placement row (unique per referral) and places nothing twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from common.consumer import NotYet
from common.errors import DomainError
from common.logging import get_logger
from common.scheduler import ClockJob
from contracts import CloudEvent, Event
from contracts.events import intake as iv
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import commands as c
from services.beds.domain.access import PLACEMENT_ROLE, Actor
from services.beds.domain.party import Needs, Party
from services.beds.domain.placement import (
    DEFAULT_WAITLIST_HOURS,
    Placement,
    in_order_of_trial,
    may_free_a_place,
)
from services.beds.domain.restrictions import Restriction
from services.beds.service_layer.messagebus import BedsBus
from services.beds.service_layer.nearest import nearest
from services.beds.service_layer.results import HoldState

log = get_logger(__name__)
PLACEMENT_SUBJECT = "placement"
SITES_TRIED = 20
OFFERS_PER_ROUND = 20
LAPSES_PER_TICK = 200
RETRY_AFTER_S = 1.0


def placement_actor(team_id: str | None) -> Actor:
    return Actor(PLACEMENT_SUBJECT, PLACEMENT_ROLE, team_id)


class Placer:
    def __init__(
        self,
        bus: BedsBus,
        unit_of_work: Callable[[], BedsUnitOfWork],
        *,
        read: Callable[[], BedsUnitOfWork] | None = None,
        waitlist_hours: float = DEFAULT_WAITLIST_HOURS,
    ):
        self.bus = bus
        self.unit_of_work = unit_of_work
        # Finding due work reads only: on SQLite a write transaction would take the lock every tick.
        self.read = read or unit_of_work
        self.waitlist_hours = waitlist_hours
        self._freed = asyncio.Event()
        self._freed.set()  # the first round at start: whatever freed while nobody listened
        self._offering = asyncio.Lock()

    @staticmethod
    def people_handlers() -> dict[type[Event], Any]:
        """What beds keeps of intake's people: restrictions and express check-in cards (ids)."""
        return {
            iv.RestrictionImposed: on_restriction_imposed,
            iv.CardIssued: on_card_issued,
            iv.CardRevoked: on_card_revoked,
        }

    def handlers(self) -> dict[type[Event], Any]:
        return {
            iv.ReferralCreated: self.on_referral_created,
            iv.ReferralCancelled: self.on_referral_cancelled,
        }

    def jobs(self) -> list[ClockJob]:
        return [ClockJob("waitlist_lapse", self.lapse_waitlist)]

    def heard(self, events: Sequence[Event]) -> None:
        """A commit of this process: if it may have freed a place, the waitlist is served."""
        if may_free_a_place(events):
            self._freed.set()

    async def serve_waitlist(self) -> None:
        """The runtime's loop: one round of offers after each change that may have freed a place
        (changes during a round bring one more round, not one each)."""
        while True:
            await self._freed.wait()
            self._freed.clear()
            try:
                await self.offer_waitlist()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. the database briefly away: try again
                log.warning("waitlist_round_failed", error=type(exc).__name__)
                self._freed.set()
                await asyncio.sleep(RETRY_AFTER_S)

    async def on_referral_created(
        self, event: iv.ReferralCreated, envelope: CloudEvent, uow: BedsUnitOfWork
    ) -> None:
        if await uow.placements.get(event.referral_id) is not None:
            return  # placed, waiting or cancelled already: a repeat changes nothing
        now = uow.clock.now()
        placement = Placement(
            referral_id=event.referral_id,
            status="waitlisted",
            referred_at=envelope.time,
            updated_at=now,
            team_id=event.team_id,
            source=event.source,
            party=Party(event.party.adults, event.party.children, event.party.gender, event.party.youth),
            needs=Needs(accessible=event.needs.accessible, pet=event.needs.pet, dv=event.needs.dv),
            lat=event.location.lat,
            lon=event.location.lon,
            urgency=event.urgency,
            person_id=event.person_id,
        )
        uow.placements.add(placement)
        held = await self._hold(uow, placement)
        if held is not None:
            placement.held(held.hold.id, now)
        else:
            placement.wait(now, await uow.placements.position(placement), self.waitlist_hours)

    async def on_referral_cancelled(
        self, event: iv.ReferralCancelled, envelope: CloudEvent, uow: BedsUnitOfWork
    ) -> None:
        now = uow.clock.now()
        placement = await uow.placements.get(event.referral_id)
        if placement is None:
            # Cancelled before its creation reached us (a retried delivery): keep it from being placed.
            uow.placements.add(
                Placement(event.referral_id, "cancelled", envelope.time, now, team_id=event.team_id)
            )
            return
        if not placement.open:
            return
        if placement.hold_id is not None:
            hold = await uow.holds.get(placement.hold_id)
            if hold is not None and hold.active:
                await self.bus.handle(c.CancelHold(hold_id=hold.id), placement_actor(placement.team_id), uow)
        placement.cancel(now)

    async def _hold(self, uow: BedsUnitOfWork, placement: Placement) -> HoldState | None:
        """The first site, in order of trial, whose floor still takes the party under its lock."""
        assert placement.party is not None
        offers = await nearest(
            uow,
            lat=placement.lat,
            lon=placement.lon,
            party=placement.party,
            needs=placement.needs,
            kind=None,
            include_confidential=placement.needs.dv,
            limit=SITES_TRIED,
        )
        for offer in in_order_of_trial(offers):
            command = c.PlaceHold(
                site_id=offer.site_id,
                party=placement.party,
                needs=placement.needs,
                referral_id=placement.referral_id,
                source=placement.source,
                person_id=placement.person_id,
            )
            try:
                held: HoldState = await self.bus.handle(command, placement_actor(placement.team_id), uow)
            except DomainError:
                continue  # taken since the search looked, or restricted for this person: the next one
            return held
        return None

    async def offer_waitlist(self) -> int:
        """Whatever freed (a check-out, a lapsed or cancelled hold, cold weather, new beds) is
        offered down the list in order: the first that fits gets a hold."""
        async with self._offering:
            return await self._offer_waitlist()

    async def _offer_waitlist(self) -> int:
        async with self.read() as uow:
            waiting = await uow.placements.waiting(OFFERS_PER_ROUND)
        offered = 0
        for referral_id in waiting:
            async with self.unit_of_work() as uow:
                placement = await uow.placements.get(referral_id)
                if placement is None or placement.status != "waitlisted":
                    continue
                held = await self._hold(uow, placement)
                if held is None:
                    continue
                placement.offered(held.hold.id, held.site.id, held.site.confidential, uow.clock.now())
                await uow.commit()
                offered += 1
        return offered

    async def lapse_waitlist(self) -> int:
        async with self.read() as uow:
            due = await uow.placements.lapsed(uow.clock.now(), LAPSES_PER_TICK)
        if not due:
            return 0
        async with self.unit_of_work() as uow:
            now = uow.clock.now()
            lapsed = 0
            for referral_id in due:
                placement = await uow.placements.get(referral_id)
                if placement is not None and placement.lapse(now):
                    lapsed += 1
            await uow.commit()
            return lapsed


async def on_restriction_imposed(event: iv.RestrictionImposed, _: CloudEvent, uow: BedsUnitOfWork) -> None:
    """The read model of intake's restrictions (the consumer's inbox makes a repeat a no-op)."""
    await uow.restrictions.add(Restriction(event.restriction_id, event.person_id, event.site_id, event.until))


async def on_card_issued(event: iv.CardIssued, _: CloudEvent, uow: BedsUnitOfWork) -> None:
    await uow.cards.add(event.card_id, event.person_id, event.token_digest)


async def on_card_revoked(event: iv.CardRevoked, _: CloudEvent, uow: BedsUnitOfWork) -> None:
    if not await uow.cards.revoke(event.card_id):
        # Revoked before its issue reached us: applied now, the later card.issued would bring
        # the card back to life at the door.
        raise NotYet("card.issued")
