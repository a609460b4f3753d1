"""Notifications' unit of work: the plumbing's transaction with the team, channel and alert
repositories on it. A commit that added deliveries hands them to this process's delivery loop,
already claimed, so an alert leaves at once: not at the loop's next poll, and without a claiming
transaction of its own between the commit and the send.

Deliveries are scheduled on `delivery_clock`, real time, not the service's (maybe scaled) clock:
a peer down for 30 s is down for 30 real seconds however fast a training session runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from common.clock import Clock, SystemClock
from common.uow import UnitOfWork
from services.notifications.adapters.deliveries import Deliveries
from services.notifications.adapters.repositories import Alerts, Channels, Teams


class NotificationsUnitOfWork(UnitOfWork):
    teams: Teams
    channels: Channels
    alerts: Alerts
    deliveries: Deliveries
    # set per runtime (app.py): the delivery loop that takes new deliveries, and for how long
    # they are written claimed for it
    hand_over: Callable[[list[str]], None] | None = None
    hand_over_for: timedelta | None = None
    delivery_clock: Clock = SystemClock()  # set per runtime (app.py)
    feed_bell: Callable[[], None] | None = None  # set per runtime (app.py): new alerts for the live feed

    def _start(self) -> None:
        self.teams = Teams(self.session)
        self.channels = Channels(self.session)
        self.alerts = Alerts(self.session, hand_over_for=self.hand_over_for if self.hand_over else None)
        self.deliveries = Deliveries(self.session, postgres=not self.db.sqlite)

    async def commit(self) -> None:
        await super().commit()
        if self.alerts.added and self.feed_bell is not None:
            self.alerts.added = False
            self.feed_bell()
        handed, self.alerts.handed = self.alerts.handed, []
        if handed and self.hand_over is not None:
            self.hand_over(handed)
