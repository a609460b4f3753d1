"""Sites, rooms and places (admin), the board, and cold weather. Each route builds a command or
a query and dispatches it; who may call it is the access table's business."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from common.access_table import sends
from common.pagination import MAX_PAGE, Limit, Offset
from services.beds.api import urls
from services.beds.api.dependencies import Dispatch
from services.beds.api.schemas import (
    ColdWeatherIn,
    OutOfServiceIn,
    RoomIn,
    RoomPatch,
    SiteIn,
    SitePatch,
    TurnawayIn,
    needs_of,
    parse_clock,
)
from services.beds.domain import commands as c
from services.beds.domain.inventory import RoomSpec
from services.beds.service_layer import read_models as rm
from services.beds.service_layer import views


def room_spec(room: RoomIn) -> RoomSpec:
    return RoomSpec(room.name, room.restriction, room.accessible, room.pets_allowed, room.beds)


class SitesController(Controller):
    tags = ["sites"]

    @post(
        urls.SITES,
        opt=sends(c.OpenSite),
        status_code=201,
        summary="Open a site with its rooms, beds and mats (admin)",
    )
    async def create(self, data: JSONBody[SiteIn], bus: NamedDependency[Dispatch]) -> Response[rm.SiteView]:
        command = c.OpenSite(
            name=data.name,
            kind=data.kind,
            lat=data.lat,
            lon=data.lon,
            address=data.address,
            rooms=tuple(room_spec(r) for r in data.rooms),
            mats=data.mats,
            timezone=data.timezone,
            max_stay_days=data.max_stay_days,
            confidential=data.confidential,
            rollover=parse_clock(data.rollover),
            cold_weather_mats=data.cold_weather_mats,
        )
        return await bus.write(command, views.site, result_type=rm.SiteView)

    @get(urls.SITES, opt=sends(c.ListSites), summary="The sites you may see, with free beds and mats (paged)")
    async def index(
        self,
        bus: NamedDependency[Dispatch],
        include_retired: FromQuery[bool] = False,
        limit: Limit = MAX_PAGE,
        offset: Offset = 0,
    ) -> list[rm.SiteSummary]:
        query = c.ListSites(include_retired=include_retired, limit=limit, offset=offset)
        return await bus.read(query, views.site_list)

    @get(
        urls.SITE,
        opt=sends(c.GetSite),
        summary="One site with its rooms (another site's staff: only what is public)",
    )
    async def show(self, site_id: FromPath[str], bus: NamedDependency[Dispatch]) -> rm.SiteView:
        return await bus.read(c.GetSite(site_id=site_id), views.site)

    @patch(
        urls.SITE, opt=sends(c.UpdateSite), summary="Edit a site (name, address, timezone, mats, ...; admin)"
    )
    async def edit(
        self, site_id: FromPath[str], data: JSONBody[SitePatch], bus: NamedDependency[Dispatch]
    ) -> Response[rm.SiteView]:
        command = c.UpdateSite(site_id=site_id, changes=data.changes())
        return await bus.write(command, views.site, result_type=rm.SiteView, status=200)

    @post(
        urls.SITE_RETIRE,
        opt=sends(c.RetireSite),
        status_code=200,
        summary="Retire a site (history is kept; admin)",
    )
    async def retire(self, site_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[rm.SiteView]:
        return await bus.write(c.RetireSite(site_id=site_id), views.site, result_type=rm.SiteView, status=200)

    @get(
        urls.SITE_BOARD,
        opt=sends(c.GetBoard),
        summary="Tonight's board: beds, mats, over capacity, stays and holds",
    )
    async def board(self, site_id: FromPath[str], bus: NamedDependency[Dispatch]) -> rm.Board:
        return await bus.read(c.GetBoard(site_id=site_id), views.board)

    @post(
        urls.SITE_COLD_WEATHER,
        opt=sends(c.SwitchColdWeather),
        status_code=200,
        summary="Switch cold-weather mode on or off (mats rise to the emergency number; supervisor)",
    )
    async def cold_weather(
        self, site_id: FromPath[str], data: JSONBody[ColdWeatherIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.SiteView]:
        command = c.SwitchColdWeather(site_id=site_id, on=data.on, mats=data.mats)
        return await bus.write(command, views.site, result_type=rm.SiteView, status=200)

    @post(
        urls.SITE_TURNAWAYS,
        opt=sends(c.RecordTurnaway),
        status_code=201,
        summary="Record someone this full site could not take (409 at a night shelter or while a place fits)",
    )
    async def turnaway(
        self, site_id: FromPath[str], data: JSONBody[TurnawayIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.TurnawayView]:
        command = c.RecordTurnaway(
            site_id=site_id, party=data.party.to_domain(), reason=data.reason, needs=needs_of(data.needs)
        )
        return await bus.write(command, views.turnaway, result_type=rm.TurnawayView)

    @post(urls.SITE_ROOMS, opt=sends(c.AddRoom), status_code=201, summary="Add a room with its beds (admin)")
    async def add_room(
        self, site_id: FromPath[str], data: JSONBody[RoomIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.SiteView]:
        command = c.AddRoom(site_id=site_id, room=room_spec(data))
        return await bus.write(command, views.site, result_type=rm.SiteView)


class RoomsController(Controller):
    tags = ["sites"]

    @patch(
        urls.ROOM,
        opt=sends(c.UpdateRoom),
        summary="Edit a room; `beds` adds beds or retires free ones (admin)",
    )
    async def edit(
        self, room_id: FromPath[str], data: JSONBody[RoomPatch], bus: NamedDependency[Dispatch]
    ) -> Response[rm.SiteView]:
        command = c.UpdateRoom(room_id=room_id, changes=data.changes())
        return await bus.write(command, views.site, result_type=rm.SiteView, status=200)

    @post(
        urls.ROOM_RETIRE,
        opt=sends(c.RetireRoom),
        status_code=200,
        summary="Retire a room and its beds (admin)",
    )
    async def retire(self, room_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[rm.SiteView]:
        return await bus.write(c.RetireRoom(room_id=room_id), views.site, result_type=rm.SiteView, status=200)


class PlacesController(Controller):
    tags = ["sites"]

    @post(
        urls.PLACE_RETIRE, opt=sends(c.RetirePlace), status_code=200, summary="Retire one bed or mat (admin)"
    )
    async def retire(self, place_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[rm.SiteView]:
        command = c.RetirePlace(place_id=place_id)
        return await bus.write(command, views.site, result_type=rm.SiteView, status=200)

    @delete(
        urls.PLACE,
        opt=sends(c.DeletePlace),
        status_code=200,
        summary="Delete a place that never took anybody (admin)",
    )
    async def remove(self, place_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[rm.Done]:
        return await bus.write(
            c.DeletePlace(place_id=place_id), views.deleted, result_type=rm.Done, status=200
        )

    @post(
        urls.PLACE_OUT_OF_SERVICE,
        opt=sends(c.TakeOutOfService),
        status_code=200,
        summary="Take a free bed or mat out of service (409 while someone is on it or it is held; staff)",
    )
    async def out_of_service(
        self, place_id: FromPath[str], data: JSONBody[OutOfServiceIn], bus: NamedDependency[Dispatch]
    ) -> Response[rm.PlaceView]:
        command = c.TakeOutOfService(place_id=place_id, reason=data.reason, until=data.until)
        return await bus.write(command, views.place, result_type=rm.PlaceView, status=200)

    @post(
        urls.PLACE_IN_SERVICE,
        opt=sends(c.PutBackInService),
        status_code=200,
        summary="Put a place back in service (staff)",
    )
    async def in_service(
        self, place_id: FromPath[str], bus: NamedDependency[Dispatch]
    ) -> Response[rm.PlaceView]:
        command = c.PutBackInService(place_id=place_id)
        return await bus.write(command, views.place, result_type=rm.PlaceView, status=200)
