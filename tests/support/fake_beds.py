"""An in-memory unit of work for beds, so that handlers are tested in milliseconds through the very
bus HTTP uses (cosmicpython's FakeUnitOfWork). It keeps the real one's promises that handlers rely
on: a unit of work sees what earlier ones committed, an uncommitted one leaves nothing behind (it
works on a copy), and the events of every aggregate it handed out reach the "outbox" at commit.
`tests/support/repository_contract.py` runs the same checks against this and the real one."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from common.clock import Clock
from common.uow import HasEvents
from contracts import Event
from services.beds.adapters.queries import SiteCounts
from services.beds.domain.floor import SiteFloor
from services.beds.domain.holds import Hold, OpenHolds
from services.beds.domain.sites import Place, Site
from services.beds.domain.stays import Stay
from services.beds.service_layer.messagebus import BedsBus, beds_bus


@dataclass
class Stored:
    floors: dict[str, SiteFloor] = field(default_factory=dict)
    holds: dict[str, Hold] = field(default_factory=dict)
    stays: dict[str, Stay] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[Event] = field(default_factory=list)


class FakeSites:
    def __init__(self, uow: FakeUnitOfWork):
        self.uow = uow

    async def get(self, site_id: str) -> Site | None:
        floor = self.uow.state.floors.get(site_id)
        return floor.site if floor else None

    async def floor(
        self, site_id: str, *, since: datetime | None = None, lock: bool = True
    ) -> SiteFloor | None:
        floor = self.uow.state.floors.get(site_id)
        if floor is not None:
            self.add(floor)
        return floor

    def add(self, floor: SiteFloor) -> None:
        self.uow.state.floors[floor.site.id] = floor
        self.uow.track(floor)
        self.uow.track(floor.site)

    async def site_of_room(self, room_id: str) -> str | None:
        return next((f.site.id for f in self.uow.state.floors.values() if room_id in f.rooms), None)

    async def due_back_in_service(self, now: datetime, limit: int = 200) -> list[str]:
        def due(place: Place) -> bool:
            return place.out_of_service_until is not None and place.out_of_service_until <= now

        return [f.site.id for f in self.uow.state.floors.values() if any(map(due, f.places.values()))][:limit]

    async def site_of_place(self, place_id: str) -> str | None:
        return next((f.site.id for f in self.uow.state.floors.values() if place_id in f.places), None)

    async def place_has_history(self, place_id: str) -> bool:
        return any(f.claims_on(place_id) for f in self.uow.state.floors.values() if place_id in f.places)

    async def delete_place(self, place: Place) -> None:
        del self.uow.state.floors[place.site_id].places[place.id]


class FakeHolds:
    def __init__(self, uow: FakeUnitOfWork):
        self.uow = uow

    async def get(self, hold_id: str, *, fresh: bool = False) -> Hold | None:
        hold = self.uow.state.holds.get(hold_id)
        if hold is not None:
            self.uow.track(hold)
        return hold

    async def open_counts(self, subject: str, team_id: str | None, now: datetime) -> OpenHolds:
        open_now = [h for h in self.uow.state.holds.values() if h.active and h.expires_at > now]
        return OpenHolds(
            by_caller=sum(1 for h in open_now if h.holder_subject == subject),
            by_team=sum(1 for h in open_now if team_id and h.holder_team_id == team_id),
        )


class FakeStays:
    def __init__(self, uow: FakeUnitOfWork):
        self.uow = uow

    async def get(self, stay_id: str, *, fresh: bool = False) -> Stay | None:
        stay = self.uow.state.stays.get(stay_id)
        if stay is not None:
            self.uow.track(stay)
        return stay

    async def open_in_group(self, group_id: str) -> list[Stay]:
        found = [s for s in self.uow.state.stays.values() if s.group_id == group_id and s.open]
        for stay in found:
            self.uow.track(stay)
        return sorted(found, key=lambda s: (s.started_at, s.id))


class FakeReads:
    def __init__(self, uow: FakeUnitOfWork):
        self.uow = uow

    async def site(self, site_id: str) -> Site | None:
        floor = self.uow.state.floors.get(site_id)
        return floor.site if floor else None

    async def stay(self, stay_id: str) -> Stay | None:
        return self.uow.state.stays.get(stay_id)

    async def hold(self, hold_id: str) -> Hold | None:
        return self.uow.state.holds.get(hold_id)

    async def place(self, place_id: str) -> Place | None:
        return next(
            (f.places[place_id] for f in self.uow.state.floors.values() if place_id in f.places), None
        )

    async def sites(self, *, include_retired: bool = False, ids: Sequence[str] | None = None) -> list[Site]:
        found = [f.site for f in self.uow.state.floors.values() if include_retired or f.site.active]
        if ids is not None:
            found = [s for s in found if s.id in ids]
        return sorted(found, key=lambda s: (s.name, s.id))

    async def site_counts(self, site_ids: Sequence[str]) -> dict[str, SiteCounts]:
        now = self.uow.clock.now()
        counts = {}
        for site_id in site_ids:
            floor = self.uow.state.floors[site_id]
            capacity = floor.capacity(now)
            free = floor.free_beds_by_room(now, None)
            rooms = {
                room_id: (
                    sum(1 for p in floor.places.values() if p.room_id == room_id and floor.usable(p)),
                    len(free.get(room_id, ())),
                )
                for room_id, room in floor.rooms.items()
                if room.active
            }
            counts[site_id] = SiteCounts(
                capacity.beds_total,
                capacity.free_beds,
                capacity.mats_total,
                capacity.free_mats,
                capacity.over_capacity,
                {room_id: figures for room_id, figures in rooms.items() if figures[0]},
                capacity.beds_out_of_service,
                capacity.mats_out_of_service,
            )
        return counts

    async def places_of_hold(self, hold_id: str) -> list[Place]:
        hold = self.uow.state.holds[hold_id]
        floor = self.uow.state.floors[hold.site_id]
        return [
            floor.places[place_id]
            for place_id in floor.places
            if any(claim.hold_id == hold_id for claim in floor.claims_on(place_id))
        ]

    async def open_stays(self, site_id: str) -> list[Stay]:
        found = [s for s in self.uow.state.stays.values() if s.site_id == site_id and s.open]
        return sorted(found, key=lambda s: s.started_at)

    async def active_holds(self, site_id: str) -> list[Hold]:
        found = [h for h in self.uow.state.holds.values() if h.site_id == site_id and h.status == "active"]
        return sorted(found, key=lambda h: h.expires_at)


class FakeUnitOfWork:
    def __init__(self, stored: Stored, clock: Clock, *, write: bool = True):
        self.stored = stored
        self.clock = clock
        self.write = write
        self.state = stored
        self._tracked: list[HasEvents] = []
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        self.state = copy.deepcopy(self.stored)  # uncommitted work is thrown away with the copy
        self._tracked, self.committed = [], False
        self.sites, self.holds, self.stays = FakeSites(self), FakeHolds(self), FakeStays(self)
        self.reads = FakeReads(self)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.state = self.stored

    def track(self, aggregate: HasEvents) -> None:
        if not any(a is aggregate for a in self._tracked):
            self._tracked.append(aggregate)

    async def audit(self, **entry: Any) -> None:
        self.state.audit.append({"at": self.clock.now(), **entry})

    async def commit(self) -> None:
        if not self.write:
            raise RuntimeError("a read-only unit of work cannot commit")
        for floor in self.state.floors.values():
            for new in floor.added:
                if isinstance(new, Hold):
                    self.state.holds[new.id] = new
                elif isinstance(new, Stay):
                    self.state.stays[new.id] = new
            floor.added.clear()
        for aggregate in self._tracked:
            self.state.outbox.extend(aggregate.events)
            aggregate.events.clear()
        self.stored.__dict__.update(self.state.__dict__)
        self.committed = True


@dataclass
class FakeBeds:
    """The bus over an in-memory store: what a test dispatches and what it then looks at."""

    clock: Clock
    stored: Stored = field(default_factory=Stored)

    def unit_of_work(self, *, write: bool = True) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.stored, self.clock, write=write)

    @property
    def bus(self) -> BedsBus:
        return beds_bus(self.unit_of_work)  # type: ignore[arg-type]

    def events(self, kind: type[Event] | None = None) -> list[Event]:
        return [e for e in self.stored.outbox if kind is None or isinstance(e, kind)]
