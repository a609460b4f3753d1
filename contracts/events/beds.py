"""Events published by the beds service."""

from __future__ import annotations

from typing import Literal

from contracts.events.base import (
    Count,
    Event,
    NeedsFacts,
    Night,
    OutOfServiceReason,
    PartyFacts,
    PlaceKind,
    Restriction,
    SiteKind,
    Source,
    StayPlaceKind,
    TurnawayReason,
    UtcTime,
)
from contracts.naming import EventKind


def _beds(aggregate: str, fact: str, version: int = 1) -> EventKind:
    return EventKind("beds", aggregate, fact, version)


# -- sites -------------------------------------------------------------------------------------


class SiteFacts(Event, frozen=True):
    """Shared by created/updated. A confidential site's name and coordinates stay out (None)."""

    site_id: str
    kind: SiteKind
    confidential: bool
    timezone: str
    max_stay_days: Count | None
    beds_total: Count
    mats_total: Count
    public_name: str | None = None
    lat: float | None = None
    lon: float | None = None


class SiteCreated(SiteFacts, frozen=True):
    KIND = _beds("site", "created")


class SiteUpdated(SiteFacts, frozen=True):
    KIND = _beds("site", "updated")


class SiteRetired(Event, frozen=True):
    KIND = _beds("site", "retired")
    site_id: str


class RoomChanged(Event, frozen=True):
    KIND = _beds("room", "changed")
    room_id: str
    site_id: str
    restriction: Restriction
    accessible: bool
    beds_total: Count
    retired: bool


class CapacityChanged(Event, frozen=True):
    KIND = _beds("site", "capacity_changed")
    site_id: str
    confidential: bool
    free_beds: Count
    free_mats: Count
    beds_total: Count
    beds_occupied: Count
    beds_held: Count
    mats_total: Count
    mats_used: Count
    over_capacity: Count
    # Places out of service are not in the totals; added later, so a missing field means none.
    beds_out_of_service: Count = 0
    mats_out_of_service: Count = 0


class OverflowStarted(Event, frozen=True):
    """The first mat of the night is in use: every bed that fits is taken."""

    KIND = _beds("site", "overflow_started")
    site_id: str
    confidential: bool
    mats_used: Count
    mats_total: Count


class OverCapacity(Event, frozen=True):
    """A check-in past the last mat: the shelter took the person in anyway."""

    KIND = _beds("site", "over_capacity")
    site_id: str
    confidential: bool
    stay_id: str
    over_capacity: Count


class BedsFreeAgain(Event, frozen=True):
    KIND = _beds("site", "beds_free_again")
    site_id: str
    confidential: bool
    free_beds: Count


class ColdWeatherSwitchedOn(Event, frozen=True):
    KIND = _beds("site", "cold_weather_switched_on")
    site_id: str
    confidential: bool
    mats_total: Count


class ColdWeatherSwitchedOff(Event, frozen=True):
    KIND = _beds("site", "cold_weather_switched_off")
    site_id: str
    confidential: bool
    mats_total: Count


class PlaceOutOfService(Event, frozen=True):
    """A bed or mat is taken out of service (repair, pests, cleaning): offered to nobody until it
    is back. `until`: when the clocks put it back by themselves, if that was given."""

    KIND = _beds("place", "out_of_service")
    place_id: str
    site_id: str
    room_id: str | None
    confidential: bool
    place_kind: PlaceKind
    reason: OutOfServiceReason
    until: UtcTime | None = None


class PlaceBackInService(Event, frozen=True):
    KIND = _beds("place", "back_in_service")
    place_id: str
    site_id: str
    room_id: str | None
    confidential: bool
    place_kind: PlaceKind
    by_the_clock: bool = False


# -- holds -------------------------------------------------------------------------------------


class HoldFacts(Event, frozen=True):
    hold_id: str
    site_id: str
    confidential: bool
    holder_team_id: str | None
    referral_id: str | None


class HoldPlaced(HoldFacts, frozen=True):
    KIND = _beds("hold", "placed")
    place_ids: list[str]
    party: PartyFacts
    needs: NeedsFacts
    expires_at: UtcTime


