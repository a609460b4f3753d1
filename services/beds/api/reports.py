"""Reports for supervisors (the summary, the bed-nights export) and open data for anyone."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta
from typing import Annotated, Any, get_args

from litestar import Controller, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import QueryParameter
from litestar.response import Stream

from common.ids import UUID_PATTERN
from common.openapi import PROBLEMS
from contracts.events.base import Source
from services.beds.api import urls
from services.beds.api.dependencies import Dispatch, OpenData
from services.beds.api.lookup import DAY_OR_TIME, query_day
from services.beds.domain import commands as c
from services.beds.domain.reports import MAX_REPORT_NIGHTS, LedgerNight, ReportSummary, check_range
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import views

CSV_SITES = 10  # sites per page: each page is at most 10 x 366 rows
Page = tuple[list[LedgerNight], str | None]
SOURCES: tuple[str, ...] = get_args(Source)
CSV_COLUMNS = (
    "night",
    "site_id",
    "site_kind",
    "people",
    "bed_nights",
    "mat_nights",
    "over_capacity",
    *(f"arrivals_{source}" for source in SOURCES),
)
RANGE = f"at most {MAX_REPORT_NIGHTS} nights; `from` not after `to`"


def report_range(start_text: str | None, end_text: str | None, today: date) -> tuple[date, date]:
    """Defaults: the last 30 nights up to last night (tonight is not closed yet)."""
    given_start, given_end = query_day("from", start_text), query_day("to", end_text)
    end = given_end or today - timedelta(days=1)
    start = given_start or end - timedelta(days=29)
    try:
        check_range(start, end)
    except ValueError as exc:
        raise ValidationException(
            str(exc), extra=[{"key": "from", "message": str(exc), "source": "query"}]
        ) from exc
    return start, end


def _as_is(found: Any) -> Any:
    return found


def csv_text(rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def csv_row(night: LedgerNight) -> list[object]:
    return [
        night.night.isoformat(),
        night.site_id,
        night.site_kind,
        night.people,
        night.beds_used,
        night.mats_used,
        night.over_capacity,
        *(night.arrivals_by_source.get(source, 0) for source in SOURCES),
    ]


class ReportsController(Controller):
    tags = ["reports"]

    @get(urls.REPORT_SUMMARY, summary="The figures a centre publishes, for a range of nights")
    async def summary(
        self,
        bus: NamedDependency[Dispatch],
        site_id: Annotated[str | None, QueryParameter(pattern=UUID_PATTERN, description="a UUID")] = None,
        start_text: Annotated[
            str | None, QueryParameter(name="from", description=f"{DAY_OR_TIME}; {RANGE}")
        ] = None,
        end_text: Annotated[str | None, QueryParameter(name="to", description=DAY_OR_TIME)] = None,
    ) -> ReportSummary:
        start, end = report_range(start_text, end_text, bus.today())
        return await bus.read(c.GetReportSummary(start=start, end=end, site_id=site_id), views.report)

    @get(
        urls.REPORT_BED_NIGHTS,
        summary="One CSV row per site and night (HUD-style bed nights), streamed as a download",
        media_type="text/csv",
        response_description=f"A header row, then one row per site and night: {', '.join(CSV_COLUMNS)}",
    )
    async def bed_nights(
        self,
        bus: NamedDependency[Dispatch],
        start_text: Annotated[
            str | None, QueryParameter(name="from", description=f"{DAY_OR_TIME}; {RANGE}")
        ] = None,
        end_text: Annotated[str | None, QueryParameter(name="to", description=DAY_OR_TIME)] = None,
    ) -> Stream:
        start, end = report_range(start_text, end_text, bus.today())
        # The first page is read before the answer starts: a refusal is still a clean problem.
        first: Page = await bus.read(c.GetBedNights(start=start, end=end, sites_per_page=CSV_SITES), _as_is)

        async def pages() -> AsyncIterator[str]:
            yield csv_text([CSV_COLUMNS])
            nights, last_site = first
            while last_site is not None:
                if nights:
                    yield csv_text([csv_row(night) for night in nights])
                query = c.GetBedNights(start=start, end=end, after_site=last_site, sites_per_page=CSV_SITES)
                nights, last_site = await bus.read(query, _as_is)

        return Stream(
            pages(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="bed-nights-{start}-{end}.csv"'},
        )


class OpenDataController(Controller):
    tags = ["open data"]

    @get(
        urls.OPEN_DATA_CAPACITY,
        summary="Open data: non-confidential sites' capacity and tonight's free places (HSDS-like)",
        opt={PROBLEMS: (429,)},
    )
    async def capacity(self, open_data: NamedDependency[OpenData]) -> rm.OpenCapacity:
        return await open_data.read(c.GetOpenCapacity(), views.open_capacity)


def open_data_router(per_minute: int) -> Router:
    """Open data needs no token, so it is rate-limited per client address (litestar's limiter)."""
    limit = RateLimitConfig(rate_limit=("minute", per_minute))
    return Router(path="/", route_handlers=[OpenDataController], middleware=[limit.middleware])
