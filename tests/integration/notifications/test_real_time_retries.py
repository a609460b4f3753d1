"""Retries follow real seconds, whatever the time scale: at `--time-scale` a day of the service's
clock may pass in a second, but a peer that is down for a second and a half is down for that
long in the real world. It is retried on the real backoff (1 to 2 s, then 2 to 4 s), never hammered at
every poll nor given up on as broken because "a day" went by on the scaled clock."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from common.clock import ManualClock, ScaledClock
from contracts.events import beds as ev
from services.notifications.adapters.orm import delivery_attempts
from services.notifications.api import urls
from services.notifications.app import create_app as create_notifications
from tests.integration.notifications.helpers import BedsEvents, create_team, new_id, team_token
from tests.support.databases import Databases
from tests.support.service import Service, running, service_settings, wait_until

SECRET = "whsec-real-time-retries-0123456789"
A_DAY_PER_SECOND = 86_400.0
DOWN_FOR = 1.5  # real seconds


@pytest.fixture
async def scaled(databases: Databases, backend: str, nats_url: str, data_dir: Path) -> AsyncIterator[Service]:
    """Notifications as `up --time-scale 86400` runs it: the service's clock scaled, deliveries
    on the real clock (the default)."""
    url = await databases.fresh("notifications", backend)
    settings = service_settings(
        "notifications",
        database_url=url,
        nats_url=nats_url,
        data_dir=data_dir,
        delivery_poll_seconds=0.05,
        time_scale=A_DAY_PER_SECOND,
    )
    async with running(create_notifications, settings, ScaledClock(A_DAY_PER_SECOND)) as service:
        yield service


async def test_a_peer_down_for_a_moment_at_a_fast_time_scale_is_retried_in_real_seconds_and_delivered(
    scaled: Service, nats_url: str, httpserver: HTTPServer
) -> None:
    first_seen: list[float] = []

    def peer(request: Request) -> Response:
        first_seen.append(first_seen[0] if first_seen else time.monotonic())
        down = time.monotonic() - first_seen[0] < DOWN_FOR
        return Response("restarting", status=503) if down else Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(peer)
    patrol = await create_team(scaled, "patrol")
    channel = {"kind": "webhook", "url": httpserver.url_for("/hook"), "secret": SECRET}
    path = urls.TEAM_CHANNELS.replace("{team_id:str}", patrol)
    assert (await scaled.post(path, scaled.token("admin"), channel)).status_code == 201
    async with BedsEvents(nats_url, ManualClock(datetime.now(UTC))) as beds:
        await beds.publish(ev.ColdWeatherSwitchedOn(site_id=new_id(), confidential=False, mats_total=8))

    token = team_token(scaled, patrol, "patrol")

    async def settled() -> dict[str, object] | None:
        found = (await scaled.get(urls.ALERTS, token)).json()
        deliveries = found[0]["deliveries"] if found else []
        return deliveries[0] if deliveries and deliveries[0]["status"] != "pending" else None

    delivery = await wait_until(settled, 20)
    assert delivery["status"] == "delivered"
    # over ~1.5 real s: a scaled-clock backoff would have tried every poll (some 30 times)
    # and, "a day" having passed, given the channel up as broken
    assert 2 <= delivery["attempts"] <= 3
    channels = (await scaled.get(path, scaled.token("admin"))).json()
    assert channels[0]["broken"] is False
    async with scaled.runtime.read() as uow:
        times = list(
            await uow.session.scalars(sa.select(delivery_attempts.c.at).order_by(delivery_attempts.c.at))
        )
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert gaps and all(1.0 <= gap < 60 for gap in gaps), gaps  # real seconds, the first wait's half or more
