"""Use cases of the inventory: sites, rooms, places, mats, cold weather."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

from common.errors import NotFound
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import inventory
from services.beds.domain.access import Actor, require_overseer_or_staff, require_visible
from services.beds.domain.floor import SiteFloor
from services.beds.domain.inventory import RoomSpec
from services.beds.domain.sites import Place, Room, SiteKind
from services.beds.service_layer import read_models as rm
from services.beds.service_layer.views import board, site_view


async def _floor(uow: BedsUnitOfWork, site_id: str, *, lock: bool = True) -> SiteFloor:
    floor = await uow.sites.floor(site_id, lock=lock)
    if floor is None:
        raise NotFound("There is no site with this id.", code="site-not-found")
    return floor


async def create_site(
    uow: BedsUnitOfWork,
    *,
    name: str,
    kind: SiteKind,
    lat: float,
    lon: float,
    address: str,
    rooms: Sequence[RoomSpec],
    mats: int,
    timezone: str | None = None,
    max_stay_days: int | None = None,
    confidential: bool | None = None,
    rollover: time | None = None,
    cold_weather_mats: int | None = None,
    site_id: str | None = None,
) -> rm.SiteView:
    now = uow.clock.now()
    floor = inventory.open_site(
        name=name,
        kind=kind,
        lat=lat,
        lon=lon,
        address=address,
        now=now,
        rooms=rooms,
        mats=mats,
        timezone=timezone,
        max_stay_days=max_stay_days,
        confidential=confidential,
        rollover=rollover,
        cold_weather_mats=cold_weather_mats,
        site_id=site_id,
    )
    uow.sites.add(floor)
    return site_view(floor, now)


async def get_site(uow: BedsUnitOfWork, actor: Actor, site_id: str) -> rm.SiteView:
    floor = await _floor(uow, site_id, lock=False)
    require_visible(actor, floor.site)
    return site_view(floor, uow.clock.now())


async def audit_read(uow: BedsUnitOfWork, actor: Actor, what: str, object_id: str) -> None:
    """Every read of a confidential record leaves a trace: who, when, what."""
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action=f"{what}.read",
        object_type=what,
        object_id=object_id,
    )
    await uow.commit()


async def get_board(uow: BedsUnitOfWork, actor: Actor, site_id: str) -> rm.Board:
    floor = await _floor(uow, site_id, lock=False)
    require_overseer_or_staff(actor, floor.site)
    return await board(uow, floor, uow.clock.now())


async def update_site(uow: BedsUnitOfWork, site_id: str, changes: dict[str, Any]) -> rm.SiteView:
    floor = await _floor(uow, site_id)
    now = uow.clock.now()
    inventory.update_site(floor, now, **changes)
    return site_view(floor, now)


async def retire_site(uow: BedsUnitOfWork, site_id: str) -> rm.SiteView:
    floor = await _floor(uow, site_id)
    now = uow.clock.now()
    inventory.retire_site(floor, now)
    return site_view(floor, now)


async def add_room(uow: BedsUnitOfWork, site_id: str, spec: RoomSpec) -> rm.SiteView:
    floor = await _floor(uow, site_id)
    now = uow.clock.now()
    inventory.add_room(floor, spec, now)
    return site_view(floor, now)


async def _room_floor(uow: BedsUnitOfWork, room_id: str) -> tuple[Room, SiteFloor]:
    room = await uow.session.get(Room, room_id)
    if room is None:
        raise NotFound("There is no room with this id.", code="room-not-found")
    floor = await _floor(uow, room.site_id)
    return floor.rooms[room_id], floor


async def update_room(uow: BedsUnitOfWork, room_id: str, changes: dict[str, Any]) -> rm.SiteView:
    room, floor = await _room_floor(uow, room_id)
    now = uow.clock.now()
    inventory.update_room(floor, room, now, **changes)
    return site_view(floor, now)


async def retire_room(uow: BedsUnitOfWork, room_id: str) -> rm.SiteView:
    room, floor = await _room_floor(uow, room_id)
    now = uow.clock.now()
    inventory.retire_room(floor, room, now)
    return site_view(floor, now)


async def _place_floor(uow: BedsUnitOfWork, place_id: str) -> tuple[Place, SiteFloor]:
    place = await uow.session.get(Place, place_id)
    if place is None:
        raise NotFound("There is no place with this id.", code="place-not-found")
    floor = await _floor(uow, place.site_id)
    return floor.places[place_id], floor


async def retire_place(uow: BedsUnitOfWork, place_id: str) -> rm.SiteView:
    place, floor = await _place_floor(uow, place_id)
    now = uow.clock.now()
    inventory.retire_place(floor, place, now)
    return site_view(floor, now)


async def delete_place(uow: BedsUnitOfWork, place_id: str) -> rm.Done:
    """Only a place that never took anybody may go; anything with history is retired instead."""
    place, floor = await _place_floor(uow, place_id)
    inventory.delete_place(
        floor, place, uow.clock.now(), has_history=await uow.sites.place_has_history(place_id)
    )
    await uow.sites.delete_place(place)
    return rm.Done(id=place_id, status="deleted")


async def switch_cold_weather(
    uow: BedsUnitOfWork, actor: Actor, site_id: str, on: bool, mats: int | None
) -> rm.SiteView:
    floor = await _floor(uow, site_id)
    require_visible(actor, floor.site)
    now = uow.clock.now()
    inventory.switch_cold_weather(floor, on, mats, now)
    return site_view(floor, now)
