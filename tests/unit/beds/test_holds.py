"""Holds: places kept for someone on the way; expiry frees them, a warning comes first, and
arrival turns the hold into stays on the very places that were held."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.holds import DEFAULT_HOLD_MINUTES, MAX_HOLD_MINUTES, warning_time
from services.beds.domain.party import Needs, Party
from tests.unit.beds.builders import (
    NOW,
    PATROL,
    check_in,
    crisis_room,
    events_of,
    family,
    free,
    fresh,
    hold,
    minutes,
    night_shelter,
    person,
    room,
    room_named,
    site,
)


def test_a_hold_keeps_places_for_ninety_minutes_by_default() -> None:
    floor = night_shelter(beds=3, mats=0)
    kept = hold(floor, family(1, 1))
    assert kept.expires_at == NOW + minutes(DEFAULT_HOLD_MINUTES)
    assert len(floor.hold_places(kept)) == 2
    assert free(floor) == (1, 0)
    assert floor.capacity(NOW).beds_held == 2
    [placed] = events_of(floor, ev.HoldPlaced)
    assert placed.hold_id == kept.id and placed.holder_team_id == PATROL.team_id
    assert sorted(placed.place_ids) == sorted(p.id for p in floor.hold_places(kept))
    assert placed.expires_at == kept.expires_at


def test_the_patrols_eta_sets_the_expiry() -> None:
    floor = night_shelter()
    assert hold(floor, eta_minutes=40).expires_at == NOW + minutes(40)


@pytest.mark.parametrize("eta", [0, -5, MAX_HOLD_MINUTES + 1])
def test_a_hold_lasts_one_minute_to_twelve_hours(eta: int) -> None:
    with pytest.raises(RuleViolation):
        hold(night_shelter(), eta_minutes=eta)


def test_a_held_place_is_not_given_to_someone_else() -> None:
    floor = night_shelter(beds=1, mats=1)
    hold(floor)
    [walk_in] = check_in(floor, person(), now=NOW + minutes(5))
    assert walk_in.place_kind == "mat"


def test_a_family_hold_is_in_one_room() -> None:
    floor = site("shelter", room("East", "any", 2), room("West", "any", 3))
    kept = hold(floor, family(1, 2))
    assert {p.room_id for p in floor.hold_places(kept)} == {room_named(floor, "West").id}
    with pytest.raises(Conflict):
        hold(floor, family(1, 2))


def test_nothing_held_when_nothing_fits() -> None:
    floor = crisis_room(beds=2)
    with pytest.raises(Conflict) as refused:
        hold(floor, family(1, 2))
    assert refused.value.code == "nothing-fits"
    assert floor.events == [] and floor.added == []


def test_mats_are_held_only_for_adults_without_special_needs() -> None:
    floor = night_shelter(beds=0, mats=3)
    assert {p.kind for p in floor.hold_places(hold(floor, Party(2, 0, "male")))} == {"mat"}
    for party, needs in [
        (family(1, 1), Needs()),
        (person(), Needs(accessible=True)),
        (person(), Needs(pet=True)),
    ]:
        with pytest.raises(Conflict):
            hold(floor, party, needs)


def test_hold_expires_and_frees_its_places() -> None:
    floor = night_shelter(beds=2, mats=0)
    kept = hold(floor, Party(2, 0, "male"), eta_minutes=30)
    fresh(floor)
    later = NOW + minutes(45)
    floor.release_hold(kept, later, "expired")
    assert kept.status == "expired"
    assert kept.ended_at == kept.expires_at, "an expired hold ends at its expiry, not when the clock noticed"
    assert free(floor, later) == (2, 0)
    [expired] = events_of(floor, ev.HoldExpired)
    assert expired.hold_id == kept.id and expired.holder_team_id == PATROL.team_id
    assert events_of(floor, ev.CapacityChanged)[-1].free_beds == 2
    assert events_of(floor, ev.BedsFreeAgain), "the site was full of held beds"
    assert all(c.ends_at == kept.expires_at for p in floor.hold_places(kept) for c in floor.claims_on(p.id))


def test_a_cancelled_hold_frees_its_places_at_once() -> None:
    floor = night_shelter(beds=1, mats=0)
    kept = hold(floor)
    floor.release_hold(kept, NOW + minutes(3), "cancelled")
    assert kept.status == "cancelled"
    assert events_of(floor, ev.HoldCancelled)
    assert free(floor, NOW + minutes(3)) == (1, 0)


def test_a_finished_hold_cannot_be_released_or_fulfilled_again() -> None:
    floor = night_shelter()
    kept = hold(floor)
    floor.release_hold(kept, NOW + minutes(1), "cancelled")
    with pytest.raises(Conflict):
        floor.release_hold(kept, NOW + minutes(2), "expired")
    with pytest.raises(Conflict):
        floor.fulfil_hold(kept, NOW + minutes(2))


def test_warning_fifteen_minutes_before_expiry() -> None:
    floor = night_shelter()
    kept = hold(floor)
    assert kept.warn_at == kept.expires_at - minutes(15)
    assert not kept.warn_if_due(floor.site, kept.warn_at - timedelta(seconds=1))
    assert kept.warn_if_due(floor.site, kept.warn_at)
    assert not kept.warn_if_due(floor.site, kept.warn_at + minutes(1)), "one warning, not one per tick"
    [expiring] = events_of(kept.events, ev.HoldExpiring)
    assert expiring.expires_at == kept.expires_at and expiring.holder_team_id == PATROL.team_id


def test_a_short_hold_is_warned_halfway() -> None:
    assert warning_time(NOW, NOW + minutes(20)) == NOW + minutes(10)
    assert warning_time(NOW, NOW + minutes(2)) == NOW + minutes(1)


def test_no_warning_once_the_hold_has_expired_or_ended() -> None:
    floor = night_shelter()
    late = hold(floor)
    assert not late.warn_if_due(floor.site, late.expires_at)
    cancelled = hold(floor)
    floor.release_hold(cancelled, NOW + minutes(1), "cancelled")
    assert not cancelled.warn_if_due(floor.site, cancelled.warn_at)


def test_extending_a_hold_moves_expiry_and_warning() -> None:
    floor = night_shelter()
    kept = hold(floor, eta_minutes=30)
    assert kept.warn_if_due(floor.site, NOW + minutes(16))
    kept.extend(floor.site, 30, NOW + minutes(20))
    assert kept.expires_at == NOW + minutes(60)
    assert kept.warn_at == NOW + minutes(45)
    assert kept.warn_if_due(floor.site, NOW + minutes(45)), "the new expiry is warned again"
    assert [e.expires_at for e in events_of(kept.events, ev.HoldExtended)] == [NOW + minutes(60)]


def test_a_hold_reaches_at_most_twelve_hours_ahead() -> None:
    floor = night_shelter()
    kept = hold(floor, eta_minutes=MAX_HOLD_MINUTES)
    with pytest.raises(RuleViolation):
        kept.extend(floor.site, 1, NOW)
    with pytest.raises(RuleViolation):
        kept.extend(floor.site, 0, NOW)


def test_arrival_turns_the_hold_into_stays_on_the_held_places() -> None:
    floor = crisis_room(beds=6)
    kept = hold(floor, family(1, 2))
    held = {p.id for p in floor.hold_places(kept)}
    fresh(floor)
    arrival = NOW + minutes(50)
    stays = floor.fulfil_hold(kept, arrival)
    assert {s.place_id for s in stays} == held
    assert {s.hold_id for s in stays} == {kept.id}
    assert all(s.started_at == arrival for s in stays)
    assert [s.is_child for s in stays] == [False, True, True]
    assert kept.status == "fulfilled"
    [fulfilled] = events_of(floor, ev.HoldFulfilled)
    assert fulfilled.stay_ids == [s.id for s in stays]
    capacity = floor.capacity(arrival)
    assert (capacity.beds_held, capacity.beds_occupied) == (0, 3)


def test_a_held_mat_becomes_a_mat_stay_and_starts_the_overflow() -> None:
    floor = night_shelter(beds=0, mats=2)
    kept = hold(floor)
    fresh(floor)
    [stay] = floor.fulfil_hold(kept, NOW + minutes(30))
    assert stay.place_kind == "mat"
    assert events_of(floor, ev.OverflowStarted)


def test_a_hold_on_an_emergency_mat_is_still_honoured_after_the_cold_ends() -> None:
    """SPEC: arrival turns the hold into stays. Switching cold-weather mode off must not break a
    promise already made to a patrol: the held emergency mat was kept (it is not retired)."""
    floor = night_shelter(beds=0, mats=0)
    floor.switch_cold_weather(True, 2, NOW)
    kept = hold(floor)
    floor.switch_cold_weather(False, None, NOW + minutes(10))
    [stay] = floor.fulfil_hold(kept, NOW + minutes(20))
    assert stay.place_kind == "mat"
    mat = floor.places[stay.place_id]  # type: ignore[index]
    assert mat.active

    floor.check_out(stay, NOW + minutes(90))
    assert not mat.active  # put away once free, like the other emergency mats were at once
    assert not any(p.active for p in floor.places.values() if p.kind == "mat")


def test_a_hold_for_a_party_fleeing_violence_carries_the_need_and_only_at_a_confidential_site() -> None:
    with pytest.raises(Conflict) as refused:
        hold(night_shelter(beds=4), family(1, 1), Needs(dv=True))
    assert refused.value.code == "dv-needs-confidential-site"
    floor = crisis_room(beds=3)
    held = hold(floor, family(1, 1), Needs(dv=True))
    assert held.needs.dv
    [placed] = events_of(floor, ev.HoldPlaced)
    assert placed.needs.dv is True


def test_a_hold_for_a_youth_party_says_so_in_its_event() -> None:
    floor = site("shelter", room("Youth", "youth", 2))
    hold(floor, Party(2, 0, "male", youth=True))
    [placed] = events_of(floor, ev.HoldPlaced)
    assert placed.party.youth is True
