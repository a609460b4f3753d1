"""Notifications running in-process on a fresh database (each backend) and the session's real
nats-server; beds' events are published onto JetStream exactly as beds' relay publishes them."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from common.clock import ManualClock
from services.notifications.app import create_app as create_notifications
from tests.integration.notifications.helpers import BedsEvents
from tests.support.databases import Databases
from tests.support.service import Service, running, service_settings


@pytest.fixture
def notifications_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
async def notifications(
    databases: Databases,
    backend: str,
    nats_url: str,
    data_dir: Path,
    clock: ManualClock,
    notifications_overrides: dict[str, Any],
) -> AsyncIterator[Service]:
    url = await databases.fresh("notifications", backend)
    overrides = {"delivery_poll_seconds": 0.05, "delivery_timeout_seconds": 2.0, **notifications_overrides}
    settings = service_settings(
        "notifications", database_url=url, nats_url=nats_url, data_dir=data_dir, **overrides
    )
    # One manual clock for the domain and for deliveries, so a test can also step past a backoff.
    create = functools.partial(create_notifications, delivery_clock=clock)
    async with running(create, settings, clock) as service:
        yield service


@pytest.fixture
async def beds_events(nats_url: str, clock: ManualClock, notifications: Service) -> AsyncIterator[BedsEvents]:
    async with BedsEvents(nats_url, clock) as publisher:
        yield publisher
