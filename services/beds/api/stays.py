"""Check-in at the door, check-out, stay extensions."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from common.auth import allow
from common.runtime import ServiceRuntime
from common.writes import Writes
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.api import urls
from services.beds.api.schemas import CheckinIn, StayExtensionIn, needs_of
from services.beds.domain.access import Actor
from services.beds.service_layer import booking
from services.beds.service_layer import read_models as rm

AT_THE_DOOR = [allow("shelter_staff", "crisis_team")]


class StaysController(Controller):
    tags = ["stays"]

    @post(
        urls.SITE_CHECKINS,
        guards=AT_THE_DOOR,
        status_code=201,
        summary="Check people in: a fitting bed, else a mat, else (night shelters) over capacity",
    )
    async def check_in(
        self,
        site_id: FromPath[str],
        data: JSONBody[CheckinIn],
        actor: NamedDependency[Actor],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.CheckIn]:
        party, needs = data.party.to_domain(), needs_of(data.needs)
        return await writes.run(
            lambda uow: booking.check_in(
                uow,
                actor,
                site_id,
                party,
                needs,
                started_at=data.started_at,
                source=data.source,
                referral_id=data.referral_id,
            ),
            result_type=rm.CheckIn,
        )

    @get(urls.STAY, summary="One stay")
    async def show(
        self,
        stay_id: FromPath[str],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[ServiceRuntime[BedsUnitOfWork]],
    ) -> rm.StayView:
        async with runtime.read() as uow:
            return await booking.get_stay(uow, actor, stay_id)

    @post(urls.STAY_CHECKOUT, guards=AT_THE_DOOR, status_code=200, summary="Check a person out")
    async def check_out(
        self,
        stay_id: FromPath[str],
        actor: NamedDependency[Actor],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.StayView]:
        return await writes.run(
            lambda uow: booking.check_out(uow, actor, stay_id), result_type=rm.StayView, status=200
        )

    @post(
        urls.STAY_EXTENSION,
        guards=[allow("supervisor")],
        status_code=200,
        summary="Extend a stay past its limit (supervisor, with a reason; audited)",
    )
    async def extend(
        self,
        stay_id: FromPath[str],
        data: JSONBody[StayExtensionIn],
        actor: NamedDependency[Actor],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.StayView]:
        return await writes.run(
            lambda uow: booking.extend_stay(uow, actor, stay_id, data.days, data.reason),
            result_type=rm.StayView,
            status=200,
        )
