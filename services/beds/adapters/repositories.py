"""Repositories: load aggregates for a write, under the lock that makes the write safe.

A site floor is loaded with its site row locked (`FOR UPDATE` on PostgreSQL; on SQLite the
write transaction began with BEGIN IMMEDIATE and already excludes other writers), so that two
check-ins on one site happen one after the other, and the capacity they see is the truth.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import Clock
from common.uow import HasEvents
from services.beds.adapters.orm import (
    cards,
    holds,
    ledger_city_nights,
    ledger_people,
    nightly_ledger,
    place_claims,
    places,
    restrictions,
    rooms,
    sites,
    stays,
)
from services.beds.adapters.reports import SOURCES, arrivals_of
from services.beds.domain.claims import PlaceClaim
from services.beds.domain.floor import SiteFloor
from services.beds.domain.holds import Hold, OpenHolds
from services.beds.domain.nights import NightFigures, StayInterval
from services.beds.domain.restrictions import Restriction
from services.beds.domain.sites import Place, Room, Site
from services.beds.domain.stays import LIMIT_WARNING_LEAD, Stay, absence_warning_lead
from services.beds.domain.turnaways import Turnaway


class Tracker(Protocol):
    """What a repository needs of its unit of work: the clock, and to hand over the aggregates
    it loads so that their events reach the outbox at commit."""

    clock: Clock

    def track(self, aggregate: HasEvents) -> None: ...


INSERT_ORDER = (Site, Room, Place, Hold, Stay, PlaceClaim, Turnaway)


def _rows_of(kind: type, objects: list[object]) -> list[dict[str, Any]]:
    """The table rows of mapped domain objects of one kind (composites such as a hold's party
    included); the mapping is looked up once per kind, not once per object."""
    mapper: Any = sa.inspect(kind)
    columns = [(attr.columns[0].key, attr.key) for attr in mapper.column_attrs]
    return [{column: getattr(obj, key) for column, key in columns} for obj in objects]


class _FloorStatements:
    """The statements that load a floor, built once (the domain classes must be mapped first):
    a prebuilt statement keeps its cache key, so SQLAlchemy only binds `site_id` and `since` (a
    lambda statement re-inspects its closure on every call)."""

    def __init__(self) -> None:
        site_id: Any = sa.bindparam("site_id")
        self.site = sa.select(Site).where(sites.c.id == site_id)
        self.site_locked = self.site.with_for_update()
        self.rooms = sa.select(Room).where(rooms.c.site_id == site_id)
        self.places = sa.select(Place).where(places.c.site_id == site_id)
        self.claims = sa.select(PlaceClaim).where(
            place_claims.c.site_id == site_id,
            sa.or_(place_claims.c.ends_at.is_(None), place_claims.c.ends_at > sa.bindparam("since")),
        )
        self.over_capacity = sa.select(Stay).where(
            stays.c.site_id == site_id,
            stays.c.place_kind == "over_capacity",
            stays.c.ended_at.is_(None),
        )


@functools.cache
def _floor_statements() -> _FloorStatements:
    return _FloorStatements()


class SiteRepository:
    def __init__(self, session: AsyncSession, uow: Tracker):
        self.session = session
        self.uow = uow
        self.floors: list[SiteFloor] = []

    async def get(self, site_id: str) -> Site | None:
        return await self.session.get(Site, site_id)

    async def site_of_room(self, room_id: str) -> str | None:
        return await self.session.scalar(sa.select(rooms.c.site_id).where(rooms.c.id == room_id))

    async def site_of_place(self, place_id: str) -> str | None:
        return await self.session.scalar(sa.select(places.c.site_id).where(places.c.id == place_id))

    async def due_for_ledger(self, now: datetime, limit: int = 200) -> list[str]:
        """Active sites whose next night has ended: the stored `ledger_due_at` is indexed, so the
        clock finds them without scanning thousands of sites."""
        return list(
            (
                await self.session.scalars(
                    sa.select(sites.c.id)
                    .where(sites.c.retired_at.is_(None), sites.c.ledger_due_at <= now)
                    .order_by(sites.c.ledger_due_at)
                    .limit(limit)
                )
            ).all()
        )

    async def due_back_in_service(self, now: datetime, limit: int = 200) -> list[str]:
        """Sites with a place whose time out of service has run out (an indexed column)."""
        return list(
            (
                await self.session.scalars(
                    sa.select(places.c.site_id)
                    .where(places.c.out_of_service_until <= now)
                    .group_by(places.c.site_id)
                    .order_by(sa.func.min(places.c.out_of_service_until))
                    .limit(limit)
                )
            ).all()
        )

    async def floor(
        self, site_id: str, *, since: datetime | None = None, lock: bool = True
    ) -> SiteFloor | None:
        """The site and everything on it, locked for this transaction (unless `lock=False`, for
        reading). Claims that ended before `since` (default: now) are history and not loaded."""
        # Every booking loads a floor, so its statements are built once (`_FloorStatements`).
        q = _floor_statements()
        fresh = {"populate_existing": True}
        site = await self.session.scalar(
            q.site_locked if lock else q.site, {"site_id": site_id}, execution_options=fresh
        )
        if site is None:
            return None
        since = since or self.uow.clock.now()
        by_site = {"site_id": site_id}
        site_rooms = (await self.session.scalars(q.rooms, by_site)).all()
        site_places = (await self.session.scalars(q.places, by_site)).all()
        claims = (
            await self.session.scalars(
                q.claims, {"site_id": site_id, "since": since}, execution_options=fresh
            )
        ).all()
        over_capacity: Sequence[Stay] = ()
        if site.kind == "night_shelter":  # the only kind that checks people in past its places
            over_capacity = (
                await self.session.scalars(q.over_capacity, by_site, execution_options=fresh)
            ).all()
        floor = SiteFloor(site, site_rooms, site_places, claims, over_capacity)
        self.track(floor)
        return floor

    def add(self, floor: SiteFloor) -> None:
        self.track(floor)

    def track(self, floor: SiteFloor) -> None:
        self.floors.append(floor)
        self.uow.track(floor)
        self.uow.track(floor.site)

    async def persist_new(self) -> None:
        """Writes what the floors created, at commit, as a few multi-row INSERTs: parents before
        children (there are no ORM relationships to order them). Objects born in this unit of
        work reach the database only here, in their final state, and nothing reads them back
        through the session afterwards, so the ORM's per-object bookkeeping would buy nothing —
        it cost most of the time of opening a site of fifty places."""
        added = [obj for floor in self.floors for obj in floor.added]
        for floor in self.floors:
            floor.added.clear()
        for kind in INSERT_ORDER:
            rows = _rows_of(kind, [obj for obj in added if type(obj) is kind])
            if rows:
                await self.session.execute(sa.insert(sa.inspect(kind).local_table), rows)

    async def place_has_history(self, place_id: str) -> bool:
        found = await self.session.scalar(
            sa.select(sa.literal(1)).where(place_claims.c.place_id == place_id).limit(1)
        )
        return found is not None

    async def delete_place(self, place: Place) -> None:
        await self.session.delete(place)

    async def active_site_ids(self) -> list[str]:
        return list(
            (await self.session.scalars(sa.select(sites.c.id).where(sites.c.retired_at.is_(None)))).all()
        )


class HoldRepository:
    def __init__(self, session: AsyncSession, uow: Tracker):
        self.session = session
        self.uow = uow

    async def get(self, hold_id: str, *, fresh: bool = False) -> Hold | None:
        hold = await self.session.scalar(
            sa.select(Hold).where(holds.c.id == hold_id).execution_options(populate_existing=fresh)
        )
        if hold is not None:
            self.uow.track(hold)
        return hold

    async def open_counts(self, subject: str, team_id: str | None, now: datetime) -> OpenHolds:
        """How many unexpired active holds this caller, and its team, keep across every site."""
        open_now = sa.and_(holds.c.status == "active", holds.c.expires_at > now)
        mine = sa.func.count().filter(holds.c.holder_subject == subject)
        team = sa.func.count().filter(holds.c.holder_team_id == team_id) if team_id else sa.literal(0)
        who = holds.c.holder_subject == subject
        if team_id:
            who = sa.or_(who, holds.c.holder_team_id == team_id)
        row = (await self.session.execute(sa.select(mine, team).where(open_now, who))).one()
        return OpenHolds(by_caller=int(row[0]), by_team=int(row[1]))

    async def active_for_person(self, site_id: str, person_id: str) -> str | None:
        """The person's active hold at this site, if any (a card scan checks them in on it)."""
        return await self.session.scalar(
            sa.select(holds.c.id)
            .where(holds.c.site_id == site_id, holds.c.person_id == person_id, holds.c.status == "active")
            .order_by(holds.c.placed_at)
            .limit(1)
        )

    async def due_to_expire(self, now: datetime, limit: int = 200) -> list[tuple[str, str]]:
        rows = await self.session.execute(
            sa.select(holds.c.id, holds.c.site_id)
            .where(holds.c.status == "active", holds.c.expires_at <= now)
            .order_by(holds.c.expires_at)
            .limit(limit)
        )
        return [(r.id, r.site_id) for r in rows]

    async def due_for_warning(self, now: datetime, limit: int = 200) -> list[Hold]:
        found = (
            await self.session.scalars(
                sa.select(Hold)
                .where(
                    holds.c.status == "active",
                    holds.c.warn_at <= now,
                    holds.c.warned_at.is_(None),
                    holds.c.expires_at > now,
                )
                .order_by(holds.c.warn_at)
                .limit(limit)
            )
        ).all()
        for hold in found:
            self.uow.track(hold)
        return list(found)


