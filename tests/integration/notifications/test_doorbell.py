"""An alert leaves as soon as it is committed: the delivery loop is woken by the commit, not
found by its next poll (here an hour away, so only the wake-up can deliver it)."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from services.notifications.api import urls
from tests.integration.notifications.helpers import BedsEvents, create_team, new_id
from tests.support.service import Service, wait_until


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
