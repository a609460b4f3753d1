"""Notifications' unit of work: the plumbing's transaction with the team, channel and alert
repositories on it."""

from __future__ import annotations

from common.uow import UnitOfWork
from services.notifications.adapters.deliveries import Deliveries
from services.notifications.adapters.repositories import Alerts, Channels, Teams


class NotificationsUnitOfWork(UnitOfWork):
    teams: Teams
    channels: Channels
    alerts: Alerts
    deliveries: Deliveries

    def _start(self) -> None:
        self.teams = Teams(self.session)
        self.channels = Channels(self.session)
        self.alerts = Alerts(self.session)
        self.deliveries = Deliveries(self.session, postgres=not self.db.sqlite)
