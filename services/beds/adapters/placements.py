"""The placements of referrals (and so the waitlist): rows in, `Placement`s out, written back at
commit. A placement loaded for a change is locked (PostgreSQL `FOR UPDATE`; SQLite writers take
turns), so a cancellation and an offer from the waitlist cannot both win."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.beds.adapters.orm import placements
from services.beds.adapters.repositories import Tracker
from services.beds.domain.party import Needs, Party
from services.beds.domain.placement import Placement


def _row(p: Placement) -> dict[str, Any]:
    return {
        "referral_id": p.referral_id,
        "status": p.status,
        "team_id": p.team_id,
        "source": p.source,
        "adults": p.party.adults if p.party else None,
        "children": p.party.children if p.party else None,
        "gender": p.party.gender if p.party else None,
        "youth": p.party.youth if p.party else False,
        "accessible": p.needs.accessible,
        "pet": p.needs.pet,
        "dv": p.needs.dv,
        "lat": p.lat,
        "lon": p.lon,
        "urgency": p.urgency,
        "urgency_rank": p.urgency_rank,
        "hold_id": p.hold_id,
        "referred_at": p.referred_at,
        "waitlisted_until": p.waitlisted_until,
        "updated_at": p.updated_at,
        "person_id": p.person_id,
    }


def _placement(row: Any) -> Placement:
    party = Party(row.adults, row.children, row.gender, row.youth) if row.adults is not None else None
    return Placement(
        referral_id=row.referral_id,
        status=row.status,
        referred_at=row.referred_at,
        updated_at=row.updated_at,
        team_id=row.team_id,
        source=row.source,
        party=party,
        needs=Needs(accessible=row.accessible, pet=row.pet, dv=row.dv),
        lat=row.lat,
        lon=row.lon,
        urgency=row.urgency,
        hold_id=row.hold_id,
        waitlisted_until=row.waitlisted_until,
        person_id=row.person_id,
    )


class PlacementRepository:
    def __init__(self, session: AsyncSession, uow: Tracker):
        self.session = session
        self.uow = uow
        self._new: list[Placement] = []
        self._loaded: dict[str, Placement] = {}

    def add(self, placement: Placement) -> None:
        self._new.append(placement)
        self.uow.track(placement)

    async def get(self, referral_id: str) -> Placement | None:
        """Locked for the change (PostgreSQL); re-read inside the transaction that makes it."""
        for placement in self._new:
            if placement.referral_id == referral_id:
                return placement
        if referral_id in self._loaded:
            return self._loaded[referral_id]
        row = (
            await self.session.execute(
                sa.select(placements).where(placements.c.referral_id == referral_id).with_for_update()
            )
        ).first()
        if row is None:
            return None
        placement = self._loaded[referral_id] = _placement(row)
        self.uow.track(placement)
        return placement

    async def waiting(self, limit: int) -> list[str]:
        """The waitlist in the order it is served: urgency, then age."""
        rows = await self.session.execute(
            sa.select(placements.c.referral_id)
            .where(placements.c.status == "waitlisted")
            .order_by(placements.c.urgency_rank, placements.c.referred_at, placements.c.referral_id)
            .limit(limit)
        )
        return list(rows.scalars())

    async def lapsed(self, now: datetime, limit: int) -> list[str]:
        rows = await self.session.execute(
            sa.select(placements.c.referral_id)
            .where(placements.c.status == "waitlisted", placements.c.waitlisted_until <= now)
            .limit(limit)
        )
        return list(rows.scalars())

    async def position(self, placement: Placement) -> int:
        """Where a referral joining the waitlist stands in it (1 = next to be offered a place)."""
        ahead = await self.session.scalar(
            sa.select(sa.func.count())
            .select_from(placements)
            .where(
                placements.c.status == "waitlisted",
                sa.or_(
                    placements.c.urgency_rank < placement.urgency_rank,
                    sa.and_(
                        placements.c.urgency_rank == placement.urgency_rank,
                        placements.c.referred_at <= placement.referred_at,
                    ),
                ),
                placements.c.referral_id != placement.referral_id,
            )
        )
        return int(ahead or 0) + 1

    async def persist(self) -> None:
        if self._new:
            await self.session.execute(sa.insert(placements), [_row(p) for p in self._new])
            self._new.clear()
        for placement in self._loaded.values():
            row = _row(placement)
            del row["referral_id"]
            await self.session.execute(
                sa.update(placements).where(placements.c.referral_id == placement.referral_id).values(**row)
            )