class StayRepository:
    def __init__(self, session: AsyncSession, uow: Tracker):
        self.session = session
        self.uow = uow

    async def get(self, stay_id: str, *, fresh: bool = False) -> Stay | None:
        stay = await self.session.scalar(
            sa.select(Stay).where(stays.c.id == stay_id).execution_options(populate_existing=fresh)
        )
        if stay is not None:
            self.uow.track(stay)
        return stay

    async def open_in_group(self, group_id: str) -> list[Stay]:
        """Every open stay of a party placed together (one family keeps one limit)."""
        found = (
            await self.session.scalars(
                sa.select(Stay)
                .where(stays.c.group_id == group_id, stays.c.ended_at.is_(None))
                .order_by(stays.c.started_at, stays.c.id)
                .execution_options(populate_existing=True)
            )
        ).all()
        for stay in found:
            self.uow.track(stay)
        return list(found)

    async def due_at_rollover(self, now: datetime, limit: int = 500) -> list[tuple[str, str]]:
        rows = await self.session.execute(
            sa.select(stays.c.id, stays.c.site_id)
            .where(stays.c.ended_at.is_(None), stays.c.scheduled_end <= now)
            .order_by(stays.c.scheduled_end)
            .limit(limit)
        )
        return [(r.id, r.site_id) for r in rows]

    async def due_limit_alerts(self, now: datetime, limit: int = 500) -> list[Stay]:
        found = (
            await self.session.scalars(
                sa.select(Stay)
                .where(
                    stays.c.ended_at.is_(None),
                    stays.c.limit_at <= now + LIMIT_WARNING_LEAD,
                    sa.or_(
                        stays.c.limit_warned_at.is_(None),
                        sa.and_(stays.c.limit_reached_at.is_(None), stays.c.limit_at <= now),
                    ),
                )
                .order_by(stays.c.limit_at)
                .limit(limit)
            )
        ).all()
        for stay in found:
            self.uow.track(stay)
        return list(found)

    async def due_absent(self, now: datetime, absent_nights: int, limit: int = 500) -> list[tuple[str, str]]:
        """Open stays unseen long enough that the site is to be warned, or warned ones whose
        `leaves_at` has come."""
        warn_before = now - timedelta(days=absent_nights) + absence_warning_lead(absent_nights)
        rows = await self.session.execute(
            sa.select(stays.c.id, stays.c.site_id)
            .where(
                stays.c.ended_at.is_(None),
                sa.or_(
                    sa.and_(stays.c.leaves_at.is_(None), stays.c.last_seen_at <= warn_before),
                    stays.c.leaves_at <= now,
                ),
            )
            .order_by(stays.c.last_seen_at)
            .limit(limit)
        )
        return [(r.id, r.site_id) for r in rows]

    async def intervals(self, site_id: str, start: datetime, end: datetime) -> list[StayInterval]:
        """Every stay of the site that overlaps [start, end): what a night's figures count."""
        rows = await self.session.execute(
            sa.select(
                stays.c.started_at, stays.c.ended_at, stays.c.place_kind, stays.c.source, stays.c.person_id
            ).where(
                stays.c.site_id == site_id,
                stays.c.started_at < end,
                sa.or_(stays.c.ended_at.is_(None), stays.c.ended_at > start),
            )
        )
        return [StayInterval(r.started_at, r.ended_at, r.place_kind, r.source, r.person_id) for r in rows]


class LedgerRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def revision_of(self, site_id: str, night: date) -> int | None:
        return await self.session.scalar(
            sa.select(nightly_ledger.c.revision).where(
                nightly_ledger.c.site_id == site_id, nightly_ledger.c.night == night
            )
        )

    async def record(self, site_id: str, night: date, figures: NightFigures, closed_at: datetime) -> int:
        """Writes (or rewrites) one night; returns its revision (0 the first time)."""
        previous = await self.revision_of(site_id, night)
        values: dict[str, Any] = {
            "people": figures.people,
            "beds_used": figures.beds_used,
            "mats_used": figures.mats_used,
            "over_capacity": figures.over_capacity,
            "arrivals_by_source": figures.arrivals_by_source,
            "closed_at": closed_at,
        }
        await self._name_people(site_id, night, figures.named_people)
        if previous is None:
            await self.session.execute(
                sa.insert(nightly_ledger).values(site_id=site_id, night=night, revision=0, **values)
            )
        else:
            await self.session.execute(
                sa.update(nightly_ledger)
                .where(nightly_ledger.c.site_id == site_id, nightly_ledger.c.night == night)
                .values(revision=previous + 1, **values)
            )
        await self._add_up_city(night)
        return 0 if previous is None else previous + 1

    async def _add_up_city(self, night: date) -> None:
        """The city's row of the night, added up again from every site's (about 100 rows by the
        night's index). The row is locked first: two sites closing the same night one after the
        other each add up what the other committed (PostgreSQL; SQLite writes one at a time)."""
        city = ledger_city_nights.c
        dialect = self.session.get_bind().dialect.name
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        zeros = {column.name: 0 for column in ledger_city_nights.columns if column.name != "night"}
        await self.session.execute(
            make(ledger_city_nights).values(night=night, **zeros).on_conflict_do_nothing()
        )
        await self.session.execute(sa.select(city.night).where(city.night == night).with_for_update())
        n = nightly_ledger.c
        row = (
            await self.session.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.sum(n.people),
                    sa.func.sum(n.beds_used),
                    sa.func.sum(n.mats_used),
                    sa.func.sum(n.over_capacity),
                    sa.func.sum(sa.case((n.over_capacity > 0, 1), else_=0)),
                    sa.func.max(n.people),
                    sa.func.max(n.over_capacity),
                    *(sa.func.sum(arrivals_of(source)) for source in SOURCES),
                ).where(n.night == night)
            )
        ).one()
        names = ("sites", "people", "beds_used", "mats_used", "over_capacity", "over_capacity_sites")
        added = dict(zip((*names, "peak_people", "peak_over_capacity"), row[:8], strict=True))
        added |= {f"arrivals_{source}": value for source, value in zip(SOURCES, row[8:], strict=True)}
        await self.session.execute(sa.update(ledger_city_nights).where(city.night == night).values(**added))

    async def _name_people(self, site_id: str, night: date, named: dict[str, bool]) -> None:
        """The night's people by id, as this closing counted them (a night closed again replaces
        what it said before)."""
        await self.session.execute(
            sa.delete(ledger_people).where(ledger_people.c.site_id == site_id, ledger_people.c.night == night)
        )
        if named:
            await self.session.execute(
                sa.insert(ledger_people),
                [
                    {"site_id": site_id, "night": night, "person_id": person, "arrived": arrived}
                    for person, arrived in sorted(named.items())
                ],
            )


