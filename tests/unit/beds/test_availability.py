"""Nearest-place search: a site is offered only when check-in (or a hold) would take the party."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.errors import Conflict
from services.beds.domain.availability import Offer, RoomOpening, distance_km, offer
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Room
from tests.unit.beds.builders import NOW, check_in, hold, room, site


def opening(
    restriction: str = "any", free_beds: int = 2, *, accessible: bool = False, pets: bool = False
) -> RoomOpening:
    room = Room(
        id=f"{restriction}-{free_beds}",
        site_id="s",
        name=restriction,
        restriction=restriction,  # type: ignore[arg-type]
        accessible=accessible,
        pets_allowed=pets,
    )
    return RoomOpening(room=room, free_beds=free_beds)


MAN = Party(1, 0, "male")
WOMAN = Party(1, 0, "female")
MOTHER_AND_TWO = Party(1, 2, "female")


def test_a_fitting_free_bed_is_offered_with_the_count_of_fitting_beds() -> None:
    rooms = [opening("men", 3), opening("women", 5), opening("any", 1)]
    assert offer("shelter", rooms, 0, MAN, Needs()) == Offer(free_beds=4, free_mats=0)
    assert offer("shelter", rooms, 0, WOMAN, Needs()) == Offer(free_beds=6, free_mats=0)


def test_a_family_is_offered_only_a_room_that_takes_all_of_it() -> None:
    split = [opening("any", 2), opening("family", 2)]
    assert offer("shelter", split, 0, MOTHER_AND_TWO, Needs()) is None
    assert offer("crisis_room", [*split, opening("family", 3)], 0, MOTHER_AND_TWO, Needs()) == Offer(7, 0)


def test_mats_are_offered_at_night_shelters_to_adults_without_special_needs() -> None:
    full = [opening("any", 0)]
    assert offer("night_shelter", full, 2, Party(2, 0, "male"), Needs()) == Offer(0, 2, on_beds=False)
    assert offer("night_shelter", full, 1, Party(2, 0, "male"), Needs()) is None, "not enough mats"
    assert offer("night_shelter", full, 5, MOTHER_AND_TWO, Needs()) is None, "children do not sleep on mats"
    assert offer("night_shelter", full, 5, MAN, Needs(accessible=True)) is None
    assert offer("night_shelter", full, 5, MAN, Needs(pet=True)) is None
    assert offer("shelter", full, 5, MAN, Needs()) is None, "only night shelters lay out mats"


def test_needs_narrow_the_offer() -> None:
    rooms = [opening("any", 4), opening("any", 1, accessible=True), opening("any", 2, pets=True)]
    assert offer("shelter", rooms, 0, MAN, Needs(accessible=True)) == Offer(1, 0)
    assert offer("shelter", rooms, 0, MAN, Needs(pet=True)) == Offer(2, 0)
    assert offer("shelter", rooms, 0, MAN, Needs(accessible=True, pet=True)) is None


def test_no_free_bed_no_offer() -> None:
    assert offer("crisis_room", [opening("women", 0)], 0, WOMAN, Needs()) is None
    assert offer("crisis_room", [], 0, WOMAN, Needs()) is None


def test_distance_km_between_known_cities() -> None:
    lviv, kyiv = (49.8397, 24.0297), (50.4501, 30.5234)
    assert distance_km(*lviv, *kyiv) == pytest.approx(469, abs=5)
    assert distance_km(*lviv, *lviv) == 0
    # A degree of latitude is about 111 km everywhere.
    assert distance_km(0, 0, 1, 0) == pytest.approx(111.2, abs=0.2)
    assert distance_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371, rel=1e-3)


coordinates = st.tuples(st.floats(-90, 90), st.floats(-180, 180))


@given(a=coordinates, b=coordinates, c=coordinates)
def test_distance_km_is_a_sane_distance(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> None:
    ab = distance_km(*a, *b)
    assert 0 <= ab <= math.pi * 6371.01
    assert ab == pytest.approx(distance_km(*b, *a), abs=1e-6)
    assert ab <= distance_km(*a, *c) + distance_km(*c, *b) + 1e-6


room_specs = st.lists(
    st.builds(
        lambda restriction, accessible, pets, beds: (restriction, accessible, pets, beds),
        st.sampled_from(["any", "women", "men", "family", "youth"]),
        st.booleans(),
        st.booleans(),
        st.integers(0, 4),
    ),
    max_size=4,
)
parties = st.tuples(
    st.integers(0, 3), st.integers(0, 3), st.sampled_from(["female", "male", "other"])
).filter(lambda p: p[0] + p[1] > 0)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["night_shelter", "crisis_room", "shelter"]),
    rooms=room_specs,
    mats=st.integers(0, 3),
    taken=st.integers(0, 4),
    party=parties,
    accessible=st.booleans(),
    pet=st.booleans(),
)
def test_search_never_offers_what_a_hold_would_refuse(
    kind: str,
    rooms: list[tuple[str, bool, bool, int]],
    mats: int,
    taken: int,
    party: tuple[int, int, str],
    accessible: bool,
    pet: bool,
) -> None:
    floor = site(
        kind,  # type: ignore[arg-type]
        *(room(f"Room {i}", r, beds, accessible=a, pets=p) for i, (r, a, p, beds) in enumerate(rooms)),
        mats=mats,
    )
    for _ in range(taken):  # some people already in
        with contextlib.suppress(Conflict):
            check_in(floor, Party(1, 0, "other"))
    who, needs = Party(party[0], party[1], party[2]), Needs(accessible=accessible, pet=pet)  # type: ignore[arg-type]
    free_beds = floor.free_beds_by_room(NOW, None)
    openings = [RoomOpening(r, len(free_beds.get(r.id, []))) for r in floor.rooms.values()]
    offered = offer(kind, openings, floor.capacity(NOW).free_mats, who, needs)
    try:
        hold(floor, who, needs)
    except Conflict:
        assert offered is None
    else:
        assert offered is not None


def test_a_party_fleeing_violence_is_offered_confidential_sites_only() -> None:
    openings = [RoomOpening(Room("r", "s", "Room", "any", False), free_beds=3)]
    dv = Needs(dv=True)
    assert offer("night_shelter", openings, 5, Party(1, 1, "female"), dv, confidential=False) is None
    assert offer("crisis_room", openings, 0, Party(1, 1, "female"), dv, confidential=True) == Offer(3, 0)


def test_mats_are_never_offered_to_a_party_with_special_needs() -> None:
    for needs in (Needs(accessible=True), Needs(pet=True), Needs(dv=True)):
        assert offer("night_shelter", [], 5, Party(1, 0, "male"), needs, confidential=True) is None
