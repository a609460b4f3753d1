"""A model of one site's floor through a long evening: people arrive (some recorded late),
patrols hold places, holds lapse or are fulfilled, people leave, the morning comes, the cold
sets in and lifts, beds are added and taken away. After every step the floor must still keep
its promises: no place taken twice at once, families together, honest counts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.capacity import Capacity
from services.beds.domain.claims import PlaceClaim
from services.beds.domain.floor import SiteFloor
from services.beds.domain.holds import Hold
from services.beds.domain.inventory import RoomSpec
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Place, SiteKind
from services.beds.domain.stays import Stay, check_started_at
from tests.unit.beds.builders import NOW, PATROL

RESTRICTIONS = ["any", "women", "men", "family", "youth"]
ROOM_NAMES = ["A", "B", "C", "D", "E", "F"]

parties = st.tuples(
    st.integers(0, 3), st.integers(0, 3), st.sampled_from(["female", "male", "other"])
).filter(lambda p: p[0] + p[1] > 0)
needs = st.builds(
    Needs,
    accessible=st.sampled_from([False, False, False, True]),
    pet=st.sampled_from([False, False, False, True]),
)
room_specs = st.builds(
    RoomSpec,
    name=st.just(""),
    restriction=st.sampled_from(RESTRICTIONS),
    accessible=st.booleans(),
    pets_allowed=st.booleans(),
    beds=st.integers(0, 4),
)


def party_of(spec: tuple[int, int, str]) -> Party:
    return Party(adults=spec[0], children=spec[1], gender=spec[2])  # type: ignore[arg-type]


def overlap(a: PlaceClaim, b: PlaceClaim) -> bool:
    """Half-open spans; an open end is 'for ever'. Written out again rather than trusting the domain."""
    a_end = a.ends_at or datetime.max.replace(tzinfo=a.starts_at.tzinfo)
    b_end = b.ends_at or datetime.max.replace(tzinfo=b.starts_at.tzinfo)
    return a.starts_at < b_end and b.starts_at < a_end


class SiteFloorMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.floor: SiteFloor
        self.now = NOW
        self.stays: list[Stay] = []
        self.holds: list[Hold] = []
        self.hold_place_ids: dict[str, set[str]] = {}
        self.events_seen = 0

    # -- the site ---------------------------------------------------------------------------------

    @initialize(
        kind=st.sampled_from(["night_shelter", "night_shelter", "crisis_room", "shelter"]),
        rooms=st.lists(room_specs, min_size=0, max_size=3),
        mats=st.integers(0, 3),
    )
    def open(self, kind: SiteKind, rooms: list[RoomSpec], mats: int) -> None:
        named = [
            RoomSpec(ROOM_NAMES[i], r.restriction, r.accessible, r.pets_allowed, r.beds)
            for i, r in enumerate(rooms)
        ]
        self.floor = SiteFloor.open(
            name="Model site",
            kind=kind,
            lat=49.8,
            lon=24.0,
            address="Street 1",
            now=self.now,
            rooms=named,
            mats=mats,
        )

    @property
    def site(self) -> SiteKind:
        return self.floor.site.kind

    # -- the clock ---------------------------------------------------------------------------------

    @rule(step=st.integers(1, 900))
    def time_passes(self, step: int) -> None:
        self.now += timedelta(minutes=step)

    @rule()
    def morning_rollover(self) -> None:
        for stay in self.open_stays():
            if stay.scheduled_end is not None and stay.scheduled_end <= self.now:
                self.floor.end_at_rollover(stay, self.now)
                assert stay.ended_at == stay.scheduled_end and stay.end_reason == "rollover"

    @rule()
    def holds_lapse(self) -> None:
        for hold in self.active_holds():
            if hold.expires_at <= self.now:
                self.floor.release_hold(hold, self.now, "expired")
                assert hold.ended_at == hold.expires_at

    # -- people -------------------------------------------------------------------------------------

    @rule(party=parties, needs=needs, late=st.sampled_from([0, 0, 0, 30, 300, 900, 1800]))
    def check_in(self, party: tuple[int, int, str], needs: Needs, late: int) -> None:
        who = party_of(party)
        started_at = check_started_at(
            max(self.now - timedelta(minutes=late), self.floor.site.created_at), self.now
        )
        before = self.snapshot()
        try:
            stays = self.floor.check_in(who, needs, now=self.now, started_at=started_at, source="walk_in")
        except Conflict:
            assert self.site != "night_shelter", "a night shelter never refuses"
            assert self.snapshot() == before, "a refused check-in changes nothing"
            return
        assert len(stays) == who.size
        assert sum(not s.is_child for s in stays) == who.adults
        if self.site == "night_shelter" and any(s.place_kind != "bed" for s in stays):
            left = self.floor.fitting_free_beds(who, needs, started_at, None)
            assert not any(left), "every free bed that fits is used before a mat or over capacity"
        self.stays.extend(stays)

    @rule(party=parties, needs=needs, eta=st.one_of(st.none(), st.integers(1, 240)))
    def place_hold(self, party: tuple[int, int, str], needs: Needs, eta: int | None) -> None:
        who = party_of(party)
        before = self.snapshot()
        try:
            hold = self.floor.place_hold(
                who, needs, now=self.now, eta_minutes=eta, holder=PATROL, source="patrol"
            )
        except Conflict:
            assert self.snapshot() == before, "a refused hold changes nothing"
            return
        [placed] = [e for e in self.floor.events if isinstance(e, ev.HoldPlaced) and e.hold_id == hold.id]
        assert len(placed.place_ids) == who.size
        self.holds.append(hold)
        self.hold_place_ids[hold.id] = set(placed.place_ids)

    @precondition(lambda self: bool(self.active_holds()))
    @rule(data=st.data())
    def arrive_on_hold(self, data: st.DataObject) -> None:
        hold = data.draw(st.sampled_from(self.active_holds()))
        stays = self.floor.fulfil_hold(hold, self.now)
        assert {s.place_id for s in stays} == self.hold_place_ids[hold.id]
        assert hold.status == "fulfilled"
        self.stays.extend(stays)

    @precondition(lambda self: bool(self.active_holds()))
    @rule(data=st.data())
    def cancel_hold(self, data: st.DataObject) -> None:
        hold = data.draw(st.sampled_from(self.active_holds()))
        self.floor.release_hold(hold, self.now, "cancelled")

    @precondition(lambda self: bool(self.open_stays()))
    @rule(data=st.data())
    def check_out(self, data: st.DataObject) -> None:
        stay = data.draw(st.sampled_from(self.open_stays()))
        self.floor.check_out(stay, self.now)
        assert not stay.open

    # -- the inventory ----------------------------------------------------------------------------

    @rule(on=st.booleans(), mats=st.one_of(st.none(), st.integers(0, 8)))
    def cold_weather(self, on: bool, mats: int | None) -> None:
        site = self.floor.site
        mat_places = [p for p in self.floor.places.values() if p.kind == "mat" and p.active]
        regular = sum(1 for p in mat_places if not p.emergency)
        target = mats if mats is not None else site.cold_weather_mats
        if target is None:
            target = max(2 * regular, regular + 5)
        emergency_in_use = sum(1 for p in mat_places if p.emergency and self.floor.taken_from(p, self.now))
        before = self.snapshot()
        try:
            self.floor.switch_cold_weather(on, mats, self.now)
        except RuleViolation:
            assert on and target < regular
            assert self.snapshot() == before
        except Conflict:
            # At a confidential site (it would alert every patrol), or fewer emergency mats
            # than are in use: those cannot go.
            assert on and (site.confidential or target - regular < emergency_in_use)
            assert self.snapshot() == before, "a refused switch changes nothing"
        else:
            assert site.cold_weather is on

    @rule(count=st.integers(0, 5))
    def set_mats(self, count: int) -> None:
        before = self.snapshot()
        try:
            self.floor.set_regular_mats(count, self.now)
        except Conflict:
            assert self.snapshot() == before

    @precondition(lambda self: bool(self.active_rooms()))
    @rule(data=st.data(), change=st.integers(-3, 3))
    def resize_room(self, data: st.DataObject, change: int) -> None:
        room = data.draw(st.sampled_from(self.active_rooms()))
        beds = sum(
            1 for p in self.floor.places.values() if p.room_id == room.id and p.kind == "bed" and p.active
        )
        before = self.snapshot()
        try:
            self.floor.update_room(room, self.now, beds=max(0, beds + change))
        except Conflict:
            assert change < 0 and self.snapshot() == before

    @precondition(lambda self: len(self.floor.rooms) < len(ROOM_NAMES))
    @rule(spec=room_specs)
    def add_a_room(self, spec: RoomSpec) -> None:
        name = ROOM_NAMES[len(self.floor.rooms)]
        self.floor.add_room(
            RoomSpec(name, spec.restriction, spec.accessible, spec.pets_allowed, spec.beds),
            self.now,
        )

    @precondition(lambda self: bool(self.active_rooms()))
    @rule(data=st.data())
    def retire_a_room(self, data: st.DataObject) -> None:
        room = data.draw(st.sampled_from(self.active_rooms()))
        in_use = any(
            self.floor.taken_from(p, self.now)
            for p in self.floor.places.values()
            if p.room_id == room.id and p.active
        )
        try:
            self.floor.retire_room(room, self.now)
        except Conflict:
            assert in_use
        else:
            assert not in_use and not room.active

    @precondition(lambda self: any(p.active for p in self.floor.places.values()))
    @rule(data=st.data())
    def retire_a_place(self, data: st.DataObject) -> None:
        place = data.draw(st.sampled_from([p for p in self.floor.places.values() if p.active]))
        in_use = self.floor.taken_from(place, self.now)
        try:
            self.floor.retire_place(place, self.now)
        except Conflict:
            assert in_use
        else:
            assert not in_use and not place.active

    # -- what must always hold ----------------------------------------------------------------------

    @invariant()
    def no_place_is_claimed_twice_at_once(self) -> None:
        for place_id in self.floor.places:
            claims = self.floor.claims_on(place_id)
            for i, a in enumerate(claims):
                assert a.ends_at is None or a.ends_at >= a.starts_at
                for b in claims[i + 1 :]:
                    assert not overlap(a, b), (place_id, a, b)

    @invariant()
    def every_open_claim_is_on_a_place_that_can_be_used(self) -> None:
        for place in self.floor.places.values():
            for claim in self.floor.claims_on(place.id):
                if not claim.open:
                    continue
                assert place.active, "a retired place has nobody on it and is held for nobody"
                assert claim.hold_id or claim.stay_id, "a claim belongs to a hold or a stay"
        for place in self.floor.places.values():
            if place.active and not self.usable(place):
                # only an emergency mat someone is on (or is on the way to) outlives the cold
                assert place.kind == "mat" and place.emergency
                assert self.floor.taken_from(place, self.now), "a free emergency mat is put away"

    @invariant()
    def holds_and_families_stay_in_one_room(self) -> None:
        for hold in self.holds:
            places = [self.floor.places[i] for i in self.hold_place_ids[hold.id]]
            if any(p.kind == "bed" for p in places):
                assert all(p.kind == "bed" for p in places)
                assert len({p.room_id for p in places}) == 1
        groups: dict[str, list[Stay]] = defaultdict(list)
        for stay in self.stays:
            groups[stay.group_id].append(stay)
        for group in groups.values():
            # A night shelter never refuses: a family no single room can take is spread over beds.
            if any(s.place_kind == "bed" for s in group) and self.site != "night_shelter":
                assert all(s.place_kind == "bed" for s in group), "a family is all on beds or none"
                assert len({self.floor.places[s.place_id].room_id for s in group if s.place_id}) == 1
            assert len({s.place_id for s in group if s.place_id}) == sum(1 for s in group if s.place_id)

    @invariant()
    def stays_and_holds_agree_with_their_claims(self) -> None:
        for stay in self.stays:
            if stay.place_id is None:
                continue
            mine = [c for c in self.floor.claims_on(stay.place_id) if c.stay_id == stay.id]
            assert len(mine) == 1
            assert mine[0].starts_at == stay.started_at
            assert mine[0].ends_at == stay.ended_at
        for hold in self.holds:
            open_claims = [
                c
                for claims in map(self.floor.claims_on, self.floor.places)
                for c in claims
                if c.hold_id == hold.id and c.open
            ]
            assert len(open_claims) == (len(self.hold_place_ids[hold.id]) if hold.active else 0)

    @invariant()
    def capacity_matches_a_recount(self) -> None:
        actual = self.floor.capacity(self.now)
        assert actual == self.recount()
        assert actual.beds_total - actual.beds_occupied - actual.beds_held >= 0, "free beds never negative"
        assert actual.free_beds >= 0 and actual.free_mats >= 0

    @invariant()
    def over_capacity_only_at_night_shelters(self) -> None:
        over = [s for s in self.stays if s.place_kind == "over_capacity"]
        if self.site != "night_shelter":
            assert not over and not self.floor.over_capacity_stays
        assert {s.id for s in self.floor.over_capacity_stays} == {s.id for s in over if s.open}

    @invariant()
    def the_last_capacity_announcement_tells_the_truth(self) -> None:
        new = self.floor.events[self.events_seen :]
        self.events_seen = len(self.floor.events)
        changed = [e for e in new if isinstance(e, ev.CapacityChanged)]
        if changed:
            capacity = self.floor.capacity(self.now)
            last = changed[-1]
            assert (last.free_beds, last.free_mats, last.beds_total, last.mats_total, last.over_capacity) == (
                capacity.free_beds,
                capacity.free_mats,
                capacity.beds_total,
                capacity.mats_total,
                capacity.over_capacity,
            )

    # -- helpers ------------------------------------------------------------------------------------

    def open_stays(self) -> list[Stay]:
        return [s for s in self.stays if s.open]

    def active_holds(self) -> list[Hold]:
        return [h for h in self.holds if h.active]

    def active_rooms(self) -> list:  # type: ignore[type-arg]
        return [r for r in self.floor.rooms.values() if r.active]

    def usable(self, place: Place) -> bool:
        room_ok = place.room_id is None or self.floor.rooms[place.room_id].retired_at is None
        cold_ok = place.kind == "bed" or not place.emergency or self.floor.site.cold_weather
        return place.retired_at is None and room_ok and cold_ok

    def recount(self) -> Capacity:
        """The counts from what the model saw happen, not from the floor's claims."""
        places = self.floor.places
        present = [s for s in self.stays if s.present_at(self.now)]
        held = [places[i] for h in self.active_holds() for i in self.hold_place_ids[h.id]]
        on = [places[s.place_id].kind for s in present if s.place_id]
        return Capacity(
            beds_total=sum(1 for p in places.values() if p.kind == "bed" and self.usable(p)),
            beds_occupied=on.count("bed"),
            beds_held=sum(1 for p in held if p.kind == "bed"),
            mats_total=sum(1 for p in places.values() if p.kind == "mat" and self.usable(p)),
            mats_used=on.count("mat"),
            mats_held=sum(1 for p in held if p.kind == "mat"),
            over_capacity=sum(1 for s in present if s.place_kind == "over_capacity"),
        )

    def snapshot(self) -> tuple[object, ...]:
        claims = tuple(
            (c.id, c.ends_at)
            for place_id in sorted(self.floor.places)
            for c in self.floor.claims_on(place_id)
        )
        places = tuple((p.id, p.retired_at) for p in self.floor.places.values())
        return (
            claims,
            places,
            len(self.floor.over_capacity_stays),
            len(self.floor.events),
            len(self.floor.added),
            self.floor.site.cold_weather,
            self.floor.site.cold_weather_mats,
        )


SiteFloorMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_site_floor_keeps_its_promises = SiteFloorMachine.TestCase
