"""The inventory: opening a site, adding and retiring rooms and places, mats and the winter
campaign. History is never lost: a place in use cannot be retired, and labels are never reused."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.floor import SiteFloor
from services.beds.domain.party import Party
from services.beds.domain.sites import Place
from tests.unit.beds.builders import (
    NOW,
    beds_in,
    check_in,
    crisis_room,
    events_of,
    free,
    fresh,
    hold,
    minutes,
    night_shelter,
    person,
    place_of,
    room,
    room_named,
    site,
)


def labels(places: Iterable[Place]) -> list[str]:
    return sorted(p.label for p in places)


def test_opening_a_site_announces_it_with_its_capacity() -> None:
    floor = SiteFloor.open(
        name="Dzherelo",
        kind="night_shelter",
        lat=49.84,
        lon=24.03,
        address="Kyrylivska St",
        now=NOW,
        rooms=[room("Men", "men", 3), room("Women", "women", 2)],
        mats=4,
    )
    [created] = events_of(floor, ev.SiteCreated)
    assert (created.beds_total, created.mats_total, created.kind) == (5, 4, "night_shelter")
    assert created.timezone == "Europe/Kyiv" and created.max_stay_days is None
    assert not floor.site.confidential
    assert events_of(floor, ev.CapacityChanged)[-1].free_beds == 5
    assert labels(beds_in(floor, "Men")) == ["Men-1", "Men-2", "Men-3"]


def test_kind_sets_the_defaults() -> None:
    crisis = crisis_room()
    assert crisis.site.max_stay_days == 10 and crisis.site.confidential
    shelter = site("shelter", room())
    assert shelter.site.max_stay_days is None and not shelter.site.confidential
    dv_shelter = site("shelter", room(), confidential=True)
    assert dv_shelter.site.confidential


@pytest.mark.parametrize(
    "bad",
    [
        {"lat": 91.0},
        {"lon": -181.0},
        {"timezone": "Mars/Olympus"},
        {"max_stay_days": 0},
        {"max_stay_days": 366},
        {"name": "   "},
        {"address": ""},
        {"mats": -1},
        {"mats": 1001},
    ],
)
def test_a_site_with_impossible_facts_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(RuleViolation):
        site("night_shelter", room(), **bad)  # type: ignore[arg-type]


def test_room_names_differ_within_a_site() -> None:
    with pytest.raises(RuleViolation):
        site("shelter", room("Dorm"), room("Dorm"))
    floor = site("shelter", room("Dorm"))
    with pytest.raises(Conflict):
        floor.add_room(room("Dorm"), NOW)


def test_a_room_has_zero_to_five_hundred_beds() -> None:
    with pytest.raises(RuleViolation):
        site("shelter", room("Dorm", beds=501))


def test_retiring_a_place_someone_is_on_is_refused() -> None:
    floor = night_shelter(beds=1, mats=0)
    [stay] = check_in(floor)
    bed = place_of(floor, stay)
    with pytest.raises(Conflict) as refused:
        floor.retire_place(bed, NOW + minutes(1))
    assert refused.value.code == "place-taken"
    assert bed.active
    floor.check_out(stay, NOW + minutes(2))
    floor.retire_place(bed, NOW + minutes(3))
    assert not bed.active
    assert free(floor, NOW + minutes(3)) == (0, 0)


def test_retiring_a_held_place_is_refused() -> None:
    floor = night_shelter(beds=1, mats=0)
    kept = hold(floor)
    [bed] = floor.hold_places(kept)
    with pytest.raises(Conflict):
        floor.retire_place(bed, NOW + minutes(1))


def test_fewer_beds_only_when_the_removed_beds_are_free() -> None:
    floor = site("shelter", room("Dorm", "any", 3))
    dorm = room_named(floor, "Dorm")
    check_in(floor, Party(2, 0, "male"))
    with pytest.raises(Conflict) as refused:
        floor.update_room(dorm, NOW, beds=1)
    assert refused.value.code == "places-in-use"
    floor.update_room(dorm, NOW, beds=2)
    assert [p.label for p in beds_in(floor, "Dorm") if p.active] == ["Dorm-1", "Dorm-2"]
    with pytest.raises(Conflict):
        floor.retire_room(dorm, NOW)


def test_fewer_beds_retire_the_free_ones_newest_first() -> None:
    floor = site("shelter", room("Dorm", "any", 4))
    dorm = room_named(floor, "Dorm")
    floor.update_room(dorm, NOW, beds=2)
    assert {p.label: p.active for p in beds_in(floor, "Dorm")} == {
        "Dorm-1": True,
        "Dorm-2": True,
        "Dorm-3": False,
        "Dorm-4": False,
    }
    [changed] = events_of(floor, ev.RoomChanged)
    assert changed.beds_total == 2


def test_new_beds_never_reuse_a_retired_label() -> None:
    floor = site("shelter", room("Dorm", "any", 3))
    dorm = room_named(floor, "Dorm")
    floor.update_room(dorm, NOW, beds=1)
    floor.retire_place(beds_in(floor, "Dorm")[0], NOW)
    floor.update_room(dorm, NOW, beds=3)
    assert labels(p for p in beds_in(floor, "Dorm") if p.active) == ["Dorm-4", "Dorm-5", "Dorm-6"]
    every = [p.label for p in floor.places.values()]
    assert len(every) == len(set(every))


def test_mats_never_reuse_a_retired_label() -> None:
    floor = night_shelter(beds=0, mats=3)
    floor.set_regular_mats(1, NOW)
    floor.set_regular_mats(2, NOW)
    assert sorted(p.label for p in floor.places.values() if p.active) == ["Mat 1", "Mat 4"]


def test_a_room_opened_again_under_an_old_name_does_not_reuse_its_labels() -> None:
    """A label names a place on the board and in history; a new bed must not take an old one's."""
    floor = site("shelter", room("Dorm", "any", 2))
    floor.retire_room(room_named(floor, "Dorm"), NOW)
    floor.add_room(room("Dorm", "any", 2), NOW + minutes(1))
    every = [p.label for p in floor.places.values()]
    assert len(every) == len(set(every)), sorted(every)


