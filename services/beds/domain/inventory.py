"""The inventory of a site: opening it, editing and retiring rooms and places, mats and the
cold-weather campaign. History is never lost: a place that was ever used is retired, not deleted,
and a place someone is on (or that is held) cannot be retired at all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Self

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.capacity import site_event
from services.beds.domain.floor_base import FloorBase
from services.beds.domain.sites import (
    DEFAULT_ROLLOVER,
    DEFAULT_TIMEZONE,
    MAX_BEDS_PER_ROOM,
    MAX_MATS,
    Place,
    Room,
    Site,
    SiteKind,
    default_confidential,
    default_max_stay_days,
    label_key,
    new_id,
    validate_coordinates,
    validate_max_stay_days,
    zone,
)


@dataclass(frozen=True)
class RoomSpec:
    name: str
    restriction: str
    accessible: bool = False
    pets_allowed: bool = False
    beds: int = 0


class Inventory(FloorBase):
    """Opening a site, editing and retiring its rooms and places, mats and the cold-weather
    campaign: changes the floor makes to itself, each inside `change`, so none goes unannounced."""

    @classmethod
    def open(
        cls,
        *,
        name: str,
        kind: SiteKind,
        lat: float,
        lon: float,
        address: str,
        now: datetime,
        rooms: Sequence[RoomSpec] = (),
        mats: int = 0,
        timezone: str | None = None,
        max_stay_days: int | None = None,
        confidential: bool | None = None,
        rollover: time | None = None,
        cold_weather_mats: int | None = None,
        site_id: str | None = None,
    ) -> Self:
        """A new site with its rooms, beds and mats; announces `site.created` and its capacity."""
        check_name(name, "site")
        check_name(address, "address", limit=300)
        validate_coordinates(lat, lon)
        timezone = timezone or DEFAULT_TIMEZONE
        zone(timezone)
        max_stay_days = default_max_stay_days(kind) if max_stay_days is None else max_stay_days
        validate_max_stay_days(max_stay_days)
        if len({r.name for r in rooms}) != len(rooms):
            raise RuleViolation("Room names must differ within a site.", code="duplicate-room")
        site = Site(
            id=site_id or new_id(),
            name=name.strip(),
            kind=kind,
            lat=lat,
            lon=lon,
            address=address.strip(),
            timezone=timezone,
            max_stay_days=max_stay_days,
            confidential=default_confidential(kind) if confidential is None else confidential,
            created_at=now,
            rollover=rollover or DEFAULT_ROLLOVER,
            cold_weather_mats=cold_weather_mats,
        )
        floor = cls(site, [], [], [])
        floor.added.append(site)
        with floor.change(now):
            for spec in rooms:
                floor._new_room(spec, now)
            floor._set_mat_count(mats, emergency=False, now=now)
            floor.events.append(site_event(ev.SiteCreated, site, floor.capacity(now)))
        return floor

    def update_site(self, now: datetime, **changes: object) -> None:
        """Edits the site's own facts (not its rooms). Stays already running keep their limits."""
        site = self.site
        site.require_active()
        with self.change(now):
            if "name" in changes:
                check_name(str(changes["name"]), "site")
                site.name = str(changes["name"]).strip()
            if "address" in changes:
                check_name(str(changes["address"]), "address", limit=300)
                site.address = str(changes["address"]).strip()
            if "lat" in changes or "lon" in changes:
                lat = float(changes.get("lat", site.lat))  # type: ignore[arg-type]
                lon = float(changes.get("lon", site.lon))  # type: ignore[arg-type]
                validate_coordinates(lat, lon)
                site.lat, site.lon = lat, lon
            if "timezone" in changes:
                zone(str(changes["timezone"]))
                site.timezone = str(changes["timezone"])
            if "max_stay_days" in changes:
                validate_max_stay_days(changes["max_stay_days"])  # type: ignore[arg-type]
                site.max_stay_days = changes["max_stay_days"]  # type: ignore[assignment]
            if "confidential" in changes:
                site.confidential = bool(changes["confidential"])
            if "rollover" in changes:
                site.rollover = changes["rollover"]  # type: ignore[assignment]
            if "timezone" in changes or "rollover" in changes:
                site.schedule_ledger()
            if "cold_weather_mats" in changes:
                site.cold_weather_mats = changes["cold_weather_mats"]  # type: ignore[assignment]
            if "mats" in changes:
                self._set_mat_count(int(changes["mats"]), emergency=False, now=now)  # type: ignore[call-overload]
            self.events.append(site_event(ev.SiteUpdated, site, self.capacity(now)))

    def retire_site(self, now: datetime) -> None:
        if not self.site.active:
            return
        if any(self.taken_from(p, now) for p in self.places.values()) or self.over_capacity_stays:
            raise Conflict(
                "People are staying here or places are held; check them out first.", code="site-in-use"
            )
        for place in self.places.values():
            if place.active:
                place.retired_at = now
        for room in self.rooms.values():
            if room.active:
                room.retired_at = now
        self.site.retired_at = now
        self.events.append(ev.SiteRetired(site_id=self.site.id))

    # -- rooms and places ------------------------------------------------------------------------------

    def add_room(self, spec: RoomSpec, now: datetime) -> Room:
        self.site.require_active()
        with self.change(now):
            room = self._new_room(spec, now)
            self.events.append(self._room_changed(room))
        return room

    def _new_room(self, spec: RoomSpec, now: datetime) -> Room:
        check_name(spec.name, "room")
        self._unique_room_name(spec.name, None)
        room = Room(
            id=new_id(),
            site_id=self.site.id,
            name=spec.name.strip(),
            restriction=spec.restriction,  # type: ignore[arg-type]
            accessible=spec.accessible,
            pets_allowed=spec.pets_allowed,
        )
        self.rooms[room.id] = room
        self.added.append(room)
        self._set_bed_count(room, spec.beds, now)
        return room

    def update_room(self, room: Room, now: datetime, **changes: object) -> None:
        if not room.active:
            raise Conflict("This room is retired.", code="room-retired")
        with self.change(now):
            if "name" in changes:
                check_name(str(changes["name"]), "room")
                self._unique_room_name(str(changes["name"]), room)
                room.name = str(changes["name"]).strip()
            for attribute in ("restriction", "accessible", "pets_allowed"):
                if attribute in changes:
                    setattr(room, attribute, changes[attribute])
            if "beds" in changes:
                self._set_bed_count(room, int(changes["beds"]), now)  # type: ignore[call-overload]
            self.events.append(self._room_changed(room))

    def retire_room(self, room: Room, now: datetime) -> None:
        if not room.active:
            return
        with self.change(now):
            self._set_bed_count(room, 0, now)
            room.retired_at = now
            self.events.append(self._room_changed(room))

    def retire_place(self, place: Place, now: datetime) -> None:
        if not place.active:
            return
        if self.taken_from(place, now):
            raise Conflict("Someone is on this place or it is held; free it first.", code="place-taken")
        with self.change(now):
            place.retired_at = now

    def delete_place(self, place: Place, now: datetime, *, has_history: bool) -> None:
        """A place added by mistake may go; one that ever took anybody is retired instead."""
        if has_history:
            raise Conflict(
                "This place has history; retire it instead of deleting it.", code="place-has-history"
            )
        with self.change(now):
            del self.places[place.id]

    def _room_changed(self, room: Room) -> ev.RoomChanged:
        beds = sum(
            1 for p in self.places.values() if p.room_id == room.id and p.kind == "bed" and self.usable(p)
        )
        return ev.RoomChanged(
            room_id=room.id,
            site_id=self.site.id,
            restriction=room.restriction,
            accessible=room.accessible,
            beds_total=beds,
            retired=not room.active,
        )

    def _unique_room_name(self, name: str, room: Room | None) -> None:
        if any(r.name == name.strip() and r.active and r is not room for r in self.rooms.values()):
            raise Conflict(f"This site already has a room called {name!r}.", code="duplicate-room")

    def _set_bed_count(self, room: Room, beds: int, now: datetime) -> None:
        if not 0 <= beds <= MAX_BEDS_PER_ROOM:
            raise RuleViolation(f"A room has 0 to {MAX_BEDS_PER_ROOM} beds.", code="invalid-beds")
        every = [p for p in self.places.values() if p.room_id == room.id and p.kind == "bed"]
        site_id = self.site.id
        self._resize(
            every,
            beds,
            now,
            f"{room.name}-",
            lambda label: Place(new_id(), site_id, room.id, "bed", label),
        )

    def _set_mat_count(self, count: int, *, emergency: bool, now: datetime, strict: bool = True) -> None:
        if not 0 <= count <= MAX_MATS:
            raise RuleViolation(f"A site has 0 to {MAX_MATS} mats.", code="invalid-mats")
        every = [p for p in self.places.values() if p.kind == "mat" and p.emergency == emergency]
        site_id = self.site.id
        self._resize(
            every,
            count,
            now,
            "Emergency mat " if emergency else "Mat ",
            lambda label: Place(new_id(), site_id, None, "mat", label, emergency=emergency),
            strict=strict,
        )

    def _resize(
        self,
        every: list[Place],
        target: int,
        now: datetime,
        prefix: str,
        make: Callable[[str], Place],
        *,
        strict: bool = True,
    ) -> None:
        """Adds new places, or retires free ones (newest first); a place in use is never retired.
        Without `strict`, places still in use stay until they are free."""
        current = [p for p in every if p.active]
        if target > len(current):
            start = self._last_number(prefix) + 1
            for n in range(start, start + target - len(current)):
                place = make(f"{prefix}{n}")
                self.places[place.id] = place
                self.added.append(place)
            return
        excess = len(current) - target
        newest_first = sorted(current, key=lambda p: label_key(p.label), reverse=True)
        free = [p for p in newest_first if not self.taken_from(p, now)]
        if len(free) < excess and strict:
            raise Conflict(
                f"Only {len(free)} of those places are free; the rest are in use. Free them first.",
                code="places-in-use",
            )
        for place in free[:excess]:
            place.retired_at = now

    def _last_number(self, prefix: str) -> int:
        """A label names a place on the board and in its history, so a new place never takes one that
        any place of the site ever had: not a retired one's, nor one left by a room's earlier name."""
        numbers = (
            int(tail)
            for p in self.places.values()
            if p.label.startswith(prefix) and (tail := p.label[len(prefix) :]).isdigit()
        )
        return max(numbers, default=0)

    # -- cold weather -----------------------------------------------------------------------------------

    def set_regular_mats(self, mats: int, now: datetime) -> None:
        with self.change(now):
            self._set_mat_count(mats, emergency=False, now=now)

    def switch_cold_weather(self, on: bool, mats: int | None, now: datetime) -> bool:
        """The winter campaign: mats rise to the emergency number, and every patrol hears of it.
        Returns False when nothing changed (switching on what is already on, with the same mats)."""
        site = self.site
        site.require_active()
        regular = [p for p in self.places.values() if p.kind == "mat" and not p.emergency and p.active]
        if on and site.confidential:
            # Switching on tells every patrol (cold_weather alerts): never about a crisis room.
            raise Conflict(
                "Cold-weather mode is for sites patrols may send people to, not confidential ones.",
                code="confidential-site",
            )
        with self.change(now):
            if on:
                target = mats if mats is not None else site.cold_weather_mats
                if target is None:
                    target = max(len(regular) * 2, len(regular) + 5)
                if not len(regular) <= target <= MAX_MATS:
                    raise RuleViolation(
                        f"In cold weather a site has {len(regular)} to {MAX_MATS} mats "
                        "(its regular mats or more).",
                        code="invalid-mats",
                    )
                all_mats = sum(1 for p in self.places.values() if p.kind == "mat" and p.active)
                if site.cold_weather and target == all_mats:
                    return False
                self._set_mat_count(target - len(regular), emergency=True, now=now)  # refuses before changing
                site.cold_weather_mats = target
                site.cold_weather = True
                event: ev.ColdWeatherSwitchedOn | ev.ColdWeatherSwitchedOff = ev.ColdWeatherSwitchedOn(
                    site_id=site.id, confidential=site.confidential, mats_total=self.capacity(now).mats_total
                )
            else:
                if not site.cold_weather:
                    return False
                site.cold_weather = False
                self._set_mat_count(0, emergency=True, now=now, strict=False)
                event = ev.ColdWeatherSwitchedOff(
                    site_id=site.id, confidential=site.confidential, mats_total=self.capacity(now).mats_total
                )
            self.events.append(event)
        return True


def check_name(name: str, what: str, *, limit: int = 200) -> None:
    if not name.strip() or len(name) > limit:
        raise RuleViolation(f"A {what} needs 1 to {limit} characters.", code="invalid-name")
