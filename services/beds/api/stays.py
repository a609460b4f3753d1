"""Check-in at the door, check-out, stay extensions."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from common.access_table import sends
from services.beds.api import urls
from services.beds.api.dependencies import Dispatch
from services.beds.api.schemas import CheckinIn, MoveIn, PresenceIn, ScanIn, StayExtensionIn, needs_of
from services.beds.domain import commands as c
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import views


class StaysController(Controller):
    tags = ["stays"]

    @post(
        urls.SITE_CHECKINS,
        opt=sends(c.CheckIn),
        status_code=201,
        summary="Check people in: a fitting bed, else a mat, else (night shelters) over capacity",
    )
    async def check_in(
        self, site_id: FromPath[str], data: JSONBody[CheckinIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.CheckIn]:
        command = c.CheckIn(
            site_id=site_id,
            party=data.party.to_domain(),
            needs=needs_of(data.needs),
            started_at=data.started_at,
            source=data.source,
            referral_id=data.referral_id,
            person_id=data.person_id,
        )
        return await bus.write(command, views.placed, result_type=rm.CheckIn)

    @get(urls.STAY, opt=sends(c.GetStay), summary="One stay")
    async def show(self, stay_id: FromPath[str], bus: NamedDependency[Dispatch]) -> rm.StayView:
        return await bus.read(c.GetStay(stay_id=stay_id), views.stay)

    @post(urls.STAY_CHECKOUT, opt=sends(c.CheckOut), status_code=200, summary="Check a person out")
    async def check_out(
        self, stay_id: FromPath[str], bus: NamedDependency[Dispatch]
    ) -> Response[rm.StayView]:
        return await bus.write(c.CheckOut(stay_id=stay_id), views.stay, result_type=rm.StayView, status=200)

    @post(
        urls.STAY_EXTENSION,
        opt=sends(c.ExtendStay),
        status_code=200,
        summary="Extend a stay past its limit, with every open stay of its group (supervisor; audited)",
    )
    async def extend(
        self, stay_id: FromPath[str], data: JSONBody[StayExtensionIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.ExtendedStay]:
        command = c.ExtendStay(stay_id=stay_id, days=data.days, reason=data.reason)
        return await bus.write(command, views.extended_stay, result_type=rm.ExtendedStay, status=200)

    @post(
        urls.STAY_MOVE,
        opt=sends(c.MoveStay),
        status_code=200,
        summary="Move a stay to another place on its site (start and limit kept; a family moves together)",
    )
    async def move(
        self, stay_id: FromPath[str], data: JSONBody[MoveIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.CheckIn]:
        command = c.MoveStay(stay_id=stay_id, place_id=data.place_id)
        return await bus.write(command, views.placed, result_type=rm.CheckIn, status=200)

    @post(
        urls.SITE_PRESENCE,
        opt=sends(c.ConfirmPresence),
        status_code=200,
        summary="A roll call: confirm who is here, so that no stay ends as left without check-out",
    )
    async def presence(
        self, site_id: FromPath[str], data: JSONBody[PresenceIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.CheckIn]:
        command = c.ConfirmPresence(site_id=site_id, stay_ids=tuple(data.stay_ids))
        return await bus.write(command, views.placed, result_type=rm.CheckIn, status=200)

    @post(
        urls.SITE_SCANS,
        opt=sends(c.ScanCard),
        status_code=201,
        summary="Scan an express check-in card: their hold here becomes a stay, or the party is checked in",
    )
    async def scan(
        self, site_id: FromPath[str], data: JSONBody[ScanIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.CheckIn]:
        command = c.ScanCard(
            site_id=site_id,
            token=data.token,
            party=data.party.to_domain() if data.party else None,
            needs=needs_of(data.needs),
        )
        return await bus.write(command, views.placed, result_type=rm.CheckIn)
