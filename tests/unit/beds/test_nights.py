"""Nights, the morning rollover (also across daylight-saving changes in Europe/Kyiv) and the
nightly ledger: who counts for a night, and how a late record reopens a closed night."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.events import beds as ev
from services.beds.domain.nights import (
    NightFigures,
    StayInterval,
    census_moment,
    next_rollover,
    night_figures,
    night_of,
    night_window,
)
from tests.unit.beds.builders import KYIV, NOW, check_in, events_of, kyiv, night_shelter, person

EIGHT = time(8, 0)


def test_a_night_runs_from_rollover_to_rollover() -> None:
    start, end = night_window(date(2025, 1, 15), KYIV, EIGHT)
    assert (start, end) == (kyiv(2025, 1, 15, 8), kyiv(2025, 1, 16, 8))
    assert night_of(kyiv(2025, 1, 15, 8), KYIV, EIGHT) == date(2025, 1, 15)
    assert night_of(kyiv(2025, 1, 16, 7, 59), KYIV, EIGHT) == date(2025, 1, 15)
    assert census_moment(date(2025, 1, 15), KYIV) == kyiv(2025, 1, 16, 0)


def test_rollover_across_the_spring_dst_change_in_kyiv() -> None:
    # 30 March 2025: clocks go 03:00 -> 04:00; that night lasts 23 hours.
    start, end = night_window(date(2025, 3, 29), KYIV, EIGHT)
    assert end - start == timedelta(hours=23)
    assert end == datetime(2025, 3, 30, 5, 0, tzinfo=UTC)  # 08:00 EEST
    floor = night_shelter()
    [stay] = check_in(floor, person(), now=kyiv(2025, 3, 29, 22))
    assert stay.scheduled_end == end
    assert stay.scheduled_end.astimezone(KYIV).time() == EIGHT  # type: ignore[union-attr]


def test_rollover_across_the_autumn_dst_change_in_kyiv() -> None:
    # 26 October 2025: clocks go 04:00 -> 03:00; that night lasts 25 hours.
    start, end = night_window(date(2025, 10, 25), KYIV, EIGHT)
    assert end - start == timedelta(hours=25)
    assert end == datetime(2025, 10, 26, 6, 0, tzinfo=UTC)  # 08:00 EET
    [stay] = check_in(night_shelter(), person(), now=kyiv(2025, 10, 26, 3, 30))
    assert stay.scheduled_end == end


moments_2025 = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2025, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(moment=moments_2025, hour=st.integers(5, 11), minute=st.sampled_from([0, 15, 30, 45]))
def test_every_moment_belongs_to_exactly_the_night_it_is_in(moment: datetime, hour: int, minute: int) -> None:
    rollover = time(hour, minute)
    night = night_of(moment, KYIV, rollover)
    start, end = night_window(night, KYIV, rollover)
    assert start <= moment < end
    after = next_rollover(moment, KYIV, rollover)
    assert moment < after <= moment + timedelta(hours=25)
    assert after.astimezone(KYIV).time() == rollover


@settings(max_examples=300, deadline=None)
@given(
    minutes=st.integers(0, 3 * 24 * 60),
    day=st.sampled_from([date(2025, 3, 29), date(2025, 10, 25)]),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
)
def test_any_rollover_time_cuts_the_days_of_a_clock_change_into_back_to_back_nights(
    minutes: int, day: date, hour: int, minute: int
) -> None:
    rollover = time(hour, minute)
    moment = datetime.combine(day, time(0, 0), tzinfo=UTC) + timedelta(minutes=minutes)
    start, end = night_window(night_of(moment, KYIV, rollover), KYIV, rollover)
    assert start <= moment < end
    assert next_rollover(moment, KYIV, rollover) == end > moment


def test_a_rollover_in_the_repeated_autumn_hour_still_comes_after_check_in() -> None:
    """A site may set its rollover to any time; on 26 October 03:00-04:00 happens twice in Kyiv.
    A stay that starts in the second 03:15 must end at a rollover after it, not before."""
    rollover = time(3, 30)
    second_quarter_past_three = datetime(2025, 10, 26, 1, 15, tzinfo=UTC)  # 03:15 EET, after 03:15 EEST
    assert second_quarter_past_three.astimezone(KYIV).time() == time(3, 15)
    assert next_rollover(second_quarter_past_three, KYIV, rollover) > second_quarter_past_three


def at(night_day: int, hour: int, minute: int = 0) -> datetime:
    """A Kyiv moment in January 2025, by the calendar day (not the night)."""
    return kyiv(2025, 1, night_day, hour, minute)


def stay(start: datetime, end: datetime | None, kind: str = "bed", source: str = "walk_in") -> StayInterval:
    return StayInterval(started_at=start, ended_at=end, place_kind=kind, source=source)


def test_night_figures_count_arrivals_and_midnight_census() -> None:
    stays = [
        stay(at(15, 20), at(16, 8)),  # slept the night on a bed
        stay(at(16, 2), at(16, 8), "mat", "patrol"),  # brought in after midnight: an arrival
        stay(at(10, 19), None, "bed", "mobile_team"),  # crisis resident: counted at the census
        stay(at(15, 21), at(15, 23), "over_capacity", "police"),  # came and left before midnight
        stay(at(14, 20), at(15, 8)),  # left this morning: belongs to the night before
        stay(at(16, 9), None, "bed", "phone"),  # tomorrow's night
        stay(at(10, 19), at(15, 11), "bed", "mobile_team"),  # moved out during the day
    ]
    figures = night_figures(date(2025, 1, 15), KYIV, EIGHT, stays)
    assert figures == NightFigures(
        people=4,
        beds_used=2,
        mats_used=1,
        over_capacity=1,
        arrivals_by_source={"patrol": 1, "police": 1, "walk_in": 1},
    )


def test_a_crisis_resident_counts_every_night_they_sleep_there() -> None:
    resident = [stay(at(10, 19), at(13, 10))]
    counted = [night_figures(date(2025, 1, d), KYIV, EIGHT, resident).people for d in range(9, 15)]
    assert counted == [0, 1, 1, 1, 0, 0]


def test_a_night_closes_into_the_ledger() -> None:
    floor = night_shelter(now=NOW)  # opened on the night of 15 January
    site = floor.site
    assert site.next_night_to_close == date(2025, 1, 15)
    assert site.ledger_due_at == kyiv(2025, 1, 16, 8)
    figures = NightFigures(people=3, beds_used=2, mats_used=1, arrivals_by_source={"walk_in": 3})
    site.close_night(date(2025, 1, 15), figures, revision=0)
    assert site.next_night_to_close == date(2025, 1, 16)
    assert site.ledger_due_at == kyiv(2025, 1, 17, 8)
    [closed] = events_of(site.events, ev.NightClosed)
    assert (closed.night, closed.people, closed.mats_used, closed.revision) == (date(2025, 1, 15), 3, 1, 0)


def test_back_dated_check_in_reopens_a_closed_night() -> None:
    floor = night_shelter()
    site = floor.site
    site.close_night(date(2025, 1, 15), NightFigures(), revision=0)
    now = kyiv(2025, 1, 16, 10)
    check_in(floor, person(), now=now, started_at=kyiv(2025, 1, 15, 23))
    assert site.next_night_to_close == date(2025, 1, 15)
    assert site.ledger_due_at == kyiv(2025, 1, 16, 8)
    assert site.ledger_due_at <= now, "the clock closes (counts) that night again at once"


def test_a_late_record_for_tonight_reopens_nothing() -> None:
    floor = night_shelter()
    site = floor.site
    site.close_night(date(2025, 1, 15), NightFigures(), revision=0)
    check_in(floor, person(), now=kyiv(2025, 1, 16, 23), started_at=kyiv(2025, 1, 16, 20))
    assert site.next_night_to_close == date(2025, 1, 16)


def test_a_night_keeps_the_ids_of_the_people_it_counted_and_whether_they_arrived_that_night() -> None:
    stays = [
        StayInterval(at(15, 20), at(16, 8), "bed", "walk_in", person_id="p-arrived"),
        StayInterval(at(10, 19), None, "bed", "mobile_team", person_id="p-resident"),
        StayInterval(at(10, 19), None, "bed", "mobile_team"),  # came with the resident: anonymous
        StayInterval(at(14, 20), at(15, 8), "bed", "walk_in", person_id="p-last-night"),
    ]
    figures = night_figures(date(2025, 1, 15), KYIV, EIGHT, stays)
    assert figures.people == 3
    assert figures.named_people == {"p-arrived": True, "p-resident": False}
