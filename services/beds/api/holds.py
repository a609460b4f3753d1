"""Holds: a place kept for someone on the way."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from common.access_table import sends
from services.beds.api import urls
from services.beds.api.dependencies import Dispatch
from services.beds.api.schemas import HoldExtensionIn, HoldIn, needs_of
from services.beds.domain import commands as c
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import views


class HoldsController(Controller):
    tags = ["holds"]

    @post(
        urls.HOLDS,
        opt=sends(c.PlaceHold),
        status_code=201,
        summary="Hold places for a party on the way (409 when nothing fits)",
    )
    async def place(self, data: JSONBody[HoldIn], bus: NamedDependency[Dispatch]) -> Response[rm.HoldView]:
        command = c.PlaceHold(
            site_id=data.site_id,
            party=data.party.to_domain(),
            needs=needs_of(data.needs),
            eta_minutes=data.eta_minutes,
            referral_id=data.referral_id,
            source=data.source,
            person_id=data.person_id,
        )
        return await bus.write(command, views.hold, result_type=rm.HoldView)

    @get(urls.HOLD, opt=sends(c.GetHold), summary="One hold")
    async def show(self, hold_id: FromPath[str], bus: NamedDependency[Dispatch]) -> rm.HoldView:
        return await bus.read(c.GetHold(hold_id=hold_id), views.hold)

    @delete(
        urls.HOLD,
        opt=sends(c.CancelHold),
        status_code=200,
        summary="Cancel a hold; its places are free again",
    )
    async def cancel(self, hold_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[rm.HoldView]:
        return await bus.write(c.CancelHold(hold_id=hold_id), views.hold, result_type=rm.HoldView, status=200)

    @post(urls.HOLD_EXTENSION, opt=sends(c.ExtendHold), status_code=200, summary="Keep a hold longer")
    async def extend(
        self, hold_id: FromPath[str], data: JSONBody[HoldExtensionIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.HoldView]:
        command = c.ExtendHold(hold_id=hold_id, minutes=data.minutes)
        return await bus.write(command, views.hold, result_type=rm.HoldView, status=200)

    @post(
        urls.HOLD_CHECKIN,
        opt=sends(c.CheckInFromHold),
        status_code=201,
        summary="They arrived: the held places become stays",
    )
    async def check_in(self, hold_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[rm.CheckIn]:
        return await bus.write(c.CheckInFromHold(hold_id=hold_id), views.placed, result_type=rm.CheckIn)
