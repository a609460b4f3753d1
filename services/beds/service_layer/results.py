"""What handlers answer: domain objects as they are after the change or read, with the moment
they were looked at. HTTP views (`views.py`) map them to response Structs; the placement
consumer reads them as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from services.beds.adapters.queries import DemandCounts, LedgerEntry, SiteCounts
from services.beds.domain.access import Verdict
from services.beds.domain.extensions import ExtensionRequest
from services.beds.domain.floor import SiteFloor
from services.beds.domain.holds import Hold
from services.beds.domain.reports import ReportSummary
from services.beds.domain.sites import Place, Site
from services.beds.domain.stays import Stay
from services.beds.domain.turnaways import Turnaway


@dataclass(frozen=True)
class SiteState:
    floor: SiteFloor
    now: datetime
    scope: Verdict = "allow"  # "public": only what anyone may know (another site, seen by staff)

    @property
    def site(self) -> Site:
        return self.floor.site


@dataclass(frozen=True)
class Placed:
    """The stays a check-in (or an arrival on a hold) started."""

    floor: SiteFloor
    stays: list[Stay]
    now: datetime


@dataclass(frozen=True)
class StayState:
    stay: Stay
    place: Place | None
    site: Site
    now: datetime
    extended: list[Stay] = field(default_factory=list)  # every stay of the group an extension moved


@dataclass(frozen=True)
class HoldState:
    hold: Hold
    places: list[Place]
    site: Site


@dataclass(frozen=True)
class PlaceState:
    place: Place
    floor: SiteFloor
    now: datetime


@dataclass(frozen=True)
class TurnawayState:
    turnaway: Turnaway
    site: Site


@dataclass(frozen=True)
class UnmetDemand:
    start: date
    end: date
    sites: list[Site]
    counts: DemandCounts


@dataclass(frozen=True)
class Deleted:
    id: str


@dataclass(frozen=True)
class BoardState:
    floor: SiteFloor
    stays: list[Stay]
    holds: list[Hold]
    now: datetime

    @property
    def site(self) -> Site:
        return self.floor.site


@dataclass(frozen=True)
class SiteList:
    sites: list[Site]
    counts: dict[str, SiteCounts]


@dataclass(frozen=True)
class Ledger:
    sites: list[Site]
    nights: list[LedgerEntry]


@dataclass(frozen=True)
class Offer:
    site_id: str
    name: str
    kind: str
    distance_km: float
    free_beds: int
    free_mats: int
    confidential: bool
    on_beds: bool = True


@dataclass
class Placements:
    sites: list[Site]
    stays: list[Stay]
    now: datetime


@dataclass(frozen=True)
class Report:
    summary: ReportSummary
    sites: list[Site]  # the sites named by the query: a confidential one's read is audited


@dataclass(frozen=True)
class OpenCapacityState:
    sites: list[Site]  # never a confidential one
    counts: dict[str, SiteCounts]
    now: datetime


@dataclass(frozen=True)
class ExtensionState:
    request: ExtensionRequest
    site: Site
    limit_at: datetime | None  # the stay's limit after the answer (moved by a grant)


@dataclass(frozen=True)
class ExtensionRequests:
    sites: list[Site]
    requests: list[ExtensionRequest]
    total: int
