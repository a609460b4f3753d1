"""Places out of service: never offered, held or taken while out, counted apart, and back by the
clock when their `until` comes. A place someone is on, or that is held, cannot be taken out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.availability import RoomOpening, offer
from services.beds.domain.party import Needs
from tests.unit.beds.builders import (
    NOW,
    beds_in,
    check_in,
    events_of,
    family,
    free,
    hold,
    minutes,
    night_shelter,
    person,
    place_of,
    room,
    site,
)


def test_a_bed_out_of_service_is_never_taken_and_is_counted_apart() -> None:
    floor = night_shelter(beds=2, mats=0)
    broken, other = sorted(beds_in(floor, "Hall"), key=lambda p: p.label)

    assert floor.take_out_of_service(broken, "repair", None, NOW)

    capacity = floor.capacity(NOW)
    assert (capacity.beds_total, capacity.beds_out_of_service, capacity.free_beds) == (1, 1, 1)
    [changed] = events_of(floor, ev.CapacityChanged)
    assert (changed.beds_total, changed.beds_out_of_service, changed.free_beds) == (1, 1, 1)
    [out] = events_of(floor, ev.PlaceOutOfService)
    assert (out.place_id, out.reason, out.until) == (broken.id, "repair", None)
    [first] = check_in(floor, now=NOW + minutes(1))
    assert place_of(floor, first) is other
    # The night shelter never refuses: the next one is over capacity, not on the broken bed.
    [second] = check_in(floor, now=NOW + minutes(2))
    assert second.place_kind == "over_capacity"


def test_nothing_is_held_on_a_place_out_of_service() -> None:
    floor = site("shelter", room("Family", "family", 3))
    floor.take_out_of_service(beds_in(floor, "Family")[0], "pests", None, NOW)

    with pytest.raises(Conflict) as refused:
        hold(floor, family(1, 2), now=NOW + minutes(1))
    assert refused.value.code == "nothing-fits"
    with pytest.raises(Conflict):
        check_in(floor, family(1, 2), now=NOW + minutes(1))


def test_availability_offers_only_the_beds_in_service() -> None:
    floor = site("shelter", room("Family", "family", 3))
    floor.take_out_of_service(beds_in(floor, "Family")[0], "cleaning", None, NOW)
    [(room_id, free_beds)] = [(r, len(b)) for r, b in floor.free_beds_by_room(NOW, None).items()]

    opening = RoomOpening(floor.rooms[room_id], free_beds)
    assert offer("shelter", [opening], 0, family(1, 2), Needs()) is None
    assert offer("shelter", [opening], 0, family(1, 1), Needs()) is not None


def test_a_place_someone_is_on_or_that_is_held_cannot_be_taken_out() -> None:
    floor = night_shelter(beds=2, mats=0)
    [stay] = check_in(floor)
    held = hold(floor)

    for place in (place_of(floor, stay), *floor.hold_places(held)):
        with pytest.raises(Conflict) as refused:
            floor.take_out_of_service(place, "repair", None, NOW + minutes(1))
        assert refused.value.code == "place-in-use"
        assert place.in_service

    floor.check_out(stay, NOW + minutes(2))
    assert floor.take_out_of_service(place_of(floor, stay), "repair", None, NOW + minutes(3))


def test_until_lies_ahead_and_the_reason_is_a_code() -> None:
    floor = night_shelter(beds=1, mats=0)
    [bed] = beds_in(floor, "Hall")

    for until in (NOW, NOW - minutes(1), NOW + timedelta(days=400)):
        with pytest.raises(RuleViolation):
            floor.take_out_of_service(bed, "repair", until, NOW)
    with pytest.raises(RuleViolation):
        floor.take_out_of_service(bed, "the frame is broken", None, NOW)
    assert bed.in_service and floor.events == []


def test_until_puts_it_back_by_the_clock_and_in_service_by_hand() -> None:
    floor = night_shelter(beds=2, mats=0)
    first, second = sorted(beds_in(floor, "Hall"), key=lambda p: p.label)
    floor.take_out_of_service(first, "cleaning", NOW + timedelta(hours=2), NOW)
    floor.take_out_of_service(second, "repair", None, NOW)
    floor.events.clear()

    assert floor.back_in_service_when_due(NOW + timedelta(hours=1)) == 0
    assert floor.back_in_service_when_due(NOW + timedelta(hours=2)) == 1

    assert first.in_service and not second.in_service
    [back] = events_of(floor, ev.PlaceBackInService)
    assert (back.place_id, back.by_the_clock) == (first.id, True)
    assert floor.put_back_in_service(second, NOW + timedelta(hours=3))
    assert not floor.put_back_in_service(second, NOW + timedelta(hours=3))  # already back: no change
    assert free(floor, NOW + timedelta(hours=3)) == (2, 0)


def test_taking_out_again_with_the_same_facts_changes_nothing() -> None:
    floor = night_shelter(beds=1, mats=0)
    [bed] = beds_in(floor, "Hall")
    until = NOW + timedelta(days=1)
    assert floor.take_out_of_service(bed, "repair", until, NOW)
    floor.events.clear()

    assert not floor.take_out_of_service(bed, "repair", until, NOW + minutes(5))
    assert floor.events == []
    assert floor.take_out_of_service(bed, "repair", until + timedelta(days=1), NOW + minutes(5))
    assert bed.out_of_service_since == NOW  # out since the first time


def test_a_mat_out_of_service_is_not_a_free_mat() -> None:
    floor = night_shelter(beds=0, mats=2)
    mat = floor.free_mats(NOW, None)[0]
    floor.take_out_of_service(mat, "damage", None, NOW)

    capacity = floor.capacity(NOW)
    assert (capacity.mats_total, capacity.mats_out_of_service, capacity.free_mats) == (1, 1, 1)
    stays = check_in(floor, person(), now=NOW + minutes(1)) + check_in(floor, person(), now=NOW + minutes(2))
    assert [s.place_kind for s in stays] == ["mat", "over_capacity"]
