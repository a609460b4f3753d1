"""Builders for the beds domain tests: sites, parties and the moves people make at the door,
so that each test states only what matters to it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import msgspec

from contracts.events.base import Event
from services.beds.domain.capacity import Capacity
from services.beds.domain.floor import Holder, SiteFloor
from services.beds.domain.holds import Hold
from services.beds.domain.inventory import RoomSpec
from services.beds.domain.party import Gender, Needs, Party
from services.beds.domain.sites import Place, Room, SiteKind
from services.beds.domain.stays import Stay

E = TypeVar("E", bound=Event)

KYIV = ZoneInfo("Europe/Kyiv")
# A winter evening in Lviv: 20:00 Kyiv time (UTC+2), night of 15 January 2025.
NOW = datetime(2025, 1, 15, 18, 0, tzinfo=UTC)
# Sites open a month before: back-dated check-ins may not start before a site was opened.
OPENED = NOW - timedelta(days=30)
NO_NEEDS = Needs()
PATROL = Holder(subject="patrol-officer-1", role="patrol", team_id="team-patrol-1")


def kyiv(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A local Kyiv wall-clock time, as the aware UTC moment the domain works with."""
    return datetime(year, month, day, hour, minute, tzinfo=KYIV).astimezone(UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def room(
    name: str = "Hall",
    restriction: str = "any",
    beds: int = 2,
    *,
    accessible: bool = False,
    pets: bool = False,
) -> RoomSpec:
    return RoomSpec(name, restriction, accessible=accessible, pets_allowed=pets, beds=beds)


def site(
    kind: SiteKind,
    *rooms: RoomSpec,
    mats: int = 0,
    now: datetime = OPENED,
    name: str = "Test site",
    address: str = "Test street 1",
    lat: float = 49.8397,
    lon: float = 24.0297,
    rollover: time | None = None,
    **options: Any,
) -> SiteFloor:
    floor = SiteFloor.open(
        name=name,
        kind=kind,
        lat=lat,
        lon=lon,
        address=address,
        now=now,
        rooms=rooms,
        mats=mats,
        rollover=rollover,
        **options,
    )
    return fresh(floor)


def night_shelter(beds: int = 4, mats: int = 2, *, restriction: str = "any", **options: Any) -> SiteFloor:
    """One hall of `beds` beds and `mats` overflow mats."""
    rooms = [room("Hall", restriction, beds)] if beds else []
    return site("night_shelter", *rooms, mats=mats, name="Kyrylivska night shelter", **options)


def crisis_room(beds: int = 6, **options: Any) -> SiteFloor:
    return site(
        "crisis_room",
        room("Crisis room", "any", beds),
        name="Dnipro crisis room",
        address="Secret street 7",
        **options,
    )


def fresh(floor: SiteFloor) -> SiteFloor:
    """Forgets what opening the site announced, so that a test sees only its own events."""
    floor.events.clear()
    floor.added.clear()
    floor.site.events.clear()
    return floor


def person(gender: Gender = "male") -> Party:
    return Party(adults=1, children=0, gender=gender)


def family(adults: int = 1, children: int = 2, gender: Gender = "female") -> Party:
    return Party(adults=adults, children=children, gender=gender)


def check_in(
    floor: SiteFloor,
    party: Party | None = None,
    needs: Needs = NO_NEEDS,
    *,
    now: datetime = NOW,
    started_at: datetime | None = None,
    source: str = "walk_in",
) -> list[Stay]:
    return floor.check_in(
        party or person(),
        needs,
        now=now,
        started_at=started_at or now,
        source=source,
        team_id="team-staff-1",
    )


def hold(
    floor: SiteFloor,
    party: Party | None = None,
    needs: Needs = NO_NEEDS,
    *,
    now: datetime = NOW,
    eta_minutes: int | None = None,
) -> Hold:
    return floor.place_hold(
        party or person(), needs, now=now, eta_minutes=eta_minutes, holder=PATROL, source="patrol"
    )


def events_of(source: SiteFloor | Iterable[Event], kind: type[E]) -> list[E]:
    events = source.events if isinstance(source, SiteFloor) else source
    return [e for e in events if isinstance(e, kind)]


def encoded(events: Iterable[Event]) -> str:
    return "\n".join(msgspec.json.encode(e).decode() for e in events)


def place_of(floor: SiteFloor, stay: Stay) -> Place:
    assert stay.place_id is not None
    return floor.places[stay.place_id]


def room_of(floor: SiteFloor, stay: Stay) -> Room | None:
    room_id = place_of(floor, stay).room_id
    return floor.rooms[room_id] if room_id else None


def room_named(floor: SiteFloor, name: str) -> Room:
    return next(r for r in floor.rooms.values() if r.name == name)


def beds_in(floor: SiteFloor, room_name: str) -> list[Place]:
    rid = room_named(floor, room_name).id
    return [p for p in floor.places.values() if p.room_id == rid and p.kind == "bed"]


def free(floor: SiteFloor, at: datetime = NOW) -> tuple[int, int]:
    """(free beds, free mats) at a moment."""
    capacity: Capacity = floor.capacity(at)
    return capacity.free_beds, capacity.free_mats
