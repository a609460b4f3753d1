"""A referral's status follows what beds tells: its hold placed, fulfilled, expired or cancelled;
the waitlist and its offers. Each event is applied once (the consumer's inbox) to the referral
it names, locked; events of holds not made for a referral, or for a referral intake does not
know, change nothing.

An event may come before the one it follows (two beds replicas, an earlier event retried): a
hold's end before the hold, the wait's lapse before the wait. Applied then, it would be lost or
overwritten by the older news; it is deferred instead (`NotYet`) and applied after it."""

from __future__ import annotations

from typing import Any, Literal

from common.consumer import NotYet
from contracts import CloudEvent, Event
from contracts.events import beds as ev
from services.intake.adapters.unit_of_work import IntakeUnitOfWork
from services.intake.domain.referrals import Referral

HoldOutcome = Literal["placed", "expired", "cancelled"]


async def _referral(uow: IntakeUnitOfWork, referral_id: str | None) -> Referral | None:
    if referral_id is None:
        return None
    return await uow.referrals.get(referral_id, for_update=True)


async def on_hold_placed(event: ev.HoldPlaced, envelope: CloudEvent, uow: IntakeUnitOfWork) -> None:
    referral = await _referral(uow, event.referral_id)
    if referral is not None:
        referral.held(event.hold_id, event.site_id, event.confidential, event.expires_at, envelope.time)


def _hold_ended(outcome: HoldOutcome) -> Any:
    async def on_hold_ended(event: ev.HoldFacts, envelope: CloudEvent, uow: IntakeUnitOfWork) -> None:
        referral = await _referral(uow, event.referral_id)
        if referral is None:
            return
        if referral.hold_id is None and not referral.final:
            raise NotYet("hold.placed")
        referral.hold_ended(event.hold_id, outcome, envelope.time)

    return on_hold_ended


async def on_waitlisted(event: ev.ReferralWaitlisted, envelope: CloudEvent, uow: IntakeUnitOfWork) -> None:
    referral = await _referral(uow, event.referral_id)
    if referral is not None:
        referral.waitlisted(envelope.time)


async def on_offered(event: ev.ReferralOffered, envelope: CloudEvent, uow: IntakeUnitOfWork) -> None:
    referral = await _referral(uow, event.referral_id)
    if referral is not None:
        referral.offered(event.hold_id, event.site_id, event.confidential, envelope.time)


async def on_waitlist_expired(
    event: ev.ReferralWaitlistExpired, envelope: CloudEvent, uow: IntakeUnitOfWork
) -> None:
    referral = await _referral(uow, event.referral_id)
    if referral is None:
        return
    if referral.status == "pending":
        raise NotYet("referral.waitlisted")
    referral.waitlist_lapsed(envelope.time)


def referral_status_handlers() -> dict[type[Event], Any]:
    return {
        ev.HoldPlaced: on_hold_placed,
        ev.HoldFulfilled: _hold_ended("placed"),
        ev.HoldExpired: _hold_ended("expired"),
        ev.HoldCancelled: _hold_ended("cancelled"),
        ev.ReferralWaitlisted: on_waitlisted,
        ev.ReferralOffered: on_offered,
        ev.ReferralWaitlistExpired: on_waitlist_expired,
    }
