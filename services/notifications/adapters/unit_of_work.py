"""Notifications' unit of work: the plumbing's transaction with the team, channel and alert
repositories on it. A commit that added deliveries rings the delivery loop's doorbell, so an
alert leaves at once instead of at the loop's next poll.

Deliveries are scheduled on `delivery_clock`, real time, not the service's (maybe scaled) clock:
a peer down for 30 s is down for 30 real seconds however fast a training session runs."""

from __future__ import annotations

from collections.abc import Callable

from common.clock import Clock, SystemClock
from common.uow import UnitOfWork
from services.notifications.adapters.deliveries import Deliveries
from services.notifications.adapters.repositories import Alerts, Channels, Teams


class NotificationsUnitOfWork(UnitOfWork):
    teams: Teams
    channels: Channels
    alerts: Alerts
    deliveries: Deliveries
    doorbell: Callable[[], None] | None = None  # set per runtime (app.py)
    delivery_clock: Clock = SystemClock()  # set per runtime (app.py)
    feed_bell: Callable[[], None] | None = None  # set per runtime (app.py): new alerts for the live feed

    def _start(self) -> None:
        self.teams = Teams(self.session)
        self.channels = Channels(self.session)
        self.alerts = Alerts(self.session)
        self.deliveries = Deliveries(self.session, postgres=not self.db.sqlite)

    async def commit(self) -> None:
        await super().commit()
        if self.alerts.added and self.feed_bell is not None:
            self.alerts.added = False
            self.feed_bell()
        if self.alerts.deliveries_added and self.doorbell is not None:
            self.alerts.deliveries_added = False
            self.doorbell()