class HoldExtended(HoldFacts, frozen=True):
    KIND = _beds("hold", "extended")
    expires_at: UtcTime


class HoldExpiring(HoldFacts, frozen=True):
    KIND = _beds("hold", "expiring")
    expires_at: UtcTime


class HoldExpired(HoldFacts, frozen=True):
    KIND = _beds("hold", "expired")


class HoldCancelled(HoldFacts, frozen=True):
    KIND = _beds("hold", "cancelled")


class HoldFulfilled(HoldFacts, frozen=True):
    KIND = _beds("hold", "fulfilled")
    stay_ids: list[str]


# -- stays -------------------------------------------------------------------------------------


class StayFacts(Event, frozen=True):
    stay_id: str
    site_id: str
    confidential: bool
    group_id: str


class StayStarted(StayFacts, frozen=True):
    KIND = _beds("stay", "started")
    place_id: str | None
    place_kind: StayPlaceKind
    started_at: UtcTime
    source: Source
    hold_id: str | None = None
    referral_id: str | None = None
    team_id: str | None = None
    limit_at: UtcTime | None = None
    backdated: bool = False


class StayEnded(StayFacts, frozen=True):
    KIND = _beds("stay", "ended")
    ended_at: UtcTime
    # `left`: no presence confirmed for the set number of nights (the site was warned first).
    reason: Literal["checkout", "rollover", "left"]


class StayMoved(StayFacts, frozen=True):
    """Moved to another place on the same site; the stay goes on (start and limit unchanged).
    `from_place_id` is None for someone who was over capacity."""

    KIND = _beds("stay", "moved")
    from_place_id: str | None
    place_id: str
    place_kind: StayPlaceKind


class StayAbsent(StayFacts, frozen=True):
    """Nobody confirmed this person's presence since `last_seen_at`: unless staff do, the stay
    ends at `ends_at` as `left` (without check-out). The site's staff are told first."""

    KIND = _beds("stay", "absent")
    last_seen_at: UtcTime
    ends_at: UtcTime


class StayExtended(StayFacts, frozen=True):
    KIND = _beds("stay", "extended")
    days: Count
    limit_at: UtcTime


class StayLimitApproaching(StayFacts, frozen=True):
    KIND = _beds("stay", "limit_approaching")
    limit_at: UtcTime
    team_id: str | None = None


class StayLimitReached(StayFacts, frozen=True):
    KIND = _beds("stay", "limit_reached")
    limit_at: UtcTime
    team_id: str | None = None


# -- the nightly ledger ------------------------------------------------------------------------


class NightClosed(Event, frozen=True):
    """A night's figures; `revision` > 0 when a back-dated check-in reopened a closed night."""

    KIND = _beds("night", "closed")
    site_id: str
    night: Night
    people: Count
    beds_used: Count
    mats_used: Count
    over_capacity: Count
    arrivals_by_source: dict[Source, Count]
    revision: Count = 0


# -- unmet demand --------------------------------------------------------------------------------


class TurnawayRecorded(Event, frozen=True):
    """Someone a full site could not take (never a night shelter: it never refuses). With the
    referrals nobody placed, the unmet demand in the reports. Coded facts only."""

    KIND = _beds("turnaway", "recorded")
    turnaway_id: str
    site_id: str
    confidential: bool
    night: Night
    party: PartyFacts
    needs: NeedsFacts
    reason: TurnawayReason
    team_id: str | None = None


# -- placement of referrals ------------------------------------------------------------------


class ReferralWaitlisted(Event, frozen=True):
    KIND = _beds("referral", "waitlisted")
    referral_id: str
    team_id: str | None
    position: Count


class ReferralOffered(Event, frozen=True):
    KIND = _beds("referral", "offered")
    referral_id: str
    team_id: str | None
    hold_id: str
    site_id: str
    confidential: bool
    party: PartyFacts
    needs: NeedsFacts


class ReferralWaitlistExpired(Event, frozen=True):
    """No fitting place freed in time (a setting, 12 h by default): the referral left the list."""

    KIND = _beds("referral", "waitlist_expired")
    referral_id: str
    team_id: str | None
