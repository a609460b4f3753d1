"""Read-side queries: the board, site lists, nearest places, the ledger. Every answer is computed
from the tables at the time of asking — there is no cache that could drift from the truth."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from services.beds.adapters.orm import holds, nightly_ledger, place_claims, places, rooms, sites, stays
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain.access import Actor, can_see
from services.beds.domain.floor import SiteFloor
from services.beds.domain.holds import Hold
from services.beds.domain.nights import night_of
from services.beds.domain.sites import Place, Site
from services.beds.domain.stays import Stay
from services.beds.service_layer import read_models as rm


@dataclass
class SiteCounts:
    beds_total: int = 0
    beds_free: int = 0
    mats_total: int = 0
    mats_free: int = 0
    over_capacity: int = 0
    rooms: dict[str, tuple[int, int]] = field(default_factory=dict)  # room id -> (beds, free beds)


async def site_counts(uow: BedsUnitOfWork, site_ids: Sequence[str]) -> dict[str, SiteCounts]:
    """Usable places and free places per site and room, in one grouped query.
    A claim without an end is a claim that holds now: claims never start in the future."""
    if not site_ids:
        return {}
    p, r, s, c = places.c, rooms.c, sites.c, place_claims.c
    usable = sa.and_(
        p.retired_at.is_(None),
        sa.or_(p.room_id.is_(None), r.retired_at.is_(None)),
        sa.or_(p.kind == "bed", p.emergency.is_(False), s.cold_weather.is_(True)),
    )
    stmt = (
        sa.select(
            p.site_id,
            p.room_id,
            p.kind,
            sa.func.count(p.id).label("total"),
            sa.func.count(c.id).label("taken"),
        )
        .select_from(
            places.join(sites, s.id == p.site_id)
            .outerjoin(rooms, r.id == p.room_id)
            .outerjoin(place_claims, sa.and_(c.place_id == p.id, c.ends_at.is_(None)))
        )
        .where(p.site_id.in_(site_ids), usable)
        .group_by(p.site_id, p.room_id, p.kind)
    )
    counts: dict[str, SiteCounts] = defaultdict(SiteCounts)
    for row in await uow.session.execute(stmt):
        entry = counts[row.site_id]
        free = row.total - row.taken
        if row.kind == "bed":
            entry.beds_total += row.total
            entry.beds_free += free
            if row.room_id:
                entry.rooms[row.room_id] = (row.total, free)
        else:
            entry.mats_total += row.total
            entry.mats_free += free
    over = await uow.session.execute(
        sa.select(stays.c.site_id, sa.func.count())
        .where(
            stays.c.site_id.in_(site_ids), stays.c.place_kind == "over_capacity", stays.c.ended_at.is_(None)
        )
        .group_by(stays.c.site_id)
    )
    for site_id, n in over:
        counts[site_id].over_capacity = n
    return counts


async def list_sites(
    uow: BedsUnitOfWork, actor: Actor, *, include_retired: bool = False
) -> list[rm.SiteSummary]:
    query = sa.select(Site).order_by(sites.c.name)
    if not include_retired:
        query = query.where(sites.c.retired_at.is_(None))
    visible = [site for site in (await uow.session.scalars(query)).all() if can_see(actor, site)]
    counts = await site_counts(uow, [site.id for site in visible])
    return [
        rm.SiteSummary(
            id=site.id,
            name=site.name,
            kind=site.kind,
            confidential=site.confidential,
            free_beds=counts[site.id].beds_free if site.id in counts else 0,
            free_mats=counts[site.id].mats_free if site.id in counts else 0,
            beds_total=counts[site.id].beds_total if site.id in counts else 0,
            mats_total=counts[site.id].mats_total if site.id in counts else 0,
            cold_weather=site.cold_weather,
            lat=site.lat,
            lon=site.lon,
            address=site.address,
        )
        for site in visible
    ]


def site_view(floor: SiteFloor, now: datetime) -> rm.SiteView:
    site = floor.site
    capacity = floor.capacity(now)
    free_by_room = floor.free_beds_by_room(now, None)
    room_views = [
        rm.RoomView(
            id=room.id,
            name=room.name,
            restriction=room.restriction,
            accessible=room.accessible,
            pets_allowed=room.pets_allowed,
            beds_total=sum(1 for p in floor.places.values() if p.room_id == room.id and floor.usable(p)),
            free_beds=len(free_by_room.get(room.id, ())),
            retired=not room.active,
        )
        for room in sorted(floor.rooms.values(), key=lambda r: (not r.active, r.name))
    ]
    mats = [place_view(p) for p in floor.places.values() if p.kind == "mat" and p.active]
    return rm.SiteView(
        id=site.id,
        name=site.name,
        kind=site.kind,
        lat=site.lat,
        lon=site.lon,
        address=site.address,
        timezone=site.timezone,
        max_stay_days=site.max_stay_days,
        confidential=site.confidential,
        rollover=site.rollover.strftime("%H:%M"),
        cold_weather=site.cold_weather,
        cold_weather_mats=site.cold_weather_mats,
        beds_total=capacity.beds_total,
        mats_total=capacity.mats_total,
        free_beds=capacity.free_beds,
        free_mats=capacity.free_mats,
        over_capacity=capacity.over_capacity,
        retired=not site.active,
        created_at=site.created_at,
        rooms=room_views,
        mats=sorted(mats, key=lambda m: m.label),
    )


def place_view(place: Place) -> rm.PlaceView:
    return rm.PlaceView(
        id=place.id,
        kind=place.kind,
        label=place.label,
        room_id=place.room_id,
        emergency=place.emergency,
        retired=not place.active,
    )


def stay_view(stay: Stay, place: Place | None, now: datetime) -> rm.StayView:
    return rm.StayView(
        id=stay.id,
        site_id=stay.site_id,
        place_id=stay.place_id,
        place_kind=stay.place_kind,
        place_label=place.label if place else None,
        room_id=place.room_id if place else None,
        group_id=stay.group_id,
        started_at=stay.started_at,
        source=stay.source,  # type: ignore[arg-type]
        is_child=stay.is_child,
        ends_at=stay.scheduled_end,
        limit_at=stay.limit_at,
        days_left=stay.days_left(now) if stay.open else None,
        extension_days=stay.extension_days,
        ended_at=stay.ended_at,
        end_reason=stay.end_reason,
        hold_id=stay.hold_id,
        referral_id=stay.referral_id,
        team_id=stay.team_id,
    )


def hold_view(hold: Hold, held: Iterable[Place]) -> rm.HoldView:
    return rm.HoldView(
        id=hold.id,
        site_id=hold.site_id,
        status=hold.status,
        placed_at=hold.placed_at,
        expires_at=hold.expires_at,
        party=rm.PartyView(hold.party.adults, hold.party.children, hold.party.gender, hold.party.youth),
        needs=rm.NeedsView(hold.needs.accessible, hold.needs.pet, hold.needs.dv),
        places=sorted((place_view(p) for p in held), key=lambda v: v.label),
        source=hold.source,  # type: ignore[arg-type]
        holder_team_id=hold.holder_team_id,
        referral_id=hold.referral_id,
        warned=hold.warned_at is not None,
        ended_at=hold.ended_at,
    )


async def places_of_hold(uow: BedsUnitOfWork, hold: Hold) -> list[Place]:
    return list(
        (
            await uow.session.scalars(
                sa.select(Place)
                .join(place_claims, place_claims.c.place_id == places.c.id)
                .where(place_claims.c.hold_id == hold.id)
            )
        ).all()
    )


async def board(uow: BedsUnitOfWork, floor: SiteFloor, now: datetime) -> rm.Board:
    site = floor.site
    capacity = floor.capacity(now)
    open_stays = (
        await uow.session.scalars(
            sa.select(Stay)
            .where(stays.c.site_id == site.id, stays.c.ended_at.is_(None))
            .order_by(stays.c.started_at)
        )
    ).all()
    active_holds = (
        await uow.session.scalars(
            sa.select(Hold)
            .where(holds.c.site_id == site.id, holds.c.status == "active")
            .order_by(holds.c.expires_at)
        )
    ).all()
    return rm.Board(
        site_id=site.id,
        confidential=site.confidential,
        night=night_of(now, site.tz, site.rollover),
        beds_total=capacity.beds_total,
        beds_occupied=capacity.beds_occupied,
        beds_held=capacity.beds_held,
        mats_total=capacity.mats_total,
        mats_used=capacity.mats_used,
        over_capacity=capacity.over_capacity,
        free_beds=capacity.free_beds,
        free_mats=capacity.free_mats,
        cold_weather=site.cold_weather,
        stays=[stay_view(s, floor.places.get(s.place_id or ""), now) for s in open_stays],
        holds=[hold_view(h, floor.hold_places(h)) for h in active_holds],
    )


async def ledger(
    uow: BedsUnitOfWork, site_ids: Sequence[str], start: date, end: date
) -> list[rm.LedgerNight]:
    n = nightly_ledger.c
    rows = await uow.session.execute(
        sa.select(nightly_ledger)
        .where(n.site_id.in_(site_ids), n.night >= start, n.night <= end)
        .order_by(n.night, n.site_id)
    )
    return [
        rm.LedgerNight(
            site_id=row.site_id,
            night=row.night,
            people=row.people,
            beds_used=row.beds_used,
            mats_used=row.mats_used,
            over_capacity=row.over_capacity,
            arrivals_by_source=dict(row.arrivals_by_source or {}),
            revision=row.revision,
        )
        for row in rows
    ]
