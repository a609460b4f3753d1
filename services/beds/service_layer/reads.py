"""Handlers of beds' queries. They run in a read-only unit of work and take no locks; the access
table decides what the caller may see, and a read of a confidential site's stay, hold, board,
ledger or page leaves an audit entry behind (`audit_trail`, run by the bus after the read)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from common.pagination import page_of
from services.beds.adapters.queries import DemandCounts
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import commands as c
from services.beds.domain.access import OVERSEERS, Actor, absent, access_to, verdict
from services.beds.domain.floor import SiteFloor
from services.beds.domain.sites import Site
from services.beds.service_layer.results import (
    BoardState,
    ExtensionRequests,
    HoldState,
    Ledger,
    Placements,
    Report,
    SiteList,
    SiteState,
    StayState,
    UnmetDemand,
)


async def _floor(uow: BedsUnitOfWork, query: object, site_id: str) -> SiteFloor:
    floor = await uow.sites.floor(site_id, lock=False)
    if floor is None:
        raise absent(query)
    return floor


def _visible(query: object, actor: Actor, sites: Iterable[Site]) -> list[Site]:
    rule = access_to(query).rule
    return [site for site in sites if rule(actor, site, None) != "hide"]


async def list_sites(query: c.ListSites, actor: Actor, uow: BedsUnitOfWork) -> SiteList:
    everything = await uow.reads.sites(include_retired=query.include_retired and actor.role == "admin")
    visible = page_of(_visible(query, actor, everything), query.limit, query.offset)
    return SiteList(visible, await uow.reads.site_counts([site.id for site in visible]))


async def get_site(query: c.GetSite, actor: Actor, uow: BedsUnitOfWork) -> SiteState:
    floor = await _floor(uow, query, query.site_id)
    return SiteState(floor, uow.clock.now(), verdict(query, actor, floor.site))


async def get_board(query: c.GetBoard, actor: Actor, uow: BedsUnitOfWork) -> BoardState:
    floor = await _floor(uow, query, query.site_id)
    verdict(query, actor, floor.site)
    stays = await uow.reads.open_stays(floor.site.id)
    holds = await uow.reads.active_holds(floor.site.id)
    return BoardState(floor, stays, holds, uow.clock.now())


async def get_stay(query: c.GetStay, actor: Actor, uow: BedsUnitOfWork) -> StayState:
    stay = await uow.reads.stay(query.stay_id)
    site = await uow.reads.site(stay.site_id) if stay else None
    if stay is None or site is None:
        raise absent(query)
    verdict(query, actor, site)
    place = await uow.reads.place(stay.place_id) if stay.place_id else None
    return StayState(stay, place, site, uow.clock.now())


async def get_hold(query: c.GetHold, actor: Actor, uow: BedsUnitOfWork) -> HoldState:
    hold = await uow.reads.hold(query.hold_id)
    site = await uow.reads.site(hold.site_id) if hold else None
    if hold is None or site is None:
        raise absent(query)
    verdict(query, actor, site, hold)
    return HoldState(hold, await uow.reads.places_of_hold(hold.id), site)


async def count_unmet_demand(query: c.CountUnmetDemand, actor: Actor, uow: BedsUnitOfWork) -> UnmetDemand:
    """Turn-aways of nights `start`..`end`, and holds that lapsed during those nights (each site's
    own nights: from its rollover on `start` to its rollover after `end`)."""
    if query.site_id is not None:
        site = await uow.reads.site(query.site_id)
        if site is None:
            raise absent(query)
        verdict(query, actor, site)
        sites = [site]
    else:
        sites = _visible(query, actor, await uow.reads.sites())
    by_clock: dict[tuple[str, str], list[Site]] = defaultdict(list)
    for site in sites:
        by_clock[(site.timezone, site.rollover.isoformat())].append(site)
    counts = DemandCounts()
    for group in by_clock.values():
        since = group[0].night_bounds(query.start)[0]
        until = group[0].night_bounds(query.end)[1]
        found = await uow.reads.unmet_demand([s.id for s in group], query.start, query.end, since, until)
        counts.add(found)
    return UnmetDemand(query.start, query.end, sites, counts)


async def get_ledger(query: c.GetLedger, actor: Actor, uow: BedsUnitOfWork) -> Ledger:
    if query.site_id is not None:
        site = await uow.reads.site(query.site_id)
        if site is None:
            raise absent(query)
        verdict(query, actor, site)
        sites = [site]
    elif actor.role in OVERSEERS:
        sites = await uow.reads.sites()
    else:
        sites = _visible(query, actor, await uow.reads.sites(ids=sorted(actor.site_ids)))
    nights = await uow.reads.ledger(
        sorted(s.id for s in sites), query.start, query.end, limit=query.limit, offset=query.offset
    )
    return Ledger(sites, nights)


async def list_placements(query: c.ListPlacements, actor: Actor, uow: BedsUnitOfWork) -> Placements:
    limited = [site for site in await uow.reads.sites() if site.max_stay_days]
    sites = _visible(query, actor, limited)
    team = None if actor.role in OVERSEERS else actor.team_id
    if team is None and actor.role not in OVERSEERS:
        return Placements(sites, [], uow.clock.now())  # a crisis token without a team placed nobody
    stays = [
        s for site in sites for s in await uow.reads.open_stays(site.id) if team is None or s.team_id == team
    ]
    return Placements(sites, stays, uow.clock.now())


def _records_read(result: object) -> list[tuple[Site, str]]:
    match result:
        case Placements():
            by_id = {site.id: site for site in result.sites}
            return [(by_id[stay.site_id], stay.id) for stay in result.stays]
        case SiteState() | BoardState():
            return [(result.site, result.site.id)]
        case StayState():
            return [(result.site, result.stay.id)]
        case HoldState():
            return [(result.site, result.hold.id)]
        case ExtensionRequests():
            by_id = {site.id: site for site in result.sites}
            return [(by_id[request.site_id], request.id) for request in result.requests]
        case Ledger() | Report():
            return [(site, site.id) for site in result.sites]
    return []


def audit_trail(query: object, actor: Actor, result: object) -> list[c.RecordRead]:
    """Every read of a confidential site's record leaves a trace: who, when, what. Decided here
    once, from the access table, for every query the table marks as audited."""
    access = access_to(query)
    if not access.audited:
        return []
    return [
        c.RecordRead(record=access.record, object_id=object_id)
        for site, object_id in _records_read(result)
        if site.confidential
    ]


async def record_read(command: c.RecordRead, actor: Actor, uow: BedsUnitOfWork) -> None:
    await uow.audit(
        actor=actor.subject,
        actor_role=actor.role,
        action=f"{command.record}.read",
        object_type=command.record,
        object_id=command.object_id,
    )