def test_a_new_room_under_a_renamed_rooms_old_name_does_not_reuse_its_labels() -> None:
    floor = site("shelter", room("Dorm", "any", 2))
    floor.update_room(room_named(floor, "Dorm"), NOW, name="Big dorm", beds=3)
    floor.add_room(room("Dorm", "any", 2), NOW + minutes(1))
    every = sorted(p.label for p in floor.places.values())
    assert every == ["Big dorm-1", "Dorm-1", "Dorm-2", "Dorm-3", "Dorm-4"]


def test_a_retired_room_takes_nobody() -> None:
    floor = site("shelter", room("Old", "any", 2), room("New", "any", 2))
    floor.retire_room(room_named(floor, "Old"), NOW)
    [changed] = events_of(floor, ev.RoomChanged)
    assert changed.retired and changed.beds_total == 0
    assert floor.capacity(NOW).beds_total == 2
    check_in(floor, Party(2, 0, "male"))
    with pytest.raises(Conflict):
        check_in(floor, person())


def test_cold_weather_raises_mats_and_back() -> None:
    floor = night_shelter(beds=2, mats=3)
    assert floor.switch_cold_weather(True, 10, NOW)
    assert floor.capacity(NOW).mats_total == 10
    [on] = events_of(floor, ev.ColdWeatherSwitchedOn)
    assert on.mats_total == 10
    assert events_of(floor, ev.CapacityChanged)[-1].free_mats == 10
    assert not floor.switch_cold_weather(True, 10, NOW), "already on with the same mats"
    fresh(floor)
    assert floor.switch_cold_weather(False, None, NOW + minutes(1))
    assert floor.capacity(NOW + minutes(1)).mats_total == 3
    [off] = events_of(floor, ev.ColdWeatherSwitchedOff)
    assert off.mats_total == 3
    assert not floor.switch_cold_weather(False, None, NOW + minutes(2)), "already off"


def test_cold_weather_uses_the_configured_emergency_number() -> None:
    floor = night_shelter(mats=2, cold_weather_mats=8)
    floor.switch_cold_weather(True, None, NOW)
    assert floor.capacity(NOW).mats_total == 8


