"""Use cases that take and free places: check-in, check-out, holds, stay extensions.

Each takes the unit of work it runs in; the caller (HTTP `Writes`, a consumer, a clock) commits.
The floor is always loaded (and locked) before the hold or stay it acts on is re-read, so two
replicas acting on one site take turns and see each other's changes.
"""

from __future__ import annotations

from datetime import datetime

from common.errors import NotFound
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain.access import (
    Actor,
    require_can_check_in,
    require_can_manage_hold,
    require_can_see_stays,
    require_visible,
)
from services.beds.domain.floor import Holder, SiteFloor
from services.beds.domain.holds import Hold
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Place
from services.beds.domain.stays import Stay, check_started_at
from services.beds.service_layer import read_models as rm
from services.beds.service_layer.views import hold_view, places_of_hold, stay_view

SOURCE_OF_ROLE = {"patrol": "patrol", "crisis_team": "mobile_team"}


def default_source(actor: Actor) -> str:
    return SOURCE_OF_ROLE.get(actor.role, "walk_in")


async def _floor(uow: BedsUnitOfWork, site_id: str, *, since: datetime | None = None) -> SiteFloor:
    floor = await uow.sites.floor(site_id, since=since)
    if floor is None:
        raise NotFound("There is no site with this id.", code="site-not-found")
    return floor


def _stays_answer(floor: SiteFloor, stays: list[Stay], now: datetime) -> rm.CheckIn:
    return rm.CheckIn(stays=[stay_view(s, floor.places.get(s.place_id or ""), now) for s in stays])


async def check_in(
    uow: BedsUnitOfWork,
    actor: Actor,
    site_id: str,
    party: Party,
    needs: Needs,
    *,
    started_at: datetime | None = None,
    source: str | None = None,
    referral_id: str | None = None,
) -> rm.CheckIn:
    now = uow.clock.now()
    started = check_started_at(started_at, now)
    floor = await _floor(uow, site_id, since=started)
    require_can_check_in(actor, floor.site)
    stays = floor.check_in(
        party,
        needs,
        now=now,
        started_at=started,
        source=source or default_source(actor),
        team_id=actor.team_id,
        referral_id=referral_id,
    )
    if stays[0].backdated:
        await uow.audit(
            actor=actor.subject,
            actor_role=actor.role,
            action="stay.backdated_check_in",
            object_type="stay_group",
            object_id=stays[0].group_id,
            detail={"started_at": started.isoformat(), "people": len(stays)},
        )
    return _stays_answer(floor, stays, now)


async def _stay_with_floor(uow: BedsUnitOfWork, actor: Actor, stay_id: str) -> tuple[Stay, SiteFloor]:
    stay = await uow.stays.get(stay_id)
    if stay is None:
        raise NotFound("There is no stay with this id.", code="stay-not-found")
    floor = await _floor(uow, stay.site_id)
    require_visible(actor, floor.site)
    stay = await uow.stays.get(stay_id, fresh=True)
    assert stay is not None
    return stay, floor


async def check_out(uow: BedsUnitOfWork, actor: Actor, stay_id: str) -> rm.StayView:
    stay, floor = await _stay_with_floor(uow, actor, stay_id)
    require_can_check_in(actor, floor.site)
    now = uow.clock.now()
    floor.check_out(stay, now)
    return stay_view(stay, floor.places.get(stay.place_id or ""), now)


async def extend_stay(uow: BedsUnitOfWork, actor: Actor, stay_id: str, days: int, reason: str) -> rm.StayView:
    stay, floor = await _stay_with_floor(uow, actor, stay_id)
    now = uow.clock.now()
    stay.extend(floor.site, days, reason, now)
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action="stay.extended",
        object_type="stay",
        object_id=stay.id,
        reason=reason.strip(),
        detail={"days": days, "limit_at": stay.limit_at.isoformat() if stay.limit_at else None},
    )
    return stay_view(stay, floor.places.get(stay.place_id or ""), now)


async def get_stay(uow: BedsUnitOfWork, actor: Actor, stay_id: str) -> rm.StayView:
    stay = await uow.stays.get(stay_id)
    site = await uow.sites.get(stay.site_id) if stay else None
    if stay is None or site is None:
        raise NotFound("There is no stay with this id.", code="stay-not-found")
    require_can_see_stays(actor, site)
    place = await uow.session.get(Place, stay.place_id) if stay.place_id else None
    return stay_view(stay, place, uow.clock.now())


# -- holds ----------------------------------------------------------------------------------------


async def place_hold(
    uow: BedsUnitOfWork,
    actor: Actor,
    site_id: str,
    party: Party,
    needs: Needs,
    *,
    eta_minutes: int | None = None,
    referral_id: str | None = None,
    source: str | None = None,
) -> rm.HoldView:
    floor = await _floor(uow, site_id)
    require_visible(actor, floor.site)
    hold = floor.place_hold(
        party,
        needs,
        now=uow.clock.now(),
        eta_minutes=eta_minutes,
        holder=Holder(actor.subject, actor.role, actor.team_id),
        source=source or default_source(actor),
        referral_id=referral_id,
    )
    return hold_view(hold, floor.hold_places(hold))


async def _hold_with_floor(uow: BedsUnitOfWork, actor: Actor, hold_id: str) -> tuple[Hold, SiteFloor]:
    hold = await uow.holds.get(hold_id)
    if hold is None:
        raise NotFound("There is no hold with this id.", code="hold-not-found")
    floor = await _floor(uow, hold.site_id)
    hold = await uow.holds.get(hold_id, fresh=True)
    assert hold is not None
    require_can_manage_hold(actor, floor.site, hold)
    return hold, floor


async def get_hold(uow: BedsUnitOfWork, actor: Actor, hold_id: str) -> rm.HoldView:
    hold = await uow.holds.get(hold_id)
    site = await uow.sites.get(hold.site_id) if hold else None
    if hold is None or site is None:
        raise NotFound("There is no hold with this id.", code="hold-not-found")
    require_can_manage_hold(actor, site, hold)
    return hold_view(hold, await places_of_hold(uow, hold))


async def cancel_hold(uow: BedsUnitOfWork, actor: Actor, hold_id: str) -> rm.HoldView:
    hold, floor = await _hold_with_floor(uow, actor, hold_id)
    places = floor.hold_places(hold)
    floor.release_hold(hold, uow.clock.now(), "cancelled")
    return hold_view(hold, places)


async def extend_hold(uow: BedsUnitOfWork, actor: Actor, hold_id: str, minutes: int) -> rm.HoldView:
    hold, floor = await _hold_with_floor(uow, actor, hold_id)
    hold.extend(floor.site, minutes, uow.clock.now())
    return hold_view(hold, floor.hold_places(hold))


async def check_in_from_hold(uow: BedsUnitOfWork, actor: Actor, hold_id: str) -> rm.CheckIn:
    hold, floor = await _hold_with_floor(uow, actor, hold_id)
    require_can_check_in(actor, floor.site)
    now = uow.clock.now()
    stays = floor.fulfil_hold(hold, now)
    return _stays_answer(floor, stays, now)
