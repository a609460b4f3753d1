"""The deliveries outbox in SQL: claiming what is due, and recording each attempt.

A claim is a time (`claimed_until`), not a lock held while the peer is slow. New deliveries are
written already claimed by the process whose consumer made them (and handed to its loop); the
rest (retries, lapsed claims) are claimed here. A worker killed
mid-delivery lets its claim lapse and the next one sends again under the same `webhook-id`, so
a receiver sees one delivery. On PostgreSQL replicas claim disjoint batches (SKIP LOCKED); on
SQLite the write transaction itself serialises claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.adapters.orm import (
    alerts,
    channels,
    deliveries,
    delivery_attempts,
    known_sites,
    teams,
)
from services.notifications.adapters.repositories import alert_of
from services.notifications.domain.alerts import Alert
from services.notifications.domain.teams import Channel, Language


@dataclass(frozen=True)
class Due:
    delivery_id: str
    attempts: int
    alert: Alert
    channel: Channel
    channel_removed: bool
    language: Language
    public_name: str | None


@dataclass(frozen=True)
class Outcome:
    ok: bool
    at: datetime
    latency_ms: float
    status_code: int | None = None
    error: str | None = None


class Deliveries:
    def __init__(self, session: AsyncSession, *, postgres: bool):
        self.session = session
        self.postgres = postgres

    async def claim(self, now: datetime, until: datetime, limit: int) -> list[Due]:
        d = deliveries.c
        due = (
            sa.select(d.id)
            .where(
                d.status == "pending",
                d.next_attempt_at <= now,
                sa.or_(d.claimed_until.is_(None), d.claimed_until <= now),
            )
            .order_by(d.next_attempt_at)
            .limit(limit)
        )
        if self.postgres:
            due = due.with_for_update(skip_locked=True, of=deliveries)
        ids = list((await self.session.scalars(due)).all())
        if not ids:
            return []
        await self.session.execute(sa.update(deliveries).where(d.id.in_(ids)).values(claimed_until=until))
        return await self._load(d.id.in_(ids))

    async def handed(self, ids: list[str]) -> list[Due]:
        """Deliveries written already claimed for this process (see Alerts.add), still pending."""
        d = deliveries.c
        return await self._load(d.id.in_(ids), d.status == "pending")

    async def _load(self, *where: sa.ColumnElement[bool]) -> list[Due]:
        d = deliveries.c
        rows = await self.session.execute(
            sa.select(
                deliveries.c.id.label("delivery_id"),
                deliveries.c.attempts.label("delivery_attempts"),
                alerts,
                channels.c.id.label("channel_id"),
                channels.c.kind.label("channel_kind"),
                channels.c.target,
                channels.c.secret,
                channels.c.created_at.label("channel_created_at"),
                channels.c.failing_since,
                channels.c.broken,
                channels.c.removed_at,
                teams.c.language,
                known_sites.c.public_name,
            )
            .select_from(
                deliveries.join(alerts, alerts.c.id == d.alert_id)
                .join(channels, channels.c.id == d.channel_id)
                .join(teams, teams.c.id == alerts.c.team_id)
                .outerjoin(known_sites, known_sites.c.id == alerts.c.site_id)
            )
            .where(*where)
        )
        return [
            Due(
                r.delivery_id,
                r.delivery_attempts,
                alert_of(r),
                Channel(
                    r.channel_id,
                    r.team_id,
                    r.channel_kind,
                    r.target,
                    r.secret,
                    r.channel_created_at,
                    r.failing_since,
                    r.broken,
                ),
                r.removed_at is not None,
                r.language,
                r.public_name,
            )
            for r in rows
        ]

    async def record(self, due: Due, outcome: Outcome, *, retry_at: datetime | None, give_up: bool) -> bool:
        """Writes the attempt and the delivery's new state; False if it was no longer pending
        (another worker, after a lapsed claim, finished it first): then nothing is written."""
        d = deliveries.c
        if outcome.ok:
            values = {"status": "delivered", "delivered_at": outcome.at}
        elif give_up:
            values = {"status": "failed"}
        else:
            assert retry_at is not None
            values = {"next_attempt_at": retry_at}
        result = await self.session.execute(
            sa.update(deliveries)
            .where(d.id == due.delivery_id, d.status == "pending")
            .values(
                attempts=d.attempts + 1,
                claimed_until=None,
                last_error=outcome.error,
                last_latency_ms=outcome.latency_ms,
                **values,
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        await self.session.execute(
            sa.insert(delivery_attempts).values(
                delivery_id=due.delivery_id,
                at=outcome.at,
                ok=outcome.ok,
                status_code=outcome.status_code,
                error=outcome.error,
                latency_ms=outcome.latency_ms,
            )
        )
        return True

    async def channel_worked(self, channel_id: str) -> None:
        await self.session.execute(
            sa.update(channels).where(channels.c.id == channel_id).values(failing_since=None, broken=False)
        )

    async def channel_failed(self, channel_id: str, now: datetime, *, broken: bool) -> None:
        c = channels.c
        await self.session.execute(
            sa.update(channels)
            .where(c.id == channel_id)
            .values(
                failing_since=sa.func.coalesce(c.failing_since, now), broken=c.broken | sa.literal(broken)
            )
        )
