"""Moving a stay to another place on the same site (issue #22): the stay goes on — its start
and its limit are what they were —, the places change at once, and a family moves together."""

from __future__ import annotations

import pytest

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from tests.unit.beds.builders import (
    NOW,
    beds_in,
    check_in,
    crisis_room,
    events_of,
    family,
    hold,
    minutes,
    night_shelter,
    person,
    place_of,
    room,
    site,
)

LATER = NOW + minutes(30)


def test_a_move_keeps_the_start_and_the_limit_and_frees_the_old_place() -> None:
    floor = crisis_room(beds=3)
    [stay] = check_in(floor)
    before = place_of(floor, stay)
    target = next(p for p in beds_in(floor, "Crisis room") if p is not before)
    started, limit = stay.started_at, stay.limit_at
    floor.events.clear()

    [moved] = floor.move(stay, target, [stay], LATER)

    assert moved is stay and place_of(floor, stay) is target
    assert (stay.started_at, stay.limit_at, stay.open) == (started, limit, True)
    assert floor.is_free(before, LATER, None) and not floor.is_free(target, LATER, None)
    [event] = events_of(floor, ev.StayMoved)
    assert (event.from_place_id, event.place_id, event.place_kind) == (before.id, target.id, "bed")
    assert events_of(floor, ev.StayEnded) == []


def test_a_family_moves_together_into_the_target_room() -> None:
    floor = site("shelter", room("Small", "family", 3), room("Large", "family", 4))
    stays = check_in(floor, family(1, 2))
    assert {place_of(floor, s).room_id for s in stays} == {beds_in(floor, "Small")[0].room_id}
    target = beds_in(floor, "Large")[2]

    moved = floor.move(stays[1], target, stays, LATER)

    assert len(moved) == 3
    assert {place_of(floor, s).room_id for s in stays} == {target.room_id}
    assert place_of(floor, stays[1]) is target
    assert len(events_of(floor, ev.StayMoved)) == 3


def test_a_family_that_does_not_fit_together_does_not_move_at_all() -> None:
    floor = site("shelter", room("Small", "family", 3), room("Other", "any", 4))
    stays = check_in(floor, family(1, 2))
    check_in(floor, person(), now=NOW + minutes(1))
    check_in(floor, person(), now=NOW + minutes(2))
    places_before = [s.place_id for s in stays]
    free_in_other = [p for p in beds_in(floor, "Other") if floor.is_free(p, LATER, None)]
    floor.events.clear()

    with pytest.raises(Conflict) as refused:
        floor.move(stays[0], free_in_other[0], stays, LATER)

    assert refused.value.code == "family-does-not-fit"
    assert [s.place_id for s in stays] == places_before and floor.events == []


def test_moving_within_the_room_moves_only_that_person() -> None:
    floor = site("shelter", room("Family", "family", 4))
    stays = check_in(floor, family(1, 1))
    spare = next(p for p in beds_in(floor, "Family") if floor.is_free(p, LATER, None))

    moved = floor.move(stays[0], spare, stays, LATER)

    assert moved == [stays[0]]


def test_someone_over_capacity_moves_onto_a_bed_that_freed() -> None:
    floor = night_shelter(beds=1, mats=0)
    [first] = check_in(floor)
    [over] = check_in(floor, now=NOW + minutes(1))
    assert over.place_kind == "over_capacity"
    bed = place_of(floor, first)
    floor.check_out(first, NOW + minutes(10))

    floor.move(over, bed, [over], LATER)

    assert (over.place_kind, over.place_id) == ("bed", bed.id)
    assert floor.capacity(LATER).over_capacity == 0
    [event] = events_of(floor, ev.StayMoved)
    assert event.from_place_id is None


def test_a_move_onto_a_taken_held_or_out_of_service_place_is_refused() -> None:
    floor = night_shelter(beds=4, mats=0)
    [stay] = check_in(floor)
    [other] = check_in(floor, now=NOW + minutes(1))
    held = hold(floor, now=NOW + minutes(2))
    spare = next(p for p in beds_in(floor, "Hall") if floor.is_free(p, LATER, None))
    floor.take_out_of_service(spare, "repair", None, NOW + minutes(3))

    for target in (place_of(floor, other), floor.hold_places(held)[0], spare):
        with pytest.raises(Conflict) as refused:
            floor.move(stay, target, [stay], LATER)
        assert refused.value.code == "place-taken"
    with pytest.raises(Conflict):
        floor.move(stay, place_of(floor, stay), [stay], LATER)


def test_a_place_of_another_site_is_no_target() -> None:
    floor = night_shelter(beds=2, mats=0)
    elsewhere = night_shelter(beds=2, mats=0)
    [stay] = check_in(floor)

    with pytest.raises(RuleViolation):
        floor.move(stay, beds_in(elsewhere, "Hall")[0], [stay], LATER)
