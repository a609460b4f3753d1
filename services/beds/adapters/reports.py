"""The SQL behind reports: the nightly ledger, crisis-room stays, the placements of referrals
(fed by intake's `referral.*` events) with their holds, and the trips intake's `trip.recorded`
events feed. Read-only, except the trips read model the reports consumer writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from contracts.events.base import Source
from contracts.events.intake import TripRecorded
from services.beds.adapters.orm import (
    holds,
    ledger_city_nights,
    ledger_people,
    nightly_ledger,
    placements,
    report_trips,
    sites,
    stays,
    turnaways,
)
from services.beds.domain.nights import NightCalendar
from services.beds.domain.reports import (
    UNMET,
    CrisisTotals,
    LedgerNight,
    LedgerTotals,
    PlacementWaits,
    ReferralTally,
    TurnawayNight,
)


@dataclass(frozen=True)
class SiteClock:
    """What turns a site's times into its nights."""

    timezone: str
    rollover: time


SOURCES: tuple[str, ...] = get_args(Source)
n = nightly_ledger.c
p, h = placements.c, holds.c


class seconds_between(FunctionElement[float]):
    """`later - earlier` in seconds, on SQLite (times kept as text) and PostgreSQL alike."""

    type = sa.Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between)
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


class shifted_date(FunctionElement[date]):
    """The UTC date of `moment + seconds`, on SQLite (times kept as UTC text) and PostgreSQL."""

    type = sa.Date()
    inherit_cache = True
    name = "shifted_date"


@compiles(shifted_date)
def _shifted_date_postgresql(element: shifted_date, compiler: Any, **kw: Any) -> str:
    moment, seconds = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(({moment} AT TIME ZONE 'UTC') + {seconds} * INTERVAL '1 second' AS DATE)"


@compiles(shifted_date, "sqlite")
def _shifted_date_sqlite(element: shifted_date, compiler: Any, **kw: Any) -> str:
    moment, seconds = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({moment}, {seconds} || ' seconds')"


def _seconds(shift: timedelta) -> sa.ColumnElement[int]:
    return sa.literal(int(shift.total_seconds()), sa.Integer)


def _placed_referrals(made_from: datetime, made_before: datetime, site_id: str | None) -> list[Any]:
    where = [p.referred_at >= made_from, p.referred_at < made_before]
    return [*where, h.site_id == site_id] if site_id is not None else where


_WITH_HOLDS = placements.outerjoin(holds, h.id == p.hold_id)
_WAITED = p.waitlisted_until.is_not(None)


def arrivals_of(source: str) -> sa.ColumnElement[int]:
    """One source's arrivals from the ledger's JSON, in the database (SQLite and PostgreSQL)."""
    return sa.func.coalesce(n.arrivals_by_source[source].as_integer(), 0)


def _all_arrivals() -> sa.ColumnElement[int]:
    total: sa.ColumnElement[int] = arrivals_of(SOURCES[0])
    for source in SOURCES[1:]:
        total = total + arrivals_of(source)
    return total


def _ledger_night(row: Any) -> LedgerNight:
    return LedgerNight(
        site_id=row.site_id,
        site_kind=row.kind,
        night=row.night,
        people=row.people,
        beds_used=row.beds_used,
        mats_used=row.mats_used,
        over_capacity=row.over_capacity,
        arrivals_by_source={source: getattr(row, f"arrivals_{source}") for source in SOURCES},
    )


