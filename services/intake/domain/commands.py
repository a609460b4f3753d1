"""What intake can be asked to do and to tell: plain Structs a controller builds from a request
(and a test from nothing), each with one handler on the bus."""

from __future__ import annotations

from datetime import datetime

import msgspec

from contracts.events.base import Gender, NeedsFacts, PartyFacts, Source, Urgency
from services.intake.domain.referrals import Status


class Command(msgspec.Struct, frozen=True, kw_only=True):
    pass


class Query(msgspec.Struct, frozen=True, kw_only=True):
    pass


class PersonFacts(msgspec.Struct, frozen=True, kw_only=True):
    name: str | None = None
    birth_year: int | None = None
    gender: Gender | None = None
    phone: str | None = None
    notes: str | None = None


class CreateReferral(Command, frozen=True):
    source: Source
    party: PartyFacts
    needs: NeedsFacts
    lat: float
    lon: float
    urgency: Urgency
    person: PersonFacts | None = None


class CancelReferral(Command, frozen=True):
    referral_id: str


class AnonymisePerson(Command, frozen=True):
    person_id: str


class RestrictPerson(Command, frozen=True):
    person_id: str
    until: datetime
    reason: str
    site_id: str | None = None


class IssueCard(Command, frozen=True):
    """A new express check-in card; the person's earlier card stops working."""

    person_id: str


class RevokeCard(Command, frozen=True):
    person_id: str


class GetCard(Query, frozen=True):
    person_id: str


class RecordPersonRead(Command, frozen=True):
    """Left behind by a read of a DV person's record: who looked, when, and why."""

    person_id: str
    referral_id: str
    reason: str


class GetReferral(Query, frozen=True):
    referral_id: str
    reason: str | None = None


class ListReferrals(Query, frozen=True):
    status: Status | None = None
    team_id: str | None = None
    limit: int = 50
    offset: int = 0


class RecordTrip(Command, frozen=True):
    started_at: datetime
    area: str
    outcome: str
    ended_at: datetime | None = None
    referral_id: str | None = None


class ListTrips(Query, frozen=True):
    team_id: str | None = None
    limit: int = 50
    offset: int = 0
