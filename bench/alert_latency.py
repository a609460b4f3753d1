"""From an event on JetStream to a signed webhook at a local peer, against the raw JetStream
round trip, in the same run on the same nats-server (issue 20's goal: at most 5x).

    .venv/bin/python -m bench.alert_latency [--events 1000]

- baseline: publish a message to the beds stream (acknowledged by JetStream) and receive it on a
  core NATS subscription (the transport alone), while the service runs idle beside it;
- alerts: publish a beds `hold.placed` (a CloudEvent, as beds' relay does) and wait for the
  webhook request at a local HTTP peer: consumer → routing → alert + delivery committed →
  doorbell → delivery loop → signed POST. One event at a time, so each latency is one trip.
The notifications service runs in this process on a throwaway SQLite database; beds' own outbox
commit is not part of either figure (it is measured by bench.relay_throughput).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx
import nats

from bench._support import ThrowawayNats, save
from common.logging import configure_logging
from common.migrations import upgrade
from common.settings import settings_from_env
from contracts import encode, wrap
from contracts.events import beds as ev
from contracts.events.base import NeedsFacts, PartyFacts
from services.notifications.app import create_app
from shelterbeds.registry import SERVICES


class Peer:
    """A minimal HTTP/1.1 receiver: answers 200 and notes when each request arrived."""

    def __init__(self) -> None:
        self.arrived: asyncio.Queue[float] = asyncio.Queue()
        self.port = 0

    async def start(self) -> None:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:  # the client closed its keep-alive connection
                break
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                ),
                0,
            )
            await reader.readexactly(length)
            self.arrived.put_nowait(time.perf_counter())
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await writer.drain()


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3),
    }


async def baseline(url: str, events: int) -> list[float]:
    nc = await nats.connect(url)
    js = nc.jetstream()
    got: asyncio.Queue[float] = asyncio.Queue()

    async def on_message(_: Any) -> None:
        got.put_nowait(time.perf_counter())

    await nc.subscribe("shelter.beds.bench.>", cb=on_message)
    samples = []
    for i in range(events):
        started = time.perf_counter()
        await js.publish(f"shelter.beds.bench.{i}", b"{}")
        samples.append(await asyncio.wait_for(got.get(), 10) - started)
    await nc.close()
    return samples


async def alerts(url: str, events: int, data_dir: Path) -> tuple[list[float], list[float], float]:
    database = f"sqlite+aiosqlite:///{data_dir / 'notifications.db'}"
    await upgrade(database, SERVICES["notifications"].migrations)
    settings = settings_from_env(
        "notifications", env={}, database_url=database, nats_url=url, data_dir=str(data_dir), secret="b" * 40
    )
    app = create_app(settings)
    runtime = app.state.runtime
    peer = Peer()
    await peer.start()
    await runtime.start()
    await asyncio.wait_for(runtime.nats.ready.wait(), 10)
    site = str(uuid.uuid4())
    admin = {"Authorization": f"Bearer {runtime.tokens.issue('admin')}"}
    # litestar's scope and message types are narrower than the ASGI callable httpx asks for
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        team = (
            await client.post(
                "/api/v1/teams",
                json={"name": "desk", "kind": "shelter_staff", "sites": [site]},
                headers=admin,
            )
        ).json()["id"]
        hook = {
            "kind": "webhook",
            "url": f"http://127.0.0.1:{peer.port}/hook",
            "secret": "whsec-bench-0123456789",
        }
        assert (
            await client.post(f"/api/v1/teams/{team}/channels", json=hook, headers=admin)
        ).status_code == 201
    raw = await baseline(url, events)  # the streams exist now (the runtime made them)
    nc = await nats.connect(url)
    js = nc.jetstream()
    samples = []
    cpu_before = time.process_time()
    try:
        for _ in range(events):
            now = datetime.now(UTC)
            event = ev.HoldPlaced(
                hold_id=str(uuid.uuid4()),
                site_id=site,
                confidential=False,
                holder_team_id=None,
                referral_id=None,
                place_ids=[],
                party=PartyFacts(1, 0, "male"),
                needs=NeedsFacts(),
                expires_at=now + timedelta(minutes=90),
            )
            event_id = str(uuid.uuid4())
            envelope = wrap(event, event_id=event_id, time=now, subject=event.hold_id)
            started = time.perf_counter()
            await js.publish(event.KIND.subject, encode(envelope), headers={"Nats-Msg-Id": event_id})
            samples.append(await asyncio.wait_for(peer.arrived.get(), 10) - started)
        cpu_ms = 1000 * (time.process_time() - cpu_before) / events
    finally:
        await nc.close()
        await runtime.stop()
    return raw, samples, cpu_ms


async def main(events: int) -> None:
    configure_logging("warning")
    server = ThrowawayNats(sync_always=True)
    try:
        raw, delivered, cpu_ms = await alerts(server.url, events, Path(mkdtemp(prefix="bench-alerts-")))
    finally:
        server.stop()
    round_trip, to_webhook = percentiles(raw), percentiles(delivered)
    result = {
        "events": events,
        "jetstream_round_trip": round_trip,
        "event_to_webhook": to_webhook,
        # this process: the service, the publisher and the peer together (the same in every run)
        "cpu_ms_per_event": round(cpu_ms, 2),
        "ratio_p50": round(to_webhook["p50_ms"] / round_trip["p50_ms"], 2),
        "ratio_p99": round(to_webhook["p99_ms"] / round_trip["p99_ms"], 2),
    }
    print(result)
    print(save("alert-latency", result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    asyncio.run(main(parser.parse_args().events))
