"""kill -9 in the middle of a delivery, with a real process: `shelterbeds serve notifications`
sends an alert to two webhooks whose peer takes it and hangs; the process is SIGKILLed while both
requests are in flight, started again on the same data dir, and each channel ends with exactly
one delivery — the peer sees the alert again under the same `webhook-id` and, as Standard
Webhooks receivers do, drops the repeat. At-least-once on the wire, once per channel after the
receiver's dedupe: the guarantee docs/architecture.md states."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from common.clock import ManualClock
from contracts.events import beds as ev
from contracts.events.notifications import AlertDelivered
from services.notifications.api import urls
from tests.integration.notifications.helpers import BedsEvents, new_id
from tests.support.events import EventTap
from tests.support.nats_server import NatsServer
from tests.support.processes import ServeProcess
from tests.support.service import wait_until

HOOK_SECRET = "whsec_" + base64.b64encode(b"a key of thirty-two bytes, exact").decode()
CHANNELS = ("/desk", "/phone")


class Receiver:
    """A Standard Webhooks receiver: checks the signature, processes each webhook-id once. The
    first request on every channel is taken and then left hanging; once all are hanging, the
    sender is killed, so no answer ever reaches it."""

    def __init__(self) -> None:
        self.seen: dict[str, list[str]] = {path: [] for path in CHANNELS}
        self.processed: dict[str, list[str]] = {path: [] for path in CHANNELS}
        self.pid: int | None = None
        self.killed = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        key = base64.b64decode(HOOK_SECRET.removeprefix("whsec_"))
        msg_id, stamp = request.headers["webhook-id"], request.headers["webhook-timestamp"]
        signed = hmac.new(key, f"{msg_id}.{stamp}.".encode() + request.get_data(), hashlib.sha256).digest()
        offered = [s.removeprefix("v1,") for s in request.headers["webhook-signature"].split()]
        if not any(hmac.compare_digest(base64.b64decode(s), signed) for s in offered):
            return Response("bad signature", status=401)
        with self._lock:
            self.seen[request.path].append(msg_id)
            if msg_id not in self.processed[request.path]:
                self.processed[request.path].append(msg_id)
            first = len(self.seen[request.path]) == 1
            if first and all(self.seen.values()) and self.pid is not None:
                os.kill(self.pid, signal.SIGKILL)  # while every request is still in flight
                self.killed.set()
        if first:
            self.killed.wait(30)
        return Response("ok")


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats").start()
    yield server
    server.stop()


async def test_kill_9_mid_delivery_and_restart_leave_exactly_one_delivery_per_channel(
    tmp_path: Path, own_nats: NatsServer, peer: HTTPServer
) -> None:
    receiver = Receiver()
    for path in CHANNELS:
        peer.expect_request(path, method="POST").respond_with_handler(receiver)
    service = ServeProcess(
        "notifications",
        tmp_path / "data",
        own_nats.url,
        # info: the clean stop is read from uvicorn's line in the log
        env={"SHELTERBEDS_DELIVERY_TIMEOUT_SECONDS": "2", "SHELTERBEDS_LOG_LEVEL": "info"},
    )
    admin = service.token("admin")
    try:
        receiver.pid = (await service.start()).pid
        team = (
            await service.call("POST", urls.TEAMS, admin, {"name": "Winter patrol", "kind": "patrol"})
        ).json()
        channels = urls.TEAM_CHANNELS.replace("{team_id:str}", team["id"])
        for path in CHANNELS:
            body = {"kind": "webhook", "url": peer.url_for(path), "secret": HOOK_SECRET}
            assert (await service.call("POST", channels, admin, body)).status_code == 201
        async with EventTap(own_nats.url) as tap:
            async with BedsEvents(own_nats.url, ManualClock(datetime.now(UTC))) as beds:
                await beds.publish(
                    ev.ColdWeatherSwitchedOn(site_id=new_id(), confidential=False, mats_total=9)
                )
            await wait_until(lambda: receiver.killed.is_set() and service.process.poll() is not None, 30)
            assert service.process is not None and service.process.returncode == -signal.SIGKILL

            await service.start()  # the same data dir: the dead worker's claim lapses, then it resends
            await wait_until(lambda: all(len(ids) == 2 for ids in receiver.seen.values()), 30)
            patrol = service.token("patrol", team_id=team["id"])

            async def delivered() -> list[dict[str, Any]] | None:
                [alert] = (await service.call("GET", urls.ALERTS, patrol)).json()
                done = [d for d in alert["deliveries"] if d["status"] == "delivered"]
                return alert["deliveries"] if len(done) == len(CHANNELS) else None

            deliveries = await wait_until(delivered, 20)
            await tap.wait_for(AlertDelivered, count=len(CHANNELS))

        for path in CHANNELS:
            first, again = receiver.seen[path]
            assert first == again, "the resend carries the same webhook-id"
            assert len(receiver.processed[path]) == 1  # the receiver acted on it once
        # the killed attempt left no record; the one after the restart is the only one
        assert [d["attempts"] for d in deliveries] == [1, 1]
        sent = tap.of(AlertDelivered)
        assert len(sent) == len(CHANNELS) and len({e.alert_id for e in sent}) == 1  # type: ignore[attr-defined]
        # a clean stop: the app shut down, exit status 0 (tests/e2e/test_graceful_shutdown.py)
        assert service.stop() == 0
        assert "Application shutdown complete" in service.log.read_text()
    finally:
        receiver.killed.set()
        service.stop()
