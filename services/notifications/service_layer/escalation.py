"""Someone answers: an `on_the_way` alert that its site's staff have not acknowledged within the
setting (10 minutes by default, in the clock's time, so `--time-scale` shortens it) goes to the
supervisors. A clock job, run by the replica holding the clocks lease; the escalation is marked
on the alert with a conditional update, so two overlapping leaders escalate it once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from common.scheduler import ClockJob
from services.notifications.adapters.orm import alerts
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.domain.routing import Routed
from services.notifications.service_layer.alerts import add_alerts

ESCALATED = uuid.UUID("5b0c7a52-9a51-4d0e-8f1e-2f4a3c6d7e80")
BATCH = 100


def escalation_event_id(alert_id: str) -> str:
    """The same for every try, so the supervisors' alert is unique per (escalation, team)."""
    return str(uuid.uuid5(ESCALATED, alert_id))


class Escalation:
    def __init__(self, unit_of_work: Callable[[], NotificationsUnitOfWork], after: timedelta):
        self.unit_of_work = unit_of_work
        self.after = after

    def jobs(self) -> list[ClockJob]:
        return [ClockJob("escalate_unanswered", self.escalate)]

    async def escalate(self) -> int:
        async with self.unit_of_work() as uow:
            now = uow.clock.now()
            unanswered = await uow.alerts.unanswered("on_the_way", now - self.after, BATCH)
            if not unanswered:
                return 0
            supervisors = [t for t in await uow.teams.all() if t.kind == "supervisors"]
            done = 0
            for alert in unanswered:
                if await uow.alerts.mark_escalated(alert.id, now):
                    routed = [Routed("on_the_way_unacknowledged", team, alert.facts) for team in supervisors]
                    await add_alerts(uow, escalation_event_id(alert.id), routed)
                    done += 1
            await uow.commit()
            return done

    async def next_due(self) -> datetime | None:
        async with self.unit_of_work() as uow:
            oldest: datetime | None = await uow.session.scalar(
                sa.select(sa.func.min(alerts.c.created_at)).where(
                    alerts.c.kind == "on_the_way",
                    alerts.c.acked_at.is_(None),
                    alerts.c.escalated_at.is_(None),
                )
            )
        return None if oldest is None else oldest + self.after
