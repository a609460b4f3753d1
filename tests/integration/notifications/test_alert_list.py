"""`GET /api/v1/alerts`: a team's alerts newest first, with their deliveries, paged with
limit/offset and cut with `since`; a bad page is a 400 that names the parameter."""

from __future__ import annotations

from datetime import timedelta

from pytest_httpserver import HTTPServer

from common.clock import ManualClock
from contracts.events import beds as ev
from services.notifications.api import urls
from tests.integration.notifications.helpers import (
    BedsEvents,
    alerts_of,
    create_team,
    new_id,
    team_token,
    wait_for_alerts,
)
from tests.support.service import Service


async def test_alerts_are_listed_newest_first_with_deliveries_paged_and_cut_by_since(
    notifications: Service, beds_events: BedsEvents, httpserver: HTTPServer, clock: ManualClock
) -> None:
    httpserver.expect_request("/patrol", method="POST").respond_with_data("ok")
    patrol = await create_team(notifications, "patrol")
    channel = {"kind": "webhook", "url": httpserver.url_for("/patrol"), "secret": "whsec-paging-0123456789"}
    path = urls.TEAM_CHANNELS.replace("{team_id:str}", patrol)
    assert (await notifications.post(path, notifications.token("admin"), channel)).status_code == 201
    token = team_token(notifications, patrol, "patrol")
    times, events = [], []
    for n in range(5):
        times.append(clock.advance(timedelta(minutes=1)))
        event = ev.ColdWeatherSwitchedOn(site_id=new_id(), confidential=False, mats_total=n)
        events.append(await beds_events.publish(event))
        await wait_for_alerts(notifications, token, count=n + 1)

    pages = [await alerts_of(notifications, token, limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 2, 1]
    listed = [a["event_id"] for page in pages for a in page]
    assert listed == events[::-1]  # newest first, nothing twice, nothing left out
    assert all(a["deliveries"][0]["channel"] == "webhook" for page in pages for a in page)

    recent = await alerts_of(notifications, token, since=times[3].isoformat())
    assert [a["event_id"] for a in recent] == [events[4], events[3]]
    assert await alerts_of(notifications, token, kind="cold_weather", offset=5) == []
    supervisor = notifications.token("supervisor")
    assert len(await alerts_of(notifications, supervisor, team_id=patrol, limit=3)) == 3

    for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"since": "2026-12-02T10:00:00"}):
        answer = await notifications.get(urls.ALERTS, token, params=bad)
        assert answer.status_code == 400, bad
        assert answer.headers["content-type"].startswith("application/problem+json")
