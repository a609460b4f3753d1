"""When the clocks of beds next have something to do: the earliest hold warning or expiry, night
shelter rollover, stay-limit alert, night to close, place due back in service, or stay unseen for
too long. Indexed minimums, cheap to ask every tick."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.beds.adapters.orm import holds, places, sites, stays
from services.beds.domain.stays import DEFAULT_ABSENT_NIGHTS, LIMIT_WARNING_LEAD, absence_warning_lead


async def next_due(session: AsyncSession, absent_nights: int = DEFAULT_ABSENT_NIGHTS) -> datetime | None:
    h, st, s = holds.c, stays.c, sites.c
    active = h.status == "active"
    still_open = st.ended_at.is_(None)
    earliest = sa.select(
        sa.select(sa.func.min(h.warn_at)).where(active, h.warned_at.is_(None)).scalar_subquery(),
        sa.select(sa.func.min(h.expires_at)).where(active).scalar_subquery(),
        sa.select(sa.func.min(st.scheduled_end)).where(still_open).scalar_subquery(),
        sa.select(sa.func.min(st.limit_at)).where(still_open, st.limit_warned_at.is_(None)).scalar_subquery(),
        sa.select(sa.func.min(st.limit_at))
        .where(still_open, st.limit_reached_at.is_(None))
        .scalar_subquery(),
        sa.select(sa.func.min(s.ledger_due_at)).where(s.retired_at.is_(None)).scalar_subquery(),
        sa.select(sa.func.min(places.c.out_of_service_until)).scalar_subquery(),
        sa.select(sa.func.min(st.last_seen_at)).where(still_open, st.leaves_at.is_(None)).scalar_subquery(),
        sa.select(sa.func.min(st.leaves_at)).where(still_open).scalar_subquery(),
    )
    row = (await session.execute(earliest)).one()
    warn_hold, expire_hold, rollover, limit_warning, limit, night, back_in_service, unseen, leaves = row
    absent = timedelta(days=absent_nights)
    candidates = [
        warn_hold,
        expire_hold,
        rollover,
        limit_warning - LIMIT_WARNING_LEAD if limit_warning else None,
        limit,
        night,
        back_in_service,
        unseen + absent - absence_warning_lead(absent_nights) if unseen else None,
        leaves,
    ]
    return min((c for c in candidates if c is not None), default=None)
