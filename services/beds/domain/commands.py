"""What beds can be asked to do (commands, imperative) and to tell (queries). Plain Structs
with domain values only: a controller builds them from a request, the placement consumer from
an event, and the same handler runs for both. Nothing here knows about HTTP."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import msgspec

from services.beds.domain.inventory import RoomSpec
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import SiteKind


class Command(msgspec.Struct, frozen=True, kw_only=True):
    pass


class Query(msgspec.Struct, frozen=True, kw_only=True):
    pass


# -- the inventory --------------------------------------------------------------------------------


class OpenSite(Command, frozen=True):
    name: str
    kind: SiteKind
    lat: float
    lon: float
    address: str
    rooms: tuple[RoomSpec, ...] = ()
    mats: int = 0
    timezone: str | None = None
    max_stay_days: int | None = None
    confidential: bool | None = None
    rollover: time | None = None
    cold_weather_mats: int | None = None
    site_id: str | None = None


class UpdateSite(Command, frozen=True):
    site_id: str
    changes: dict[str, Any]


class RetireSite(Command, frozen=True):
    site_id: str


class AddRoom(Command, frozen=True):
    site_id: str
    room: RoomSpec


class UpdateRoom(Command, frozen=True):
    room_id: str
    changes: dict[str, Any]


class RetireRoom(Command, frozen=True):
    room_id: str


class RetirePlace(Command, frozen=True):
    place_id: str


class DeletePlace(Command, frozen=True):
    place_id: str


class TakeOutOfService(Command, frozen=True):
    place_id: str
    reason: str
    until: datetime | None = None


class PutBackInService(Command, frozen=True):
    place_id: str


class SwitchColdWeather(Command, frozen=True):
    site_id: str
    on: bool
    mats: int | None = None


# -- people at the door ---------------------------------------------------------------------------


class CheckIn(Command, frozen=True):
    site_id: str
    party: Party
    needs: Needs = Needs()
    started_at: datetime | None = None
    source: str | None = None
    referral_id: str | None = None
    person_id: str | None = None


class ScanCard(Command, frozen=True):
    """An express check-in card scanned at the door: the person's hold here becomes their stay,
    or — given the party — they are checked in, in one step."""

    site_id: str
    token: str
    party: Party | None = None
    needs: Needs = Needs()


class CheckOut(Command, frozen=True):
    stay_id: str


class MoveStay(Command, frozen=True):
    stay_id: str
    place_id: str


class ConfirmPresence(Command, frozen=True):
    """A roll call: these people were seen here tonight."""

    site_id: str
    stay_ids: tuple[str, ...]


class ExtendStay(Command, frozen=True):
    stay_id: str
    days: int
    reason: str


class RequestExtension(Command, frozen=True):
    """Ask a supervisor to extend a stay (and its family's) past the limit."""

    stay_id: str
    days: int
    reason: str


class DecideExtension(Command, frozen=True):
    """A supervisor's answer to a request: a grant extends the stay as `ExtendStay` does."""

    request_id: str
    grant: bool
    note: str | None = None


class RecordTurnaway(Command, frozen=True):
    site_id: str
    party: Party
    reason: str
    needs: Needs = Needs()


class PlaceHold(Command, frozen=True):
    site_id: str
    party: Party
    needs: Needs = Needs()
    eta_minutes: int | None = None
    referral_id: str | None = None
    source: str | None = None
    person_id: str | None = None


class ExtendHold(Command, frozen=True):
    hold_id: str
    minutes: int


class CancelHold(Command, frozen=True):
    hold_id: str


class CheckInFromHold(Command, frozen=True):
    hold_id: str


# -- queries --------------------------------------------------------------------------------------


class ListSites(Query, frozen=True):
    include_retired: bool = False
    limit: int | None = None  # None: every site (the pages, a consumer); HTTP always pages
    offset: int = 0


class GetSite(Query, frozen=True):
    site_id: str


class GetBoard(Query, frozen=True):
    site_id: str


class GetStay(Query, frozen=True):
    stay_id: str


class GetHold(Query, frozen=True):
    hold_id: str


class GetLedger(Query, frozen=True):
    start: date
    end: date
    site_id: str | None = None
    limit: int | None = None
    offset: int = 0


class ListPlacements(Query, frozen=True):
    """Open stays with a day limit (crisis rooms, shelters) at the sites the caller sees inside:
    a crisis team's own placements; a supervisor's, everyone's."""


class ListExtensionRequests(Query, frozen=True):
    """Requests at the sites the caller sees inside: a supervisor's, all; a team's, its own."""

    status: str | None = None
    limit: int = 50
    offset: int = 0


class GetReportSummary(Query, frozen=True):
    start: date
    end: date
    site_id: str | None = None


class GetBedNights(Query, frozen=True):
    """One page of the bed-nights export: the nights of the next sites after `after_site`."""

    start: date
    end: date
    after_site: str | None = None
    sites_per_page: int = 10


class GetOpenCapacity(Query, frozen=True):
    pass


class FindAvailability(Query, frozen=True):
    lat: float
    lon: float
    party: Party
    needs: Needs = Needs()
    kind: SiteKind | None = None
    limit: int = 10


class CountUnmetDemand(Query, frozen=True):
    """Turn-aways and no-shows (lapsed holds) over nights `start`..`end`: what the reports add
    to the referrals nobody placed."""

    start: date
    end: date
    site_id: str | None = None


class RecordRead(Command, frozen=True):
    """Left behind by a read of a confidential site's record: who looked, when, at what."""

    record: str
    object_id: str
