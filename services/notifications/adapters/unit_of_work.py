"""Notifications' unit of work: the plumbing's transaction with the team, channel and alert
repositories on it. A commit that added deliveries rings the delivery loop's doorbell, so an
alert leaves at once instead of at the loop's next poll; the deliveries it claimed for the loop
at insert (`claim_for`) are handed over with the ring, so the loop sends them without claiming."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from common.uow import UnitOfWork
from services.notifications.adapters.deliveries import Deliveries
from services.notifications.adapters.repositories import Alerts, Channels, Teams


class NotificationsUnitOfWork(UnitOfWork):
    teams: Teams
    channels: Channels
    alerts: Alerts
    deliveries: Deliveries
    doorbell: Callable[[Sequence[str]], None] | None = None  # set per runtime (app.py)
    claim_for: timedelta | None = None  # likewise: how long a handed delivery stays claimed

    def _start(self) -> None:
        self.teams = Teams(self.session)
        self.channels = Channels(self.session)
        self.alerts = Alerts(self.session, claim_for=self.claim_for if self.doorbell else None)
        self.deliveries = Deliveries(self.session, postgres=not self.db.sqlite)

    async def commit(self) -> None:
        await super().commit()
        if self.alerts.deliveries_added and self.doorbell is not None:
            self.alerts.deliveries_added = False
            handed, self.alerts.handed = self.alerts.handed, []
            self.doorbell(handed)
