"""The referring team hears its referral, all the way through the real services and NATS: a
patrol refers at intake, beds' placement consumer holds a place, and the patrol's webhook is
told each step (received, placed, then cancelled and the place released) — with no personal
data anywhere, and of a DV referral nothing but "crisis room" and the referral's id."""

from __future__ import annotations

import json

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from services.notifications.api import urls
from tests.integration.intake.helpers import OLENA, referral
from tests.integration.notifications.helpers import create_team, team_token, wait_for_alerts
from tests.integration.placement.flow import FAR_SITE, family_shelter, referral_in, shelter
from tests.support.service import Service, wait_until

SECRET = "whsec-from-intake-0123456789"


async def webhook_texts(notifications: Service, httpserver: HTTPServer, team: str) -> list[str]:
    texts: list[str] = []

    def receiver(request: Request) -> Response:
        texts.append(json.loads(request.get_data())["data"]["text"])
        return Response("ok")

    httpserver.expect_request(f"/{team}", method="POST").respond_with_handler(receiver)
    channel = {"kind": "webhook", "url": httpserver.url_for(f"/{team}"), "secret": SECRET}
    url = urls.TEAM_CHANNELS.replace("{team_id:str}", team)
    assert (await notifications.post(url, notifications.token("admin"), channel)).status_code == 201
    return texts


async def test_the_referring_team_hears_its_referral_received_placed_cancelled_and_released(
    beds: Service, intake: Service, notifications: Service, httpserver: HTTPServer
) -> None:
    await shelter(beds, "Нічліжка на Городоцькій", beds_=4)
    patrol = await create_team(notifications, "patrol", language="en")
    texts = await webhook_texts(notifications, httpserver, patrol)
    token = intake.token("patrol", team=patrol)
    made = (await intake.post("/api/v1/referrals", token, referral(2, 0, "male", person=OLENA))).json()
    await referral_in(intake, made["id"], token, "held")
    ref = made["id"][:8]
    await wait_until(lambda: len(texts) == 2, 15)
    assert sorted(texts) == [
        f"Referral #{ref} received: 2, looking for a place",
        f"Referral #{ref}: place at Нічліжка на Городоцькій for 2, 90 min left",
    ]

    assert (await intake.post(f"/api/v1/referrals/{made['id']}/cancel", token)).status_code == 200
    await beds.relayed()
    found = await wait_for_alerts(
        notifications, team_token(notifications, patrol, "patrol"), count=4, within=15
    )
    assert sorted(a["kind"] for a in found) == [
        "referral_cancelled",
        "referral_placed",
        "referral_received",
        "referral_released",
    ]
    assert {a["subject_id"] for a in found} == {made["id"]}
    await wait_until(lambda: len(texts) == 4, 15)
    assert f"Referral #{ref} cancelled" in texts
    said = " ".join(texts)
    assert "Olena" not in said and "380501234567" not in said and "husband" not in said


async def test_a_dv_referrals_alerts_to_a_patrol_say_crisis_room_and_the_referrals_id_only(
    beds: Service, intake: Service, notifications: Service, httpserver: HTTPServer
) -> None:
    crisis = await family_shelter(beds, "Refuge on Secret Lane", kind="crisis_room", **FAR_SITE)
    patrol = await create_team(notifications, "patrol")
    texts = await webhook_texts(notifications, httpserver, patrol)
    token = intake.token("patrol", team=patrol)
    body = referral(1, 2, "female", needs={"dv": True}, person=OLENA)
    made = (await intake.post("/api/v1/referrals", token, body)).json()
    await referral_in(intake, made["id"], token, "held")
    found = await wait_for_alerts(
        notifications, team_token(notifications, patrol, "patrol"), count=2, within=15
    )
    assert sorted(a["kind"] for a in found) == ["referral_placed", "referral_received"]
    assert all(a["site_id"] is None for a in found)
    await wait_until(lambda: len(texts) == 2, 15)
    ref = made["id"][:8]
    assert sorted(texts) == [f"кризова кімната · #{ref}: місце є", f"кризова кімната · #{ref}: шукаємо місце"]
    listed = json.dumps(found) + " ".join(texts)
    assert crisis not in listed and crisis[:8] not in listed and "Secret" not in listed
