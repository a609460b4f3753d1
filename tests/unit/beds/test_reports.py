"""The report figures' rules, without a database: who counts as served, how a referral ended,
the middle of an even count, a past range that never changes, and the range limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.beds.domain.nights import NightCalendar, night_of
from services.beds.domain.reports import (
    CrisisStay,
    LedgerTotals,
    ReferralRecord,
    check_range,
    crisis_figures,
    median,
    referral_figures,
    unmet_demand,
)

D0 = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def test_a_resident_of_many_nights_is_served_once_and_each_site_brings_its_first_nights_people() -> None:
    # the refuge: one person there before the range, one arriving on its third night, staying on;
    # the shelter: two new people every one of four nights (its stays end each morning)
    totals = LedgerTotals(
        arrivals_by_source={"police": 1 + 2 * 4},
        first_nights_people=1 + 2,
        first_nights_arrivals=0 + 2,
    )
    assert totals.people_served == 2 + 8


@pytest.mark.parametrize(
    ("placement", "hold", "outcome"),
    [
        ("held", "fulfilled", "placed"),
        ("offered", "fulfilled", "placed"),
        ("held", "active", "held"),
        ("offered", "active", "held"),
        ("held", "expired", "expired"),
        ("expired", None, "expired"),
        ("held", "cancelled", "cancelled"),
        ("cancelled", "cancelled", "cancelled"),
        ("cancelled", None, "cancelled"),
        ("waitlisted", None, "waitlisted"),
    ],
)
def test_a_referral_ends_as_its_hold_or_its_wait_ended(
    placement: str, hold: str | None, outcome: str
) -> None:
    assert ReferralRecord(D0, placement, False, T0, hold).outcome == outcome


def test_time_to_placement_counts_placed_referrals_only_and_the_middle_of_an_even_count() -> None:
    referrals = [
        ReferralRecord(D0, "held", False, T0, "fulfilled", T0 + timedelta(minutes=m))
        for m in (10, 20, 60, 30)
    ]
    referrals.append(ReferralRecord(D0, "held", True, T0, "expired"))
    figures = referral_figures(referrals)
    assert (figures.made, figures.waited, figures.by_outcome["placed"], figures.by_outcome["expired"]) == (
        5,
        1,
        4,
        1,
    )
    assert (figures.time_to_placement.p50_minutes, figures.time_to_placement.average_minutes) == (25.0, 30.0)
    assert median([]) is None
    assert referral_figures([]).time_to_placement.p50_minutes is None


def test_unmet_demand_lists_every_night_and_counts_only_referrals_that_ended_without_a_place() -> None:
    referrals = [
        ReferralRecord(D0, "expired", True, T0),
        ReferralRecord(D0 + timedelta(days=2), "held", False, T0, "cancelled"),
        ReferralRecord(D0 + timedelta(days=2), "held", False, T0, "fulfilled"),
        ReferralRecord(D0 + timedelta(days=1), "waitlisted", True, T0),
    ]
    demand = unmet_demand(referrals, D0, D0 + timedelta(days=3))
    assert [(n.night.day, n.referrals) for n in demand.by_night] == [(23, 1), (24, 0), (25, 1), (26, 0)]
    assert demand.total == 2


def test_a_stay_is_measured_to_the_ranges_last_morning_so_a_past_range_never_changes() -> None:
    range_end = T0 + timedelta(days=5)
    stays = [
        CrisisStay("g1", T0, T0 + timedelta(days=2), 0, range_end),  # left inside the range
        CrisisStay("g2", T0, None, 3, range_end),  # still there
        CrisisStay("g2", T0, T0 + timedelta(days=9), 3, range_end),  # left after the range
    ]
    for now in (T0 + timedelta(days=6), T0 + timedelta(days=60)):
        figures = crisis_figures(stays, now)
        assert (figures.placements, figures.parties, figures.still_staying) == (3, 2, 2)
        assert (figures.average_stay_days, figures.max_stay_days) == (4.0, 5.0)
        assert (figures.extended, figures.extension_days) == (2, 6)
    before_the_end = crisis_figures(stays, T0 + timedelta(days=1))
    assert (before_the_end.max_stay_days, before_the_end.still_staying) == (1.0, 3)


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        (date(2026, 12, 2), date(2026, 12, 1), "after"),
        (date(2025, 11, 29), date(2026, 11, 30), "at most 366"),
    ],
)
def test_a_range_runs_forwards_for_at_most_366_nights(start: date, end: date, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        check_range(start, end)
    check_range(date(2025, 12, 1), date(2026, 12, 1))
    check_range(end, end)


def test_the_night_calendar_puts_every_moment_in_the_night_night_of_does_across_clock_changes() -> None:
    kyiv, eight = ZoneInfo("Europe/Kyiv"), time(8, 0)
    first, last = date(2026, 3, 25), date(2026, 11, 3)  # both clock changes of 2026
    calendar = NightCalendar(first, last, kyiv, eight)
    moment = calendar.begins
    while moment < calendar.ends:
        assert calendar.night_of(moment) == night_of(moment, kyiv, eight), moment
        moment += timedelta(minutes=97)
    assert calendar.night_of(calendar.begins - timedelta(seconds=1)) is None
    assert calendar.night_of(calendar.ends) is None
