"""`/reports`: a supervisor's figures over a span of nights, with bar charts drawn on the server
(SVG, no script) and the ledger as CSV."""

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
CHART_HEIGHT = 100


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    height: float
    value: int
    label: str


def bars(values: list[tuple[str, int]], top: int, width: float = 300.0) -> list[Bar]:
    step = width / max(1, len(values))
    scale = CHART_HEIGHT / max(1, top)
    return [Bar(i * step, max(1.0, step - 1), v * scale, v, label) for i, (label, v) in enumerate(values)]


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
        top = found.busiest
        charts = {
            "people": bars([(n.night.isoformat(), n.people) for n in found.nights], top),
            "mats": bars([(n.night.isoformat(), n.mats_used) for n in found.nights], top),
            "over": bars([(n.night.isoformat(), n.over_capacity) for n in found.nights], top),
        }
        sources = found.arrivals_by_source
        charts["sources"] = bars(list(sources.items()), max(sources.values(), default=0))
        return render(request, pages, "reports.html", user=principal, figures=found, charts=charts)

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
