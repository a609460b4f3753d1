"""Presence (issue #22): at sites that keep people for days, a stay nobody has confirmed for N
nights ends as "left without check-out" — and the site hears a night before, so staff can say
the person is still there. Night-shelter stays end every morning and count nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.errors import Conflict
from contracts.events import beds as ev
from tests.unit.beds.builders import NOW, check_in, crisis_room, events_of, night_shelter, place_of

NIGHTS = 3
DAY = timedelta(days=1)


def test_an_unseen_stay_is_announced_a_night_before_and_then_ends_as_left() -> None:
    floor = crisis_room()
    [stay] = check_in(floor)
    place = place_of(floor, stay)
    assert stay.last_seen_at == NOW

    assert not stay.warn_absent(floor.site, NIGHTS, NOW + 2 * DAY - timedelta(minutes=1))
    assert stay.warn_absent(floor.site, NIGHTS, NOW + 2 * DAY)
    assert not stay.warn_absent(floor.site, NIGHTS, NOW + 2 * DAY)  # once
    [absent] = events_of(stay.events, ev.StayAbsent)
    assert (absent.last_seen_at, absent.ends_at) == (NOW, NOW + 3 * DAY)

    assert not floor.end_unseen(stay, NOW + 3 * DAY - timedelta(minutes=1))
    assert floor.end_unseen(stay, NOW + 3 * DAY + timedelta(hours=5))
    assert (stay.end_reason, stay.ended_at) == ("left", NOW + 3 * DAY)
    assert floor.is_free(place, NOW + 3 * DAY, None)
    [ended] = events_of(floor, ev.StayEnded)
    assert ended.reason == "left"


def test_a_roll_call_starts_the_count_again_and_calls_off_the_warning() -> None:
    floor = crisis_room()
    [stay] = check_in(floor)
    stay.warn_absent(floor.site, NIGHTS, NOW + 2 * DAY)

    stay.confirm_presence(NOW + 2 * DAY + timedelta(hours=1))

    assert (stay.last_seen_at, stay.leaves_at) == (NOW + 2 * DAY + timedelta(hours=1), None)
    assert not floor.end_unseen(stay, NOW + 3 * DAY)
    assert stay.open


def test_the_site_always_gets_its_night_even_when_the_clocks_were_down() -> None:
    floor = crisis_room()
    [stay] = check_in(floor)
    late = NOW + 10 * DAY

    assert stay.warn_absent(floor.site, NIGHTS, late)
    assert not floor.end_unseen(stay, late)
    assert stay.leaves_at == late + DAY


def test_night_shelter_stays_count_no_nights() -> None:
    floor = night_shelter()
    [stay] = check_in(floor)

    assert stay.last_seen_at is None
    assert not stay.warn_absent(floor.site, NIGHTS, NOW + 10 * DAY)


def test_an_ended_stay_cannot_be_confirmed() -> None:
    floor = crisis_room()
    [stay] = check_in(floor)
    floor.check_out(stay, NOW + DAY)
    with pytest.raises(Conflict):
        stay.confirm_presence(NOW + DAY)
