"""Placing a referral: the order in which fitting sites are tried, and the waitlist.

- The nearest site with a fitting free bed (family in one room, accessibility, restriction)
  comes first; only then a mat at the nearest night shelter (adults without special needs —
  `availability.offer` decides who may have one); otherwise the referral waits.
- A DV referral is offered confidential sites only, and only a DV referral is: they are refuges.
- The waitlist is served in order of urgency, then age (who was referred first), whenever a
  change may have freed a place (`may_free_a_place`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol, TypeVar

from contracts import Event
from contracts.events import beds as ev
from contracts.events.base import NeedsFacts, PartyFacts
from services.beds.domain.party import Needs, Party

PlacementStatus = Literal["waitlisted", "held", "offered", "cancelled", "expired"]
URGENCY_RANK = {"emergency": 0, "urgent": 1, "routine": 2}
DEFAULT_WAITLIST_HOURS = 12


class Candidate(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def on_beds(self) -> bool: ...


T = TypeVar("T", bound=Candidate)


def in_order_of_trial(offers: Sequence[T]) -> list[T]:
    """`offers` nearest first: beds anywhere before a mat, mats only at night shelters."""
    beds = [o for o in offers if o.on_beds]
    mats = [o for o in offers if not o.on_beds and o.kind == "night_shelter"]
    return beds + mats


FREEING = (
    ev.HoldExpired,  # a hold lapsed
    ev.HoldCancelled,
    ev.StayEnded,  # a check-out, the morning rollover
    ev.ColdWeatherSwitchedOn,  # emergency mats
    ev.BedsFreeAgain,
    ev.RoomChanged,  # beds added, a restriction lifted
    ev.SiteCreated,  # new beds
    ev.SiteUpdated,  # e.g. now takes pets
    ev.PlaceBackInService,  # repaired, cleaned
    ev.StayMoved,  # the place it left is free (the one it took may fit someone else less)
)
TAKING = (ev.HoldPlaced, ev.HoldExtended, ev.StayStarted)


def may_free_a_place(events: Sequence[Event]) -> bool:
    """Whether one commit's events may have freed a place that a waiting referral could take: a
    released hold or stay, more beds or mats, a room or site that now takes more people. A capacity
    change alone counts only when that commit took no place (mats set, a place back in use)."""
    if any(isinstance(e, FREEING) for e in events):
        return True
    return any(isinstance(e, ev.CapacityChanged) for e in events) and not any(
        isinstance(e, TAKING) for e in events
    )


@dataclass
class Placement:
    """What beds remembers of a referral it was asked to place: enough to place it later from
    the waitlist, and one row per referral, so a repeated `referral.created` places nothing twice."""

    referral_id: str
    status: PlacementStatus
    referred_at: datetime
    updated_at: datetime
    team_id: str | None = None
    source: str = "walk_in"
    party: Party | None = None
    needs: Needs = field(default_factory=Needs)
    lat: float = 0.0
    lon: float = 0.0
    urgency: str = "routine"
    hold_id: str | None = None
    waitlisted_until: datetime | None = None
    person_id: str | None = None  # placement skips the sites that restrict them
    events: list[Event] = field(default_factory=list, repr=False)

    @property
    def urgency_rank(self) -> int:
        return URGENCY_RANK.get(self.urgency, len(URGENCY_RANK))

    @property
    def open(self) -> bool:
        return self.status in ("waitlisted", "held", "offered")

    def held(self, hold_id: str, now: datetime) -> None:
        self.hold_id, self.status, self.updated_at = hold_id, "held", now

    def wait(self, now: datetime, position: int, hours: float = DEFAULT_WAITLIST_HOURS) -> None:
        self.status, self.updated_at = "waitlisted", now
        self.waitlisted_until = now + timedelta(hours=hours)
        self.events.append(
            ev.ReferralWaitlisted(referral_id=self.referral_id, team_id=self.team_id, position=position)
        )

    def offered(self, hold_id: str, site_id: str, confidential: bool, now: datetime) -> None:
        assert self.party is not None
        self.hold_id, self.status, self.updated_at = hold_id, "offered", now
        self.events.append(
            ev.ReferralOffered(
                referral_id=self.referral_id,
                team_id=self.team_id,
                hold_id=hold_id,
                site_id=site_id,
                confidential=confidential,
                party=PartyFacts(self.party.adults, self.party.children, self.party.gender, self.party.youth),
                needs=NeedsFacts(accessible=self.needs.accessible, pet=self.needs.pet, dv=self.needs.dv),
            )
        )

    def cancel(self, now: datetime) -> None:
        self.status, self.updated_at = "cancelled", now

    def lapse(self, now: datetime) -> bool:
        if self.status != "waitlisted" or self.waitlisted_until is None or self.waitlisted_until > now:
            return False
        self.status, self.updated_at = "expired", now
        self.events.append(ev.ReferralWaitlistExpired(referral_id=self.referral_id, team_id=self.team_id))
        return True