def test_cold_weather_without_a_number_at_least_doubles_the_mats() -> None:
    floor = night_shelter(mats=10)
    floor.switch_cold_weather(True, None, NOW)
    assert floor.capacity(NOW).mats_total == 20
    small = night_shelter(mats=1)
    small.switch_cold_weather(True, None, NOW)
    assert small.capacity(NOW).mats_total == 6


def test_cold_weather_never_lowers_the_regular_mats() -> None:
    floor = night_shelter(mats=5)
    with pytest.raises(RuleViolation):
        floor.switch_cold_weather(True, 4, NOW)
    with pytest.raises(RuleViolation):
        floor.switch_cold_weather(True, 1001, NOW)


def test_regular_mats_go_before_emergency_mats() -> None:
    floor = night_shelter(beds=0, mats=2)
    floor.switch_cold_weather(True, 4, NOW)
    taken = [place_of(floor, s) for s in check_in(floor, Party(3, 0, "male"))]
    assert [(p.emergency, p.label) for p in taken] == [
        (False, "Mat 1"),
        (False, "Mat 2"),
        (True, "Emergency mat 1"),
    ]


def test_switching_cold_weather_off_keeps_people_on_their_emergency_mats() -> None:
    floor = night_shelter(beds=0, mats=0)
    floor.switch_cold_weather(True, 3, NOW)
    [stay] = check_in(floor, person())
    floor.switch_cold_weather(False, None, NOW + minutes(5))
    assert stay.open
    mat = place_of(floor, stay)
    assert mat.active, "a mat someone is on is not taken away"
    others = [p for p in floor.places.values() if p.kind == "mat" and p is not mat]
    assert all(not p.active for p in others)
    # Cold weather on again: new emergency mats get new labels.
    floor.switch_cold_weather(True, 3, NOW + minutes(10))
    active = sorted(p.label for p in floor.places.values() if p.kind == "mat" and p.active)
    assert active == ["Emergency mat 1", "Emergency mat 4", "Emergency mat 5"]


def test_retiring_a_site_with_people_in_it_is_refused() -> None:
    floor = night_shelter(beds=0, mats=0)
    [stay] = check_in(floor)
    with pytest.raises(Conflict):
        floor.retire_site(NOW)
    floor.check_out(stay, NOW + minutes(1))
    floor.retire_site(NOW + minutes(2))
    assert not floor.site.active
    assert events_of(floor, ev.SiteRetired)
    with pytest.raises(Conflict):
        floor.switch_cold_weather(True, None, NOW + minutes(3))


def test_a_place_with_history_is_retired_not_deleted() -> None:
    floor = night_shelter(beds=1, mats=0)
    [bed] = beds_in(floor, "Hall")
    with pytest.raises(Conflict):
        floor.delete_place(bed, NOW, has_history=True)
    floor.delete_place(bed, NOW, has_history=False)
    assert bed.id not in floor.places


def test_updating_a_site_changes_its_facts_not_its_running_stays() -> None:
    floor = crisis_room()
    [stay] = check_in(floor, person("female"))
    limit = stay.limit_at
    floor.update_site(NOW, max_stay_days=5, mats=2)
    assert stay.limit_at == limit
    assert floor.site.max_stay_days == 5
    [updated] = events_of(floor, ev.SiteUpdated)
    assert updated.mats_total == 2 and updated.max_stay_days == 5
    with pytest.raises(RuleViolation):
        floor.update_site(NOW, lat=100.0)


def test_a_refused_cold_weather_switch_changes_nothing() -> None:
    floor = night_shelter(beds=0, mats=0)
    floor.switch_cold_weather(True, 2, NOW)
    check_in(floor, Party(2, 0, "male"))  # both emergency mats in use
    fresh(floor)
    with pytest.raises(Conflict):
        floor.switch_cold_weather(True, 1, NOW + minutes(1))
    assert floor.site.cold_weather_mats == 2
    assert floor.capacity(NOW).mats_total == 2
    assert floor.events == []
