"""Nearest free fitting places, for a patrol on the street or a national registry: search outward
from the point in growing boxes, check each box's sites with the same fit rule as check-in."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from services.beds.adapters.orm import rooms, sites
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain.availability import RoomOpening, distance_km, offer
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Room
from services.beds.service_layer import read_models as rm
from services.beds.service_layer.views import site_counts

CHUNK = 200
KM_PER_DEGREE = 111.19  # of latitude, on the mean Earth radius


async def nearest(
    uow: BedsUnitOfWork,
    *,
    lat: float,
    lon: float,
    party: Party,
    needs: Needs,
    kind: str | None,
    include_confidential: bool,
    limit: int,
) -> list[rm.Availability]:
    """Nearest first, searching outward: the sites inside a box around the point are checked for
    a fitting place (one grouped query), and an offer is final once it lies within the distance
    the box guarantees; otherwise the box doubles. A national registry of thousands of sites
    usually costs one or two small boxes, and the answer is exactly the nearest-first one."""
    s = sites.c
    query = sa.select(s.id, s.name, s.kind, s.lat, s.lon, s.confidential).where(s.retired_at.is_(None))
    if kind:
        query = query.where(s.kind == kind)
    if not include_confidential:
        query = query.where(s.confidential.is_(False))
    offers: list[tuple[float, rm.Availability]] = []  # exact distance first: rounding must not reorder
    checked: set[str] = set()
    box = SearchBox(lat, lon)
    while True:
        rows = [r for r in await uow.session.execute(box.narrow(query, s.lat, s.lon)) if r.id not in checked]
        checked.update(r.id for r in rows)
        for start in range(0, len(rows), CHUNK):
            offers += await _offers(uow, rows[start : start + CHUNK], lat, lon, party, needs)
        offers.sort(key=lambda pair: (pair[0], pair[1].site_id))
        certain = [o for distance, o in offers if distance <= box.covered_km]
        if len(certain) >= limit or box.covers_everything:
            return [o for _, o in offers][:limit] if box.covers_everything else certain[:limit]
        box = box.doubled()


@dataclass(frozen=True)
class SearchBox:
    """A lat/lon box around a point whose half-height is `degrees` of latitude. Every site within
    `covered_km` of the point lies inside it (its east-west half-width is widened for the box's
    most poleward latitude)."""

    lat: float
    lon: float
    degrees: float = 0.5

    @property
    def covers_everything(self) -> bool:
        return self.degrees >= 180

    @property
    def covered_km(self) -> float:
        return float("inf") if self.covers_everything else 0.99 * self.degrees * KM_PER_DEGREE

    def doubled(self) -> SearchBox:
        return SearchBox(self.lat, self.lon, self.degrees * 2)

    def narrow(self, query: sa.Select, lat_col: sa.ColumnElement, lon_col: sa.ColumnElement) -> sa.Select:  # type: ignore[type-arg]
        if self.covers_everything:
            return query
        poleward = min(abs(self.lat) + self.degrees, 89.0)
        half_width = self.degrees / math.cos(math.radians(poleward))
        query = query.where(lat_col.between(self.lat - self.degrees, self.lat + self.degrees))
        if half_width >= 180:
            return query
        west, east = self.lon - half_width, self.lon + half_width
        if west < -180 or east > 180:  # across the antimeridian
            return query.where(
                sa.or_(lon_col >= (west + 540) % 360 - 180, lon_col <= (east + 540) % 360 - 180)
            )
        return query.where(lon_col.between(west, east))


async def _offers(
    uow: BedsUnitOfWork,
    rows: Sequence[sa.Row[Any]],
    lat: float,
    lon: float,
    party: Party,
    needs: Needs,
) -> list[tuple[float, rm.Availability]]:
    ids = [row.id for row in rows]
    counts = await site_counts(uow, ids)
    rooms_by_site: dict[str, list[Room]] = defaultdict(list)
    active_rooms = sa.select(Room).where(rooms.c.site_id.in_(ids), rooms.c.retired_at.is_(None))
    for room in await uow.session.scalars(active_rooms):
        rooms_by_site[room.site_id].append(room)
    found = []
    for row in rows:
        free = counts.get(row.id)
        if free is None:
            continue
        openings = [RoomOpening(room, free.rooms.get(room.id, (0, 0))[1]) for room in rooms_by_site[row.id]]
        fitting = offer(row.kind, openings, free.mats_free, party, needs, confidential=row.confidential)
        if fitting is None:
            continue
        distance = distance_km(lat, lon, row.lat, row.lon)
        place = rm.Availability(
            site_id=row.id,
            name=row.name,
            kind=row.kind,
            distance_km=round(distance, 2),
            free_beds=fitting.free_beds,
            free_mats=fitting.free_mats,
            confidential=row.confidential,
        )
        found.append((distance, place))
    return found
