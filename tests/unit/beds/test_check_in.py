"""At the door: a bed that fits first, mats only when no fitting bed is free, and a night shelter
that never turns anyone away. A family is placed together, in one room, all places or none."""

from __future__ import annotations

import pytest

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.party import Needs, Party
from tests.unit.beds.builders import (
    NOW,
    check_in,
    crisis_room,
    events_of,
    family,
    free,
    fresh,
    minutes,
    night_shelter,
    person,
    place_of,
    room,
    room_of,
    site,
)


def test_a_night_shelter_never_refuses_past_the_last_mat() -> None:
    floor = night_shelter(beds=2, mats=2)
    kinds = [s.place_kind for _ in range(7) for s in check_in(floor, person())]
    assert kinds == ["bed", "bed", "mat", "mat", "over_capacity", "over_capacity", "over_capacity"]
    capacity = floor.capacity(NOW)
    assert (capacity.beds_occupied, capacity.mats_used, capacity.over_capacity) == (2, 2, 3)
    assert capacity.free_beds == 0 and capacity.free_mats == 0


def test_a_night_shelter_with_no_beds_and_no_mats_still_takes_everyone() -> None:
    floor = night_shelter(beds=0, mats=0)
    stays = check_in(floor, family(2, 3), Needs(accessible=True, pet=True))
    assert [s.place_kind for s in stays] == ["over_capacity"] * 5
    assert all(s.place_id is None for s in stays)


def test_each_check_in_past_the_last_mat_is_announced_as_over_capacity() -> None:
    floor = night_shelter(beds=0, mats=1)
    check_in(floor, person())
    [first] = check_in(floor, person())
    [second] = check_in(floor, person())
    over = events_of(floor, ev.OverCapacity)
    assert [(e.stay_id, e.over_capacity) for e in over] == [(first.id, 1), (second.id, 2)]


def test_over_capacity_happens_only_at_night_shelters() -> None:
    for floor in (crisis_room(beds=1), site("shelter", room("Dorm", "any", 1), mats=1)):
        check_in(floor, person())
        if floor.site.kind == "shelter":
            assert check_in(floor, person())[0].place_kind == "mat"
        with pytest.raises(Conflict) as refused:
            check_in(floor, person())
        assert refused.value.code == "nothing-fits"
        assert floor.over_capacity_stays == []


def test_mats_only_when_no_fitting_bed_is_free() -> None:
    floor = site("night_shelter", room("Women", "women", 1), room("Men", "men", 1), mats=3)
    [man] = check_in(floor, person("male"))
    assert man.place_kind == "bed"
    # The women's bed is free, but it does not fit a man: he gets a mat.
    [second_man] = check_in(floor, person("male"))
    assert second_man.place_kind == "mat"
    [woman] = check_in(floor, person("female"))
    assert woman.place_kind == "bed"
    assert room_of(floor, woman).name == "Women"  # type: ignore[union-attr]


def test_a_free_bed_always_comes_before_a_mat() -> None:
    floor = night_shelter(beds=3, mats=5)
    assert [s.place_kind for s in check_in(floor, Party(3, 0, "male"))] == ["bed"] * 3
    assert floor.capacity(NOW).mats_used == 0


def test_a_family_is_never_split_across_rooms() -> None:
    floor = site("shelter", room("East", "any", 2), room("West", "any", 2))
    before = floor.capacity(NOW)
    # Four beds are free, but no single room has three.
    with pytest.raises(Conflict):
        check_in(floor, family(1, 2))
    # All or nothing: nothing was taken, nothing announced.
    assert floor.capacity(NOW) == before
    assert floor.events == [] and floor.added == []
    assert all(not floor.claims_on(p) for p in floor.places)


def test_a_family_is_placed_together_in_one_room() -> None:
    floor = site("shelter", room("East", "any", 2), room("West", "any", 3), room("North", "any", 5))
    check_in(floor, person())  # takes a bed in East, the tightest fit for one
    stays = check_in(floor, family(1, 2))
    assert len({room_of(floor, s).id for s in stays}) == 1  # type: ignore[union-attr]
    assert len({s.group_id for s in stays}) == 1
    assert len({s.place_id for s in stays}) == 3
    assert [s.is_child for s in stays] == [False, True, True]


def test_a_night_shelter_uses_its_free_beds_before_mats_when_no_room_takes_the_whole_family() -> None:
    floor = site("night_shelter", room("East", "any", 1), room("West", "any", 1), mats=2)
    stays = check_in(floor, family(1, 1))
    assert [s.place_kind for s in stays] == ["bed", "bed"]
    assert free(floor) == (0, 2)
    assert events_of(floor, ev.OverflowStarted) == [] and events_of(floor, ev.OverCapacity) == []


def test_a_mother_and_two_children_take_the_two_free_beds_and_one_mat_not_over_capacity() -> None:
    floor = night_shelter(beds=2, mats=1)
    stays = check_in(floor, family(1, 2))
    assert [s.place_kind for s in stays] == ["bed", "bed", "mat"]
    capacity = floor.capacity(NOW)
    assert (capacity.free_beds, capacity.over_capacity) == (0, 0)
    [overflow] = events_of(floor, ev.OverflowStarted)
    assert overflow.mats_used == 1
    assert events_of(floor, ev.OverCapacity) == []


def test_a_split_family_keeps_each_child_beside_an_adult_where_the_beds_allow() -> None:
    floor = site("night_shelter", room("East", "any", 3), room("West", "any", 2), mats=0)
    stays = check_in(floor, family(2, 3))
    by_room: dict[str, list[bool]] = {}
    for stay in stays:
        by_room.setdefault(room_of(floor, stay).name, []).append(stay.is_child)  # type: ignore[union-attr]
    assert sorted(by_room["East"]) == [False, True, True]
    assert sorted(by_room["West"]) == [False, True]


