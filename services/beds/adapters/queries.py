"""The read side of beds: the SQL that answers queries (site lists with free counts, the board's
stays and holds, the ledger, sites in a search box). Reads take no locks and load no floor; the
service layer asks these and maps the answers, it never writes SQL itself."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.beds.adapters import due_work
from services.beds.adapters.orm import (
    holds,
    nightly_ledger,
    place_claims,
    places,
    rooms,
    sites,
    stays,
    turnaways,
)
from services.beds.domain.holds import Hold
from services.beds.domain.sites import Place, Room, Site
from services.beds.domain.stays import Stay


@dataclass
class SiteCounts:
    beds_total: int = 0
    beds_free: int = 0
    mats_total: int = 0
    mats_free: int = 0
    over_capacity: int = 0
    rooms: dict[str, tuple[int, int]] = field(default_factory=dict)  # room id -> (beds, free beds)
    beds_out_of_service: int = 0
    mats_out_of_service: int = 0


@dataclass(frozen=True)
class LedgerEntry:
    site_id: str
    night: date
    people: int
    beds_used: int
    mats_used: int
    over_capacity: int
    arrivals_by_source: dict[str, int]
    revision: int


@dataclass
class DemandCounts:
    """Unmet demand over a span of nights: turn-aways (people) and no-shows (lapsed holds)."""

    turnaways: int = 0
    turnaway_people: int = 0
    turnaways_by_site: dict[str, int] = field(default_factory=dict)
    turnaways_by_reason: dict[str, int] = field(default_factory=dict)
    no_shows: int = 0
    no_shows_by_site: dict[str, int] = field(default_factory=dict)
    no_shows_by_team: dict[str, int] = field(default_factory=dict)
    no_shows_of_referrals: int = 0

    def add(self, other: DemandCounts) -> None:
        self.turnaways += other.turnaways
        self.turnaway_people += other.turnaway_people
        self.no_shows += other.no_shows
        self.no_shows_of_referrals += other.no_shows_of_referrals
        for mine, theirs in (
            (self.turnaways_by_site, other.turnaways_by_site),
            (self.turnaways_by_reason, other.turnaways_by_reason),
            (self.no_shows_by_site, other.no_shows_by_site),
            (self.no_shows_by_team, other.no_shows_by_team),
        ):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n


@dataclass(frozen=True)
class SiteSpot:
    """What the nearest-place search needs of a site before it looks inside."""

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    confidential: bool


@dataclass(frozen=True)
class Box:
    """A lat/lon box around a point, `degrees` of latitude high each way; its east-west half-width
    is widened for its most poleward latitude, so it holds every site within that distance."""

    lat: float
    lon: float
    degrees: float

    @property
    def everything(self) -> bool:
        return self.degrees >= 180

    def bounds(self) -> tuple[tuple[float, float], tuple[tuple[float, float], ...] | None] | None:
        """The latitude range and the longitude ranges (None: every longitude) the box covers,
        both ends included; None when it covers the globe. The SQL search and the index in
        memory both narrow by this one rule."""
        if self.everything:
            return None
        poleward = min(abs(self.lat) + self.degrees, 89.0)
        half_width = self.degrees / math.cos(math.radians(poleward))
        lats = (self.lat - self.degrees, self.lat + self.degrees)
        if half_width >= 180:
            return lats, None
        west, east = self.lon - half_width, self.lon + half_width
        if west < -180 or east > 180:  # across the antimeridian
            return lats, (((west + 540) % 360 - 180, 180.0), (-180.0, (east + 540) % 360 - 180))
        return lats, ((west, east),)


class BedsReads:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def next_due(self, absent_nights: int) -> datetime | None:
        """When the clocks next have work (`due_work`)."""
        return await due_work.next_due(self.session, absent_nights)

    async def site(self, site_id: str) -> Site | None:
        return await self.session.get(Site, site_id)

    async def stay(self, stay_id: str) -> Stay | None:
        return await self.session.get(Stay, stay_id)

    async def hold(self, hold_id: str) -> Hold | None:
        return await self.session.get(Hold, hold_id)

    async def place(self, place_id: str) -> Place | None:
        return await self.session.get(Place, place_id)

    async def sites(self, *, include_retired: bool = False, ids: Sequence[str] | None = None) -> list[Site]:
        query = sa.select(Site).order_by(sites.c.name, sites.c.id)
        if not include_retired:
            query = query.where(sites.c.retired_at.is_(None))
        if ids is not None:
            query = query.where(sites.c.id.in_(ids))
        return list((await self.session.scalars(query)).all())

    async def site_counts(self, site_ids: Sequence[str]) -> dict[str, SiteCounts]:
        """Usable places and free places per site and room, in one grouped query; places out of
        service are counted apart. A claim without an end is a claim that holds now: claims
        never start in the future."""
        if not site_ids:
            return {}
        p, r, s, c = places.c, rooms.c, sites.c, place_claims.c
        in_service = p.out_of_service_since.is_(None).label("in_service")
        on_the_floor = sa.and_(
            p.retired_at.is_(None),
            sa.or_(p.room_id.is_(None), r.retired_at.is_(None)),
            sa.or_(p.kind == "bed", p.emergency.is_(False), s.cold_weather.is_(True)),
        )
        stmt = (
            sa.select(
                p.site_id,
                p.room_id,
                p.kind,
                in_service,
                sa.func.count(p.id).label("total"),
                sa.func.count(c.id).label("taken"),
            )
            .select_from(
                places.join(sites, s.id == p.site_id)
                .outerjoin(rooms, r.id == p.room_id)
                .outerjoin(place_claims, sa.and_(c.place_id == p.id, c.ends_at.is_(None)))
            )
            .where(p.site_id.in_(site_ids), on_the_floor)
            .group_by(p.site_id, p.room_id, p.kind, in_service)
        )
        counts: dict[str, SiteCounts] = defaultdict(SiteCounts)
        for row in await self.session.execute(stmt):
            entry = counts[row.site_id]
            if not row.in_service:
                if row.kind == "bed":
                    entry.beds_out_of_service += row.total
                else:
                    entry.mats_out_of_service += row.total
                continue
            free = row.total - row.taken
            if row.kind == "bed":
                entry.beds_total += row.total
                entry.beds_free += free
                if row.room_id:
                    entry.rooms[row.room_id] = (row.total, free)
            else:
                entry.mats_total += row.total
                entry.mats_free += free
        over = await self.session.execute(
            sa.select(stays.c.site_id, sa.func.count())
            .where(
                stays.c.site_id.in_(site_ids),
                stays.c.place_kind == "over_capacity",
                stays.c.ended_at.is_(None),
            )
            .group_by(stays.c.site_id)
        )
        for site_id, n in over:
            counts[site_id].over_capacity = n
        return counts

    async def places_of_hold(self, hold_id: str) -> list[Place]:
        return list(
            (
                await self.session.scalars(
                    sa.select(Place)
                    .join(place_claims, place_claims.c.place_id == places.c.id)
                    .where(place_claims.c.hold_id == hold_id)
                )
            ).all()
        )

    async def open_stays(self, site_id: str) -> list[Stay]:
        return list(
            (
                await self.session.scalars(
                    sa.select(Stay)
                    .where(stays.c.site_id == site_id, stays.c.ended_at.is_(None))
                    .order_by(stays.c.started_at)
                )
            ).all()
        )

    async def active_holds(self, site_id: str) -> list[Hold]:
        return list(
            (
                await self.session.scalars(
                    sa.select(Hold)
                    .where(holds.c.site_id == site_id, holds.c.status == "active")
                    .order_by(holds.c.expires_at)
                )
            ).all()
        )

    async def ledger(
        self, site_ids: Sequence[str], start: date, end: date, *, limit: int | None = None, offset: int = 0
    ) -> list[LedgerEntry]:
        n = nightly_ledger.c
        rows = await self.session.execute(
            sa.select(nightly_ledger)
            .where(n.site_id.in_(site_ids), n.night >= start, n.night <= end)
            .order_by(n.night, n.site_id)
            .limit(limit)
            .offset(offset)
        )
        return [
            LedgerEntry(
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

    async def unmet_demand(
        self, site_ids: Sequence[str], start: date, end: date, since: datetime, until: datetime
    ) -> DemandCounts:
        """Turn-aways of nights `start`..`end`, and holds that lapsed (`expired`: nobody came)
        within [since, until), per site, reason and team: the figures the reports add up."""
        counts = DemandCounts()
        t = turnaways.c
        rows = await self.session.execute(
            sa.select(t.site_id, t.reason, sa.func.count(), sa.func.sum(t.adults + t.children))
            .where(t.site_id.in_(site_ids), t.night >= start, t.night <= end)
            .group_by(t.site_id, t.reason)
        )
        for site_id, reason, n, people in rows:
            counts.turnaways += n
            counts.turnaway_people += int(people or 0)
            counts.turnaways_by_site[site_id] = counts.turnaways_by_site.get(site_id, 0) + n
            counts.turnaways_by_reason[reason] = counts.turnaways_by_reason.get(reason, 0) + n
        h = holds.c
        rows = await self.session.execute(
            sa.select(h.site_id, h.holder_team_id, sa.func.count(), sa.func.count(h.referral_id))
            .where(h.site_id.in_(site_ids), h.status == "expired", h.ended_at >= since, h.ended_at < until)
            .group_by(h.site_id, h.holder_team_id)
        )
        for site_id, team_id, n, of_referrals in rows:
            counts.no_shows += n
            counts.no_shows_of_referrals += of_referrals
            counts.no_shows_by_site[site_id] = counts.no_shows_by_site.get(site_id, 0) + n
            if team_id is not None:
                counts.no_shows_by_team[team_id] = counts.no_shows_by_team.get(team_id, 0) + n
        return counts

    async def sites_in_box(self, box: Box, *, kind: str | None, include_confidential: bool) -> list[SiteSpot]:
        s = sites.c
        query = sa.select(s.id, s.name, s.kind, s.lat, s.lon, s.confidential)
        query = _searched(query, kind, include_confidential)
        rows = await self.session.execute(_narrow(query, box, s.lat, s.lon))
        return [SiteSpot(r.id, r.name, r.kind, r.lat, r.lon, r.confidential) for r in rows]

    async def site_spots(self, site_ids: Sequence[str] | None = None) -> list[SiteSpot]:
        """The spots of active sites (of these, or all): what the availability index holds."""
        s = sites.c
        query = sa.select(s.id, s.name, s.kind, s.lat, s.lon, s.confidential).where(s.retired_at.is_(None))
        if site_ids is not None:
            query = query.where(s.id.in_(site_ids))
        return [
            SiteSpot(r.id, r.name, r.kind, r.lat, r.lon, r.confidential)
            for r in await self.session.execute(query)
        ]

    async def count_searched(self, *, kind: str | None, include_confidential: bool) -> int:
        """How many sites a search with these filters could find anywhere."""
        query = _searched(sa.select(sa.func.count()).select_from(sites), kind, include_confidential)
        return int(await self.session.scalar(query) or 0)

    async def active_room_rows(self, site_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """`active_rooms` as plain rows (id, site, name, restriction, accessible, pets): the index
        reads thousands and keeps its own copies."""
        r = rooms.c
        query = sa.select(r.id, r.site_id, r.name, r.restriction, r.accessible, r.pets_allowed).where(
            r.site_id.in_(site_ids), r.retired_at.is_(None)
        )
        return [tuple(row) for row in await self.session.execute(query)]

    async def active_rooms(self, site_ids: Sequence[str]) -> dict[str, list[Room]]:
        by_site: dict[str, list[Room]] = defaultdict(list)
        query = sa.select(Room).where(rooms.c.site_id.in_(site_ids), rooms.c.retired_at.is_(None))
        for room in await self.session.scalars(query):
            by_site[room.site_id].append(room)
        return by_site


def _searched(query: sa.Select, kind: str | None, include_confidential: bool) -> sa.Select:  # type: ignore[type-arg]
    s = sites.c
    query = query.where(s.retired_at.is_(None))
    if kind:
        query = query.where(s.kind == kind)
    if not include_confidential:
        query = query.where(s.confidential.is_(False))
    return query


def _narrow(query: sa.Select, box: Box, lat_col: sa.ColumnElement, lon_col: sa.ColumnElement) -> sa.Select:  # type: ignore[type-arg]
    bounds = box.bounds()
    if bounds is None:
        return query
    (south, north), lons = bounds
    query = query.where(lat_col.between(south, north))
    if lons is None:
        return query
    if len(lons) == 2:  # across the antimeridian
        return query.where(sa.or_(lon_col >= lons[0][0], lon_col <= lons[1][1]))
    return query.where(lon_col.between(*lons[0]))
