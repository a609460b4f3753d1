"""The site floor: a site with its rooms, places and the claims on them — the consistency
boundary for everything that takes or frees a place. It is loaded under a lock (one writer per
site at a time), decides, and records what happened as events.

Rules that live here and nowhere else:
- a bed that fits comes first; mats only when no fitting bed is free on the site;
- a night shelter never refuses: past the last mat a person is checked in `over_capacity`;
- a family is placed together, in one room, all places or none;
- a place is never claimed twice over overlapping time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from contracts.events.base import Event
from services.beds.domain.allocation import seats_for_party, spread_over_rooms
from services.beds.domain.capacity import Capacity, capacity_events
from services.beds.domain.claims import PlaceClaim
from services.beds.domain.holds import Hold, hold_minutes, warning_time
from services.beds.domain.nights import next_rollover, night_of
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import (
    Place,
    Room,
    Site,
    label_key,
    new_id,
    require_site_takes,
    room_fits,
    room_preference,
)
from services.beds.domain.stays import Stay


@dataclass(frozen=True)
class Holder:
    subject: str
    role: str
    team_id: str | None = None


class SiteFloor:
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
        # New objects for the repository to persist (the floor itself never does I/O).
        self.added: list[object] = []

    # -- reading -----------------------------------------------------------------------------------

    def usable(self, place: Place) -> bool:
        if not place.active:
            return False
        if place.room_id is not None and not self.rooms[place.room_id].active:
            return False
        return not (place.kind == "mat" and place.emergency and not self.site.cold_weather)

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
        counts: dict[str, int] = defaultdict(int)
        for place in self.places.values():
            usable = self.usable(place)
            if usable:
                counts[f"{place.kind}s_total"] += 1
            claim = self.claim_at(place.id, at)
            if claim is not None:
                taken = "held" if claim.hold_id else ("occupied" if place.kind == "bed" else "used")
                counts[f"{place.kind}s_{taken}"] += 1
        over = sum(1 for s in self.over_capacity_stays if s.present_at(at))
        return Capacity(**counts, over_capacity=over)

    def free_beds_by_room(self, start: datetime, end: datetime | None) -> dict[str, list[Place]]:
        free: dict[str, list[Place]] = defaultdict(list)
        for place in self.places.values():
            if (
                place.kind == "bed"
                and place.room_id
                and self.usable(place)
                and self.is_free(place, start, end)
            ):
                free[place.room_id].append(place)
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

    # -- stays -------------------------------------------------------------------------------------

    def check_in(
        self,
        party: Party,
        needs: Needs,
        *,
        now: datetime,
        started_at: datetime,
        source: str,
        team_id: str | None = None,
        referral_id: str | None = None,
    ) -> list[Stay]:
        self.site.require_active()
        require_site_takes(self.site, needs)
        if started_at < self.site.created_at:
            raise RuleViolation("started_at is before this site was opened.", code="invalid-started-at")
        before = self.capacity(now)
        assigned = self._seats(party, needs, started_at, self._claim_end(started_at, now))
        stays = self._start_stays(
            party,
            assigned,
            started_at=started_at,
            now=now,
            source=source,
            team_id=team_id,
            referral_id=referral_id,
        )
        self.announce(before, now)
        return stays

    def _seats(self, party: Party, needs: Needs, start: datetime, end: datetime | None) -> list[Place | None]:
        beds = self.beds_in_one_room(party, needs, start, end)
        if beds is not None:
            return list(beds)
        mats = self.free_mats(start, end)
        if self.site.kind == "night_shelter":
            # Never turn anyone away: the free beds that fit, then mats, then over capacity.
            spread = spread_over_rooms(party, self.fitting_free_beds(party, needs, start, end))
            return seats_for_party(party, spread, mats)
        if len(mats) >= party.size:
            return list(mats[: party.size])
        raise Conflict(
            "No free place here fits this party (room restriction, accessibility, family size).",
            code="nothing-fits",
        )

    def check_out(self, stay: Stay, now: datetime) -> None:
        before = self.capacity(now)
        self._end_stay(stay, now, "checkout")
        self.announce(before, now)

    def end_at_rollover(self, stay: Stay, now: datetime) -> None:
        if stay.scheduled_end is None or stay.scheduled_end > now:
            raise RuleViolation("This stay does not end at a rollover yet.")
        before = self.capacity(now)
        self._end_stay(stay, stay.scheduled_end, "rollover")
        self.announce(before, now)

    def _end_stay(self, stay: Stay, at: datetime, reason: str) -> None:
        stay.end(self.site, at, reason)  # type: ignore[arg-type]
        ended_at = stay.ended_at or at
        if stay.place_id is not None:
            for claim in self.claims_on(stay.place_id):
                if claim.stay_id == stay.id and claim.open:
                    claim.close(ended_at)
            self._put_away_if_left_over(self.places[stay.place_id], ended_at)
        self.over_capacity_stays = [s for s in self.over_capacity_stays if s.id != stay.id]
        self._absorb(stay)

    def _put_away_if_left_over(self, place: Place, freed_at: datetime) -> None:
        """An emergency mat still in use when the cold ended is put away once it is free."""
        left_over = place.kind == "mat" and place.emergency and not self.site.cold_weather
        if left_over and place.active and self.is_free(place, freed_at, None):
            place.retired_at = freed_at

    def _claim_end(self, started_at: datetime, now: datetime) -> datetime | None:
        """A back-dated night-shelter stay whose morning has already come claims its place only
        until that rollover; every other stay claims it until further notice."""
        end = self.scheduled_end(started_at)
        return end if end is not None and end <= now else None

    def scheduled_end(self, started_at: datetime) -> datetime | None:
        if not self.site.ends_stays_at_rollover:
            return None
        return next_rollover(started_at, self.site.tz, self.site.rollover)

    def _start_stays(
        self,
        party: Party,
        assigned: Sequence[Place | None],
        *,
        started_at: datetime,
        now: datetime,
        source: str,
        team_id: str | None,
        referral_id: str | None,
        hold_id: str | None = None,
        promised: bool = False,
    ) -> list[Stay]:
        group_id = new_id()
        scheduled_end = self.scheduled_end(started_at)
        claim_end = self._claim_end(started_at, now)
        days = self.site.max_stay_days
        limit_at = (
            started_at + timedelta(days=days) if days and not self.site.ends_stays_at_rollover else None
        )
        stays = []
        for index, place in enumerate(assigned):
            stay = Stay(
                id=new_id(),
                site_id=self.site.id,
                place_id=place.id if place else None,
                place_kind=place.kind if place else "over_capacity",
                group_id=group_id,
                started_at=started_at,
                recorded_at=now,
                source=source,
                is_child=index >= party.adults,
                scheduled_end=scheduled_end,
                limit_at=limit_at,
                hold_id=hold_id,
                referral_id=referral_id,
                team_id=team_id,
            )
            stay.events.append(stay.started_event(self.site))
            if place is not None:
                self._claim(place, starts_at=started_at, until=claim_end, stay_id=stay.id, promised=promised)
            else:
                self.over_capacity_stays.append(stay)
            self.added.append(stay)
            stays.append(stay)
        for stay in stays:
            if scheduled_end is not None and scheduled_end <= now:
                self._end_stay(stay, scheduled_end, "rollover")
            else:
                self._absorb(stay)
                if stay.place_kind == "over_capacity":
                    self.events.append(
                        ev.OverCapacity(
                            site_id=self.site.id,
                            confidential=self.site.confidential,
                            stay_id=stay.id,
                            over_capacity=sum(1 for s in self.over_capacity_stays if s.present_at(now)),
                        )
                    )
        self._reopen_ledger(started_at, now)
        return stays

    def _reopen_ledger(self, started_at: datetime, now: datetime) -> None:
        night = night_of(started_at, self.site.tz, self.site.rollover)
        if night < night_of(now, self.site.tz, self.site.rollover):
            self.site.reopen_ledger_from(night)

    # -- holds -------------------------------------------------------------------------------------

    def place_hold(
        self,
        party: Party,
        needs: Needs,
        *,
        now: datetime,
        eta_minutes: int | None,
        holder: Holder,
        source: str,
        referral_id: str | None = None,
    ) -> Hold:
        self.site.require_active()
        require_site_takes(self.site, needs)
        minutes = hold_minutes(eta_minutes)
        before = self.capacity(now)
        places = self.beds_in_one_room(party, needs, now, None)
        # Mats are held only for adults without special needs; at the door anyone gets one.
        if places is None and self.site.kind == "night_shelter" and party.adults_only and not needs.special:
            mats = self.free_mats(now, None)
            places = mats[: party.size] if len(mats) >= party.size else None
        if places is None:
            raise Conflict(
                "Nothing here fits this party right now; try the next site in /api/v1/availability.",
                code="nothing-fits",
            )
        expires_at = now + timedelta(minutes=minutes)
        hold = Hold(
            id=new_id(),
            site_id=self.site.id,
            party=party,
            needs=needs,
            status="active",
            placed_at=now,
            expires_at=expires_at,
            warn_at=warning_time(now, expires_at),
            holder_subject=holder.subject,
            holder_role=holder.role,
            holder_team_id=holder.team_id,
            referral_id=referral_id,
            source=source,
        )
        for place in places:
            self._claim(place, starts_at=now, until=None, hold_id=hold.id)
        self.added.append(hold)
        self.events.append(hold.placed_event(self.site, [p.id for p in places]))
        self.announce(before, now)
        return hold

    def release_hold(self, hold: Hold, now: datetime, status: str) -> None:
        """Expiry or cancellation: the places are free again. An expired hold ends at its expiry."""
        before = self.capacity(now)
        at = min(now, hold.expires_at) if status == "expired" else now
        places = self._open_hold_places(hold)
        self._close_hold_claims(hold, at)
        for place in places:
            self._put_away_if_left_over(place, at)
        hold.finish(self.site, status, at)  # type: ignore[arg-type]
        self._absorb(hold)
        self.announce(before, now)

    def fulfil_hold(self, hold: Hold, now: datetime) -> list[Stay]:
        """Arrival: the held places become stays, in the same room, at once."""
        hold.require_active()
        self.site.require_active()
        before = self.capacity(now)
        places = sorted(self._open_hold_places(hold), key=lambda p: label_key(p.label))
        self._close_hold_claims(hold, now)
        stays = self._start_stays(
            hold.party,
            places,
            started_at=now,
            now=now,
            source=hold.source,
            team_id=hold.holder_team_id,
            referral_id=hold.referral_id,
            hold_id=hold.id,
            promised=True,
        )
        hold.finish(self.site, "fulfilled", now, [s.id for s in stays])
        self._absorb(hold)
        self.announce(before, now)
        return stays

    def _open_hold_places(self, hold: Hold) -> list[Place]:
        return [
            self.places[place_id]
            for place_id, claims in self._claims.items()
            if any(c.hold_id == hold.id and c.open for c in claims)
        ]

    def _close_hold_claims(self, hold: Hold, at: datetime) -> None:
        for claims in self._claims.values():
            for claim in claims:
                if claim.hold_id == hold.id and claim.open:
                    claim.close(at)

    # -- events ------------------------------------------------------------------------------------

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

    def room_changed(self, room: Room, now: datetime) -> ev.RoomChanged:
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

    def announce(self, before: Capacity, now: datetime) -> None:
        """Tells what the change did to the site's capacity (and whether it overflowed or freed up)."""
        self.events.extend(capacity_events(self.site, before, self.capacity(now)))
