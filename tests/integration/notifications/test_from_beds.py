"""The whole way from beds: a patrol holds a bed at a real beds service, and the site's staff
hear it on their webhook, with the site's public name (from the site read model), the party's
size and the time left — and the patrol, whose hold it is, hears it expire."""

from __future__ import annotations

import json
from datetime import timedelta

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from common.clock import ManualClock
from services.notifications.api import urls
from tests.integration.beds.helpers import open_site, place_hold
from tests.integration.notifications.helpers import create_team, team_token, wait_for_alerts
from tests.support.service import Service, wait_until
from tests.support.sites import night_shelter, party

SECRET = "whsec-from-beds-0123456789"


async def test_a_hold_placed_in_beds_reaches_the_sites_staff_and_its_expiry_the_patrol(
    beds: Service, notifications: Service, httpserver: HTTPServer, clock: ManualClock
) -> None:
    texts: list[str] = []

    def receiver(request: Request) -> Response:
        texts.append(json.loads(request.get_data())["data"]["text"])
        return Response("ok")

    httpserver.expect_request("/desk", method="POST").respond_with_handler(receiver)
    site = (await open_site(beds, night_shelter("Нічліжка на Городоцькій", beds=4, mats=0)))["id"]
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    patrol = await create_team(notifications, "patrol")
    channel = {"kind": "webhook", "url": httpserver.url_for("/desk"), "secret": SECRET}
    url = urls.TEAM_CHANNELS.replace("{team_id:str}", staff)
    assert (await notifications.post(url, notifications.token("admin"), channel)).status_code == 201

    response = await place_hold(
        beds, beds.token("patrol", team=patrol), site, party(2, 1, "female"), eta_minutes=45
    )
    assert response.status_code == 201, response.text
    await beds.relayed()
    [alert] = await wait_for_alerts(notifications, team_token(notifications, staff, "shelter_staff"))
    assert alert["kind"] == "on_the_way" and alert["site_id"] == site
    await wait_until(lambda: texts)
    assert texts == ["Нічліжка на Городоцькій: їдуть 3 ос., бронь ще 45 хв"]  # noqa: RUF001

    for minutes in (31, 15):  # the warning 15 minutes before, then the expiry
        clock.advance(timedelta(minutes=minutes))
        await beds.tick()  # (its own loop may have run it first: either way once)
    await beds.relayed()
    found = await wait_for_alerts(notifications, team_token(notifications, patrol, "patrol"), count=2)
    assert sorted(a["kind"] for a in found) == ["hold_expired", "hold_expiring"]
