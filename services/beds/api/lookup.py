"""Nearest free fitting places, and the nightly ledger."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromQuery, QueryParameter

from common.access_table import sends
from common.ids import UUID_PATTERN
from common.pagination import MAX_ROWS, Offset, RowLimit
from common.times import OutOfRange, day_or_time
from contracts.events.base import Gender, SiteKind
from services.beds.api import urls
from services.beds.api.dependencies import Dispatch
from services.beds.domain import commands as c
from services.beds.domain.party import MAX_ADULTS, MAX_CHILDREN, Needs, Party
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import views

MAX_LEDGER_DAYS = 366
DAY_OR_TIME = "a date (2026-11-23) or an RFC 3339 time with offset (the date it falls on)"


def query_day(name: str, value: str | None) -> date | None:
    """`from`/`to` parsed here, not by litestar, so that a refusal names the public parameter."""
    if value is None:
        return None
    try:
        return day_or_time(name, value)
    except OutOfRange as exc:
        raise ValidationException(
            f"{name}: {exc}", extra=[{"key": name, "message": str(exc), "source": "query"}]
        ) from exc


class AvailabilityController(Controller):
    tags = ["search"]

    @get(
        urls.AVAILABILITY,
        opt=sends(c.FindAvailability),
        summary="Nearest sites with a free place that fits the party, nearest first",
    )
    async def nearest(
        self,
        bus: NamedDependency[Dispatch],
        lat: Annotated[float, QueryParameter(ge=-90, le=90)],
        lon: Annotated[float, QueryParameter(ge=-180, le=180)],
        adults: Annotated[int, QueryParameter(ge=0, le=MAX_ADULTS)] = 1,
        children: Annotated[int, QueryParameter(ge=0, le=MAX_CHILDREN)] = 0,
        gender: Annotated[
            Gender | None, QueryParameter(description="without it only mixed rooms are offered")
        ] = None,
        accessible: FromQuery[bool] = False,
        pet: FromQuery[bool] = False,
        youth: Annotated[bool, QueryParameter(description="every member is 16-24 and unaccompanied")] = False,
        dv: Annotated[bool, QueryParameter(description="fleeing violence: confidential sites only")] = False,
        kind: FromQuery[SiteKind | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
    ) -> list[rm.Availability]:
        query = c.FindAvailability(
            lat=lat,
            lon=lon,
            party=Party(adults, children, gender or "other", youth),
            needs=Needs(accessible=accessible, pet=pet, dv=dv),
            kind=kind,
            limit=limit,
        )
        return await bus.read(query, views.offers)


class UnmetDemandController(Controller):
    tags = ["reports"]

    @get(
        urls.UNMET_DEMAND,
        opt=sends(c.CountUnmetDemand),
        summary="Unmet demand over nights: turn-aways at full sites and holds nobody came for (supervisor)",
    )
    async def figures(
        self,
        bus: NamedDependency[Dispatch],
        site_id: Annotated[str | None, QueryParameter(pattern=UUID_PATTERN, description="a UUID")] = None,
        start_text: Annotated[str | None, QueryParameter(name="from", description=DAY_OR_TIME)] = None,
        end_text: Annotated[str | None, QueryParameter(name="to", description=DAY_OR_TIME)] = None,
    ) -> rm.UnmetDemandView:
        start, end = night_span(bus, start_text, end_text)
        return await bus.read(c.CountUnmetDemand(site_id=site_id, start=start, end=end), views.unmet_demand)


def night_span(bus: Dispatch, start_text: str | None, end_text: str | None) -> tuple[date, date]:
    """`from`..`to` (default: the last 30 nights), at most a year."""
    given_start, given_end = query_day("from", start_text), query_day("to", end_text)
    end = given_end or bus.today()
    start = given_start or end - timedelta(days=30)
    if start > end:
        raise ValidationException("`from` must not be after `to`.")
    if (end - start).days > MAX_LEDGER_DAYS:
        raise ValidationException(f"Ask for at most {MAX_LEDGER_DAYS} nights at a time.")
    return start, end


class LedgerController(Controller):
    tags = ["reports"]

    @get(
        urls.LEDGER,
        opt=sends(c.GetLedger),
        summary="The nightly ledger: people, beds used, mats used, over capacity, arrivals by source",
    )
    async def nights(
        self,
        bus: NamedDependency[Dispatch],
        site_id: Annotated[str | None, QueryParameter(pattern=UUID_PATTERN, description="a UUID")] = None,
        start_text: Annotated[str | None, QueryParameter(name="from", description=DAY_OR_TIME)] = None,
        end_text: Annotated[str | None, QueryParameter(name="to", description=DAY_OR_TIME)] = None,
        limit: RowLimit = MAX_ROWS,
        offset: Offset = 0,
    ) -> list[rm.LedgerNight]:
        start, end = night_span(bus, start_text, end_text)
        query = c.GetLedger(site_id=site_id, start=start, end=end, limit=limit, offset=offset)
        return await bus.read(query, views.ledger)
