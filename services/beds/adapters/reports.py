"""The SQL behind reports: the nightly ledger, crisis-room stays, the placements of referrals
(fed by intake's `referral.*` events) with their holds, and the trips intake's `trip.recorded`
events feed. Read-only, except the trips read model the reports consumer writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.events.base import Source
from contracts.events.intake import TripRecorded
from services.beds.adapters.orm import holds, nightly_ledger, placements, report_trips, sites, stays
from services.beds.domain.reports import LedgerNight, LedgerTotals


@dataclass(frozen=True)
class SiteClock:
    """What turns a site's times into its nights."""

    timezone: str
    rollover: time


@dataclass(frozen=True)
class ReferralRow:
    referred_at: datetime
    placement_status: str
    waited: bool
    hold_status: str | None
    checked_in_at: datetime | None  # a fulfilled hold's end: the check-in


SOURCES: tuple[str, ...] = get_args(Source)
n = nightly_ledger.c


def _arrivals(source: str) -> sa.ColumnElement[int]:
    """One source's arrivals from the ledger's JSON, in the database (SQLite and PostgreSQL)."""
    return sa.func.coalesce(n.arrivals_by_source[source].as_integer(), 0)


def _all_arrivals() -> sa.ColumnElement[int]:
    total: sa.ColumnElement[int] = _arrivals(SOURCES[0])
    for source in SOURCES[1:]:
        total = total + _arrivals(source)
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
        """The range's ledger added up where it lies: a handful of aggregates, not 36,500 rows."""
        in_range = [n.night >= start, n.night <= end, *([n.site_id == site_id] if site_id else [])]
        sums = (
            await self.session.execute(
                sa.select(
                    sa.func.count(sa.distinct(n.night)),
                    sa.func.coalesce(sa.func.sum(n.people), 0),
                    sa.func.coalesce(sa.func.sum(n.beds_used), 0),
                    sa.func.coalesce(sa.func.sum(n.mats_used), 0),
                    sa.func.coalesce(sa.func.sum(sa.case((n.over_capacity > 0, 1), else_=0)), 0),
                    sa.func.coalesce(sa.func.sum(n.over_capacity), 0),
                    *(sa.func.coalesce(sa.func.sum(_arrivals(source)), 0) for source in SOURCES),
                ).where(*in_range)
            )
        ).one()
        peaks = {}
        for figure in (n.people, n.over_capacity):
            peaks[figure.name] = (
                await self.session.execute(
                    sa.select(figure, n.night)
                    .where(*in_range, figure > 0)
                    .order_by(figure.desc(), n.night)
                    .limit(1)
                )
            ).first()
        first = sa.select(n.site_id, sa.func.min(n.night).label("night")).where(*in_range).group_by(n.site_id)
        first_nights = first.subquery()
        people, arrivals = (
            await self.session.execute(
                sa.select(
                    sa.func.coalesce(sa.func.sum(n.people), 0),
                    sa.func.coalesce(sa.func.sum(_all_arrivals()), 0),
                ).join(
                    first_nights,
                    sa.and_(n.site_id == first_nights.c.site_id, n.night == first_nights.c.night),
                )
            )
        ).one()
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
                *(_arrivals(source).label(f"arrivals_{source}") for source in SOURCES),
            )
            .join(sites, sites.c.id == n.site_id)
            .where(n.site_id.in_(site_ids), n.night >= start, n.night <= end)
            .order_by(n.site_id, n.night)
        )
        return [_ledger_night(row) for row in await self.session.execute(query)], site_ids[-1]

    async def crisis_stays(
        self, begun_from: datetime, begun_before: datetime, site_id: str | None
    ) -> list[tuple[Any, SiteClock]]:
        """Rows (group_id, started_at, ended_at, extension_days) with their site's clock."""
        s = stays.c
        query = (
            sa.select(
                s.group_id, s.started_at, s.ended_at, s.extension_days, sites.c.timezone, sites.c.rollover
            )
            .join(sites, sites.c.id == s.site_id)
            .where(sites.c.kind == "crisis_room", s.started_at >= begun_from, s.started_at < begun_before)
        )
        if site_id is not None:
            query = query.where(s.site_id == site_id)
        return [(r, SiteClock(r.timezone, r.rollover)) for r in await self.session.execute(query)]

    async def referrals(
        self, made_from: datetime, made_before: datetime, site_id: str | None
    ) -> list[ReferralRow]:
        p, h = placements.c, holds.c
        query = (
            sa.select(
                p.referred_at,
                p.status,
                p.waitlisted_until.is_not(None).label("waited"),
                h.status.label("hold_status"),
                sa.case((h.status == "fulfilled", h.ended_at), else_=None).label("checked_in_at"),
            )
            .select_from(placements.outerjoin(holds, holds.c.id == p.hold_id))
            .where(p.referred_at >= made_from, p.referred_at < made_before)
        )
        if site_id is not None:
            query = query.where(h.site_id == site_id)
        return [
            ReferralRow(r.referred_at, r.status, bool(r.waited), r.hold_status, r.checked_in_at)
            for r in await self.session.execute(query)
        ]

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
