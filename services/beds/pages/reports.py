"""`/reports`: a supervisor's figures over a span of nights, with bar charts drawn on the server
(inline SVG: no script, no chart library, nothing from outside) — occupancy per night, mats and
over capacity, crisis stays, arrivals by source, unmet demand — and the ledger as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import ValidationException

from services.beds.api.lookup import MAX_LEDGER_DAYS, query_day
from services.beds.pages import urls
from services.beds.pages.figures import Figures, figures, ledger_csv
from services.beds.pages.frame import Pages, actor, render, signed_in, with_security_headers

DEFAULT_DAYS = 30
# The charts' drawing area, in the SVG's own units (the viewBox is scaled to the screen's width).
LEFT, RIGHT, TOP, BASELINE = 28.0, 316.0, 12.0, 112.0


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int | float
    label: str  # a night's date, or a category the template translates
    series: str  # the CSS class of its series (its colour), and its name in the legend


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    top: int | float  # the value at the top of the drawing area
    series: tuple[str, ...]
    first: str = ""  # the first and last labels under the axis (nights), when there are many
    last: str = ""

    @property
    def empty(self) -> bool:
        return not self.bars or not any(bar.value for bar in self.bars)


def chart(groups: list[tuple[str, list[int | float]]], series: tuple[str, ...], *, dated: bool) -> Chart:
    """Bars side by side within each group (a night or a category), one per series, scaled to the
    largest value; every bar keeps its value and label for its tooltip and the table below."""
    top = max((v for _, values in groups for v in values), default=0) or 1
    step = (RIGHT - LEFT) / max(1, len(groups))
    width = max(0.5, (step - 1) / max(1, len(series)))
    bars = []
    for i, (label, values) in enumerate(groups):
        for j, value in enumerate(values):
            height = (BASELINE - TOP) * value / top
            bars.append(
                Bar(LEFT + i * step + j * width, BASELINE - height, width, height, value, label, series[j])
            )
    first, last = (groups[0][0], groups[-1][0]) if dated and groups else ("", "")
    return Chart(bars, top, series, first, last)


def charts_of(found: Figures) -> dict[str, Chart]:
    nights = found.nights
    crisis = found.summary.crisis
    unmet = found.summary.unmet_demand.by_night
    return {
        "occupancy": chart([(n.night.isoformat(), [n.people]) for n in nights], ("people",), dated=True),
        "mats_over": chart(
            [(n.night.isoformat(), [n.mats_used, n.over_capacity]) for n in nights],
            ("mats", "over"),
            dated=True,
        ),
        "crisis": chart(
            [
                ("placements", [crisis.placements]),
                ("parties", [crisis.parties]),
                ("still_staying", [crisis.still_staying]),
                ("extended", [crisis.extended]),
            ],
            ("crisis",),
            dated=False,
        ),
        "sources": chart(
            [(source, [count]) for source, count in found.arrivals_by_source.items()],
            ("people",),
            dated=False,
        ),
        "unmet": chart([(n.night.isoformat(), [n.referrals]) for n in unmet], ("unmet",), dated=True),
    }


def span(request: Request[Any, Any, Any], today: date) -> tuple[date, date]:
    start = query_day("from", request.query_params.get("from") or None)
    end = query_day("to", request.query_params.get("to") or None) or today
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if start > end or (end - start).days > MAX_LEDGER_DAYS:
        raise ValidationException(f"from/to: at most {MAX_LEDGER_DAYS} days, from before to")
    return start, end


async def _figures(request: Request[Any, Any, Any]) -> tuple[Any, Figures]:
    pages: Pages = request.app.state.pages
    principal = signed_in(request, pages)
    start, end = span(request, pages.clock.now().date())
    return principal, await figures(pages.bus, actor(principal), start, end)


class ReportPages(Controller):
    include_in_schema = False

    @get(urls.REPORTS)
    async def reports(self, request: Request[Any, Any, Any]) -> Response[Any]:
        pages: Pages = request.app.state.pages
        principal, found = await _figures(request)
        return render(request, pages, "reports.html", user=principal, figures=found, charts=charts_of(found))

    @get(urls.REPORTS_CSV)
    async def csv(self, request: Request[Any, Any, Any]) -> Response[str]:
        _, found = await _figures(request)
        name = f"ledger-{found.start.isoformat()}-{found.end.isoformat()}.csv"
        return with_security_headers(
            Response(
                ledger_csv(found),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        )
