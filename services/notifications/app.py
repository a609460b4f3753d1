"""create_app: the only place that wires notifications together."""

from __future__ import annotations

from datetime import timedelta

import httpx
from litestar import Litestar

from common.app import create_service_app
from common.audit import audit_handler
from common.clock import Clock, SystemClock
from common.consumer import Subscription
from common.runtime import ServiceRuntime
from common.settings import Settings, settings_from_env
from common.site_directory import site_directory_handler
from contracts.streams import BEDS, INTAKE
from services.notifications.adapters.orm import plumbing, site_directory
from services.notifications.adapters.senders import EmailSender, senders
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.api.alerts import AlertsController
from services.notifications.api.dependencies import dependencies
from services.notifications.api.feed import feed_handler
from services.notifications.api.teams import ChannelsController, TeamsController
from services.notifications.domain.access import TABLE
from services.notifications.service_layer.alerts import routed_handlers
from services.notifications.service_layer.delivery import DeliveryWorker
from services.notifications.service_layer.escalation import Escalation
from services.notifications.service_layer.feed import FeedHub
from services.notifications.service_layer.messagebus import notifications_bus

DESCRIPTION = """\
Teams, their channels (webhook, Telegram, e-mail, live feed) and the alerts they must hear,
routed from beds' and intake's events. Keeps a read model of beds' sites from their events, so that staff
teams can name their sites. Every `/api/v1` call needs `Authorization: Bearer <token>`; writes
accept `Idempotency-Key`. Errors are RFC 9457 problem details."""


def build_runtime(
    settings: Settings, clock: Clock | None = None, delivery_clock: Clock | None = None
) -> tuple[ServiceRuntime[NotificationsUnitOfWork], FeedHub]:
    """`clock`: the service's (scaled by --time-scale); `delivery_clock`: real time, on which
    deliveries are retried (see service_layer/delivery.py)."""
    real = delivery_clock or SystemClock()

    class UnitOfWork(NotificationsUnitOfWork):
        """This runtime's own, so that its commits ring this runtime's delivery loop."""

        delivery_clock = real

    runtime: ServiceRuntime[NotificationsUnitOfWork] = ServiceRuntime(
        settings, plumbing, UnitOfWork, clock=clock
    )
    runtime.subscribe(Subscription("notifications-sites", BEDS, site_directory.handlers()))
    runtime.subscribe(Subscription("notifications-alerts", BEDS, routed_handlers("beds")))
    runtime.subscribe(Subscription("notifications-referrals", INTAKE, routed_handlers("intake")))
    escalation = Escalation(runtime.unit_of_work, timedelta(minutes=settings.escalate_after_minutes))
    runtime.run_clocks(escalation.jobs(), next_due=escalation.next_due)

    async def deliver() -> None:
        async with httpx.AsyncClient(timeout=settings.delivery_timeout_seconds) as client:
            smtp = EmailSender(
                settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.delivery_timeout_seconds
            )
            worker = DeliveryWorker(
                runtime.unit_of_work,
                senders(
                    client,
                    telegram_api_url=settings.telegram_api_url,
                    telegram_bot_token=settings.telegram_bot_token,
                    smtp=smtp,
                ),
                runtime.clock,
                real=real,
                timeout_seconds=settings.delivery_timeout_seconds,
                poll_seconds=settings.delivery_poll_seconds,
            )
            UnitOfWork.hand_over_for = worker.claim_for
            UnitOfWork.hand_over = worker.take
            await worker.run()

    runtime.run_loop("deliveries", deliver)
    hub = FeedHub(runtime.read, poll_seconds=settings.feed_poll_seconds)
    UnitOfWork.feed_bell = hub.wake
    runtime.run_loop("feed", hub.run)
    return runtime, hub


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, delivery_clock: Clock | None = None
) -> Litestar:
    settings = settings or settings_from_env("notifications")
    runtime, hub = build_runtime(settings, clock, delivery_clock)
    app = create_service_app(
        runtime,
        access=TABLE,
        title="shelterbeds · notifications",
        description=DESCRIPTION,
        route_handlers=[
            audit_handler(),
            TeamsController,
            ChannelsController,
            AlertsController,
            feed_handler(hub, heartbeat_seconds=settings.feed_heartbeat_seconds),
            site_directory_handler(site_directory, path="/api/v1/sites", roles=("supervisor", "admin")),
        ],
        dependencies=dependencies(notifications_bus(runtime.unit_of_work)),
    )
    app.state.feed_hub = hub  # how many feeds are open: tests look
    return app
