"""When the clocks of beds next have something to do: the earliest hold warning or expiry, night
shelter rollover, stay-limit alert or night to close. Indexed minimums, cheap to ask every tick."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.beds.adapters.orm import holds, places, sites, stays
from services.beds.domain.stays import LIMIT_WARNING_LEAD


async def next_due(session: AsyncSession) -> datetime | None:
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
    )
    row = (await session.execute(earliest)).one()
    warn_hold, expire_hold, rollover, limit_warning, limit, night, back_in_service = row
    candidates = [
        warn_hold,
        expire_hold,
        rollover,
        limit_warning - LIMIT_WARNING_LEAD if limit_warning else None,
        limit,
        night,
        back_in_service,
    ]
    return min((c for c in candidates if c is not None), default=None)
