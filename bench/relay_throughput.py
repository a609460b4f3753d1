"""How fast the outbox relay moves events to JetStream, against the naive loop it replaces.

Both run in the same process, against the same nats-server, on the same rows, one after the
other — so the ratio holds on a noisy shared machine even when the absolute numbers wander.

    .venv/bin/python -m bench.relay_throughput [--events 20000] [--postgres URL]

- baseline: read the unsent rows, then `await js.publish(...)` one message at a time (the
  ~530 msgs/s pattern from nats.py's issue tracker), then mark them sent;
- relay: common.outbox.OutboxRelay.relay_once() in a loop (batched publish_async, acks awaited
  per batch, rows marked sent per batch).
Both with JetStream fsyncing every write (sync_interval: always, as `shelterbeds up` runs it) and
with the server's default lazy fsync.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from tempfile import mkdtemp

import nats
import sqlalchemy as sa

from bench._support import ThrowawayNats, save
from common.clock import SystemClock
from common.db import Database, drop_postgres_database
from common.logging import configure_logging
from common.metrics import ServiceMetrics
from common.migrations import upgrade
from common.nats import NatsLink, ensure_streams
from common.outbox import OutboxRelay
from contracts import ALL_STREAMS, encode, wrap
from contracts.events import beds as ev
from services.beds.adapters.orm import plumbing
from shelterbeds.registry import SERVICES


def sample_rows(count: int) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    rows = []
    for n in range(count):
        event = ev.CapacityChanged(
            site_id=f"site-{n % 50}",
            confidential=False,
            free_beds=n % 7,
            free_mats=2,
            beds_total=50,
            beds_occupied=40,
            beds_held=3,
            mats_total=10,
            mats_used=1,
            over_capacity=0,
        )
        event_id = str(uuid.uuid4())
        envelope = wrap(event, event_id=event_id, time=now, subject=event.site_id)
        rows.append(
            {
                "event_id": event_id,
                "type": envelope.type,
                "subject": ev.CapacityChanged.KIND.subject,
                "payload": encode(envelope),
                "created_at": now,
                "sent_at": None,
            }
        )
    return rows


async def fill(db: Database, rows: list[dict[str, object]]) -> None:
    async with db.write_sessions() as session, session.begin():
        await session.execute(sa.delete(plumbing.outbox))
        for start in range(0, len(rows), 5000):
            await session.execute(sa.insert(plumbing.outbox), rows[start : start + 5000])


async def naive(db: Database, url: str) -> float:
    nc = await nats.connect(url)
    js = nc.jetstream()
    started = time.perf_counter()
    async with db.read_sessions() as session:
        rows = (
            await session.execute(sa.select(plumbing.outbox).where(plumbing.outbox.c.sent_at.is_(None)))
        ).all()
    for row in rows:
        await js.publish(row.subject, row.payload, headers={"Nats-Msg-Id": row.event_id})
    async with db.write_sessions() as session, session.begin():
        await session.execute(sa.update(plumbing.outbox).values(sent_at=datetime.now(UTC)))
    elapsed = time.perf_counter() - started
    await nc.close()
    return len(rows) / elapsed


async def relay(db: Database, url: str) -> float:
    link = NatsLink(url, name="bench", streams=ALL_STREAMS)
    link.start()
    await asyncio.wait_for(link.ready.wait(), 10)
    outbox = OutboxRelay(db, plumbing, link, ServiceMetrics("bench"), SystemClock(), batch_size=500)
    started = time.perf_counter()
    sent = 0
    while (batch := await outbox.relay_once()) > 0:
        sent += batch
    elapsed = time.perf_counter() - started
    await link.close()
    return sent / elapsed


async def fresh_stream(url: str) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    for spec in ALL_STREAMS:
        with contextlib.suppress(Exception):  # not there yet
            await js.delete_stream(spec.name)
    await ensure_streams(js, ALL_STREAMS)
    await nc.close()


async def measure(db_url: str, events: int, rounds: int) -> dict[str, dict[str, float]]:
    await upgrade(db_url, SERVICES["beds"].migrations)
    db = Database(db_url)
    rows = sample_rows(events)
    results: dict[str, dict[str, float]] = {}
    try:
        for sync_always in (True, False):
            server = ThrowawayNats(sync_always=sync_always)
            try:
                label = "sync_always" if sync_always else "lazy_fsync"
                best: dict[str, float] = {"naive": 0.0, "relay": 0.0}
                for _ in range(rounds):
                    for name, run in (("naive", naive), ("relay", relay)):
                        await fresh_stream(server.url)
                        await fill(db, rows)
                        best[name] = max(best[name], await run(db, server.url))
                results[label] = {
                    "naive_msgs_per_s": round(best["naive"]),
                    "relay_msgs_per_s": round(best["relay"]),
                    "ratio": round(best["relay"] / best["naive"], 1),
                }
            finally:
                server.stop()
    finally:
        await db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=2, help="best of N per variant")
    parser.add_argument(
        "--postgres", help="also measure on this server, e.g. postgresql+asyncpg://postgres@127.0.0.1/"
    )
    args = parser.parse_args()
    configure_logging("warning")
    sqlite_url = f"sqlite+aiosqlite:///{Path(mkdtemp(prefix='bench-relay-')) / 'beds.db'}"
    by_backend = {"sqlite": asyncio.run(measure(sqlite_url, args.events, args.rounds))}
    if args.postgres:
        url = args.postgres.rstrip("/") + f"/bench_relay_{uuid.uuid4().hex[:8]}"
        try:
            by_backend["postgres"] = asyncio.run(measure(url, args.events, args.rounds))
        finally:
            asyncio.run(drop_postgres_database(url))
    print(save("relay-throughput", {"events": args.events, **by_backend}))
    for backend, by_label in by_backend.items():
        for label, figures in by_label.items():
            naive_rate, relay_rate, ratio = (
                figures["naive_msgs_per_s"],
                figures["relay_msgs_per_s"],
                figures["ratio"],
            )
            print(f"{backend:8} {label:12} naive {naive_rate:>6}/s  relay {relay_rate:>6}/s  = {ratio}x")


if __name__ == "__main__":
    main()
