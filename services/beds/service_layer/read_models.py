"""What the beds API answers with (msgspec Structs; the OpenAPI document is generated from them).
No names or other personal data exist in beds at all: people are stays, counts and codes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from contracts.events.base import (
    Gender,
    OutOfServiceReason,
    PlaceKind,
    Restriction,
    SiteKind,
    Source,
    StayPlaceKind,
    TurnawayReason,
)

Time = Annotated[datetime, msgspec.Meta(tz=True)]


class PlaceView(msgspec.Struct):
    id: str
    kind: PlaceKind
    label: str
    room_id: str | None
    emergency: bool
    retired: bool
    out_of_service: bool = False
    out_of_service_reason: OutOfServiceReason | None = None
    out_of_service_until: Time | None = None


class RoomView(msgspec.Struct):
    id: str
    name: str
    restriction: Restriction
    accessible: bool
    pets_allowed: bool
    beds_total: int
    free_beds: int
    retired: bool
    beds_out_of_service: int = 0
    beds: Annotated[
        list[PlaceView], msgspec.Meta(description="the room's beds, in service or not (for upkeep and moves)")
    ] = []


class SiteSummary(msgspec.Struct):
    id: str
    name: str
    kind: SiteKind
    confidential: bool
    free_beds: int
    free_mats: int
    beds_total: int
    mats_total: int
    cold_weather: bool
    lat: float
    lon: float
    address: str
    beds_out_of_service: int = 0
    mats_out_of_service: int = 0


class SiteView(msgspec.Struct):
    id: str
    name: str
    kind: SiteKind
    lat: float
    lon: float
    address: str
    timezone: str
    max_stay_days: int | None
    confidential: bool
    rollover: str
    cold_weather: bool
    cold_weather_mats: int | None
    beds_total: int
    mats_total: int
    free_beds: int
    free_mats: int
    over_capacity: int
    retired: bool
    created_at: Time
    rooms: list[RoomView]
    mats: list[PlaceView]
    beds_out_of_service: int = 0
    mats_out_of_service: int = 0
    scope: Annotated[
        Literal["full", "public"],
        msgspec.Meta(
            description="`public`: another site seen by shelter staff — only what is public anyway "
            "(name, kind, address, free counts); its rooms and mats are left out"
        ),
    ] = "full"


class PartyView(msgspec.Struct):
    adults: int
    children: int
    gender: Gender
    youth: bool = False


class NeedsView(msgspec.Struct):
    accessible: bool
    pet: bool
    dv: bool = False


class StayView(msgspec.Struct):
    id: str
    site_id: str
    place_id: str | None
    place_kind: StayPlaceKind
    place_label: str | None
    room_id: str | None
    group_id: str
    started_at: Time
    source: Source
    is_child: bool
    ends_at: Time | None = None
    limit_at: Time | None = None
    days_left: float | None = None
    extension_days: int = 0
    ended_at: Time | None = None
    end_reason: str | None = None
    hold_id: str | None = None
    referral_id: str | None = None
    team_id: str | None = None
    last_seen_at: Annotated[
        Time | None,
        msgspec.Meta(description="last presence confirmed (roll call or check-in); not at night shelters"),
    ] = None


class ExtendedStay(StayView):
    """A family placed together keeps one limit: extending one member's stay extends every open
    stay of the group, and the answer names them all."""

    extended_stay_ids: list[str] = []


class HoldView(msgspec.Struct):
    id: str
    site_id: str
    status: str
    placed_at: Time
    expires_at: Time
    party: PartyView
    needs: NeedsView
    places: list[PlaceView]
    source: Source
    holder_team_id: str | None = None
    referral_id: str | None = None
    warned: bool = False
    ended_at: Time | None = None


class CheckIn(msgspec.Struct):
    stays: list[StayView]


class Board(msgspec.Struct):
    site_id: str
    confidential: bool
    night: date
    beds_total: int
    beds_occupied: int
    beds_held: int
    mats_total: int
    mats_used: int
    over_capacity: int
    free_beds: int
    free_mats: int
    cold_weather: bool
    stays: list[StayView]
    holds: list[HoldView]
    beds_out_of_service: int = 0
    mats_out_of_service: int = 0
    out_of_service: Annotated[
        list[PlaceView], msgspec.Meta(description="the places out of service tonight, counted apart")
    ] = []


class Availability(msgspec.Struct):
    site_id: str
    name: str
    kind: SiteKind
    distance_km: float
    free_beds: int
    free_mats: int
    confidential: bool = False


class TurnawayView(msgspec.Struct):
    id: str
    site_id: str
    night: date
    recorded_at: Time
    reason: TurnawayReason
    party: PartyView
    needs: NeedsView
    team_id: str | None = None


class UnmetDemandView(msgspec.Struct):
    """Nights `from`..`to`: people turned away at full sites, and holds nobody came for."""

    start: Annotated[date, msgspec.Meta(description="the first night counted")]
    end: Annotated[date, msgspec.Meta(description="the last night counted")]
    turnaways: int
    turnaway_people: int
    turnaways_by_site: dict[str, int]
    turnaways_by_reason: dict[str, int]
    no_shows: Annotated[int, msgspec.Meta(description="holds that lapsed without arrival")]
    no_shows_of_referrals: int
    no_shows_by_site: dict[str, int]
    no_shows_by_team: dict[str, int]


class LedgerNight(msgspec.Struct):
    site_id: str
    night: date
    people: int
    beds_used: int
    mats_used: int
    over_capacity: int
    arrivals_by_source: dict[str, int]
    revision: int


class Done(msgspec.Struct):
    """The answer to a write that changes one thing: what it is now."""

    id: str
    status: str


# -- open data (HSDS-like: a service at a location, with its `service_capacity`) ----------------


class CapacityUnit(msgspec.Struct, kw_only=True):
    """HSDS 3 `unit`: what is counted."""

    name: Literal["Bed", "Mat"]
    scheme: Literal["shelterbeds"] = "shelterbeds"
    identifier: Literal["bed", "mat"]


class ServiceCapacity(msgspec.Struct, kw_only=True):
    """HSDS 3 `service_capacity`: `available` tonight of `maximum` usable now."""

    unit: CapacityUnit
    available: int
    maximum: int
    description: str
    updated: Time


class OpenLocation(msgspec.Struct, kw_only=True):
    latitude: float
    longitude: float
    address: str


class OpenService(msgspec.Struct, kw_only=True):
    """One non-confidential site as an HSDS-like service."""

    id: str
    name: str
    kind: SiteKind
    location: OpenLocation
    cold_weather: bool
    service_capacity: list[ServiceCapacity]


class OpenTotals(msgspec.Struct, kw_only=True):
    """Over the services listed here only: confidential sites are in no total."""

    services: int
    beds_maximum: int
    beds_available: int
    mats_maximum: int
    mats_available: int


class OpenCapacity(msgspec.Struct, kw_only=True):
    """Open data: the non-confidential sites' capacity and tonight's free places. Needs no
    token; rate-limited per client address (429)."""

    generated_at: Time
    totals: OpenTotals
    services: list[OpenService]


ExtensionStatus = Literal["pending", "granted", "refused"]


class ExtensionRequestView(msgspec.Struct):
    """A request to extend a stay (and its family's) past the limit, and the supervisor's answer.
    `limit_at`: the stay's limit now (after a grant, the extended one)."""

    id: str
    stay_id: str
    group_id: str
    site_id: str
    days: int
    reason: str
    status: ExtensionStatus
    requested_at: Time
    team_id: str | None = None
    decided_at: Time | None = None
    note: str | None = None
    limit_at: Time | None = None


class ExtensionRequestPage(msgspec.Struct):
    items: list[ExtensionRequestView]
    total: int
    limit: int
    offset: int
