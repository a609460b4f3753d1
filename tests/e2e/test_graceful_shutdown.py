"""SIGTERM to `shelterbeds serve`, as Kubernetes or `up` sends it, while requests and events flow:
readiness answers 503 first, a request already in hand is answered, the events the consumers
took are acked, the outbox is relayed, and the process exits 0 within the grace setting."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import msgspec
import nats
import pytest

from common.clock import ManualClock
from common.nats import ensure_streams
from contracts import ALL_STREAMS
from contracts.events import intake as iv
from tests.integration.intake.helpers import referral
from tests.integration.notifications.helpers import BedsEvents, new_id
from tests.integration.test_consumer import site_created
from tests.support.events import EventTap
from tests.support.nats_server import NatsServer
from tests.support.processes import ServeProcess
from tests.support.service import wait_until

GRACE_S = 10


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats").start()
    yield server
    server.stop()


def half_sent_referral(port: int, token: str) -> tuple[socket.socket, bytes]:
    """A request whose headers are in but whose body is not: the server holds it in hand."""
    body = msgspec.json.encode(referral())
    head = (
        f"POST /api/v1/referrals HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(head)
    return sock, body


def read_response(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            (int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")),
            None,
        )
        if length is not None and len(rest) >= length:
            break
    return data


async def test_sigterm_turns_readiness_off_answers_what_is_in_hand_relays_the_outbox_and_exits_0(
    tmp_path: Path, own_nats: NatsServer
) -> None:
    intake = ServeProcess(
        "intake",
        tmp_path / "data",
        own_nats.url,
        env={"SHELTERBEDS_SHUTDOWN_GRACE_SECONDS": str(GRACE_S), "SHELTERBEDS_SHUTDOWN_DRAIN_SECONDS": "2"},
    )
    nc = await nats.connect(own_nats.url)
    try:
        await ensure_streams(nc.jetstream(), ALL_STREAMS)
        await intake.start()
        patrol = intake.token("patrol", team_id=new_id())
        answered: list[int] = []
        readiness: list[int] = []
        turned_off = asyncio.Event()

        async def a_steady_stream(client: httpx.AsyncClient) -> None:
            """Like a load balancer's traffic: it goes on until readiness says 503."""
            while not turned_off.is_set():
                made = await client.post(
                    "/api/v1/referrals", json=referral(), headers={"Authorization": f"Bearer {patrol}"}
                )
                answered.append(made.status_code)
                ready = await client.get("/health/ready")
                readiness.append(ready.status_code)
                if ready.status_code == 503:
                    turned_off.set()
                await asyncio.sleep(0.02)

        async with (
            EventTap(own_nats.url) as tap,
            httpx.AsyncClient(base_url=intake.url, timeout=30) as client,
        ):
            stream = asyncio.create_task(a_steady_stream(client))
            await wait_until(lambda: len(answered) >= 5, 30)
            # beds' events keep coming until SIGTERM, so that intake's consumer has some in hand
            # however fast it applies them
            published = 0
            stopped_publishing = asyncio.Event()

            async def beds_keeps_publishing() -> None:
                nonlocal published
                async with BedsEvents(own_nats.url, ManualClock(datetime.now(UTC))) as beds:
                    # in bursts, faster than one consumer applies them, up to a bound the restart
                    # below works through in seconds
                    while not stopped_publishing.is_set() and published < 3000:
                        burst = [site_created(f"site-{published + n}") for n in range(200)]
                        await asyncio.gather(*(beds.publish(event) for event in burst))
                        published += len(burst)

            publisher = asyncio.create_task(beds_keeps_publishing())
            in_hand, rest = await asyncio.to_thread(half_sent_referral, intake.port, patrol)

            async def consuming() -> bool:
                with sqlite3.connect(tmp_path / "data" / "intake.db") as db:
                    return bool(db.execute("SELECT count(*) FROM inbox").fetchone()[0] > 0)

            await wait_until(consuming, 30)

            signalled = time.monotonic()
            intake.process.send_signal(15)  # type: ignore[union-attr]
            await asyncio.wait_for(turned_off.wait(), 15)
            await stream
            await asyncio.sleep(2.5)  # past the drain: the listener is closed now
            with pytest.raises(httpx.ConnectError):
                await client.get("/health/live")
            in_hand.sendall(rest)  # the body of the request held since before SIGTERM
            late = await asyncio.to_thread(read_response, in_hand)
            in_hand.close()
            code = await asyncio.to_thread(intake.process.wait, GRACE_S + 5)  # type: ignore[union-attr]
            stopped_publishing.set()  # only now: the consumer worked until it was told to finish
            await publisher
            took = time.monotonic() - signalled
            await asyncio.sleep(0.5)  # the tap's last messages

        assert code == 0, intake.log.read_text()[-3000:]
        assert took < GRACE_S + 1
        assert late.startswith(b"HTTP/1.1 202"), late[:200]
        assert readiness[-1] == 503 and set(readiness[:-1]) == {200}
        assert set(answered) == {202}
        with sqlite3.connect(tmp_path / "data" / "intake.db") as db:
            [(unsent,)] = db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchall()
            [(written,)] = db.execute(
                "SELECT count(*) FROM outbox WHERE type = ?", (iv.ReferralCreated.KIND.type,)
            ).fetchall()
            [(applied,)] = db.execute("SELECT count(*) FROM inbox").fetchall()
        assert unsent == 0
        assert written == len(answered) + 1  # the steady stream and the one in hand
        # every one relayed before the exit; the tap listens on the wire, where a publish may be
        # sent again (JetStream keeps one by its Nats-Msg-Id), so it counts referrals, not messages
        assert len({event.referral_id for event in tap.of(iv.ReferralCreated)}) == written
        assert 0 < applied < published  # SIGTERM came while the consumer was working through them

        # Started again: what the first process applied it had also acked (no event comes back
        # as a duplicate), and what it left is applied now, each once.
        await intake.start()

        async def all_applied() -> bool:
            with sqlite3.connect(tmp_path / "data" / "intake.db") as db:
                return bool(db.execute("SELECT count(*) FROM inbox").fetchone()[0] == published)

        await wait_until(all_applied, 30)
        metrics = (await intake.call("GET", "/metrics")).text
        consumed = [
            line for line in metrics.splitlines() if line.startswith("shelterbeds_events_consumed_total")
        ]
        assert not [line for line in consumed if 'outcome="duplicate"' in line and not line.endswith(" 0.0")]
        assert intake.terminate() == 0
    finally:
        intake.stop()
        await nc.close()
