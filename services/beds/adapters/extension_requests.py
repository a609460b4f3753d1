"""Extension requests in the database (plain rows: the request is a small record, not a
mapped aggregate; its change is one UPDATE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.beds.adapters.orm import extension_requests as table
from services.beds.domain.extensions import ExtensionRequest


def _request(row: sa.Row[tuple[object, ...]]) -> ExtensionRequest:
    return ExtensionRequest(**row._mapping)


class ExtensionRequestRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, request: ExtensionRequest) -> None:
        await self.session.execute(sa.insert(table).values(**asdict(request)))

    async def get(self, request_id: str) -> ExtensionRequest | None:
        row = (await self.session.execute(sa.select(table).where(table.c.id == request_id))).first()
        return _request(row) if row else None

    async def pending_for_group(self, group_id: str) -> ExtensionRequest | None:
        query = sa.select(table).where(table.c.group_id == group_id, table.c.status == "pending")
        row = (await self.session.execute(query)).first()
        return _request(row) if row else None

    async def save_decision(self, request: ExtensionRequest) -> None:
        await self.session.execute(
            sa.update(table)
            .where(table.c.id == request.id)
            .values(
                status=request.status,
                decided_by=request.decided_by,
                decided_at=request.decided_at,
                note=request.note,
            )
        )

    async def listed(
        self,
        site_ids: Sequence[str],
        *,
        team_id: str | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[ExtensionRequest], int]:
        """One page, oldest first (the one waiting longest is decided first), and the total."""
        where: list[sa.ColumnElement[bool]] = [table.c.site_id.in_(list(site_ids))]
        if team_id is not None:
            where.append(table.c.team_id == team_id)
        if status is not None:
            where.append(table.c.status == status)
        total = await self.session.scalar(sa.select(sa.func.count()).select_from(table).where(*where))
        rows = await self.session.execute(
            sa.select(table)
            .where(*where)
            .order_by(table.c.requested_at, table.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [_request(row) for row in rows], int(total or 0)
