"""Events published by the intake service. Personal data never leaves intake: a referral is
ids, counts and codes, and its location is rounded (about 1 km) so that it cannot point at a home."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from contracts.events.base import Event, NeedsFacts, PartyFacts, Source, Urgency, UtcTime
from contracts.naming import EventKind

Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class ApproxLocation(msgspec.Struct, frozen=True):
    lat: Latitude
    lon: Longitude


class ReferralCreated(Event, frozen=True):
    KIND = EventKind("intake", "referral", "created", 1)
    referral_id: str
    source: Source
    team_id: str | None
    party: PartyFacts
    needs: NeedsFacts
    location: ApproxLocation
    urgency: Urgency


class ReferralCancelled(Event, frozen=True):
    KIND = EventKind("intake", "referral", "cancelled", 1)
    referral_id: str
    team_id: str | None
    reason: Literal["by_team", "arrived_elsewhere", "duplicate", "other"] = "by_team"


TripOutcome = Literal["placed", "consulted", "refused", "no_contact"]


class TripRecorded(Event, frozen=True):
    """A team's call-out or patrol round, for the figures a centre publishes. The area it covered
    is free text and stays in intake."""

    KIND = EventKind("intake", "trip", "recorded", 1)
    trip_id: str
    team_id: str | None
    started_at: UtcTime
    ended_at: UtcTime | None
    outcome: TripOutcome
    referral_id: str | None
