"""Nearest free fitting places, and the nightly ledger."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromQuery, QueryParameter

from common.auth import allow
from common.errors import NotFound
from common.ids import UUID_PATTERN
from common.runtime import ServiceRuntime
from common.times import OutOfRange, day_or_time
from contracts.events.base import Gender, SiteKind
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.api import urls
from services.beds.domain.access import Actor, require_overseer_or_staff
from services.beds.domain.party import MAX_ADULTS, MAX_CHILDREN, Needs, Party
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import views
from services.beds.service_layer.nearest import nearest

Runtime = ServiceRuntime[BedsUnitOfWork]
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

    @get(urls.AVAILABILITY, summary="Nearest sites with a free place that fits the party, nearest first")
    async def nearest(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        lat: Annotated[float, QueryParameter(ge=-90, le=90)],
        lon: Annotated[float, QueryParameter(ge=-180, le=180)],
        adults: Annotated[int, QueryParameter(ge=0, le=MAX_ADULTS)] = 1,
        children: Annotated[int, QueryParameter(ge=0, le=MAX_CHILDREN)] = 0,
        gender: Annotated[
            Gender | None, QueryParameter(description="without it only mixed rooms are offered")
        ] = None,
        accessible: FromQuery[bool] = False,
        pet: FromQuery[bool] = False,
        kind: FromQuery[SiteKind | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
    ) -> list[rm.Availability]:
        party = Party(adults, children, gender or "other")
        async with runtime.read() as uow:
            return await nearest(
                uow,
                lat=lat,
                lon=lon,
                party=party,
                needs=Needs(accessible=accessible, pet=pet),
                kind=kind,
                include_confidential=actor.role == "crisis_team",
                limit=limit,
            )


class LedgerController(Controller):
    tags = ["reports"]

    @get(
        urls.LEDGER,
        guards=[allow("shelter_staff", "supervisor")],
        summary="The nightly ledger: people, beds used, mats used, over capacity, arrivals by source",
    )
    async def nights(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        site_id: Annotated[str | None, QueryParameter(pattern=UUID_PATTERN, description="a UUID")] = None,
        start_text: Annotated[str | None, QueryParameter(name="from", description=DAY_OR_TIME)] = None,
        end_text: Annotated[str | None, QueryParameter(name="to", description=DAY_OR_TIME)] = None,
    ) -> list[rm.LedgerNight]:
        given_start, given_end = query_day("from", start_text), query_day("to", end_text)
        async with runtime.read() as uow:
            end = given_end or uow.clock.now().date()
            start = given_start or end - timedelta(days=30)
            if start > end:
                raise ValidationException("`from` must not be after `to`.")
            if (end - start).days > MAX_LEDGER_DAYS:
                raise ValidationException(f"Ask for at most {MAX_LEDGER_DAYS} nights at a time.")
            if site_id is not None:
                site = await uow.sites.get(site_id)
                if site is None:
                    raise NotFound("There is no site with this id.", code="site-not-found")
                require_overseer_or_staff(actor, site)
                site_ids = [site_id]
            elif actor.role in ("supervisor", "admin"):
                site_ids = await uow.sites.active_site_ids()
            else:
                site_ids = sorted(actor.site_ids)
            return await views.ledger(uow, site_ids, start, end)
