"""Sites, rooms and places (admin), the board, and cold weather."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from common.auth import allow
from common.runtime import ServiceRuntime
from common.writes import Writes
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.api import urls
from services.beds.api.schemas import ColdWeatherIn, RoomIn, RoomPatch, SiteIn, SitePatch, parse_clock
from services.beds.domain.access import Actor
from services.beds.domain.inventory import RoomSpec
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import sites
from services.beds.service_layer.views import list_sites

Runtime = ServiceRuntime[BedsUnitOfWork]
ADMIN = [allow("admin")]


def room_spec(room: RoomIn) -> RoomSpec:
    return RoomSpec(room.name, room.restriction, room.accessible, room.pets_allowed, room.beds)


class SitesController(Controller):
    tags = ["sites"]

    @post(urls.SITES, guards=ADMIN, status_code=201, summary="Open a site with its rooms, beds and mats")
    async def create(
        self, data: JSONBody[SiteIn], writes: NamedDependency[Writes[BedsUnitOfWork]]
    ) -> Response[rm.SiteView]:
        return await writes.run(
            lambda uow: sites.create_site(
                uow,
                name=data.name,
                kind=data.kind,
                lat=data.lat,
                lon=data.lon,
                address=data.address,
                rooms=[room_spec(r) for r in data.rooms],
                mats=data.mats,
                timezone=data.timezone,
                max_stay_days=data.max_stay_days,
                confidential=data.confidential,
                rollover=parse_clock(data.rollover),
                cold_weather_mats=data.cold_weather_mats,
            ),
            result_type=rm.SiteView,
        )

    @get(urls.SITES, summary="The sites you may see, with free beds and mats")
    async def index(
        self,
        actor: NamedDependency[Actor],
        runtime: NamedDependency[Runtime],
        include_retired: FromQuery[bool] = False,
    ) -> list[rm.SiteSummary]:
        async with runtime.read() as uow:
            return await list_sites(uow, actor, include_retired=include_retired and actor.role == "admin")

    @get(urls.SITE, summary="One site with its rooms")
    async def show(
        self, site_id: FromPath[str], actor: NamedDependency[Actor], runtime: NamedDependency[Runtime]
    ) -> rm.SiteView:
        async with runtime.read() as uow:
            view = await sites.get_site(uow, actor, site_id)
        if view.confidential:
            async with runtime.unit_of_work() as uow:
                await sites.audit_read(uow, actor, "site", site_id)
        return view

    @patch(urls.SITE, guards=ADMIN, summary="Edit a site (name, address, timezone, mats, ...)")
    async def edit(
        self,
        site_id: FromPath[str],
        data: JSONBody[SitePatch],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.SiteView]:
        return await writes.run(
            lambda uow: sites.update_site(uow, site_id, data.changes()), result_type=rm.SiteView, status=200
        )

    @post(urls.SITE_RETIRE, guards=ADMIN, status_code=200, summary="Retire a site (history is kept)")
    async def retire(
        self, site_id: FromPath[str], writes: NamedDependency[Writes[BedsUnitOfWork]]
    ) -> Response[rm.SiteView]:
        return await writes.run(
            lambda uow: sites.retire_site(uow, site_id), result_type=rm.SiteView, status=200
        )

    @get(urls.SITE_BOARD, summary="Tonight's board: beds, mats, over capacity, stays and holds")
    async def board(
        self, site_id: FromPath[str], actor: NamedDependency[Actor], runtime: NamedDependency[Runtime]
    ) -> rm.Board:
        async with runtime.read() as uow:
            board = await sites.get_board(uow, actor, site_id)
        if board.confidential:
            async with runtime.unit_of_work() as uow:
                await sites.audit_read(uow, actor, "board", site_id)
        return board

    @post(
        urls.SITE_COLD_WEATHER,
        guards=[allow("supervisor")],
        status_code=200,
        summary="Switch cold-weather mode on or off (mats rise to the emergency number)",
    )
    async def cold_weather(
        self,
        site_id: FromPath[str],
        data: JSONBody[ColdWeatherIn],
        actor: NamedDependency[Actor],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.SiteView]:
        return await writes.run(
            lambda uow: sites.switch_cold_weather(uow, actor, site_id, data.on, data.mats),
            result_type=rm.SiteView,
            status=200,
        )

    @post(urls.SITE_ROOMS, guards=ADMIN, status_code=201, summary="Add a room with its beds")
    async def add_room(
        self, site_id: FromPath[str], data: JSONBody[RoomIn], writes: NamedDependency[Writes[BedsUnitOfWork]]
    ) -> Response[rm.SiteView]:
        return await writes.run(
            lambda uow: sites.add_room(uow, site_id, room_spec(data)), result_type=rm.SiteView
        )


class RoomsController(Controller):
    tags = ["sites"]

    @patch(urls.ROOM, guards=ADMIN, summary="Edit a room; `beds` adds beds or retires free ones")
    async def edit(
        self,
        room_id: FromPath[str],
        data: JSONBody[RoomPatch],
        writes: NamedDependency[Writes[BedsUnitOfWork]],
    ) -> Response[rm.SiteView]:
        return await writes.run(
            lambda uow: sites.update_room(uow, room_id, data.changes()), result_type=rm.SiteView, status=200
        )

    @post(urls.ROOM_RETIRE, guards=ADMIN, status_code=200, summary="Retire a room and its beds")
    async def retire(
        self, room_id: FromPath[str], writes: NamedDependency[Writes[BedsUnitOfWork]]
    ) -> Response[rm.SiteView]:
        return await writes.run(
            lambda uow: sites.retire_room(uow, room_id), result_type=rm.SiteView, status=200
        )


class PlacesController(Controller):
    tags = ["sites"]

    @post(urls.PLACE_RETIRE, guards=ADMIN, status_code=200, summary="Retire one bed or mat")
    async def retire(
        self, place_id: FromPath[str], writes: NamedDependency[Writes[BedsUnitOfWork]]
    ) -> Response[rm.SiteView]:
        return await writes.run(
            lambda uow: sites.retire_place(uow, place_id), result_type=rm.SiteView, status=200
        )

    @delete(urls.PLACE, guards=ADMIN, status_code=200, summary="Delete a place that never took anybody")
    async def remove(
        self, place_id: FromPath[str], writes: NamedDependency[Writes[BedsUnitOfWork]]
    ) -> Response[rm.Done]:
        return await writes.run(
            lambda uow: sites.delete_place(uow, place_id), result_type=rm.Done, status=200
        )
