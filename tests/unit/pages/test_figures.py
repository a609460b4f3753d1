"""The reports page reads the summary through the fields it draws: what the summary adds later
is ignored, not an error; and the charts scale their bars to the largest value."""

from __future__ import annotations

from datetime import date

from services.beds.pages.figures import summary_figures
from services.beds.pages.reports import BASELINE, TOP, chart


def test_the_summary_is_read_through_its_existing_fields_and_tolerates_added_ones() -> None:
    public = {
        "from": "2026-11-01",
        "to": "2026-11-02",
        "people": {"served": 5, "person_nights": 9, "peak_people": 4, "peak_night": "2026-11-01"},
        "bed_nights": 7,
        "mat_nights": 2,
        "over_capacity": {"nights": 1, "person_nights": 1, "peak": 1, "peak_night": None},
        "arrivals_by_source": {"patrol": 3, "walk_in": 2},
        "crisis": {"placements": 2, "parties": 1, "still_staying": 2, "extended": 0, "future": 1},
        "unmet_demand": {
            "total": 3,
            "turnaways": 4,  # a figure the page does not draw yet
            "by_night": [{"night": "2026-11-01", "referrals": 3, "turnaways": 4}],
        },
        "something_new": {"nested": [1, 2]},
    }
    read = summary_figures(public)
    assert (read.people.served, read.bed_nights, read.over_capacity.nights) == (5, 7, 1)
    assert read.crisis.placements == 2 and read.arrivals_by_source == {"patrol": 3, "walk_in": 2}
    assert read.unmet_demand.total == 3
    assert [(n.night, n.referrals) for n in read.unmet_demand.by_night] == [(date(2026, 11, 1), 3)]


def test_a_chart_scales_every_bar_to_the_largest_value_side_by_side_per_series() -> None:
    drawn = chart([("2026-11-01", [2, 0]), ("2026-11-02", [4, 1])], ("mats", "over"), dated=True)
    assert drawn.top == 4 and (drawn.first, drawn.last) == ("2026-11-01", "2026-11-02")
    heights = {(bar.label, bar.series): bar.height for bar in drawn.bars}
    assert heights[("2026-11-02", "mats")] == BASELINE - TOP
    assert heights[("2026-11-01", "mats")] == (BASELINE - TOP) / 2
    assert heights[("2026-11-01", "over")] == 0
    mats, over = (bar for bar in drawn.bars if bar.label == "2026-11-01")
    assert over.x == mats.x + mats.width  # side by side, not on top of each other
    assert all(bar.y + bar.height == BASELINE for bar in drawn.bars)


def test_a_chart_with_nothing_to_show_says_so() -> None:
    assert chart([("2026-11-01", [0])], ("unmet",), dated=True).empty
    assert chart([], ("people",), dated=False).empty
