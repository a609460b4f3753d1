"""The SQL behind reports: the nightly ledger, crisis-room stays, the placements of referrals
(fed by intake's `referral.*` events) with their holds, and the trips intake's `trip.recorded`
events feed. Read-only, except the trips read model the reports consumer writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.events.intake import TripRecorded
from services.beds.adapters.orm import holds, nightly_ledger, placements, report_trips, sites, stays
from services.beds.domain.reports import LedgerNight


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
    hold_ended_at: datetime | None


def _ledger_night(row: Any) -> LedgerNight:
    return LedgerNight(
        site_id=row.site_id,
        site_kind=row.kind,
        night=row.night,
        people=row.people,
        beds_used=row.beds_used,
        mats_used=row.mats_used,
        over_capacity=row.over_capacity,
        arrivals_by_source=dict(row.arrivals_by_source or {}),
    )


_LEDGER_COLUMNS = (
    nightly_ledger.c.site_id,
    sites.c.kind,
    nightly_ledger.c.night,
    nightly_ledger.c.people,
    nightly_ledger.c.beds_used,
    nightly_ledger.c.mats_used,
    nightly_ledger.c.over_capacity,
    nightly_ledger.c.arrivals_by_source,
)


class ReportReads:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def ledger(self, start: date, end: date, site_id: str | None) -> list[LedgerNight]:
        n = nightly_ledger.c
        query = (
            sa.select(*_LEDGER_COLUMNS)
            .join(sites, sites.c.id == n.site_id)
            .where(n.night >= start, n.night <= end)
        )
        if site_id is not None:
            query = query.where(n.site_id == site_id)
        return [_ledger_night(row) for row in await self.session.execute(query)]

    async def bed_nights(
        self, start: date, end: date, after: tuple[str, date] | None, limit: int
    ) -> list[LedgerNight]:
        """A page of the ledger in (site, night) order, after the last row of the previous one."""
        n = nightly_ledger.c
        query = (
            sa.select(*_LEDGER_COLUMNS)
            .join(sites, sites.c.id == n.site_id)
            .where(n.night >= start, n.night <= end)
            .order_by(n.site_id, n.night)
            .limit(limit)
        )
        if after is not None:
            last_site, last_night = after
            query = query.where(
                sa.or_(n.site_id > last_site, sa.and_(n.site_id == last_site, n.night > last_night))
            )
        return [_ledger_night(row) for row in await self.session.execute(query)]

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
            sa.select(p.referred_at, p.status, p.waitlisted_until, h.status.label("hold_status"), h.ended_at)
            .select_from(placements.outerjoin(holds, holds.c.id == p.hold_id))
            .where(p.referred_at >= made_from, p.referred_at < made_before)
        )
        if site_id is not None:
            query = query.where(h.site_id == site_id)
        return [
            ReferralRow(r.referred_at, r.status, r.waitlisted_until is not None, r.hold_status, r.ended_at)
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
