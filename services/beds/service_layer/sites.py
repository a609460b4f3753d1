"""Handlers of the inventory's commands: sites, rooms, places, mats, cold weather. Each loads the
site floor (locked), lets the aggregate change itself, and answers the floor as it is now."""

from __future__ import annotations

from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import commands as c
from services.beds.domain.access import Actor, absent, verdict
from services.beds.domain.floor import SiteFloor
from services.beds.domain.sites import Place, Room
from services.beds.service_layer.results import Deleted, PlaceState, SiteState


async def _floor(uow: BedsUnitOfWork, command: object, actor: Actor, site_id: str | None) -> SiteFloor:
    floor = await uow.sites.floor(site_id) if site_id is not None else None
    if floor is None:
        raise absent(command)
    verdict(command, actor, floor.site)
    return floor


async def open_site(command: c.OpenSite, actor: Actor, uow: BedsUnitOfWork) -> SiteState:
    now = uow.clock.now()
    floor = SiteFloor.open(
        name=command.name,
        kind=command.kind,
        lat=command.lat,
        lon=command.lon,
        address=command.address,
        now=now,
        rooms=command.rooms,
        mats=command.mats,
        timezone=command.timezone,
        max_stay_days=command.max_stay_days,
        confidential=command.confidential,
        rollover=command.rollover,
        cold_weather_mats=command.cold_weather_mats,
        site_id=command.site_id,
    )
    uow.sites.add(floor)
    return SiteState(floor, now)


async def update_site(command: c.UpdateSite, actor: Actor, uow: BedsUnitOfWork) -> SiteState:
    floor = await _floor(uow, command, actor, command.site_id)
    now = uow.clock.now()
    floor.update_site(now, **command.changes)
    return SiteState(floor, now)


async def retire_site(command: c.RetireSite, actor: Actor, uow: BedsUnitOfWork) -> SiteState:
    floor = await _floor(uow, command, actor, command.site_id)
    now = uow.clock.now()
    floor.retire_site(now)
    return SiteState(floor, now)


async def add_room(command: c.AddRoom, actor: Actor, uow: BedsUnitOfWork) -> SiteState:
    floor = await _floor(uow, command, actor, command.site_id)
    now = uow.clock.now()
    floor.add_room(command.room, now)
    return SiteState(floor, now)


async def _room(
    uow: BedsUnitOfWork, command: c.UpdateRoom | c.RetireRoom, actor: Actor
) -> tuple[Room, SiteFloor]:
    floor = await _floor(uow, command, actor, await uow.sites.site_of_room(command.room_id))
    return floor.rooms[command.room_id], floor


async def update_room(command: c.UpdateRoom, actor: Actor, uow: BedsUnitOfWork) -> SiteState:
    room, floor = await _room(uow, command, actor)
    now = uow.clock.now()
    floor.update_room(room, now, **command.changes)
    return SiteState(floor, now)


async def retire_room(command: c.RetireRoom, actor: Actor, uow: BedsUnitOfWork) -> SiteState:
    room, floor = await _room(uow, command, actor)
    now = uow.clock.now()
    floor.retire_room(room, now)
    return SiteState(floor, now)


async def _place(
    uow: BedsUnitOfWork,
    command: c.RetirePlace | c.DeletePlace | c.TakeOutOfService | c.PutBackInService,
    actor: Actor,
) -> tuple[Place, SiteFloor]:
    floor = await _floor(uow, command, actor, await uow.sites.site_of_place(command.place_id))
    return floor.places[command.place_id], floor


async def retire_place(command: c.RetirePlace, actor: Actor, uow: BedsUnitOfWork) -> SiteState:
    place, floor = await _place(uow, command, actor)
    now = uow.clock.now()
    floor.retire_place(place, now)
    return SiteState(floor, now)


async def delete_place(command: c.DeletePlace, actor: Actor, uow: BedsUnitOfWork) -> Deleted:
    """Only a place that never took anybody may go; anything with history is retired instead."""
    place, floor = await _place(uow, command, actor)
    has_history = await uow.sites.place_has_history(command.place_id)
    floor.delete_place(place, uow.clock.now(), has_history=has_history)
    await uow.sites.delete_place(place)
    return Deleted(command.place_id)


async def switch_cold_weather(command: c.SwitchColdWeather, actor: Actor, uow: BedsUnitOfWork) -> SiteState:
    floor = await _floor(uow, command, actor, command.site_id)
    now = uow.clock.now()
    floor.switch_cold_weather(command.on, command.mats, now)
    return SiteState(floor, now)


async def take_out_of_service(command: c.TakeOutOfService, actor: Actor, uow: BedsUnitOfWork) -> PlaceState:
    place, floor = await _place(uow, command, actor)
    now = uow.clock.now()
    floor.take_out_of_service(place, command.reason, command.until, now)
    return PlaceState(place, floor, now)


async def put_back_in_service(command: c.PutBackInService, actor: Actor, uow: BedsUnitOfWork) -> PlaceState:
    place, floor = await _place(uow, command, actor)
    now = uow.clock.now()
    floor.put_back_in_service(place, now)
    return PlaceState(place, floor, now)
