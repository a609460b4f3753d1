"""What the nearest search needs of every active site, kept in this process's memory: its spot
(id, name, kind, position, confidential), its active rooms and its free counts (`site_counts`),
so that a search is answered without a query.

Fresh by three ways, in this order of speed:
- this process's own commits: `BedsUnitOfWork.commit` names every site whose floor it loaded or
  whose rows it flushed, and `changed` marks them dirty before the commit returns; the next
  search re-reads the dirty sites (three small queries over their ids) before it answers, so a
  search that starts after a commit of this process never shows the counts from before it;
- other replicas' commits: a core subscription to beds' own events (`shelter.beds.>`, relayed
  from every replica's outbox after its commit) marks the event's site dirty;
- a bound for everything else (a lost event, a write outside the service): an entry read more
  than `max_age` seconds ago is re-read before a search uses it, and the background loop
  re-reads the oldest entries ahead of that and lists the active sites again, which finds sites
  opened or retired elsewhere.

A search is advice: the hold or check-in that follows re-checks the floor under the site lock,
so a stale offer is refused there (409), never booked twice.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from common.logging import get_logger
from common.nats import NatsLink
from contracts.streams import BEDS
from services.beds.adapters.board_signals import site_of
from services.beds.adapters.queries import BedsReads, Box, SiteCounts, SiteSpot
from services.beds.domain.sites import Room

log = get_logger(__name__)

CHUNK = 500  # sites per read when the whole index is built
MAX_AGE_S = 60.0
CELL_DEGREES = 0.5  # the first search box is 0.5 degrees each way: a few cells
SWEEP_SHARE = 120  # the background loop re-reads 1/120 of the entries per round (short rounds)
SWEEP_LEAD = 0.75  # ... so that each is read again within 3/4 of the age bound


@dataclass(frozen=True)
class IndexedSite:
    spot: SiteSpot
    rooms: tuple[Room, ...]
    counts: SiteCounts | None  # None: no place on its floor (the search passes it over)


def _row(degrees: float) -> int:
    """The grid's row (of a latitude) or column (of a longitude)."""
    return math.floor(degrees / CELL_DEGREES)


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return _row(lat), _row(lon)


def _placing(spot: SiteSpot) -> tuple[float, float, str, bool]:
    """What decides in which boxes and counts of searchable sites a site is found."""
    return spot.lat, spot.lon, spot.kind, spot.confidential


def _room(row: Sequence[Any], before: Room | None) -> Room:
    """A room that outlives its session; the one already held when nothing about it changed."""
    room_id, site_id, name, restriction, accessible, pets_allowed = row
    if before is not None and (before.name, before.restriction, before.accessible, before.pets_allowed) == (
        name,
        restriction,
        accessible,
        pets_allowed,
    ):
        return before
    return Room(
        id=room_id,
        site_id=site_id,
        name=name,
        restriction=restriction,
        accessible=accessible,
        pets_allowed=pets_allowed,
    )


