"""The live feed over a real socket: a browser's EventSource sees its own team's alerts as they
come, heartbeats while it is quiet, and after a reconnect with Last-Event-ID only what it missed."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from services.notifications.api import urls
from tests.integration.notifications.helpers import BedsEvents, create_team, new_id, team_token
from tests.support.nats_server import free_port
from tests.support.service import Service, wait_until


@pytest.fixture
def notifications_overrides() -> dict[str, Any]:
    return {"feed_poll_seconds": 0.05, "feed_heartbeat_seconds": 0.2}


@pytest.fixture
async def live(notifications: Service) -> AsyncIterator[str]:
    """The same app behind a real HTTP server (its runtime is already running)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(notifications.app, host="127.0.0.1", port=port, lifespan="off", log_config=None)
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, 10, step=0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)


class Reader:
    """A small EventSource: reads `id:`/`event:`/`data:` fields and comment lines."""

    def __init__(self, lines: AsyncIterator[str]):
        self.lines = lines

    async def next(self, timeout: float = 10.0) -> dict[str, str]:
        async def read() -> dict[str, str]:
            fields: dict[str, str] = {}
            async for line in self.lines:
                if not line:
                    if fields:
                        return fields
                    continue
                name, _, value = line.partition(":")
                fields[name or "comment"] = value.strip()
            raise EOFError

        return await asyncio.wait_for(read(), timeout)

    async def next_event(self) -> dict[str, str]:
        while True:
            fields = await self.next()
            if "data" in fields and "comment" not in fields:  # a heartbeat carries an empty data line
                return fields


async def test_the_feed_streams_the_callers_alerts_with_heartbeats_and_resumes_after_last_event_id(
    notifications: Service, beds_events: BedsEvents, live: str
) -> None:
    site, other_site = new_id(), new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    await create_team(notifications, "shelter_staff", sites=[other_site])
    headers = {"Authorization": f"Bearer {team_token(notifications, staff, 'shelter_staff')}"}
    async with httpx.AsyncClient(base_url=live, timeout=10) as client:
        async with client.stream("GET", urls.FEED, headers=headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            reader = Reader(response.aiter_lines())
            assert "comment" in await reader.next()  # a heartbeat while nothing happens
            await beds_events.publish(beds_events.hold_placed(other_site))  # not this team's
            first = await beds_events.publish(beds_events.hold_placed(site))
            event = await reader.next_event()
            assert event["event"] == "on_the_way" and json.loads(event["data"])["team_id"] == staff
            seen = event["id"]

        missed = await beds_events.publish(beds_events.hold_placed(site))
        async with client.stream("GET", urls.FEED, headers={**headers, "Last-Event-ID": seen}) as response:
            event = await Reader(response.aiter_lines()).next_event()
            assert int(event["id"]) > int(seen)
            assert json.loads(event["data"])["id"] != first
        # a feed whose client left stops following: nothing lingers per closed connection
        await wait_until(lambda: notifications.app.state.feed_hub.open_feeds == 0)
    found = await notifications.get(urls.ALERTS, headers["Authorization"].removeprefix("Bearer "))
    assert {a["event_id"] for a in found.json()} == {first, missed}


async def test_a_feed_with_a_bad_last_event_id_or_another_teams_id_is_refused(notifications: Service) -> None:
    staff = await create_team(notifications, "shelter_staff", sites=[new_id()])
    other = await create_team(notifications, "patrol")
    token = team_token(notifications, staff, "shelter_staff")
    assert (
        await notifications.get(urls.FEED, token, headers={"Last-Event-ID": "yesterday"})
    ).status_code == 400
    assert (await notifications.get(urls.FEED, token, params={"team_id": other})).status_code == 404
    assert (await notifications.get(urls.FEED)).status_code == 401
