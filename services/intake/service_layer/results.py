"""What handlers return: domain objects plus who asked, so a view can leave out what the caller
may not see (a confidential site's id, for a patrol)."""

from __future__ import annotations

from dataclasses import dataclass

from services.intake.domain.access import Actor
from services.intake.domain.people import Person
from services.intake.domain.referrals import Referral
from services.intake.domain.trips import Trip


@dataclass(frozen=True)
class ReferralSeen:
    referral: Referral
    actor: Actor
    person: Person | None = None


@dataclass(frozen=True)
class ReferralsSeen:
    referrals: list[ReferralSeen]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class TripsSeen:
    trips: list[Trip]
    total: int
    limit: int
    offset: int
