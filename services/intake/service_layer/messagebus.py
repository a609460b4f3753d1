"""The composition of intake's use cases: every command and query with its one handler, the
access table as the bus's door, and reads of DV people's records leaving their audit entry."""

from __future__ import annotations

from typing import Any

from common.bus import Handler, MessageBus, UnitsOfWork
from services.intake.adapters.unit_of_work import IntakeUnitOfWork
from services.intake.domain import commands as c
from services.intake.domain.access import Actor, may_call
from services.intake.service_layer import referrals, trips

IntakeBus = MessageBus[IntakeUnitOfWork, Actor]

COMMANDS: dict[type, Handler[Actor, Any]] = {
    c.CreateReferral: referrals.create_referral,
    c.CancelReferral: referrals.cancel_referral,
    c.AnonymisePerson: referrals.anonymise_person,
    c.RestrictPerson: referrals.restrict_person,
    c.IssueCard: referrals.issue_card,
    c.RevokeCard: referrals.revoke_card,
    c.RecordPersonRead: referrals.record_person_read,
    c.RecordTrip: trips.record_trip,
}

QUERIES: dict[type, Handler[Actor, Any]] = {
    c.GetReferral: referrals.get_referral,
    c.ListReferrals: referrals.list_referrals,
    c.ListTrips: trips.list_trips,
    c.GetCard: referrals.get_card,
}


def intake_bus(unit_of_work: UnitsOfWork[IntakeUnitOfWork]) -> IntakeBus:
    return MessageBus(
        unit_of_work,
        commands=COMMANDS,
        queries=QUERIES,
        authorize=may_call,
        follow_up=referrals.audit_trail,
    )
