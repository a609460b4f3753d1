"""The report figures' rules, without a database: who counts as served and as a distinct person,
how a referral ended, the middle of an even count, unmet demand's two parts, and the range
limits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.beds.domain.nights import NightCalendar, NightSpan, night_of
from services.beds.domain.reports import (
    CrisisTotals,
    LedgerTotals,
    PlacementWaits,
    ReferralTally,
    TurnawayNight,
    check_range,
    crisis_figures,
    crisis_sum,
    median,
    referral_figures,
    unmet_demand,
)

D0 = date(2026, 11, 23)


def test_a_resident_of_many_nights_is_served_once_and_each_site_brings_its_first_nights_people() -> None:
    # the refuge: one person there before the range, one arriving on its third night, staying on;
    # the shelter: two new people every one of four nights (its stays end each morning)
    totals = LedgerTotals(
        arrivals_by_source={"police": 1 + 2 * 4},
        first_nights_people=1 + 2,
        first_nights_arrivals=0 + 2,
    )
    assert totals.people_served == 2 + 8


def test_a_named_person_counts_once_however_often_they_came_and_anonymous_stays_once_each() -> None:
    # ten stays; four of them named two people (one came back three times)
    totals = LedgerTotals(arrivals_by_source={"walk_in": 10}, named_stays=4, named_people=2)
    assert (totals.people_served, totals.distinct_people) == (10, 6 + 2)
    assert LedgerTotals(arrivals_by_source={"walk_in": 3}).distinct_people == 3


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
    assert ReferralTally(placement, hold, False, 1).outcome == outcome


def test_referrals_are_tallied_by_outcome_and_time_to_placement_takes_the_middle_of_an_even_count() -> None:
    tallies = [
        ReferralTally("held", "fulfilled", False, 4),
        ReferralTally("held", "fulfilled", True, 1),
        ReferralTally("held", "expired", True, 2),
        ReferralTally("cancelled", None, False, 1),
    ]
    waits = PlacementWaits(placed=4, total_seconds=120 * 60, middle=(20 * 60, 30 * 60))
    figures = referral_figures(tallies, waits)
    assert (figures.made, figures.waited) == (8, 3)
    assert figures.by_outcome == {"placed": 5, "held": 0, "waitlisted": 0, "expired": 2, "cancelled": 1}
    assert (figures.time_to_placement.p50_minutes, figures.time_to_placement.average_minutes) == (25.0, 30.0)
    assert median([]) is None
    assert referral_figures([], PlacementWaits()).time_to_placement.p50_minutes is None


def test_unmet_demand_lists_every_night_with_unplaced_referrals_and_people_turned_away() -> None:
    by_night = [
        ReferralTally("expired", None, True, 2, night=D0),
        ReferralTally("held", "cancelled", False, 1, night=D0 + timedelta(days=2)),
        ReferralTally("held", "fulfilled", False, 5, night=D0 + timedelta(days=2)),
        ReferralTally("waitlisted", None, True, 1, night=D0 + timedelta(days=1)),
    ]
    away = [TurnawayNight(D0 + timedelta(days=2), 3), TurnawayNight(D0 + timedelta(days=3), 1)]
    demand = unmet_demand(by_night, away, D0, D0 + timedelta(days=3))
    assert [(n.night.day, n.referrals, n.turned_away, n.total) for n in demand.by_night] == [
        (23, 2, 0, 2),
        (24, 0, 0, 0),
        (25, 1, 3, 4),
        (26, 0, 1, 1),
    ]
    assert (demand.referrals, demand.turned_away, demand.total) == (3, 4, 7)


def test_crisis_stays_average_over_placements_and_rooms_of_two_clocks_add_up() -> None:
    day = 86400.0
    kyiv = CrisisTotals(3, 2, 1, stay_seconds=12 * day, longest_seconds=5 * day, extended=1, extension_days=3)
    lisbon = CrisisTotals(1, 1, 0, stay_seconds=2.5 * day, longest_seconds=2.5 * day)
    figures = crisis_figures(crisis_sum([kyiv, lisbon, CrisisTotals()]))
    assert (figures.placements, figures.parties, figures.still_staying) == (4, 3, 1)
    assert (figures.average_stay_days, figures.max_stay_days) == (3.6, 5.0)
    assert (figures.extended, figures.extension_days) == (1, 3)
    none = crisis_figures(CrisisTotals())
    assert (none.average_stay_days, none.max_stay_days) == (None, None)


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


def night_by_spans(spans: list[NightSpan], moment: datetime) -> date:
    return next(span for span in spans if moment < span.ends).night_of(moment)


@pytest.mark.parametrize(
    ("zone_name", "rollover", "spans_at_most"),
    [
        ("Europe/Kyiv", time(8, 0), 4),
        ("Europe/Kyiv", time(3, 30), 6),  # the rollover inside the hour the clocks repeat or skip
        ("UTC", time(8, 0), 1),
        ("Asia/Kolkata", time(7, 45), 1),  # a half-hour offset, no clock changes
        ("America/St_Johns", time(2, 30), 6),
    ],
)
def test_the_nights_spans_put_every_moment_in_the_night_night_of_does(
    zone_name: str, rollover: time, spans_at_most: int
) -> None:
    tz = ZoneInfo(zone_name)
    calendar = NightCalendar(date(2025, 12, 3), date(2026, 12, 2), tz, rollover)
    spans = calendar.spans()

    assert 1 <= len(spans) <= spans_at_most
    assert spans[-1].ends == calendar.ends
    moment = calendar.begins
    while moment < calendar.ends:
        assert night_by_spans(spans, moment) == night_of(moment, tz, rollover), moment
        moment += timedelta(minutes=23)
    for _, begins, ends in calendar.windows():  # the edges of every night, to the microsecond
        for edge in (begins, ends - timedelta(microseconds=1)):
            assert night_by_spans(spans, edge) == night_of(edge, tz, rollover), edge
