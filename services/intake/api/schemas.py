"""What the intake API accepts. msgspec validates shape and ranges (400 with the field named);
the domain then checks the rules (409/422), so bad input changes nothing."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from common.ids import Uuid
from common.times import AwareTime, check_year
from contracts.events.base import Gender, NeedsFacts, PartyFacts, Source, Urgency
from services.intake.domain import commands as c
from services.intake.domain.trips import Outcome

Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Adults = Annotated[int, msgspec.Meta(ge=0, le=20)]
Children = Annotated[int, msgspec.Meta(ge=0, le=20)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Phone = Annotated[str, msgspec.Meta(min_length=3, max_length=40, pattern=r"^\+?[0-9 ()\-]{3,40}$")]
Notes = Annotated[str, msgspec.Meta(max_length=4000)]
BirthYear = Annotated[int, msgspec.Meta(ge=1900, le=2100)]
Area = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class PartyIn(Strict):
    """Who is coming together. At least one person: adults + children >= 1 (else 400)."""

    adults: Adults
    gender: Gender
    children: Children = 0
    youth: bool = False

    def __post_init__(self) -> None:
        if self.adults + self.children == 0:
            raise ValueError("a party has at least one person (adults + children >= 1)")

    def facts(self) -> PartyFacts:
        return PartyFacts(self.adults, self.children, self.gender, self.youth)


class NeedsIn(Strict):
    accessible: bool = False
    pet: bool = False
    dv: bool = False

    def facts(self) -> NeedsFacts:
        return NeedsFacts(accessible=self.accessible, pet=self.pet, dv=self.dv)


class LocationIn(Strict):
    lat: Latitude
    lon: Longitude


class PersonIn(Strict):
    """Stays in intake's database only; never in an event, a log line or another service."""

    name: Name | None = None
    birth_year: BirthYear | None = None
    gender: Gender | None = None
    phone: Phone | None = None
    notes: Notes | None = None

    def facts(self) -> c.PersonFacts:
        return c.PersonFacts(
            name=self.name, birth_year=self.birth_year, gender=self.gender, phone=self.phone, notes=self.notes
        )


class ReferralIn(Strict):
    source: Source
    party: PartyIn
    location: LocationIn
    urgency: Urgency = "routine"
    needs: NeedsIn | None = None
    person: PersonIn | None = None

    def command(self) -> c.CreateReferral:
        return c.CreateReferral(
            source=self.source,
            party=self.party.facts(),
            needs=self.needs.facts() if self.needs else NeedsFacts(),
            lat=self.location.lat,
            lon=self.location.lon,
            urgency=self.urgency,
            person=self.person.facts() if self.person else None,
        )


class TripIn(Strict):
    started_at: AwareTime
    area: Area
    outcome: Outcome
    ended_at: AwareTime | None = None
    referral_id: Uuid | None = None

    def __post_init__(self) -> None:
        check_year("started_at", self.started_at)
        check_year("ended_at", self.ended_at)


RestrictionReason = Literal["violence", "threats", "theft", "drugs", "rules", "other"]


class RestrictionIn(Strict):
    """Keep a person away from one site (`site_id`) or from all until a time; the reason is a
    code (never a note: it stays in intake and its audit log)."""

    until: AwareTime
    reason: RestrictionReason
    site_id: Uuid | None = None

    def __post_init__(self) -> None:
        check_year("until", self.until)
