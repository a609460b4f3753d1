"""What every part of the site floor shares: its state (a site with its rooms, places and the
claims on them), how it reads it, and `change` — the one way the floor changes itself, which
announces what each change did to the site's capacity."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from common.errors import Conflict
from contracts.events.base import Event
from services.beds.domain.capacity import Capacity, capacity_events
from services.beds.domain.claims import PlaceClaim
from services.beds.domain.holds import Hold
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Place, Room, Site, label_key, new_id, room_fits, room_preference
from services.beds.domain.stays import Stay


class FloorBase:
    def __init__(
        self,
        site: Site,
        rooms: Sequence[Room],
        places: Sequence[Place],
        claims: Sequence[PlaceClaim],
        over_capacity_stays: Sequence[Stay] = (),
    ):
        self.site = site
        self.rooms = {room.id: room for room in rooms}
        self.places = {place.id: place for place in places}
        self._claims: dict[str, list[PlaceClaim]] = defaultdict(list)
        for claim in claims:
            self._claims[claim.place_id].append(claim)
        self.over_capacity_stays = [s for s in over_capacity_stays if s.open]
        self.events: list[Event] = []
        self._changing = False
        # New objects for the repository to persist (the floor itself never does I/O).
        self.added: list[object] = []

    def usable(self, place: Place) -> bool:
        """May be offered, held or taken now: on the floor and in service."""
        return place.in_service and self.on_the_floor(place)

    def on_the_floor(self, place: Place) -> bool:
        """Part of the site's places tonight, in service or not: active, in an active room, and
        not an emergency mat while the cold-weather campaign is off."""
        if not place.active:
            return False
        if place.room_id is not None and not self.rooms[place.room_id].active:
            return False
        return not (place.kind == "mat" and place.emergency and not self.site.cold_weather)

    def out_of_service(self, place: Place) -> bool:
        """One of tonight's places, taken out of service: counted apart."""
        return not place.in_service and self.on_the_floor(place)

    def claims_on(self, place_id: str) -> list[PlaceClaim]:
        return self._claims.get(place_id, [])

    def claim_at(self, place_id: str, moment: datetime) -> PlaceClaim | None:
        return next((c for c in self.claims_on(place_id) if c.active_at(moment)), None)

    def is_free(self, place: Place, start: datetime, end: datetime | None) -> bool:
        return not any(c.overlaps(start, end) for c in self.claims_on(place.id))

    def taken_from(self, place: Place, moment: datetime) -> bool:
        """Someone is on it or it is held, now or later: it may not be retired."""
        return not self.is_free(place, moment, None)

    def capacity(self, at: datetime) -> Capacity:
        # Every change counts it twice (before and after), so it reads each place once:
        # `on_the_floor` and `usable` spelled out, with the active rooms looked up once.
        counts: dict[str, int] = defaultdict(int)
        active_rooms = {room_id for room_id, room in self.rooms.items() if room.active}
        cold = self.site.cold_weather
        claims = self._claims
        for place in self.places.values():
            kind = place.kind
            room_id = place.room_id
            if (
                place.retired_at is None
                and (room_id is None or room_id in active_rooms)
                and not (kind == "mat" and place.emergency and not cold)
            ):
                in_service = place.out_of_service_since is None
                counts[f"{kind}s_total" if in_service else f"{kind}s_out_of_service"] += 1
            for claim in claims.get(place.id, ()):
                if claim.active_at(at):
                    taken = "held" if claim.hold_id else ("occupied" if kind == "bed" else "used")
                    counts[f"{kind}s_{taken}"] += 1
                    break
        over = sum(1 for s in self.over_capacity_stays if s.present_at(at))
        return Capacity(**counts, over_capacity=over)

    def free_beds_by_room(self, start: datetime, end: datetime | None) -> dict[str, list[Place]]:
        free: dict[str, list[Place]] = defaultdict(list)
        for place in self.places.values():
            room_id = place.room_id
            if place.kind == "bed" and room_id and self.usable(place) and self.is_free(place, start, end):
                free[room_id].append(place)
        return free

    def free_mats(self, start: datetime, end: datetime | None) -> list[Place]:
        mats = [
            p
            for p in self.places.values()
            if p.kind == "mat" and self.usable(p) and self.is_free(p, start, end)
        ]
        # Regular mats first, so that emergency mats are the first to go when the cold ends.
        return sorted(mats, key=lambda p: (p.emergency, label_key(p.label)))

    def fitting_free_beds(
        self, party: Party, needs: Needs, start: datetime, end: datetime | None
    ) -> list[list[Place]]:
        """The free beds of every room that fits the party, the preferred room first."""
        free = self.free_beds_by_room(start, end)
        fitting = [
            room for room in self.rooms.values() if room_fits(room, party, needs) and free.get(room.id)
        ]
        fitting.sort(key=lambda r: room_preference(r, party, needs, len(free[r.id])))
        return [sorted(free[room.id], key=lambda p: label_key(p.label)) for room in fitting]

    def beds_in_one_room(
        self, party: Party, needs: Needs, start: datetime, end: datetime | None
    ) -> list[Place] | None:
        whole = (beds for beds in self.fitting_free_beds(party, needs, start, end) if len(beds) >= party.size)
        best = next(whole, None)
        return best[: party.size] if best is not None else None

    def hold_places(self, hold: Hold) -> list[Place]:
        return [
            self.places[place_id]
            for place_id, claims in self._claims.items()
            if any(c.hold_id == hold.id for c in claims)
        ]

    def _put_away_if_left_over(self, place: Place, freed_at: datetime) -> None:
        """An emergency mat still in use when the cold ended is put away once it is free."""
        left_over = place.kind == "mat" and place.emergency and not self.site.cold_weather
        if left_over and place.active and self.is_free(place, freed_at, None):
            place.retired_at = freed_at

    def _claim(
        self,
        place: Place,
        *,
        starts_at: datetime,
        until: datetime | None,
        hold_id: str | None = None,
        stay_id: str | None = None,
        promised: bool = False,
    ) -> None:
        """Takes a place from `starts_at`. `until` is where a back-dated stay's claim will end
        (closed right after by the rollover); the claim itself is written open and closed then.
        A `promised` place was held for this party: a promise outlives the cold-weather campaign
        whose emergency mat it was made on."""
        if not (promised or self.usable(place)) or not self.is_free(place, starts_at, until):
            raise Conflict("That place was just taken.", code="place-taken")
        claim = PlaceClaim(
            new_id(), place.id, self.site.id, starts_at, None, hold_id=hold_id, stay_id=stay_id
        )
        self._claims[place.id].append(claim)
        self.added.append(claim)

    def _absorb(self, entity: Hold | Stay) -> None:
        self.events.extend(entity.events)
        entity.events.clear()

    @contextmanager
    def change(self, now: datetime) -> Iterator[None]:
        """Every change to the floor happens inside this: what it did to the site's capacity
        (free beds and mats, the first mat of the night, beds free again at a full site) is
        announced when it succeeds, so no change can forget to tell. Changes may nest; the
        outermost one announces."""
        if self._changing:
            yield
            return
        before = self.capacity(now)
        self._changing = True
        try:
            yield
        finally:
            self._changing = False
        self.events.extend(capacity_events(self.site, before, self.capacity(now)))
