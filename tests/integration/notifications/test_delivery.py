"""Alerts leave the system through real local peers: a webhook receiver that checks the
Standard Webhooks signature, a fake Telegram Bot API and an SMTP server. Retried with backoff,
every attempt recorded, once per channel, and a dead channel never holds up the others."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from common.clock import ManualClock
from contracts.events import beds as ev
from contracts.events.notifications import AlertDelivered, AlertFailed
from services.notifications.api import urls
from tests.integration.notifications.helpers import (
    BedsEvents,
    create_team,
    new_id,
    team_token,
    wait_for_alerts,
)
from tests.support.events import EventTap
from tests.support.nats_server import free_port
from tests.support.service import Service, wait_until

SECRET = "whsec_" + base64.b64encode(b"a key of thirty-two bytes, exact").decode()
BOT_TOKEN = "123456:test-bot-token"


class Inbox:
    def __init__(self) -> None:
        self.mails: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def notifications_overrides(httpserver: HTTPServer, smtp: tuple[Inbox, int]) -> dict[str, Any]:
    return {
        "telegram_api_url": httpserver.url_for("/telegram"),
        "telegram_bot_token": BOT_TOKEN,
        "smtp_port": smtp[1],
        "smtp_from": "alerts@shelter.example",
    }


def verified(request: Request, secret: str = SECRET) -> bool:
    """The receiver's side of Standard Webhooks, written from the spec, not from our sender."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, timestamp = request.headers["webhook-id"], request.headers["webhook-timestamp"]
    expected = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + request.get_data(), hashlib.sha256).digest()
    offered = [
        s.removeprefix("v1,") for s in request.headers["webhook-signature"].split() if s.startswith("v1,")
    ]
    return any(hmac.compare_digest(base64.b64decode(s), expected) for s in offered)


async def add_channel(notifications: Service, team: str, body: dict[str, Any]) -> str:
    url = urls.TEAM_CHANNELS.replace("{team_id:str}", team)
    response = await notifications.post(url, notifications.token("admin"), body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def deliveries_of(
    notifications: Service, token: str, count: int = 1, **match: Any
) -> list[dict[str, Any]]:
    async def settled() -> list[dict[str, Any]] | None:
        [alert] = await wait_for_alerts(notifications, token)
        found = [d for d in alert["deliveries"] if all(d[k] == v for k, v in match.items())]
        return alert["deliveries"] if len(found) >= count else None

    result: list[dict[str, Any]] = await wait_until(settled, 10)
    return result


async def test_a_webhook_that_answers_500_then_200_is_retried_and_delivered_once_signed(
    notifications: Service,
    beds_events: BedsEvents,
    httpserver: HTTPServer,
    clock: ManualClock,
    events: EventTap,
) -> None:
    received: list[Request] = []

    def receiver(request: Request) -> Response:
        assert verified(request), "bad signature"
        received.append(request)
        return Response("down for a moment", status=500) if len(received) == 1 else Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receiver)
    site = new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    hook = await add_channel(
        notifications, staff, {"kind": "webhook", "url": httpserver.url_for("/hook"), "secret": SECRET}
    )
    token = team_token(notifications, staff, "shelter_staff")
    event = beds_events.hold_placed(site, adults=3, children=0)
    event_id = await beds_events.publish(event)
    await beds_events.publish(event, event_id=event_id, msg_id=new_id())  # arrives twice

    await wait_until(lambda: len(received) == 1)
    # the failure recorded before the clock moves, or its retry would be scheduled after the move
    await wait_until(lambda: _attempted(notifications, token, hook))
    clock.advance(timedelta(minutes=1))  # past the backoff
    [delivery] = await deliveries_of(notifications, token, status="delivered")
    assert delivery["attempts"] == 2 and delivery["channel"] == "webhook"
    [delivered] = await events.wait_for(AlertDelivered, team_id=staff)
    assert delivered.attempts == 2 and delivered.event_id == event_id

    clock.advance(timedelta(hours=1))
    await notifications.relayed()
    assert len(received) == 2
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]
    body = json.loads(received[1].get_data())
    assert body["data"]["kind"] == "on_the_way" and "3" in body["data"]["text"]


async def test_telegram_and_email_carry_the_text_in_the_teams_language(
    notifications: Service, beds_events: BedsEvents, httpserver: HTTPServer, smtp: tuple[Inbox, int]
) -> None:
    sent: list[dict[str, Any]] = []

    def bot_api(request: Request) -> Response:
        sent.append(json.loads(request.get_data()))
        return Response(
            json.dumps({"ok": True, "result": {"message_id": 1}}), content_type="application/json"
        )

    httpserver.expect_request(f"/telegram/bot{BOT_TOKEN}/sendMessage", method="POST").respond_with_handler(
        bot_api
    )
    site = new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site], language="en")
    await add_channel(notifications, staff, {"kind": "telegram", "chat_id": "-1001234567890"})
    await add_channel(notifications, staff, {"kind": "email", "address": "desk@shelter.example"})
    await beds_events.publish(beds_events.hold_placed(site, confidential=True, adults=1, children=2))

    await deliveries_of(
        notifications, team_token(notifications, staff, "shelter_staff"), 2, status="delivered"
    )
    [message] = sent
    assert message["chat_id"] == "-1001234567890"
    assert message["text"].startswith(f"crisis room #{site[:8]}: 3 on the way")
    [mail] = smtp[0].mails
    assert b"crisis room" in mail and b"To: desk@shelter.example" in mail


