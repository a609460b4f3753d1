"""Sites, rooms and places, and the one rule of which room fits which party."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from contracts.events.base import Event
from services.beds.domain.nights import NightFigures, night_of, night_window
from services.beds.domain.party import Needs, Party

SiteKind = Literal["night_shelter", "crisis_room", "shelter"]
Restriction = Literal["any", "women", "men", "family", "youth"]
PlaceKind = Literal["bed", "mat"]

DEFAULT_TIMEZONE = "Europe/Kyiv"
DEFAULT_ROLLOVER = time(8, 0)
CRISIS_ROOM_MAX_STAY_DAYS = 10
MAX_BEDS_PER_ROOM = 500
MAX_MATS = 1000


def new_id() -> str:
    return str(uuid.uuid4())


def default_max_stay_days(kind: SiteKind) -> int | None:
    """Crisis rooms: 10 days. Night shelters end every stay at the morning rollover instead."""
    return CRISIS_ROOM_MAX_STAY_DAYS if kind == "crisis_room" else None


def default_confidential(kind: SiteKind) -> bool:
    return kind == "crisis_room"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuleViolation(f"Unknown timezone {name!r}; use an IANA name like Europe/Kyiv.") from exc


@dataclass(eq=False)
class Room:
    id: str
    site_id: str
    name: str
    restriction: Restriction
    accessible: bool
    pets_allowed: bool = False
    retired_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(eq=False)
class Place:
    id: str
    site_id: str
    room_id: str | None
    kind: PlaceKind
    label: str
    # Emergency mats exist only for cold-weather mode: usable only while it is on.
    emergency: bool = False
    retired_at: datetime | None = None
    # Out of service (a broken bed, bedbugs, cleaning): never offered, held or taken meanwhile;
    # `out_of_service_until`, when set, is when the clocks put it back.
    out_of_service_since: datetime | None = None
    out_of_service_reason: str | None = None
    out_of_service_until: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None

    @property
    def in_service(self) -> bool:
        return self.out_of_service_since is None


@dataclass(eq=False)
class Site:
    id: str
    name: str
    kind: SiteKind
    lat: float
    lon: float
    address: str
    timezone: str
    max_stay_days: int | None
    confidential: bool
    created_at: datetime
    rollover: time = DEFAULT_ROLLOVER
    cold_weather: bool = False
    # Mats in total while cold-weather mode is on (the winter campaign's emergency number).
    cold_weather_mats: int | None = None
    retired_at: datetime | None = None
    # The last night already closed into the ledger (back-dated check-ins move it back), and when
    # the next one is due: an indexed column, so the clock finds due sites without scanning all.
    ledger_closed_through: date | None = None
    ledger_due_at: datetime | None = None
    events: list[Event] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.ledger_closed_through is None:
            self.ledger_closed_through = night_of(self.created_at, self.tz, self.rollover) - timedelta(days=1)
        self.schedule_ledger()

    @property
    def active(self) -> bool:
        return self.retired_at is None

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    @property
    def ends_stays_at_rollover(self) -> bool:
        return self.kind == "night_shelter"

    @property
    def crisis(self) -> bool:
        """Where a mobile crisis team places people (DV): crisis rooms and confidential shelters."""
        return self.kind == "crisis_room" or self.confidential

    def require_active(self) -> None:
        if not self.active:
            raise Conflict("This site is retired.", code="site-retired")

    # -- the nightly ledger ------------------------------------------------------------------------

    @property
    def next_night_to_close(self) -> date:
        assert self.ledger_closed_through is not None
        return self.ledger_closed_through + timedelta(days=1)

    def night_bounds(self, night: date) -> tuple[datetime, datetime]:
        return night_window(night, self.tz, self.rollover)

    def schedule_ledger(self) -> None:
        self.ledger_due_at = self.night_bounds(self.next_night_to_close)[1]

    def reopen_ledger_from(self, night: date) -> None:
        """A late record for a night already closed: that night is closed (counted) again."""
        if self.ledger_closed_through is not None and night <= self.ledger_closed_through:
            self.ledger_closed_through = night - timedelta(days=1)
            self.schedule_ledger()

    def close_night(self, night: date, figures: NightFigures, revision: int) -> None:
        self.ledger_closed_through = night
        self.schedule_ledger()
        self.events.append(
            ev.NightClosed(
                site_id=self.id,
                night=night,
                people=figures.people,
                beds_used=figures.beds_used,
                mats_used=figures.mats_used,
                over_capacity=figures.over_capacity,
                arrivals_by_source=figures.arrivals_by_source,  # type: ignore[arg-type]
                revision=revision,
            )
        )


def room_fits(room: Room, party: Party, needs: Needs) -> bool:
    """The one rule of which room may take which party."""
    if not room.active:
        return False
    if needs.accessible and not room.accessible:
        return False
    if needs.pet and not room.pets_allowed:
        return False
    match room.restriction:
        case "any":
            return True
        case "women":
            return party.gender == "female"
        case "men":
            return party.gender == "male"
        case "family":
            return party.is_family
        case "youth":
            # Unaccompanied young people aged 16-24 and unaccompanied minors; never an adult over 24.
            return party.youth or party.unaccompanied_minors
    return False


def require_site_takes(site: Site, needs: Needs) -> None:
    """Survivors of violence are at risk of being found: a DV need goes only to a confidential site."""
    if needs.dv and not site.confidential:
        raise Conflict(
            "A party fleeing domestic violence is placed only at a confidential site; "
            "search /api/v1/availability as a crisis team.",
            code="dv-needs-confidential-site",
        )


def room_preference(room: Room, party: Party, needs: Needs, free_beds: int) -> tuple[int, int, int, int, str]:
    """Lower is better: keep accessible rooms for those who need them, family rooms for families,
    prefer a room meant for this party over an `any` room, and pack rooms tightly so that a large
    empty room stays free for the next family."""
    spends_accessible = int(room.accessible and not needs.accessible)
    spends_family_room = int(room.restriction == "family" and not party.is_family)
    generic = int(room.restriction == "any")
    return (spends_accessible, spends_family_room, generic, free_beds - party.size, room.name)


def validate_coordinates(lat: float, lon: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RuleViolation("Coordinates are out of range (lat -90..90, lon -180..180).")


def validate_max_stay_days(days: int | None) -> None:
    if days is not None and not 1 <= days <= 365:
        raise RuleViolation("max_stay_days is 1 to 365 days.")


def label_number(label: str) -> int | None:
    tail = label.replace("-", " ").split()[-1] if label.strip() else ""
    return int(tail) if tail.isdigit() else None


def label_key(label: str) -> tuple[int, int, str]:
    """Natural order for labels like 'hall-2' < 'hall-10'; unnumbered labels last."""
    number = label_number(label)
    return (0, number, label) if number is not None else (1, 0, label)
