"""What intake answers: the response Structs of the API, built by `views`."""

from __future__ import annotations

from datetime import datetime

import msgspec

from contracts.events.base import Gender, NeedsFacts, PartyFacts, Source, Urgency
from services.intake.domain.referrals import Status
from services.intake.domain.trips import Outcome


class Accepted(msgspec.Struct, frozen=True):
    id: str
    status: Status


class Location(msgspec.Struct, frozen=True):
    lat: float
    lon: float


class PersonView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    anonymised: bool
    name: str | None = None
    birth_year: int | None = None
    gender: Gender | None = None
    phone: str | None = None
    notes: str | None = None


class ReferralView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    status: Status
    source: Source
    party: PartyFacts
    needs: NeedsFacts
    location: Location
    urgency: Urgency
    created_at: datetime
    updated_at: datetime
    team_id: str | None = None
    hold_id: str | None = None
    site_id: str | None = None
    expires_at: datetime | None = None
    person: PersonView | None = None


class ReferralPage(msgspec.Struct, frozen=True):
    items: list[ReferralView]
    total: int
    limit: int
    offset: int


class Done(msgspec.Struct, frozen=True):
    id: str
    status: str


class TripView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    started_at: datetime
    area: str
    outcome: Outcome
    team_id: str | None = None
    ended_at: datetime | None = None
    referral_id: str | None = None


class TripPage(msgspec.Struct, frozen=True):
    items: list[TripView]
    total: int
    limit: int
    offset: int


class RestrictionView(msgspec.Struct, frozen=True):
    id: str
    person_id: str
    site_id: str | None
    until: datetime
    reason: str
    imposed_at: datetime


class CardView(msgspec.Struct, frozen=True):
    """The card as issued; print it from GET .../card (a PNG). No name: the QR holds a token."""

    id: str
    person_id: str
    issued_at: datetime
    status: str