async def test_a_dead_channel_never_blocks_the_others_and_is_marked_broken_after_a_day(
    notifications: Service,
    beds_events: BedsEvents,
    httpserver: HTTPServer,
    clock: ManualClock,
    events: EventTap,
) -> None:
    httpserver.expect_request("/alive", method="POST").respond_with_data("ok")
    patrol = await create_team(notifications, "patrol")
    dead = await add_channel(
        notifications,
        patrol,
        {"kind": "webhook", "url": f"http://127.0.0.1:{free_port()}/", "secret": SECRET},
    )
    await add_channel(
        notifications, patrol, {"kind": "webhook", "url": httpserver.url_for("/alive"), "secret": SECRET}
    )
    token = team_token(notifications, patrol, "patrol")
    await beds_events.publish(ev.ColdWeatherSwitchedOn(site_id=new_id(), confidential=False, mats_total=12))
    found = await deliveries_of(notifications, token, status="delivered")
    [failing] = [d for d in found if d["channel_id"] == dead]
    await wait_until(lambda: _attempted(notifications, token, dead))

    for _ in range(30):  # a day of backoff, an hour at a time, waiting for each retry
        before = await _delivery(notifications, token, dead)
        if before["status"] == "failed":
            break
        clock.advance(timedelta(hours=1))
        await wait_until(lambda before=before: _retried(notifications, token, dead, before["attempts"]))
    given_up = await _delivery(notifications, token, dead)
    assert given_up["status"] == "failed" and given_up["attempts"] >= 2 and given_up["last_error"]
    await events.wait_for(AlertFailed, team_id=patrol)
    channels = (
        await notifications.get(
            urls.TEAM_CHANNELS.replace("{team_id:str}", patrol), notifications.token("admin")
        )
    ).json()
    assert {c["id"]: c["broken"] for c in channels}[dead] is True
    assert failing["status"] == "pending"

    # the next alert does not wait on a broken channel: it fails at once, in the open
    await beds_events.publish(ev.ColdWeatherSwitchedOn(site_id=new_id(), confidential=False, mats_total=14))
    await events.wait_for(AlertFailed, team_id=patrol, attempts=0)


async def _delivery(notifications: Service, token: str, channel_id: str) -> dict[str, Any]:
    [alert] = await wait_for_alerts(notifications, token)
    return next(d for d in alert["deliveries"] if d["channel_id"] == channel_id)


async def _attempted(notifications: Service, token: str, channel_id: str) -> bool:
    return bool((await _delivery(notifications, token, channel_id))["attempts"] >= 1)


async def _retried(notifications: Service, token: str, channel_id: str, attempts: int) -> bool:
    now = await _delivery(notifications, token, channel_id)
    return bool(now["attempts"] > attempts or now["status"] == "failed")


async def test_a_peer_that_hangs_never_holds_up_another_channel(
    notifications: Service, beds_events: BedsEvents, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/alive", method="POST").respond_with_data("ok")
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        patrol = await create_team(notifications, "patrol")
        hanging_url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        hanging = await add_channel(
            notifications, patrol, {"kind": "webhook", "url": hanging_url, "secret": SECRET}
        )
        await add_channel(
            notifications, patrol, {"kind": "webhook", "url": httpserver.url_for("/alive"), "secret": SECRET}
        )
        await beds_events.publish(ev.BedsFreeAgain(site_id=new_id(), confidential=False, free_beds=1))
        token = team_token(notifications, patrol, "patrol")
        found = await deliveries_of(notifications, token, status="delivered")
        # the alive channel is through while the hanging one still waits for its answer
        assert {d["channel_id"]: d["attempts"] for d in found}[hanging] == 0
        await wait_until(lambda: _attempted(notifications, token, hanging))
        assert (await _delivery(notifications, token, hanging))["last_error"] in ("timeout", "ReadTimeout")


async def test_a_worker_killed_mid_delivery_leaves_one_delivery_sent_again_under_the_same_id(
    notifications: Service,
    beds_events: BedsEvents,
    httpserver: HTTPServer,
    clock: ManualClock,
    events: EventTap,
) -> None:
    received: list[str] = []
    release = threading.Event()

    def receiver(request: Request) -> Response:
        received.append(request.headers["webhook-id"])
        if len(received) == 1:
            release.wait(10)  # the worker dies while the peer is still taking it
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receiver)
    site = new_id()
    staff = await create_team(notifications, "shelter_staff", sites=[site])
    await add_channel(
        notifications, staff, {"kind": "webhook", "url": httpserver.url_for("/hook"), "secret": SECRET}
    )
    await beds_events.publish(beds_events.hold_placed(site))
    await wait_until(lambda: len(received) == 1)

    runtime = notifications.runtime
    [worker] = [t for t in runtime._tasks if t.get_name() == "deliveries"]
    worker.cancel()  # nothing after the send runs: no attempt, no outcome written
    with contextlib.suppress(asyncio.CancelledError):
        await worker
    release.set()
    [(name, loop)] = [(n, fn) for n, fn in runtime._loops if n == "deliveries"]
    runtime._tasks.append(asyncio.create_task(runtime._supervised(name, loop), name=name))

    token = team_token(notifications, staff, "shelter_staff")
    [claimed] = (await wait_for_alerts(notifications, token))[0]["deliveries"]
    assert claimed["status"] == "pending" and claimed["attempts"] == 0
    clock.advance(timedelta(minutes=1))  # the dead worker's claim lapses
    [delivery] = await deliveries_of(notifications, token, status="delivered")
    assert delivery["attempts"] == 1
    assert len(received) == 2 and received[0] == received[1]  # the receiver can drop the repeat
    assert len(await events.wait_for(AlertDelivered, team_id=staff)) == 1
