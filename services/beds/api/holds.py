"""Holds: a place kept for someone on the way."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from common.auth import allow
from common.runtime import ServiceRuntime
from common.writes import Writes
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.api import urls
from services.beds.api.schemas import HoldExtensionIn, HoldIn, needs_of
from services.beds.domain.access import Actor
from services.beds.service_layer import booking
from services.beds.service_layer import read_models as rm

HOLDERS = [allow("patrol", "crisis_team", "shelter_staff", "supervisor")]


class HoldsController(Controller):
    tags = ["holds"]

    @post(
        urls.HOLDS,
        guards=[allow("patrol", "crisis_team", "shelter_staff")],
        status_code=201,
        summary="Hold places for a party on the way (409 when nothing fits)",
    )
    async def place(
        self,
        data: JSONBody[HoldIn],
        actor: NamedDependency[Actor],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.HoldView]:
        party, needs = data.party.to_domain(), needs_of(data.needs)
        return await writes.run(
            lambda uow: booking.place_hold(
                uow,
                actor,
                data.site_id,
                party,
                needs,
                eta_minutes=data.eta_minutes,
                referral_id=data.referral_id,
                source=data.source,
            ),
            result_type=rm.HoldView,
        )

    @get(urls.HOLD, guards=HOLDERS, summary="One hold")
    async def show(
        self,
        hold_id: FromPath[str],
        actor: NamedDependency[Actor],
        runtime: NamedDependency[ServiceRuntime[BedsUnitOfWork]],
    ) -> rm.HoldView:
        async with runtime.read() as uow:
            return await booking.get_hold(uow, actor, hold_id)

    @delete(urls.HOLD, guards=HOLDERS, status_code=200, summary="Cancel a hold; its places are free again")
    async def cancel(
        self,
        hold_id: FromPath[str],
        actor: NamedDependency[Actor],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.HoldView]:
        return await writes.run(
            lambda uow: booking.cancel_hold(uow, actor, hold_id), result_type=rm.HoldView, status=200
        )

    @post(urls.HOLD_EXTENSION, guards=HOLDERS, status_code=200, summary="Keep a hold longer")
    async def extend(
        self,
        hold_id: FromPath[str],
        data: JSONBody[HoldExtensionIn],
        actor: NamedDependency[Actor],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.HoldView]:
        return await writes.run(
            lambda uow: booking.extend_hold(uow, actor, hold_id, data.minutes),
            result_type=rm.HoldView,
            status=200,
        )

    @post(
        urls.HOLD_CHECKIN,
        guards=[allow("shelter_staff", "crisis_team")],
        status_code=201,
        summary="They arrived: the held places become stays",
    )
    async def check_in(
        self,
        hold_id: FromPath[str],
        actor: NamedDependency[Actor],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.CheckIn]:
        return await writes.run(
            lambda uow: booking.check_in_from_hold(uow, actor, hold_id), result_type=rm.CheckIn
        )
