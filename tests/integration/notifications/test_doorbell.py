"""An alert leaves as soon as it is committed: the delivery loop is woken by the commit, not
found by its next poll (here an hour away, so only the wake-up can deliver it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from common.clock import ManualClock
from services.notifications.adapters.deliveries import Deliveries, Due
from services.notifications.api import urls
from services.notifications.app import create_app as create_notifications
from tests.integration.notifications.helpers import (
    BedsEvents,
    create_team,
    new_id,
    team_token,
    wait_for_alerts,
)
from tests.support.databases import Databases
from tests.support.service import Service, running, service_settings, wait_until


@pytest.fixture
def notifications_overrides() -> dict[str, Any]:
    return {"delivery_poll_seconds": 3600.0}


async def test_a_committed_alert_wakes_the_delivery_loop(
    notifications: Service, beds_events: BedsEvents, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    site = new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    body = {"kind": "webhook", "url": httpserver.url_for("/hook"), "secret": "whsec-doorbell-0123456789"}
    url = urls.TEAM_CHANNELS.replace("{team_id:str}", staff)
    assert (await notifications.post(url, notifications.token("admin"), body)).status_code == 201
    for _ in range(2):  # the loop is asleep again after the first
        await beds_events.publish(beds_events.hold_placed(site))
    await wait_until(lambda: len(httpserver.log) == 2, 10)


async def test_on_a_clock_that_moves_the_commit_hands_its_deliveries_to_the_loop_unclaimed(
    databases: Databases,
    backend: str,
    nats_url: str,
    data_dir: Path,
    clock: ManualClock,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The alert's transaction claims its deliveries for this process's loop, which sends them
    straight away: no claim round between the commit and the send (a real clock: claims lapse)."""
    claimed: list[str] = []
    claim = Deliveries.claim

    async def spied(self: Deliveries, *args: Any) -> list[Due]:
        found = await claim(self, *args)
        claimed.extend(d.delivery_id for d in found)
        return found

    monkeypatch.setattr(Deliveries, "claim", spied)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    settings = service_settings(
        "notifications",
        database_url=await databases.fresh("notifications", backend),
        nats_url=nats_url,
        data_dir=data_dir,
        delivery_poll_seconds=3600.0,
    )
    async with running(create_notifications, settings) as notifications:
        site = new_id()
        staff = await create_team(notifications, "shelter_staff", sites=[site])
        body = {"kind": "webhook", "url": httpserver.url_for("/hook"), "secret": "whsec-handed-0123456789"}
        url = urls.TEAM_CHANNELS.replace("{team_id:str}", staff)
        assert (await notifications.post(url, notifications.token("admin"), body)).status_code == 201
        async with BedsEvents(nats_url, clock) as beds_events:
            await beds_events.publish(beds_events.hold_placed(site))
            await wait_until(lambda: len(httpserver.log) == 1, 10)
        token = team_token(notifications, staff, "shelter_staff")

        async def delivered() -> dict[str, Any] | None:
            [alert] = await wait_for_alerts(notifications, token)
            [delivery] = alert["deliveries"]
            return delivery if delivery["status"] == "delivered" else None

        assert (await wait_until(delivered))["attempts"] == 1
    assert claimed == []  # the loop's claim rounds (one at start) never had it
