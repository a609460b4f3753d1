"""Handlers of trips: a team records its call-outs and rounds; it lists its own, overseers all."""

from __future__ import annotations

import uuid

from common.errors import NotFound
from services.intake.adapters.unit_of_work import IntakeUnitOfWork
from services.intake.domain import commands as c
from services.intake.domain.access import Actor, team_scope
from services.intake.domain.trips import Trip
from services.intake.service_layer.referrals import MAX_PAGE
from services.intake.service_layer.results import TripsSeen


async def record_trip(command: c.RecordTrip, actor: Actor, uow: IntakeUnitOfWork) -> Trip:
    if command.referral_id is not None:
        referral = await uow.referrals.get(command.referral_id)
        if referral is None or not referral.made_by(actor.subject, actor.team_id):
            raise NotFound("There is no referral with this id.", code="referral-not-found")
    trip = Trip(
        id=str(uuid.uuid4()),
        team_id=actor.team_id,
        recorded_by=actor.subject,
        started_at=command.started_at,
        ended_at=command.ended_at,
        area=command.area,
        outcome=command.outcome,  # type: ignore[arg-type]
        referral_id=command.referral_id,
        created_at=uow.clock.now(),
    )
    await uow.trips.add(trip)
    uow.publish(trip.recorded())  # in the same transaction: the outbox
    return trip


async def list_trips(query: c.ListTrips, actor: Actor, uow: IntakeUnitOfWork) -> TripsSeen:
    team_id = team_scope(actor, query.team_id)
    limit = min(query.limit, MAX_PAGE)
    found, total = await uow.trips.listed(team_id=team_id, limit=limit, offset=query.offset)
    return TripsSeen(found, total, limit, query.offset)
