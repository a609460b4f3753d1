"""The unit of work: one database transaction that makes a change and records everything that
must happen with it — its events (outbox), the inbox row of the event that caused it, the
answer to an Idempotency-Key, the audit entry. All of it commits, or none of it does.

Services subclass it to add their repositories (`_start`); domain aggregates loaded through
those repositories are `track`ed, and their pending events are written to the outbox at commit,
so a handler cannot change state and forget to tell anyone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol, Self

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import Clock
from common.db import Database
from common.tables import PlumbingTables
from contracts import Event, encode, wrap


class HasEvents(Protocol):
    events: list[Event]


class UnitOfWork:
    def __init__(
        self,
        db: Database,
        tables: PlumbingTables,
        clock: Clock,
        *,
        write: bool = True,
        on_events_committed: Callable[[Sequence[Event]], None] | None = None,
    ):
        self.db = db
        self.tables = tables
        self.clock = clock
        self.write = write
        self._on_events_committed = on_events_committed
        self.session: AsyncSession
        self._pending: list[Event] = []
        self._tracked: list[HasEvents] = []
        self._committed = False

    async def __aenter__(self) -> Self:
        factory = self.db.write_sessions if self.write else self.db.read_sessions
        self.session = factory()
        self._pending, self._tracked, self._committed = [], [], False
        self._start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
        finally:
            await self.session.close()

    def _start(self) -> None:
        """Subclasses create their repositories on `self.session` here."""

    async def _before_commit(self) -> None:
        """Subclasses hand new objects of their aggregates to the session here."""

    # -- events ----------------------------------------------------------------------------

    def track(self, aggregate: HasEvents) -> None:
        if not any(a is aggregate for a in self._tracked):
            self._tracked.append(aggregate)

    def publish(self, *events: Event) -> None:
        self._pending.extend(events)

    def _collect(self) -> list[Event]:
        events = list(self._pending)
        for aggregate in self._tracked:
            events.extend(aggregate.events)
            aggregate.events.clear()
        self._pending.clear()
        return events

    async def commit(self) -> None:
        if not self.write:
            raise RuntimeError("a read-only unit of work cannot commit")
        await self._before_commit()
        events = self._collect()
        if events:
            now = self.clock.now()
            rows = []
            for event in events:
                event_id = str(uuid.uuid4())
                envelope = wrap(event, event_id=event_id, time=now, subject=event.subject_id())
                rows.append(
                    {
                        "event_id": event_id,
                        "type": envelope.type,
                        "subject": event.event_kind().subject,
                        "payload": encode(envelope),
                        "created_at": now,
                        "sent_at": None,
                    }
                )
            await self.session.execute(sa.insert(self.tables.outbox), rows)
        await self.session.commit()
        self._committed = True
        if events and self._on_events_committed:
            self._on_events_committed(events)

    async def rollback(self) -> None:
        await self.session.rollback()
        self._pending.clear()

    # -- inbox: what a consumer has already applied ----------------------------------------------

    async def already_applied(self, consumer: str, event_id: str) -> bool:
        inbox = self.tables.inbox
        found = await self.session.scalar(
            sa.select(sa.literal(1)).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id)
        )
        return found is not None

    async def mark_applied(self, consumer: str, event_id: str) -> None:
        await self.session.execute(
            sa.insert(self.tables.inbox).values(
                consumer=consumer, event_id=event_id, applied_at=self.clock.now()
            )
        )

    # -- audit -----------------------------------------------------------------------------------

    async def audit(
        self,
        *,
        actor: str,
        actor_role: str,
        action: str,
        object_type: str,
        object_id: str,
        reason: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await self.session.execute(
            sa.insert(self.tables.audit_log).values(
                at=self.clock.now(),
                actor=actor,
                actor_role=actor_role,
                action=action,
                object_type=object_type,
                object_id=object_id,
                reason=reason,
                detail=detail,
            )
        )
