"""What the beds API accepts. msgspec validates shape and ranges (400 with the field named);
the domain then checks the rules (422/409), so bad input changes nothing."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

import msgspec

from common.ids import Uuid
from common.times import AwareTime, check_year
from contracts.events.base import (
    Gender,
    OutOfServiceReason,
    Restriction,
    SiteKind,
    Source,
    TurnawayReason,
)
from services.beds.domain.party import MAX_ADULTS, MAX_CHILDREN, Needs, Party
from services.beds.domain.sites import MAX_BEDS_PER_ROOM, MAX_MATS

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Address = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Adults = Annotated[int, msgspec.Meta(ge=0, le=MAX_ADULTS)]
Children = Annotated[int, msgspec.Meta(ge=0, le=MAX_CHILDREN)]
Beds = Annotated[int, msgspec.Meta(ge=0, le=MAX_BEDS_PER_ROOM)]
Mats = Annotated[int, msgspec.Meta(ge=0, le=MAX_MATS)]
StayDays = Annotated[int, msgspec.Meta(ge=1, le=365)]
Timezone = Annotated[str, msgspec.Meta(min_length=1, max_length=60, examples=["Europe/Kyiv"])]
Clock = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["08:00"])]


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class PartyIn(Strict):
    """Who arrives together. At least one person: adults + children >= 1 (else 400)."""

    adults: Adults
    gender: Gender
    children: Children = 0
    youth: Annotated[
        bool, msgspec.Meta(description="every member is 16-24 and unaccompanied (youth rooms take them)")
    ] = False

    def __post_init__(self) -> None:
        if self.adults + self.children == 0:
            raise ValueError("a party has at least one person (adults + children >= 1)")

    def to_domain(self) -> Party:
        return Party(self.adults, self.children, self.gender, self.youth)


class NeedsIn(Strict):
    accessible: bool = False
    pet: bool = False
    dv: bool = False

    def to_domain(self) -> Needs:
        return Needs(accessible=self.accessible, pet=self.pet, dv=self.dv)


def needs_of(needs: NeedsIn | None) -> Needs:
    return needs.to_domain() if needs else Needs()


class RoomIn(Strict):
    name: Name
    beds: Beds
    restriction: Restriction = "any"
    accessible: bool = False
    pets_allowed: bool = False


class SiteIn(Strict):
    name: Name
    kind: SiteKind
    lat: Latitude
    lon: Longitude
    address: Address
    rooms: Annotated[list[RoomIn], msgspec.Meta(max_length=200)] = []
    mats: Mats = 0
    timezone: Timezone | None = None
    max_stay_days: StayDays | None = None
    confidential: bool | None = None
    rollover: Clock | None = None
    cold_weather_mats: Mats | None = None


class SitePatch(Strict):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    lat: Latitude | msgspec.UnsetType = msgspec.UNSET
    lon: Longitude | msgspec.UnsetType = msgspec.UNSET
    address: Address | msgspec.UnsetType = msgspec.UNSET
    timezone: Timezone | msgspec.UnsetType = msgspec.UNSET
    max_stay_days: StayDays | msgspec.UnsetType | None = msgspec.UNSET
    confidential: bool | msgspec.UnsetType = msgspec.UNSET
    rollover: Clock | msgspec.UnsetType = msgspec.UNSET
    mats: Mats | msgspec.UnsetType = msgspec.UNSET
    cold_weather_mats: Mats | msgspec.UnsetType | None = msgspec.UNSET

    def changes(self) -> dict[str, Any]:
        given = {k: v for k, v in msgspec.structs.asdict(self).items() if v is not msgspec.UNSET}
        if "rollover" in given:
            given["rollover"] = parse_clock(given["rollover"])
        return given


class RoomPatch(Strict):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    restriction: Restriction | msgspec.UnsetType = msgspec.UNSET
    accessible: bool | msgspec.UnsetType = msgspec.UNSET
    pets_allowed: bool | msgspec.UnsetType = msgspec.UNSET
    beds: Beds | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in msgspec.structs.asdict(self).items() if v is not msgspec.UNSET}


class CheckinIn(Strict):
    party: PartyIn
    needs: NeedsIn | None = None
    started_at: AwareTime | None = None
    source: Source | None = None
    referral_id: Uuid | None = None
    person_id: Annotated[
        Uuid | None, msgspec.Meta(description="intake's person id: a site that restricts them answers 409")
    ] = None

    def __post_init__(self) -> None:
        check_year("started_at", self.started_at)


class TurnawayIn(Strict):
    """Someone this full site could not take, and why (a code; never a note or a name)."""

    party: PartyIn
    reason: TurnawayReason
    needs: NeedsIn | None = None


class HoldIn(Strict):
    site_id: Uuid
    party: PartyIn
    needs: NeedsIn | None = None
    eta_minutes: Annotated[int, msgspec.Meta(ge=1, le=720)] | None = None
    referral_id: Uuid | None = None
    source: Source | None = None
    person_id: Annotated[
        Uuid | None, msgspec.Meta(description="intake's person id: a site that restricts them answers 409")
    ] = None


class HoldExtensionIn(Strict):
    minutes: Annotated[int, msgspec.Meta(ge=1, le=720)]


class ScanIn(Strict):
    """What the board page read from an express check-in card's QR code, and — for someone
    without a hold here — who arrives with them."""

    token: Annotated[str, msgspec.Meta(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
    party: PartyIn | None = None
    needs: NeedsIn | None = None


class PresenceIn(Strict):
    """A roll call: the stays whose people were seen here tonight (ids from the board)."""

    stay_ids: Annotated[list[Uuid], msgspec.Meta(min_length=1, max_length=1000)]


class MoveIn(Strict):
    """The place the stay moves to, on the same site (its family comes along beside it)."""

    place_id: Uuid


class StayExtensionIn(Strict):
    days: Annotated[int, msgspec.Meta(ge=1, le=30)]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("an extension needs a reason")


class ExtensionRequestIn(StayExtensionIn):
    """What the team asks for: the days and why (the reason goes to the supervisor and the audit
    log, never into an event)."""


class ExtensionDecisionIn(Strict):
    grant: bool
    note: Annotated[str, msgspec.Meta(max_length=1000, description="why; required when refusing")] | None = (
        None
    )


class OutOfServiceIn(Strict):
    """Why (a code: never a note) and, if known, when the clocks put it back (RFC 3339)."""

    reason: OutOfServiceReason
    until: AwareTime | None = None

    def __post_init__(self) -> None:
        check_year("until", self.until)


class ColdWeatherIn(Strict):
    on: bool
    mats: Mats | None = None


def parse_clock(value: str | None) -> time | None:
    if value is None:
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))
