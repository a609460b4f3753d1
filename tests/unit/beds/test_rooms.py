"""Which room takes which party: restriction, wheelchair access, pets — and which room is chosen."""

from __future__ import annotations

import pytest

from common.errors import Conflict
from services.beds.domain.party import Gender, Needs, Party
from services.beds.domain.sites import Room, room_fits
from tests.unit.beds.builders import (
    NOW,
    check_in,
    family,
    person,
    place_of,
    room,
    room_of,
    site,
)

ALONE = {"female": Party(1, 0, "female"), "male": Party(1, 0, "male"), "other": Party(1, 0, "other")}


def a_room(restriction: str, *, accessible: bool = False, pets: bool = False, retired: bool = False) -> Room:
    return Room(
        id="r",
        site_id="s",
        name="Room",
        restriction=restriction,  # type: ignore[arg-type]
        accessible=accessible,
        pets_allowed=pets,
        retired_at=NOW if retired else None,
    )


@pytest.mark.parametrize(
    ("restriction", "party", "fits"),
    [
        ("any", Party(1, 0, "female"), True),
        ("any", Party(1, 0, "male"), True),
        ("any", Party(1, 0, "other"), True),
        ("any", Party(2, 3, "female"), True),
        ("women", Party(1, 0, "female"), True),
        ("women", Party(1, 2, "female"), True),
        ("women", Party(1, 0, "male"), False),
        ("women", Party(1, 0, "other"), False),
        ("men", Party(1, 0, "male"), True),
        ("men", Party(1, 0, "female"), False),
        ("men", Party(1, 0, "other"), False),
        ("family", Party(1, 2, "female"), True),
        ("family", Party(2, 0, "male"), True),
        ("family", Party(1, 0, "female"), False),
        ("youth", Party(0, 1, "male"), True),
        ("youth", Party(0, 3, "other"), True),
        ("youth", Party(1, 0, "male"), False),
        ("youth", Party(1, 1, "female"), False),
        ("youth", Party(1, 0, "male", youth=True), True),
        ("youth", Party(2, 1, "female", youth=True), True),
    ],
)
def test_room_restrictions(restriction: str, party: Party, fits: bool) -> None:
    assert room_fits(a_room(restriction), party, Needs()) is fits


@pytest.mark.parametrize("restriction", ["any", "women", "men", "family", "youth"])
def test_a_wheelchair_user_fits_only_an_accessible_room(restriction: str) -> None:
    party = Party(0, 1, "female") if restriction == "youth" else Party(1, 1, "female")
    if restriction == "men":
        party = Party(1, 1, "male")
    wheelchair = Needs(accessible=True)
    assert not room_fits(a_room(restriction), party, wheelchair)
    assert room_fits(a_room(restriction, accessible=True), party, wheelchair)
    assert room_fits(a_room(restriction, accessible=True), party, Needs())


def test_a_dog_fits_only_a_room_that_takes_pets() -> None:
    dog = Needs(pet=True)
    assert not room_fits(a_room("any"), ALONE["male"], dog)
    assert room_fits(a_room("any", pets=True), ALONE["male"], dog)
    assert not room_fits(
        a_room("any", pets=True, accessible=False), ALONE["male"], Needs(pet=True, accessible=True)
    )
    assert room_fits(
        a_room("any", pets=True, accessible=True), ALONE["male"], Needs(pet=True, accessible=True)
    )


def test_a_retired_room_fits_nobody() -> None:
    assert not room_fits(a_room("any", retired=True), ALONE["female"], Needs())


@pytest.mark.parametrize(("gender", "room_name"), [("female", "Women"), ("male", "Men"), ("other", "Anyone")])
def test_check_in_puts_each_person_in_a_room_meant_for_them(gender: Gender, room_name: str) -> None:
    floor = site("shelter", room("Anyone", "any", 2), room("Women", "women", 2), room("Men", "men", 2))
    [stay] = check_in(floor, person(gender))
    assert room_of(floor, stay).name == room_name  # type: ignore[union-attr]


def test_a_single_adult_is_not_put_in_a_family_room_while_another_fits() -> None:
    floor = site("shelter", room("Family", "family", 4), room("Dorm", "any", 4))
    [stay] = check_in(floor, person())
    assert room_of(floor, stay).name == "Dorm"  # type: ignore[union-attr]
    stays = check_in(floor, family())
    assert {room_of(floor, s).name for s in stays} == {"Family"}  # type: ignore[union-attr]


def test_accessible_beds_are_kept_for_those_who_need_them() -> None:
    floor = site("shelter", room("Ground floor", "any", 2, accessible=True), room("Upstairs", "any", 2))
    [walker] = check_in(floor, person())
    assert room_of(floor, walker).name == "Upstairs"  # type: ignore[union-attr]
    [wheelchair] = check_in(floor, person(), Needs(accessible=True))
    assert room_of(floor, wheelchair).name == "Ground floor"  # type: ignore[union-attr]


def test_a_wheelchair_user_is_refused_where_no_accessible_bed_is_free() -> None:
    floor = site("shelter", room("Upstairs", "any", 4))
    with pytest.raises(Conflict):
        check_in(floor, person(), Needs(accessible=True))


def test_a_person_with_a_dog_goes_to_the_room_that_takes_pets() -> None:
    floor = site("shelter", room("Dorm", "any", 4), room("Kennel room", "any", 1, pets=True))
    [stay] = check_in(floor, person(), Needs(pet=True))
    assert room_of(floor, stay).name == "Kennel room"  # type: ignore[union-attr]


def test_rooms_are_packed_so_a_large_empty_room_stays_free_for_a_family() -> None:
    floor = site("shelter", room("Big", "any", 6), room("Small", "any", 2))
    [stay] = check_in(floor, person())
    assert room_of(floor, stay).name == "Small"  # type: ignore[union-attr]
    stays = check_in(floor, family(1, 4))
    assert {room_of(floor, s).name for s in stays} == {"Big"}  # type: ignore[union-attr]


def test_beds_are_given_in_label_order() -> None:
    floor = site("shelter", room("Dorm", "any", 12))
    labels = [place_of(floor, s).label for s in check_in(floor, family(1, 10))]
    assert labels == [f"Dorm-{n}" for n in range(1, 12)]


def test_a_youth_room_takes_young_adults_aged_16_to_24_but_never_an_older_adult() -> None:
    floor = site("shelter", room("Youth", "youth", 3), room("Adults", "any", 1))
    [young] = check_in(floor, Party(1, 0, "female", youth=True))
    assert room_of(floor, young).name == "Youth"  # type: ignore[union-attr]
    [older] = check_in(floor, person("female"))
    assert room_of(floor, older).name == "Adults"  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        check_in(floor, person("female"))


def test_a_youth_room_takes_unaccompanied_children() -> None:
    floor = site("shelter", room("Youth", "youth", 3), room("Adults", "any", 1))
    stays = check_in(floor, Party(0, 2, "male"))
    assert {room_of(floor, s).name for s in stays} == {"Youth"}  # type: ignore[union-attr]
    [adult] = check_in(floor, person())
    assert room_of(floor, adult).name == "Adults"  # type: ignore[union-attr]