class ReportReads:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def ledger_totals(self, start: date, end: date, site_id: str | None) -> LedgerTotals:
        """The range's ledger added up where it lies: a handful of aggregates. The city's from
        its nightly sums (a row a night), one site's from its own rows (a row a night too)."""
        if site_id is None:
            c = ledger_city_nights.c
            source, in_range = ledger_city_nights, [c.night >= start, c.night <= end]
            figures = (
                sa.func.count(),
                sa.func.sum(c.people),
                sa.func.sum(c.beds_used),
                sa.func.sum(c.mats_used),
                sa.func.sum(c.over_capacity_sites),
                sa.func.sum(c.over_capacity),
                *(sa.func.sum(getattr(c, f"arrivals_{s}")) for s in SOURCES),
            )
            peak_people, peak_over, night = c.peak_people, c.peak_over_capacity, c.night
        else:
            source, in_range = nightly_ledger, [n.night >= start, n.night <= end, n.site_id == site_id]
            figures = (
                sa.func.count(),
                sa.func.sum(n.people),
                sa.func.sum(n.beds_used),
                sa.func.sum(n.mats_used),
                sa.func.sum(sa.case((n.over_capacity > 0, 1), else_=0)),
                sa.func.sum(n.over_capacity),
                *(sa.func.sum(arrivals_of(s)) for s in SOURCES),
            )
            peak_people, peak_over, night = n.people, n.over_capacity, n.night
        sums = (
            await self.session.execute(
                sa.select(*(sa.func.coalesce(figure, 0) for figure in figures))
                .select_from(source)
                .where(*in_range)
            )
        ).one()
        peaks = {}
        for name, figure in (("people", peak_people), ("over_capacity", peak_over)):
            peaks[name] = (
                await self.session.execute(
                    sa.select(figure, night)
                    .where(*in_range, figure > 0)
                    .order_by(figure.desc(), night)
                    .limit(1)
                )
            ).first()
        # each site's first night in the range: one seek of the ledger's key per site (asked
        # apart: joined, SQLite would seek once per ledger row instead)
        pick = sa.select(sites.c.id)
        chosen = (pick.where(sites.c.id == site_id) if site_id else pick).subquery("chosen")
        first_night = (
            sa.select(sa.func.min(n.night))
            .where(n.site_id == chosen.c.id, n.night >= start, n.night <= end)
            .scalar_subquery()
        )
        firsts = {
            (row.id, row.night)
            for row in await self.session.execute(sa.select(chosen.c.id, first_night.label("night")))
            if row.night is not None
        }
        # Those (site, night) keys asked as two lists, picked exactly here: SQLite seeks the key
        # for each pair of the lists (usually one night for all sites), where a row-value
        # `IN (VALUES ...)` scanned the whole ledger and a VALUES table was compiled anew per call.
        ids, nights = sorted({s for s, _ in firsts}), sorted({night for _, night in firsts})
        people = arrivals = named_first = 0
        lp = ledger_people.c
        if firsts:
            for row in await self.session.execute(
                sa.select(n.site_id, n.night, n.people, _all_arrivals().label("arrivals")).where(
                    n.site_id.in_(ids), n.night.in_(nights)
                )
            ):
                if (row.site_id, row.night) in firsts:
                    people, arrivals = people + row.people, arrivals + row.arrivals
            for row in await self.session.execute(
                sa.select(lp.site_id, lp.night, sa.func.count().label("stays"))
                .where(lp.site_id.in_(ids), lp.night.in_(nights), lp.arrived.is_(False))
                .group_by(lp.site_id, lp.night)
            ):
                if (row.site_id, row.night) in firsts:
                    named_first += row.stays
        # a named stay counts on its site's first night of the range, then on the night it arrived
        named_people, named_arrivals = (
            await self.session.execute(
                sa.select(
                    sa.func.count(sa.distinct(lp.person_id)),
                    sa.func.coalesce(sa.func.sum(sa.case((lp.arrived, 1), else_=0)), 0),
                ).where(lp.night >= start, lp.night <= end, *([lp.site_id == site_id] if site_id else []))
            )
        ).one()
        named_stays = named_arrivals + named_first
        people_peak, over_peak = peaks["people"], peaks["over_capacity"]
        return LedgerTotals(
            nights_closed=sums[0],
            person_nights=sums[1],
            bed_nights=sums[2],
            mat_nights=sums[3],
            over_capacity_nights=sums[4],
            over_capacity_people=sums[5],
            arrivals_by_source=dict(zip(SOURCES, sums[6:], strict=True)),
            peak_people=people_peak[0] if people_peak else 0,
            peak_people_night=people_peak[1] if people_peak else None,
            peak_over_capacity=over_peak[0] if over_peak else 0,
            peak_over_capacity_night=over_peak[1] if over_peak else None,
            first_nights_people=people,
            first_nights_arrivals=arrivals,
            named_stays=named_stays,
            named_people=named_people,
        )

    async def bed_nights(
        self, start: date, end: date, after_site: str | None, sites_per_page: int
    ) -> tuple[list[LedgerNight], str | None]:
        """The nights of the next few sites (by id, after `after_site`) and the last site's id,
        None once every site is through. Each site's nights are one seek of the ledger's key."""
        pick = sa.select(sites.c.id).order_by(sites.c.id).limit(sites_per_page)
        if after_site is not None:
            pick = pick.where(sites.c.id > after_site)
        site_ids = list((await self.session.execute(pick)).scalars())
        if not site_ids:
            return [], None
        query = (
            sa.select(
                n.site_id,
                sites.c.kind,
                n.night,
                n.people,
                n.beds_used,
                n.mats_used,
                n.over_capacity,
                *(arrivals_of(source).label(f"arrivals_{source}") for source in SOURCES),
            )
            .join(sites, sites.c.id == n.site_id)
            .where(n.site_id.in_(site_ids), n.night >= start, n.night <= end)
            .order_by(n.site_id, n.night)
        )
        return [_ledger_night(row) for row in await self.session.execute(query)], site_ids[-1]

    async def crisis_clocks(self, site_id: str | None) -> list[SiteClock]:
        """The clocks of the crisis rooms (one room's, with `site_id`): few, usually one."""
        query = sa.select(sites.c.timezone, sites.c.rollover).where(sites.c.kind == "crisis_room").distinct()
        if site_id is not None:
            query = query.where(sites.c.id == site_id)
        return [SiteClock(r.timezone, r.rollover) for r in await self.session.execute(query)]

    async def crisis_totals(
        self,
        clock: SiteClock,
        begun_from: datetime,
        begun_before: datetime,
        until: datetime,
        site_id: str | None,
    ) -> CrisisTotals:
        """Crisis-room stays of one clock's rooms begun in [begun_from, begun_before), each
        measured to its end or to `until` (the range's last morning, or now before it)."""
        s = stays.c
        measured_to = sa.case((sa.and_(s.ended_at.is_not(None), s.ended_at < until), s.ended_at), else_=until)
        length = seconds_between(measured_to, s.started_at)
        query = (
            sa.select(
                sa.func.count(),
                sa.func.count(sa.distinct(s.group_id)),
                sa.func.coalesce(
                    sa.func.sum(sa.case((sa.or_(s.ended_at.is_(None), s.ended_at > until), 1), else_=0)), 0
                ),
                sa.func.coalesce(sa.func.sum(length), 0.0),
                sa.func.max(length),
                sa.func.coalesce(sa.func.sum(sa.case((s.extension_days > 0, 1), else_=0)), 0),
                sa.func.coalesce(sa.func.sum(s.extension_days), 0),
            )
            .join(sites, sites.c.id == s.site_id)
            .where(
                sites.c.kind == "crisis_room",
                sites.c.timezone == clock.timezone,
                sites.c.rollover == clock.rollover,
                s.started_at >= begun_from,
                s.started_at < begun_before,
            )
        )
        if site_id is not None:
            query = query.where(s.site_id == site_id)
        row = (await self.session.execute(query)).one()
        return CrisisTotals(
            placements=row[0],
            parties=row[1],
            still_staying=row[2],
            stay_seconds=float(row[3]),
            longest_seconds=None if row[4] is None else float(row[4]),
            extended=row[5],
            extension_days=row[6],
        )

    async def referral_tallies(
        self, made_from: datetime, made_before: datetime, site_id: str | None
    ) -> list[ReferralTally]:
        """Referrals made in the range, counted by where they stand (a handful of rows)."""
        query = (
            sa.select(p.status, h.status.label("hold_status"), _WAITED.label("waited"), sa.func.count())
            .select_from(_WITH_HOLDS)
            .where(*_placed_referrals(made_from, made_before, site_id))
            .group_by(p.status, h.status, _WAITED)
        )
        return [
            ReferralTally(r.status, r.hold_status, bool(r.waited), r[3])
            for r in await self.session.execute(query)
        ]

    async def unplaced_by_night(self, calendar: NightCalendar, site_id: str | None) -> list[ReferralTally]:
        """The referrals that may have ended without a place, counted by the night they were made.
        The night is worked out by the database from the calendar's few spans (a comparison and a
        date shift each); a `VALUES` table of the year's 365 windows cost ~60 ms to compile on
        every call, more than the query itself."""
        spans = calendar.spans()
        night = sa.case(
            *((p.referred_at < s.ends, shifted_date(p.referred_at, _seconds(s.shift))) for s in spans)
        )
        made = (
            sa.select(night.label("night"), p.status, h.status.label("hold_status"))
            .select_from(_WITH_HOLDS)
            .where(
                *_placed_referrals(calendar.begins, calendar.ends, site_id),
                sa.or_(p.status.in_(UNMET), h.status.in_(UNMET)),
            )
            .subquery("made")
        )
        query = sa.select(made.c.night, made.c.status, made.c.hold_status, sa.func.count()).group_by(
            made.c.night, made.c.status, made.c.hold_status
        )
        return [
            ReferralTally(r.status, r.hold_status, False, r[3], night=r.night)
            for r in await self.session.execute(query)
        ]

    async def placement_waits(
        self, made_from: datetime, made_before: datetime, site_id: str | None
    ) -> PlacementWaits:
        """Referral to check-in (a fulfilled hold's end) over the placed referrals: the count, the
        sum and the middle one or two in order, in one pass (the database ranks; only the middle
        rows come back, each carrying the count and the sum)."""
        wait = seconds_between(h.ended_at, p.referred_at)
        placed = [*_placed_referrals(made_from, made_before, site_id), h.status == "fulfilled"]
        ranked = (
            sa.select(
                wait.label("wait"),
                sa.func.row_number().over(order_by=wait).label("n"),
                sa.func.count().over().label("placed"),
                sa.func.sum(wait).over().label("total"),
            )
            .select_from(_WITH_HOLDS)
            .where(*placed)
            .subquery("ranked")
        )
        # the n-th of `placed` is in the middle when 2n lies in [placed, placed + 2]
        rows = (
            await self.session.execute(
                sa.select(ranked.c.wait, ranked.c.placed, ranked.c.total)
                .where((2 * ranked.c.n).between(ranked.c.placed, ranked.c.placed + 2))
                .order_by(ranked.c.n)
            )
        ).all()
        if not rows:
            return PlacementWaits()
        return PlacementWaits(rows[0].placed, float(rows[0].total), tuple(float(r.wait) for r in rows))

    async def turned_away(self, start: date, end: date, site_id: str | None) -> list[TurnawayNight]:
        """People turned away (adults and children) by the night of the site that turned them away."""
        t = turnaways.c
        query = (
            sa.select(t.night, sa.func.sum(t.adults + t.children))
            .where(t.night >= start, t.night <= end, *([t.site_id == site_id] if site_id else []))
            .group_by(t.night)
        )
        return [TurnawayNight(r[0], r[1]) for r in await self.session.execute(query)]

    async def trip_outcomes(self, begun_from: datetime, begun_before: datetime) -> list[str]:
        t = report_trips.c
        rows = await self.session.execute(
            sa.select(t.outcome).where(t.started_at >= begun_from, t.started_at < begun_before)
        )
        return list(rows.scalars())

    async def record_trip(self, event: TripRecorded) -> bool:
        """Idempotent by trip id (the consumer's inbox makes a redelivery a no-op already)."""
        known = await self.session.scalar(
            sa.select(report_trips.c.trip_id).where(report_trips.c.trip_id == event.trip_id)
        )
        if known is not None:
            return False
        await self.session.execute(
            sa.insert(report_trips).values(
                trip_id=event.trip_id,
                team_id=event.team_id,
                started_at=event.started_at,
                ended_at=event.ended_at,
                outcome=event.outcome,
                referral_id=event.referral_id,
            )
        )
        return True