class RestrictionRepository:
    """intake's restrictions as beds knows them (ids and dates)."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, restriction: Restriction) -> None:
        await self.session.execute(
            sa.insert(restrictions).values(
                id=restriction.id,
                person_id=restriction.person_id,
                site_id=restriction.site_id,
                until=restriction.until,
            )
        )

    async def of_person(self, person_id: str, now: datetime) -> list[Restriction]:
        rows = await self.session.execute(
            sa.select(restrictions).where(restrictions.c.person_id == person_id, restrictions.c.until > now)
        )
        return [Restriction(r.id, r.person_id, r.site_id, r.until) for r in rows]


class CardRepository:
    """intake's express check-in cards as beds knows them: a token's digest and a person id."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, card_id: str, person_id: str, token_digest: str) -> None:
        await self.session.execute(
            sa.insert(cards).values(id=card_id, person_id=person_id, token_digest=token_digest)
        )

    async def revoke(self, card_id: str) -> bool:
        """False if beds never heard of the card (its `card.issued` may still be on the way)."""
        deleted = await self.session.execute(sa.delete(cards).where(cards.c.id == card_id))
        return bool(deleted.rowcount)  # type: ignore[attr-defined]

    async def person_of(self, token_digest: str) -> str | None:
        return await self.session.scalar(
            sa.select(cards.c.person_id).where(cards.c.token_digest == token_digest)
        )