def test_a_split_family_uses_as_few_rooms_as_it_can() -> None:
    floor = site("night_shelter", room("A", "any", 1), room("B", "any", 3), room("C", "any", 1))
    stays = check_in(floor, family(1, 3))
    assert {room_of(floor, s).name for s in stays} == {"B", "A"} or {  # type: ignore[union-attr]
        room_of(floor, s).name  # type: ignore[union-attr]
        for s in stays
    } == {"B", "C"}
    assert sum(1 for s in stays if room_of(floor, s).name == "B") == 3  # type: ignore[union-attr]


def test_only_those_left_without_a_bed_or_mat_are_over_capacity() -> None:
    floor = night_shelter(beds=2, mats=1)
    stays = check_in(floor, family(2, 3))
    assert sorted(s.place_kind for s in stays) == ["bed", "bed", "mat", "over_capacity", "over_capacity"]
    assert len(events_of(floor, ev.OverCapacity)) == 2


def test_a_split_family_never_takes_a_room_that_does_not_fit_it() -> None:
    floor = site("night_shelter", room("Men", "men", 4), room("Hall", "any", 1), mats=1)
    stays = check_in(floor, family(1, 2))
    assert sorted(s.place_kind for s in stays) == ["bed", "mat", "over_capacity"]


def test_overflow_started_event_when_first_mat_used() -> None:
    floor = night_shelter(beds=1, mats=3)
    check_in(floor, person())
    assert events_of(floor, ev.OverflowStarted) == []
    check_in(floor, person())
    [overflow] = events_of(floor, ev.OverflowStarted)
    assert (overflow.mats_used, overflow.mats_total) == (1, 3)
    check_in(floor, person())
    assert len(events_of(floor, ev.OverflowStarted)) == 1, "only the first mat starts the overflow"


def test_beds_free_again_when_full_site_frees_a_bed() -> None:
    floor = night_shelter(beds=2, mats=0)
    stays = [s for _ in range(2) for s in check_in(floor, person())]
    fresh(floor)
    floor.check_out(stays[0], NOW + minutes(30))
    [again] = events_of(floor, ev.BedsFreeAgain)
    assert again.free_beds == 1
    fresh(floor)
    floor.check_out(stays[1], NOW + minutes(40))
    assert events_of(floor, ev.BedsFreeAgain) == [], "the site was not full any more"


def test_every_change_of_capacity_is_announced() -> None:
    floor = night_shelter(beds=2, mats=1)
    [stay] = check_in(floor, person())
    [changed] = events_of(floor, ev.CapacityChanged)
    assert (changed.free_beds, changed.beds_occupied, changed.free_mats) == (1, 1, 1)
    fresh(floor)
    floor.check_out(stay, NOW + minutes(5))
    [changed] = events_of(floor, ev.CapacityChanged)
    assert (changed.free_beds, changed.beds_occupied) == (2, 0)


def test_check_out_frees_the_place_for_the_next_person() -> None:
    floor = night_shelter(beds=1, mats=0)
    [first] = check_in(floor, person())
    floor.check_out(first, NOW + minutes(10))
    assert first.end_reason == "checkout" and first.ended_at == NOW + minutes(10)
    [second] = check_in(floor, person(), now=NOW + minutes(11))
    assert second.place_kind == "bed"
    assert place_of(floor, second) is place_of(floor, first)


def test_checking_out_twice_is_refused() -> None:
    floor = night_shelter()
    [stay] = check_in(floor, person())
    floor.check_out(stay, NOW + minutes(1))
    with pytest.raises(Conflict):
        floor.check_out(stay, NOW + minutes(2))


def test_checking_out_of_over_capacity_lowers_the_count() -> None:
    floor = night_shelter(beds=0, mats=0)
    [stay] = check_in(floor, person())
    floor.check_out(stay, NOW + minutes(1))
    assert floor.capacity(NOW + minutes(1)).over_capacity == 0
    assert floor.over_capacity_stays == []


def test_a_retired_site_takes_nobody() -> None:
    floor = night_shelter()
    floor.retire_site(NOW)
    with pytest.raises(Conflict):
        check_in(floor, person())


def test_every_person_gets_a_stay_started_event() -> None:
    floor = crisis_room()
    stays = check_in(floor, family(1, 2), source="police")
    started = events_of(floor, ev.StayStarted)
    assert [e.stay_id for e in started] == [s.id for s in stays]
    assert {e.source for e in started} == {"police"}
    assert {e.group_id for e in started} == {stays[0].group_id}


def test_a_party_fleeing_violence_is_never_checked_in_at_a_site_that_is_not_confidential() -> None:
    floor = night_shelter(beds=4, mats=2)
    with pytest.raises(Conflict) as refused:
        check_in(floor, family(1, 1), Needs(dv=True))
    assert refused.value.code == "dv-needs-confidential-site"
    assert floor.capacity(NOW).free_beds == 4 and floor.events == []


def test_a_party_fleeing_violence_is_checked_in_at_a_confidential_site() -> None:
    floor = crisis_room(beds=3)
    stays = check_in(floor, family(1, 2), Needs(dv=True))
    assert [s.place_kind for s in stays] == ["bed"] * 3


def test_a_back_dated_check_in_cannot_start_before_the_site_was_opened() -> None:
    floor = night_shelter(beds=2, now=NOW)
    with pytest.raises(RuleViolation) as refused:
        check_in(floor, person(), now=NOW + minutes(60), started_at=NOW - minutes(1))
    assert refused.value.code == "invalid-started-at"
    assert floor.events == []