class AvailabilityIndex:
    def __init__(self, *, max_age: float = MAX_AGE_S, monotonic: Callable[[], float] = time.monotonic):
        self.max_age = max_age
        self._monotonic = monotonic
        self._sites: dict[str, IndexedSite] = {}
        self._read_at: dict[str, float] = {}  # oldest first: a re-read moves a site to the end
        self._lats: list[float] = []
        self._ids_by_lat: list[str] = []
        self._searchable: dict[tuple[str, bool], int] = {}  # (kind, confidential) -> sites
        self._placed = True  # positions and the set of sites unchanged since `_lats` was sorted
        self._built = False
        self._listed_at = 0.0
        self._dirty: dict[str, int] = {}  # site -> the generation of its latest change
        self._generation = 0
        self._lock = asyncio.Lock()
        self._subscribing: asyncio.Task[None] | None = None

    # -- freshness ---------------------------------------------------------------------------------

    def changed(self, site_ids: Iterable[str]) -> None:
        """These sites' floors changed (a commit of this process, an event of another replica)."""
        for site_id in site_ids:
            self._generation += 1
            self._dirty[site_id] = self._generation

    def heard(self, payload: bytes) -> None:
        site_id = site_of(payload)
        if site_id is not None:
            self.changed((site_id,))

    def _due(self, older_than: float, limit: int | None = None) -> list[str]:
        due: list[str] = []
        for site_id, read_at in self._read_at.items():
            if read_at >= older_than or (limit is not None and len(due) >= limit):
                break
            due.append(site_id)
        return due

    async def fresh(self, reads: BedsReads) -> None:
        """Brings the index up to date before a search: built on first use, then the dirty
        sites and those read more than `max_age` ago are read again (in the caller's session)."""
        if self._built and not self._dirty and not self._due(self._monotonic() - self.max_age, 1):
            return
        async with self._lock:
            if not self._built:
                await self._build(reads)
            due = [*self._dirty, *self._due(self._monotonic() - self.max_age)]
            if due:
                await self._reload(reads, due)

    async def _build(self, reads: BedsReads) -> None:
        generation = self._generation
        started = self._monotonic()
        spots = await reads.site_spots()
        self._sites.clear()
        self._read_at.clear()
        for start in range(0, len(spots), CHUNK):
            await self._store(reads, spots[start : start + CHUNK], started)
        self._placed = False
        self._built = True
        self._listed_at = started
        self._settle(generation)
        log.info("availability_index_built", sites=len(self._sites))

    async def _reload(self, reads: BedsReads, site_ids: Sequence[str]) -> None:
        generation = self._generation
        wanted = dict.fromkeys(site_ids)
        started = self._monotonic()
        for start in range(0, len(wanted), CHUNK):
            ids = list(wanted)[start : start + CHUNK]
            spots = await reads.site_spots(ids)
            for gone in set(ids) - {spot.id for spot in spots}:  # retired, or never was
                if self._sites.pop(gone, None) is not None:
                    self._placed = False
                self._read_at.pop(gone, None)
            await self._store(reads, spots, started)
        self._settle(generation, wanted)

    async def _store(self, reads: BedsReads, spots: Sequence[SiteSpot], read_at: float) -> None:
        ids = [spot.id for spot in spots]
        counts = await reads.site_counts(ids)
        room_rows: dict[str, list[Sequence[Any]]] = {}
        for row in await reads.active_room_rows(ids):
            room_rows.setdefault(row[1], []).append(row)
        for spot in spots:
            before = self._sites.get(spot.id)
            if before is None or _placing(before.spot) != _placing(spot):
                self._placed = False
            held = {room.id: room for room in before.rooms} if before is not None else {}
            site_rooms = tuple(_room(row, held.get(row[0])) for row in room_rows.get(spot.id, ()))
            self._sites[spot.id] = IndexedSite(spot, site_rooms, counts.get(spot.id))
            self._read_at.pop(spot.id, None)
            self._read_at[spot.id] = read_at

    def _settle(self, generation: int, site_ids: Iterable[str] | None = None) -> None:
        """Dirty marks older than the read that just finished are done with; a change marked
        while it ran keeps its mark (the read may have missed it)."""
        for site_id in list(self._dirty) if site_ids is None else site_ids:
            mark = self._dirty.get(site_id)
            if mark is not None and mark <= generation:
                del self._dirty[site_id]

    # -- the background loop -----------------------------------------------------------------------

    async def run(self, nats: NatsLink, read: Callable[[], Any]) -> None:
        """Hears beds' events of every replica, and keeps the staleness bound ahead of searches:
        builds the index, then each round re-reads the oldest entries and lists the sites again."""
        if self._subscribing is None:
            self._subscribing = asyncio.create_task(self._subscribe(nats), name="availability-index-events")
        # Each round re-reads the oldest 1/SWEEP_SHARE of the entries, so every entry is read
        # again within SWEEP_LEAD x max_age: ahead of the bound, and spread evenly over time.
        pause = SWEEP_LEAD * self.max_age / SWEEP_SHARE
        while True:
            now = self._monotonic()
            async with read() as uow, self._lock:
                if not self._built:
                    await self._build(uow.reads)
                else:
                    due = self._due(now, math.ceil(len(self._sites) / SWEEP_SHARE))
                    if now - self._listed_at >= SWEEP_LEAD * self.max_age:
                        listed = set(await uow.sites.active_site_ids())
                        self._listed_at = now
                        due += listed.symmetric_difference(self._sites)
                    if due:
                        await self._reload(uow.reads, due)
            await asyncio.sleep(pause)

    async def _subscribe(self, nats: NatsLink) -> None:
        await nats.ready.wait()
        assert nats.nc is not None
        for subject in BEDS.subjects:
            await nats.nc.subscribe(subject, cb=self._on_message)

    async def _on_message(self, msg: Any) -> None:
        self.heard(msg.data)

    # -- reading ---------------------------------------------------------------------------------

    def _sorted(self) -> None:
        if self._placed:
            return
        cells: dict[tuple[int, int], list[str]] = {}
        searchable: dict[tuple[str, bool], int] = {}
        for site_id, site in self._sites.items():
            cells.setdefault(_cell(site.spot.lat, site.spot.lon), []).append(site_id)
            key = (site.spot.kind, site.spot.confidential)
            searchable[key] = searchable.get(key, 0) + 1
        self._cells = cells
        self._searchable = searchable
        self._placed = True

    def in_box(self, box: Box, *, kind: str | None, include_confidential: bool) -> list[IndexedSite]:
        """The sites `sites_in_box` would find, by the same bounds: those in the grid's cells that
        meet the box (the cells are walked by the box, or, for a wide box, the sites' cells)."""
        self._sorted()
        bounds = box.bounds()
        found: Iterable[IndexedSite]
        if bounds is None:
            found = self._sites.values()
        else:
            (south, north), lons = bounds
            spans = [(-180.0, 180.0)] if lons is None else [(max(w, -180.0), min(e, 180.0)) for w, e in lons]
            rows = range(_row(south), _row(north) + 1)
            columns = [range(_row(w), _row(e) + 1) for w, e in spans]
            candidates: Iterable[str]
            if len(rows) * sum(len(c) for c in columns) > len(self._cells):
                candidates = [
                    site_id
                    for (row, column), ids in self._cells.items()
                    if row in rows and any(column in span for span in columns)
                    for site_id in ids
                ]
            else:
                candidates = [
                    site_id
                    for row in rows
                    for span in columns
                    for column in span
                    for site_id in self._cells.get((row, column), ())
                ]
            found = [
                site
                for site in (self._sites[site_id] for site_id in candidates)
                if south <= site.spot.lat <= north
                and (
                    lons is None
                    or (
                        site.spot.lon >= lons[0][0] or site.spot.lon <= lons[1][1]
                        if len(lons) == 2
                        else lons[0][0] <= site.spot.lon <= lons[0][1]
                    )
                )
            ]
        return [
            s
            for s in found
            if (not kind or s.spot.kind == kind) and (include_confidential or not s.spot.confidential)
        ]

    def count_searched(self, *, kind: str | None, include_confidential: bool) -> int:
        self._sorted()
        return sum(
            n
            for (site_kind, confidential), n in self._searchable.items()
            if (not kind or site_kind == kind) and (include_confidential or not confidential)
        )

    def __len__(self) -> int:
        return len(self._sites)
