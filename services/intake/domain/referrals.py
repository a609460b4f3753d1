"""A referral: who is coming, from whom, from where, how urgently — and where they stand now.

Intake decides nothing about places: beds places the referral and says so in events; the
referral's status follows them. Rules kept here:
- a referral that is placed, cancelled or expired stays so (late or repeated events change
  nothing);
- events about a hold other than the referral's own are old news and are ignored;
- a hold that follows a wait on the list is an offer, whichever of the two events comes first;
- what leaves intake is ids, counts and codes, the location rounded to about a kilometre.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from common.errors import Conflict
from contracts import Event
from contracts.events.base import NeedsFacts, PartyFacts, Source, Urgency
from contracts.events.intake import ApproxLocation, ReferralCancelled, ReferralCreated

Status = Literal["pending", "held", "placed", "waitlisted", "offered", "cancelled", "expired"]
STATUSES: tuple[Status, ...] = ("pending", "held", "placed", "waitlisted", "offered", "cancelled", "expired")
FINAL: frozenset[str] = frozenset({"placed", "cancelled", "expired"})
# Two decimals of a degree: about 1.1 km north-south, less east-west. Enough to find the nearest
# shelter, too coarse to point at a doorway.
LOCATION_DECIMALS = 2


def rounded(lat: float, lon: float) -> ApproxLocation:
    return ApproxLocation(round(lat, LOCATION_DECIMALS), round(lon, LOCATION_DECIMALS))


@dataclass
class Referral:
    id: str
    source: Source
    party: PartyFacts
    needs: NeedsFacts
    lat: float
    lon: float
    urgency: Urgency
    team_id: str | None
    referrer_subject: str
    referrer_role: str
    created_at: datetime
    updated_at: datetime
    status: Status = "pending"
    person_id: str | None = None
    hold_id: str | None = None
    site_id: str | None = None
    site_confidential: bool = False
    expires_at: datetime | None = None
    was_waitlisted: bool = False
    events: list[Event] = field(default_factory=list)

    @classmethod
    def create(cls, **facts: object) -> Referral:
        referral = cls(**facts)  # type: ignore[arg-type]
        referral.events.append(
            ReferralCreated(
                referral_id=referral.id,
                source=referral.source,
                team_id=referral.team_id,
                party=referral.party,
                needs=referral.needs,
                location=rounded(referral.lat, referral.lon),
                urgency=referral.urgency,
                person_id=referral.person_id,
            )
        )
        return referral

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def made_by(self, subject: str, team_id: str | None) -> bool:
        """Its team: the same team id, or (for a token without a team) the same token holder."""
        if self.team_id is not None:
            return team_id == self.team_id
        return subject == self.referrer_subject

    def cancel(self, now: datetime) -> None:
        if self.status == "cancelled":
            raise Conflict("This referral is already cancelled.", code="referral-already-cancelled")
        if self.final:
            raise Conflict(
                f"This referral is {self.status}; only an open referral can be cancelled.",
                code="referral-closed",
            )
        self._become("cancelled", now)
        self.events.append(ReferralCancelled(referral_id=self.id, team_id=self.team_id))

    # -- what beds tells us ------------------------------------------------------------------------

    def held(
        self, hold_id: str, site_id: str, confidential: bool, expires_at: datetime, at: datetime
    ) -> None:
        if self.final:
            return
        self.hold_id, self.site_id, self.site_confidential = hold_id, site_id, confidential
        self.expires_at = expires_at
        self._become("offered" if self.was_waitlisted else "held", at)

    def offered(self, hold_id: str, site_id: str, confidential: bool, at: datetime) -> None:
        if self.final:
            return
        self.was_waitlisted = True
        self.hold_id, self.site_id, self.site_confidential = hold_id, site_id, confidential
        self._become("offered", at)

    def waitlisted(self, at: datetime) -> None:
        if self.final or self.hold_id is not None:
            return  # an offer came first: the wait is over
        self.was_waitlisted = True
        self._become("waitlisted", at)

    def hold_ended(
        self, hold_id: str, outcome: Literal["placed", "expired", "cancelled"], at: datetime
    ) -> None:
        if self.final or hold_id != self.hold_id:
            return
        self._become(outcome, at)

    def waitlist_lapsed(self, at: datetime) -> None:
        if self.status == "waitlisted":
            self._become("expired", at)

    def _become(self, status: Status, at: datetime) -> None:
        self.status = status
        self.updated_at = max(self.updated_at, at)
