"""All of notifications' SQL for teams, channels and alerts (the write side and the reads the
API needs). Rows become domain values here; the service layer never sees a table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.adapters.orm import alerts, channels, deliveries, team_sites, teams
from services.notifications.domain.alerts import Alert, AlertFacts
from services.notifications.domain.teams import Channel, Team, TeamStatus


def _team(row: Any, sites: frozenset[str]) -> Team:
    return Team(row.id, row.kind, row.name, row.language, sites, row.status, row.lat, row.lon, row.status_at)


def _channel(row: Any) -> Channel:
    return Channel(
        row.id, row.team_id, row.kind, row.target, row.secret, row.created_at, row.failing_since, row.broken
    )


def alert_of(row: Any) -> Alert:
    facts = AlertFacts(
        row.site_id,
        row.confidential,
        row.subject_id,
        row.party_size,
        row.due_at,
        row.count,
        row.holder_team_id,
    )
    return Alert(
        row.id,
        row.team_id,
        row.kind,
        row.event_id,
        row.created_at,
        facts,
        row.acked_at,
        row.acked_by,
        row.escalated_at,
        row.seq,
    )


class Teams:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, team: Team, now: datetime) -> None:
        await self.session.execute(
            sa.insert(teams).values(
                id=team.id,
                kind=team.kind,
                name=team.name,
                language=team.language,
                status=team.status,
                lat=None,
                lon=None,
                status_at=None,
                created_at=now,
            )
        )
        if team.site_ids:
            await self.session.execute(
                sa.insert(team_sites), [{"team_id": team.id, "site_id": s} for s in sorted(team.site_ids)]
            )

    async def _load(self, query: sa.Select[Any]) -> list[Team]:
        rows = (await self.session.execute(query.order_by(teams.c.created_at, teams.c.id))).all()
        ids = [r.id for r in rows]
        sites: dict[str, set[str]] = {i: set() for i in ids}
        if ids:
            for link in await self.session.execute(
                sa.select(team_sites).where(team_sites.c.team_id.in_(ids))
            ):
                sites[link.team_id].add(link.site_id)
        return [_team(r, frozenset(sites[r.id])) for r in rows]

    async def get(self, team_id: str) -> Team | None:
        found = await self._load(sa.select(teams).where(teams.c.id == team_id))
        return found[0] if found else None

    async def all(self, status: TeamStatus | None = None) -> list[Team]:
        query = sa.select(teams)
        if status is not None:
            query = query.where(teams.c.status == status)
        return await self._load(query)

    async def save_status(self, team: Team) -> None:
        await self.session.execute(
            sa.update(teams)
            .where(teams.c.id == team.id)
            .values(status=team.status, lat=team.lat, lon=team.lon, status_at=team.status_at)
        )


class Channels:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, channel: Channel) -> None:
        await self.session.execute(
            sa.insert(channels).values(
                id=channel.id,
                team_id=channel.team_id,
                kind=channel.kind,
                target=channel.target,
                secret=channel.secret,
                created_at=channel.created_at,
                removed_at=None,
                failing_since=None,
                broken=False,
            )
        )

    async def of_team(self, team_id: str) -> list[Channel]:
        rows = await self.session.execute(
            sa.select(channels)
            .where(channels.c.team_id == team_id, channels.c.removed_at.is_(None))
            .order_by(channels.c.created_at, channels.c.id)
        )
        return [_channel(r) for r in rows]

    async def of_teams(self, team_ids: Sequence[str]) -> dict[str, list[Channel]]:
        found: dict[str, list[Channel]] = {t: [] for t in team_ids}
        if team_ids:
            rows = await self.session.execute(
                sa.select(channels).where(
                    channels.c.team_id.in_(list(team_ids)), channels.c.removed_at.is_(None)
                )
            )
            for r in rows:
                found[r.team_id].append(_channel(r))
        return found

    async def remove(self, team_id: str, channel_id: str, now: datetime) -> bool:
        # Kept, not deleted: its deliveries and attempts stay readable. Pending ones stop.
        result = await self.session.execute(
            sa.update(channels)
            .where(
                channels.c.id == channel_id, channels.c.team_id == team_id, channels.c.removed_at.is_(None)
            )
            .values(removed_at=now)
        )
        await self.session.execute(
            sa.update(deliveries)
            .where(deliveries.c.channel_id == channel_id, deliveries.c.status == "pending")
            .values(status="failed", last_error="channel removed")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class Alerts:
    def __init__(self, session: AsyncSession, *, hand_over_for: timedelta | None = None):
        """`hand_over_for`: when this process's delivery loop takes new deliveries straight from
        the commit, each is written already claimed for that long, so that no other round (or
        replica) sends it meanwhile; a process killed before sending lets the claim lapse and
        the next claim sends it."""
        self.session = session
        self.hand_over_for = hand_over_for
        self.handed: list[str] = []  # pending deliveries written claimed, for this process to send
        self.added = False

    async def exists(self, event_id: str, team_id: str) -> bool:
        found = await self.session.scalar(
            sa.select(sa.literal(1)).where(alerts.c.event_id == event_id, alerts.c.team_id == team_id)
        )
        return found is not None

    async def add(
        self,
        alert: Alert,
        channels_of_team: Sequence[Channel],
        delivery_ids: Sequence[str],
        *,
        send_at: datetime,
    ) -> None:
        """`send_at`: the delivery clock's now (real time), on which retries are scheduled."""
        claimed_until = send_at + self.hand_over_for if self.hand_over_for is not None else None
        f = alert.facts
        await self.session.execute(
            sa.insert(alerts).values(
                id=alert.id,
                team_id=alert.team_id,
                kind=alert.kind,
                event_id=alert.event_id,
                created_at=alert.created_at,
                site_id=f.site_id,
                confidential=f.confidential,
                subject_id=f.subject_id,
                party_size=f.party_size,
                due_at=f.due_at,
                count=f.count,
                holder_team_id=f.holder_team_id,
            )
        )
        self.added = True
        rows = [
            {
                "id": delivery_id,
                "alert_id": alert.id,
                "channel_id": ch.id,
                "channel_kind": ch.kind,
                "status": "failed" if ch.broken else "pending",
                "attempts": 0,
                "next_attempt_at": send_at,
                "claimed_until": claimed_until if not ch.broken else None,
                "last_error": "channel broken" if ch.broken else None,
                "last_latency_ms": None,
                "delivered_at": None,
                "created_at": alert.created_at,
            }
            for ch, delivery_id in zip(channels_of_team, delivery_ids, strict=True)
        ]
        if rows:
            await self.session.execute(sa.insert(deliveries), rows)
            self.handed.extend(
                delivery_id
                for ch, delivery_id in zip(channels_of_team, delivery_ids, strict=True)
                if not ch.broken
            )

    async def get(self, alert_id: str) -> Alert | None:
        row = (await self.session.execute(sa.select(alerts).where(alerts.c.id == alert_id))).first()
        return alert_of(row) if row else None

    async def save_ack(self, alert: Alert) -> None:
        await self.session.execute(
            sa.update(alerts)
            .where(alerts.c.id == alert.id)
            .values(acked_at=alert.acked_at, acked_by=alert.acked_by)
        )

    async def page(
        self, team_id: str, kind: str | None, since: datetime | None, limit: int, offset: int
    ) -> list[Alert]:
        query = sa.select(alerts).where(alerts.c.team_id == team_id)
        if kind is not None:
            query = query.where(alerts.c.kind == kind)
        if since is not None:
            query = query.where(alerts.c.created_at >= since)
        query = query.order_by(alerts.c.created_at.desc(), alerts.c.seq.desc()).limit(limit).offset(offset)
        return [alert_of(r) for r in await self.session.execute(query)]

    async def after(self, team_id: str, seq: int, limit: int) -> list[Alert]:
        query = (
            sa.select(alerts)
            .where(alerts.c.team_id == team_id, alerts.c.seq > seq)
            .order_by(alerts.c.seq)
            .limit(limit)
        )
        return [alert_of(r) for r in await self.session.execute(query)]

    async def last_seq(self) -> int:
        return int(await self.session.scalar(sa.select(sa.func.max(alerts.c.seq))) or 0)

    async def newer(self, seq: int, also: Sequence[int], limit: int) -> list[Alert]:
        """Every team's alerts after `seq`, and those of the numbers in `also` (gaps that may yet
        commit), in feed order: the live feed's one query for all open feeds."""
        wanted = alerts.c.seq > seq
        if also:
            wanted = sa.or_(wanted, alerts.c.seq.in_(list(also)))
        query = sa.select(alerts).where(wanted).order_by(alerts.c.seq).limit(limit)
        return [alert_of(r) for r in await self.session.execute(query)]

    async def deliveries_of(self, alert_ids: Sequence[str]) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {a: [] for a in alert_ids}
        if alert_ids:
            rows = await self.session.execute(
                sa.select(deliveries)
                .where(deliveries.c.alert_id.in_(list(alert_ids)))
                .order_by(deliveries.c.created_at, deliveries.c.id)
            )
            for r in rows:
                found[r.alert_id].append(r)
        return found

    async def unanswered(self, kind: str, created_before: datetime, limit: int) -> list[Alert]:
        query = (
            sa.select(alerts)
            .where(
                alerts.c.kind == kind,
                alerts.c.acked_at.is_(None),
                alerts.c.escalated_at.is_(None),
                alerts.c.created_at <= created_before,
            )
            .order_by(alerts.c.seq)
            .limit(limit)
        )
        return [alert_of(r) for r in await self.session.execute(query)]

    async def mark_escalated(self, alert_id: str, now: datetime) -> bool:
        """Conditional: of two clock leaders overlapping, only one escalates."""
        result = await self.session.execute(
            sa.update(alerts)
            .where(alerts.c.id == alert_id, alerts.c.escalated_at.is_(None), alerts.c.acked_at.is_(None))
            .values(escalated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
