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
from common.runtime import ServiceRuntime
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
        youth: Annotated[bool, QueryParameter(description="every member is 16-24 and unaccompanied")] = False,
        dv: Annotated[bool, QueryParameter(description="fleeing violence: confidential sites only")] = False,
        kind: FromQuery[SiteKind | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
    ) -> list[rm.Availability]:
        party = Party(adults, children, gender or "other", youth)
        async with runtime.read() as uow:
            return await nearest(
                uow,
                lat=lat,
                lon=lon,
                party=party,
                needs=Needs(accessible=accessible, pet=pet, dv=dv),
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
        site_id: FromQuery[str | None] = None,
        start: Annotated[date | None, QueryParameter(name="from")] = None,
        end: Annotated[date | None, QueryParameter(name="to")] = None,
    ) -> list[rm.LedgerNight]:
        async with runtime.read() as uow:
            today = uow.clock.now().date()
            end = end or today
            start = start or end - timedelta(days=30)
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
