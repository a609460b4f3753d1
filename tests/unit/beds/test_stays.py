"""Stays: night-shelter stays end at the morning rollover; crisis-room stays run to a 10-day
limit that is announced, never enforced by software; late records act on the real times."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from common.errors import Conflict, RuleViolation
from contracts.events import beds as ev
from services.beds.domain.stays import MAX_BACKDATE, check_started_at
from tests.unit.beds.builders import (
    NOW,
    check_in,
    crisis_room,
    events_of,
    family,
    free,
    fresh,
    hold,
    kyiv,
    minutes,
    night_shelter,
    person,
    place_of,
    room,
    site,
)

DAY = timedelta(days=1)


def test_a_night_shelter_stay_ends_at_the_morning_rollover() -> None:
    floor = night_shelter(beds=1, mats=0)
    [stay] = check_in(floor, person(), now=kyiv(2025, 1, 15, 22))
    morning = kyiv(2025, 1, 16, 8)
    assert stay.scheduled_end == morning
    assert stay.limit_at is None
    with pytest.raises(RuleViolation):
        floor.end_at_rollover(stay, morning - minutes(1))
    fresh(floor)
    floor.end_at_rollover(stay, morning + minutes(7))
    assert (stay.ended_at, stay.end_reason) == (morning, "rollover")
    assert [e.reason for e in events_of(floor, ev.StayEnded)] == ["rollover"]
    assert free(floor, morning) == (1, 0)


def test_an_early_morning_arrival_still_leaves_at_that_mornings_rollover() -> None:
    floor = night_shelter()
    [stay] = check_in(floor, person(), now=kyiv(2025, 1, 16, 3))
    assert stay.scheduled_end == kyiv(2025, 1, 16, 8)


def test_an_arrival_at_the_rollover_stays_until_the_next_morning() -> None:
    floor = night_shelter()
    [stay] = check_in(floor, person(), now=kyiv(2025, 1, 16, 8))
    assert stay.scheduled_end == kyiv(2025, 1, 17, 8)


def test_a_site_may_set_its_own_rollover() -> None:
    floor = night_shelter(rollover=time(7, 0))
    [stay] = check_in(floor, person(), now=kyiv(2025, 1, 15, 21))
    assert stay.scheduled_end == kyiv(2025, 1, 16, 7)


def test_back_dated_night_shelter_stay_ends_at_its_rollover() -> None:
    floor = night_shelter(beds=1, mats=0)
    now = kyiv(2025, 1, 16, 10)
    [late_record] = check_in(floor, person(), now=now, started_at=kyiv(2025, 1, 15, 21))
    assert late_record.place_kind == "bed"
    assert late_record.backdated
    assert (late_record.ended_at, late_record.end_reason) == (kyiv(2025, 1, 16, 8), "rollover")
    [claim] = floor.claims_on(late_record.place_id or "")
    assert (claim.starts_at, claim.ends_at) == (kyiv(2025, 1, 15, 21), kyiv(2025, 1, 16, 8))
    # The bed is free tonight, and the late record did not fill it.
    assert free(floor, now) == (1, 0)
    [started] = events_of(floor, ev.StayStarted)
    assert started.backdated and started.started_at == kyiv(2025, 1, 15, 21)
    assert [e.ended_at for e in events_of(floor, ev.StayEnded)] == [kyiv(2025, 1, 16, 8)]


def test_a_back_dated_check_in_takes_a_place_that_was_free_then() -> None:
    floor = night_shelter(beds=1, mats=0)
    now = kyiv(2025, 1, 16, 21)
    [tonight] = check_in(floor, person(), now=now)
    [last_night] = check_in(floor, person(), now=now, started_at=kyiv(2025, 1, 15, 22))
    assert last_night.place_kind == "bed"
    assert place_of(floor, last_night) is place_of(floor, tonight)


def test_a_back_dated_check_in_cannot_take_a_place_someone_held_since() -> None:
    floor = night_shelter(beds=1, mats=1)
    hold(floor, now=NOW)
    [late] = check_in(floor, person(), now=NOW + minutes(30), started_at=NOW - minutes(60))
    assert late.place_kind == "mat"


def test_back_dated_over_capacity_of_a_past_night_is_not_counted_tonight() -> None:
    floor = night_shelter(beds=0, mats=0)
    now = kyiv(2025, 1, 16, 20)
    [late] = check_in(floor, person(), now=now, started_at=kyiv(2025, 1, 15, 23))
    assert late.place_kind == "over_capacity" and late.ended_at == kyiv(2025, 1, 16, 8)
    assert floor.capacity(now).over_capacity == 0
    assert events_of(floor, ev.OverCapacity) == []


@pytest.mark.parametrize("back", [timedelta(seconds=1), DAY, MAX_BACKDATE])
def test_a_check_in_may_be_recorded_up_to_fourteen_days_late(back: timedelta) -> None:
    assert check_started_at(NOW - back, NOW) == NOW - back


def test_a_check_in_is_never_recorded_in_the_future_nor_too_long_ago() -> None:
    assert check_started_at(None, NOW) == NOW
    assert check_started_at(NOW + timedelta(seconds=3), NOW) == NOW, "a small clock skew is forgiven"
    for started_at in (NOW + minutes(1), NOW - MAX_BACKDATE - timedelta(seconds=1), NOW.replace(tzinfo=None)):
        with pytest.raises(RuleViolation):
            check_started_at(started_at, NOW)


def test_crisis_stay_limit_approaching_two_days_before_and_reached_at_ten_days() -> None:
    floor = crisis_room()
    [stay] = check_in(floor, person("female"))
    assert stay.limit_at == NOW + 10 * DAY
    assert stay.days_left(NOW) == 10
    site = floor.site
    assert stay.limit_alerts_due(site, NOW + 8 * DAY - minutes(1)) == 0
    assert stay.limit_alerts_due(site, NOW + 8 * DAY) == 1
    assert stay.limit_alerts_due(site, NOW + 9 * DAY) == 0, "warned once"
    assert stay.limit_alerts_due(site, NOW + 10 * DAY - minutes(1)) == 0
    assert stay.limit_alerts_due(site, NOW + 10 * DAY) == 1
    assert stay.limit_alerts_due(site, NOW + 11 * DAY) == 0, "reached once"
    approaching, reached = stay.events[-2:]
    assert isinstance(approaching, ev.StayLimitApproaching) and isinstance(reached, ev.StayLimitReached)
    assert approaching.team_id == "team-staff-1" and reached.limit_at == NOW + 10 * DAY
    assert stay.open, "nobody is evicted by software"


def test_a_stay_limit_noticed_late_is_still_reached() -> None:
    floor = crisis_room()
    [stay] = check_in(floor, person("female"))
    assert stay.limit_alerts_due(floor.site, NOW + 12 * DAY) == 1
    assert isinstance(stay.events[-1], ev.StayLimitReached)


def test_a_crisis_family_shares_one_limit() -> None:
    floor = crisis_room()
    stays = check_in(floor, family(1, 3))
    assert {s.limit_at for s in stays} == {NOW + 10 * DAY}


def test_shelters_have_no_limit_unless_they_set_one() -> None:
    [unlimited] = check_in(site("shelter", room("Dorm", "any", 2)), person())
    assert unlimited.limit_at is None
    limited = site("shelter", room("Dorm", "any", 2), max_stay_days=30)
    [stay] = check_in(limited, person())
    assert stay.limit_at == NOW + 30 * DAY


def test_a_back_dated_crisis_stay_counts_its_limit_from_the_real_arrival() -> None:
    floor = crisis_room()
    arrived = NOW - 9 * DAY
    [stay] = check_in(floor, person("female"), started_at=arrived)
    assert stay.limit_at == arrived + 10 * DAY
    assert stay.limit_alerts_due(floor.site, NOW) == 1
    assert isinstance(stay.events[-1], ev.StayLimitApproaching)


def test_extension_needs_a_reason_and_moves_the_limit() -> None:
    floor = crisis_room()
    [stay] = check_in(floor, person("female"))
    limit = stay.limit_at
    assert limit is not None
    for blank in ("", "   "):
        with pytest.raises(RuleViolation) as refused:
            stay.extend(floor.site, 3, blank, NOW)
        assert refused.value.code == "reason-required"
    assert stay.limit_at == limit
    stay.extend(floor.site, 3, "court hearing on Friday", NOW + 9 * DAY)
    assert stay.limit_at == limit + 3 * DAY
    assert stay.extension_days == 3
    [extended] = events_of(stay.events, ev.StayExtended)
    assert (extended.days, extended.limit_at) == (3, limit + 3 * DAY)
    assert "court" not in str(extended), "the reason is audited, never put in an event"


def test_an_extension_re_arms_the_limit_alerts() -> None:
    floor = crisis_room()
    [stay] = check_in(floor, person("female"))
    stay.limit_alerts_due(floor.site, NOW + 10 * DAY)
    stay.extend(floor.site, 5, "waiting for a shelter place", NOW + 10 * DAY + minutes(1))
    assert stay.limit_alerts_due(floor.site, NOW + 13 * DAY) == 1
    assert stay.limit_alerts_due(floor.site, NOW + 15 * DAY) == 1


@pytest.mark.parametrize("days", [0, -1, 31])
def test_an_extension_is_one_to_thirty_days(days: int) -> None:
    floor = crisis_room()
    [stay] = check_in(floor, person("female"))
    with pytest.raises(RuleViolation):
        stay.extend(floor.site, days, "reason", NOW)


def test_only_a_stay_with_a_limit_can_be_extended_and_only_while_open() -> None:
    shelter = night_shelter()
    [night] = check_in(shelter, person())
    with pytest.raises(RuleViolation):
        night.extend(shelter.site, 1, "reason", NOW)
    floor = crisis_room()
    [stay] = check_in(floor, person("female"))
    floor.check_out(stay, NOW + DAY)
    with pytest.raises(Conflict):
        stay.extend(floor.site, 1, "reason", NOW + DAY)
    assert stay.limit_alerts_due(floor.site, NOW + 20 * DAY) == 0, "no alerts for someone who left"
