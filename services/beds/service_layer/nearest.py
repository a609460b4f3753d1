"""Nearest free fitting places, for a patrol on the street or a national registry: search outward
from the point in growing boxes, check each box's sites with the same fit rule as check-in."""

from __future__ import annotations

from collections.abc import Sequence

from services.beds.adapters.availability_index import AvailabilityIndex
from services.beds.adapters.queries import Box, SiteCounts, SiteSpot
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain import commands as c
from services.beds.domain.access import Actor, sees_confidential_sites_in_search
from services.beds.domain.availability import RoomOpening, distance_km, offer
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Room
from services.beds.service_layer.results import Offer

CHUNK = 200
KM_PER_DEGREE = 111.19  # of latitude, on the mean Earth radius
FIRST_BOX_DEGREES = 0.5


def covered_km(box: Box) -> float:
    """Every site within this distance of the point lies inside the box (1% kept for rounding)."""
    return float("inf") if box.everything else 0.99 * box.degrees * KM_PER_DEGREE


async def find_availability(query: c.FindAvailability, actor: Actor, uow: BedsUnitOfWork) -> list[Offer]:
    """From the process's index when it has one (brought up to date first), else by queries."""
    if uow.availability is not None:
        await uow.availability.fresh(uow.reads)
        return nearest_in(
            uow.availability,
            lat=query.lat,
            lon=query.lon,
            party=query.party,
            needs=query.needs,
            kind=query.kind,
            include_confidential=sees_confidential_sites_in_search(actor),
            limit=query.limit,
        )
    return await nearest(
        uow,
        lat=query.lat,
        lon=query.lon,
        party=query.party,
        needs=query.needs,
        kind=query.kind,
        include_confidential=sees_confidential_sites_in_search(actor),
        limit=query.limit,
    )


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
) -> list[Offer]:
    """Nearest first, searching outward: the sites inside a box around the point are checked for
    a fitting place (one grouped query), and an offer is final once it lies within the distance
    the box guarantees; otherwise the box doubles. A national registry of thousands of sites
    usually costs one or two small boxes, and the answer is exactly the nearest-first one. A city
    with fewer fitting sites than `limit` would double the box up to the whole globe (ten
    queries): once the first box falls short, the sites that could be found anywhere are counted,
    and the search ends when all of them were checked."""
    offers: list[Offer] = []
    checked: set[str] = set()
    box = Box(lat, lon, FIRST_BOX_DEGREES)
    searchable: int | None = None
    while True:
        spots = [
            s
            for s in await uow.reads.sites_in_box(box, kind=kind, include_confidential=include_confidential)
            if s.id not in checked
        ]
        checked.update(s.id for s in spots)
        for start in range(0, len(spots), CHUNK):
            offers += await _offers(uow, spots[start : start + CHUNK], lat, lon, party, needs)
        if (settled := _settled(offers, box, limit)) is not None:
            return settled
        if searchable is None:
            searchable = await uow.reads.count_searched(kind=kind, include_confidential=include_confidential)
        if len(checked) >= searchable:
            return offers[:limit]  # every site there is was checked: all offers are final
        box = Box(lat, lon, box.degrees * 2)


def nearest_in(
    index: AvailabilityIndex,
    *,
    lat: float,
    lon: float,
    party: Party,
    needs: Needs,
    kind: str | None,
    include_confidential: bool,
    limit: int,
) -> list[Offer]:
    """`nearest`, answered from the index in memory: the same boxes, the same fit rule, the same
    order and the same end, so the same answer for the same floors."""
    offers: list[Offer] = []
    checked: set[str] = set()
    box = Box(lat, lon, FIRST_BOX_DEGREES)
    searchable: int | None = None
    while True:
        for site in index.in_box(box, kind=kind, include_confidential=include_confidential):
            if site.spot.id in checked:
                continue
            checked.add(site.spot.id)
            found = _offer_at(site.spot, site.rooms, site.counts, lat, lon, party, needs)
            if found is not None:
                offers.append(found)
        if (settled := _settled(offers, box, limit)) is not None:
            return settled
        if searchable is None:
            searchable = index.count_searched(kind=kind, include_confidential=include_confidential)
        if len(checked) >= searchable:
            return offers[:limit]
        box = Box(lat, lon, box.degrees * 2)


def _settled(offers: list[Offer], box: Box, limit: int) -> list[Offer] | None:
    """Sorts the offers nearest first; the answer, once this box settles it (it covers
    everything, or `limit` offers lie within the distance it guarantees), else None. One rule
    for both paths, so the index answers exactly as the queries do."""
    offers.sort(key=lambda o: (o.distance_km, o.site_id))  # exact distance: rounding must not reorder
    if box.everything:
        return offers[:limit]
    certain = [o for o in offers if o.distance_km <= covered_km(box)]
    return certain[:limit] if len(certain) >= limit else None


async def _offers(
    uow: BedsUnitOfWork, spots: Sequence[SiteSpot], lat: float, lon: float, party: Party, needs: Needs
) -> list[Offer]:
    ids = [spot.id for spot in spots]
    counts = await uow.reads.site_counts(ids)
    rooms_by_site = await uow.reads.active_rooms(ids)
    found = []
    for spot in spots:
        fitting = _offer_at(spot, rooms_by_site[spot.id], counts.get(spot.id), lat, lon, party, needs)
        if fitting is not None:
            found.append(fitting)
    return found


def _offer_at(
    spot: SiteSpot,
    rooms: Sequence[Room],
    free: SiteCounts | None,
    lat: float,
    lon: float,
    party: Party,
    needs: Needs,
) -> Offer | None:
    """The one way both searches turn a site's counts into an offer (or none)."""
    if free is None:
        return None
    openings = [RoomOpening(room, free.rooms.get(room.id, (0, 0))[1]) for room in rooms]
    fitting = offer(spot.kind, openings, free.mats_free, party, needs, confidential=spot.confidential)
    if fitting is None:
        return None
    return Offer(
        site_id=spot.id,
        name=spot.name,
        kind=spot.kind,
        distance_km=distance_km(lat, lon, spot.lat, spot.lon),
        free_beds=fitting.free_beds,
        free_mats=fitting.free_mats,
        confidential=spot.confidential,
        on_beds=fitting.on_beds,
    )
