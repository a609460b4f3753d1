"""The outbox relay: publishes committed events to JetStream, in order, and marks them sent.

Unsent rows are claimed by their `sent_at IS NULL` flag — never by a high-water mark, because a
PostgreSQL sequence value is taken before commit and a late commit would be skipped forever.
On PostgreSQL several replicas relay at once, each claiming a batch with FOR UPDATE SKIP LOCKED;
on SQLite (no row locks, and a write lock held while waiting for NATS would stall every writer)
one relay per database file publishes at a time, under a lease. A batch is published with the async API and
its acks awaited together (one-by-one awaiting is several times slower); `Nats-Msg-Id` = event id
lets JetStream drop a re-publish after a crash, and consumers check ids anyway.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from nats.js.errors import NoStreamResponseError
from sqlalchemy.engine import CursorResult

from common.clock import Clock
from common.db import Database
from common.lease import Lease
from common.logging import get_logger
from common.metrics import ServiceMetrics
from common.nats import NatsLink
from common.tables import PlumbingTables
from common.waiting import rung

log = get_logger(__name__)
MSG_ID_HEADER = "Nats-Msg-Id"


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        tables: PlumbingTables,
        link: NatsLink,
        metrics: ServiceMetrics,
        clock: Clock,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.5,
        ack_timeout: float = 10.0,
        single_writer_lease: Lease | None = None,
    ):
        self.db = db
        self.outbox = tables.outbox
        self.link = link
        self.metrics = metrics
        self.clock = clock
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.ack_timeout = ack_timeout
        self._wake = asyncio.Event()
        self._last_lag_check = 0.0
        self.single_writer_lease = single_writer_lease

    def wake(self) -> None:
        """Called after a commit that wrote events, so they leave at once instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        while True:
            sent = 0
            try:
                if self.link.connected:
                    sent = await self.relay_once()
                failures = 0
                await self._refresh_lag()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                self.metrics.relay_errors.inc()
                log.warning("outbox_relay_failed", error=type(exc).__name__, failures=failures)
                await asyncio.sleep(min(0.2 * 2**failures, 5.0))
                continue
            if sent < self.batch_size:
                await rung(self._wake, self.poll_seconds)
                self._wake.clear()

    async def relay_once(self) -> int:
        """Publishes one batch; returns how many events were acknowledged by JetStream."""
        if self.db.sqlite:
            return await self._relay_single_writer()
        return await self._relay_claimed()

    async def drain(self, timeout: float = 10.0) -> int:
        """Relays until nothing is pending, then lets another replica take over (shutdown).
        Returns how many events are left for the next start."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and self.link.connected:
                if await self.relay_once() == 0:
                    break
            return await self.pending_count()
        finally:
            if self.single_writer_lease is not None:
                await self.single_writer_lease.release()

    def _unsent(self) -> sa.Select[Any]:
        o = self.outbox
        return (
            sa.select(o.c.id, o.c.event_id, o.c.type, o.c.subject, o.c.payload)
            .where(o.c.sent_at.is_(None))
            .order_by(o.c.id)
            .limit(self.batch_size)
        )

    async def _relay_claimed(self) -> int:
        async with self.db.write_sessions() as session, session.begin():
            rows = (await session.execute(self._unsent().with_for_update(skip_locked=True))).all()
            if not rows:
                return 0
            acked = await self._publish(rows)
            await self._mark_sent(session, acked)
            return len(acked)

    async def _relay_single_writer(self) -> int:
        async with self.db.read_sessions() as session:
            rows = (await session.execute(self._unsent())).all()
        if not rows:
            return 0
        if self.single_writer_lease is not None and not await self.single_writer_lease.acquire():
            return 0
        acked = await self._publish(rows)
        async with self.db.write_sessions() as session, session.begin():
            await self._mark_sent(session, acked)
        return len(acked)

    async def _mark_sent(self, session: Any, ids: list[int]) -> None:
        if ids:
            await session.execute(
                sa.update(self.outbox).where(self.outbox.c.id.in_(ids)).values(sent_at=self.clock.now())
            )

    async def _publish(self, rows: list[Any]) -> list[int]:
        js = self.link.js
        futures: dict[asyncio.Future[Any], Any] = {}
        try:
            for row in rows:
                future = await js.publish_async(
                    row.subject, row.payload, headers={MSG_ID_HEADER: row.event_id}
                )
                futures[future] = row
        finally:
            done, pending = (
                await asyncio.wait(futures, timeout=self.ack_timeout) if futures else (set(), set())
            )
            for future in pending:
                future.cancel()
        acked = []
        # No stream answers "no responders" — unless something else listens on the subject (beds'
        # boards follow shelter.beds.> live), then the publish only times out: check then too.
        stream_missing = bool(pending) and len(done) == 0
        for future in done:
            if future.cancelled() or future.exception() is not None:
                stream_missing |= isinstance(
                    future.exception() if not future.cancelled() else None, NoStreamResponseError
                )
                continue
            row = futures[future]
            acked.append(row.id)
            self.metrics.events_published.labels(type=row.type).inc()
        if len(acked) < len(rows):
            log.warning("outbox_publish_incomplete", acked=len(acked), batch=len(rows))
        if stream_missing:
            await self.link.recreate_streams()
        return sorted(acked)

    async def pending_count(self) -> int:
        async with self.db.read_sessions() as session:
            return int(
                await session.scalar(
                    sa.select(sa.func.count()).select_from(self.outbox).where(self.outbox.c.sent_at.is_(None))
                )
                or 0
            )

    async def _refresh_lag(self) -> None:
        if time.monotonic() - self._last_lag_check < 5.0:
            return
        self._last_lag_check = time.monotonic()
        o = self.outbox
        async with self.db.read_sessions() as session:
            count, oldest = (
                await session.execute(
                    sa.select(sa.func.count(), sa.func.min(o.c.created_at)).where(o.c.sent_at.is_(None))
                )
            ).one()
        self.metrics.outbox_pending.set(count or 0)
        # min() keeps the column's type, so `oldest` is an aware datetime (or None).
        lag = 0.0 if oldest is None else max(0.0, (self.clock.now() - oldest).total_seconds())
        self.metrics.outbox_lag.set(lag)


async def mark_for_replay(db: Database, tables: PlumbingTables, since: datetime) -> int:
    """Queues every event written since `since` to be relayed again (after a lost stream).
    Consumers apply each event once whatever happens, so a replay is safe."""
    async with db.write_sessions() as session, session.begin():
        result = await session.execute(
            sa.update(tables.outbox).where(tables.outbox.c.created_at >= since).values(sent_at=None)
        )
        return int(cast(CursorResult[Any], result).rowcount or 0)


async def prune(db: Database, tables: PlumbingTables, now: datetime, *, outbox_days: int) -> None:
    """Forgets relayed events past the replay window, old inbox rows and idempotency answers."""
    async with db.write_sessions() as session, session.begin():
        await session.execute(
            sa.delete(tables.outbox).where(
                tables.outbox.c.sent_at.is_not(None),
                tables.outbox.c.created_at < now - timedelta(days=outbox_days),
            )
        )
        # Inbox rows must outlive any redelivery: JetStream keeps messages for the stream's max age.
        await session.execute(
            sa.delete(tables.inbox).where(tables.inbox.c.applied_at < now - timedelta(days=60))
        )
        await session.execute(
            sa.delete(tables.idempotency_keys).where(
                tables.idempotency_keys.c.created_at < now - timedelta(days=2)
            )
        )
