"""The storage floor of the door benchmark: the rows one check-in or hold writes, written with bare
SQLAlchemy Core and nothing of ours around them, at the same concurrency, on the same schema.

Its engine is configured here, not by common.db, so that a change to our engine setup moves the
service's figure and never the floor it is compared with.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench._service import figures
from common.migrations import upgrade
from services.beds.adapters.orm import holds, place_claims, places, plumbing, rooms, sites, stays
from shelterbeds.registry import SERVICES


@dataclass
class Plan:
    engine: AsyncEngine
    sqlite: bool
    site_ids: list[str]
    place_ids: dict[str, list[str]]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def sqlite_url() -> str:
    return f"sqlite+aiosqlite:///{Path(mkdtemp(prefix='bench-floor-')) / 'floor.db'}"


def floor_engine(url: str) -> AsyncEngine:
    if not url.startswith("sqlite"):
        return create_async_engine(url, pool_size=32, max_overflow=8)
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=FULL"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


async def prepare(url: str, *, site_count: int, beds: int) -> Plan:
    """A migrated beds database with `site_count` sites of `beds` beds each."""
    await upgrade(url, SERVICES["beds"].migrations)
    engine = floor_engine(url)
    now = datetime.now(UTC)
    site_rows, room_rows, place_rows = [], [], []
    place_ids: dict[str, list[str]] = {}
    for n in range(site_count):
        site_id, room_id = str(uuid.uuid4()), str(uuid.uuid4())
        site_rows.append(_site(site_id, n, now))
        room_rows.append(
            {
                "id": room_id,
                "site_id": site_id,
                "name": "Room",
                "restriction": "any",
                "accessible": False,
                "pets_allowed": False,
                "retired_at": None,
            }
        )
        ids = place_ids[site_id] = [str(uuid.uuid4()) for _ in range(beds)]
        place_rows += [
            {
                "id": pid,
                "site_id": site_id,
                "room_id": room_id,
                "kind": "bed",
                "label": f"{b}",
                "emergency": False,
                "retired_at": None,
            }
            for b, pid in enumerate(ids)
        ]
    async with engine.begin() as conn:
        for table, rows in ((sites, site_rows), (rooms, room_rows), (places, place_rows)):
            await conn.execute(sa.insert(table), rows)
    return Plan(engine, url.startswith("sqlite"), list(place_ids), place_ids)


def _site(site_id: str, n: int, now: datetime) -> dict[str, Any]:
    return {
        "id": site_id,
        "name": f"Shelter {n}",
        "kind": "shelter",
        "lat": 50.45,
        "lon": 30.52,
        "address": f"Street {n}",
        "timezone": "Europe/Kyiv",
        "max_stay_days": None,
        "confidential": False,
        "created_at": now,
        "rollover": clock_time(8),
        "cold_weather": False,
        "cold_weather_mats": None,
        "retired_at": None,
        "ledger_closed_through": None,
        "ledger_due_at": None,
    }


def work(
    plan: Plan, phase: int, sites_per_phase: int, ops: int, kind: str, payloads: list[bytes], now: datetime
) -> list[list[tuple[sa.Table, dict[str, Any]]]]:
    """One list of row inserts per transaction, on the phase's own sites, a fresh bed each."""
    own = plan.site_ids[phase * sites_per_phase : (phase + 1) * sites_per_phase]
    targets = [own[n % len(own)] for n in range(ops)]
    random.Random(phase).shuffle(targets)
    taken: dict[str, int] = {}
    transactions = []
    for site_id in targets:
        place_id = plan.place_ids[site_id][taken.setdefault(site_id, 0)]
        taken[site_id] += 1
        owner_id = str(uuid.uuid4())
        rows: list[tuple[sa.Table, dict[str, Any]]]
        if kind == "checkins":
            rows = [(stays, stay_row(owner_id, site_id, place_id, now))]
            claim = {"stay_id": owner_id, "hold_id": None, "ends_at": None}
        else:
            rows = [(holds, _hold(owner_id, site_id, now))]
            claim = {"stay_id": None, "hold_id": owner_id, "ends_at": None}
        rows.append(
            (
                place_claims,
                {
                    "id": str(uuid.uuid4()),
                    "place_id": place_id,
                    "site_id": site_id,
                    "starts_at": now,
                    **claim,
                },
            )
        )
        rows += [(plumbing.outbox, outbox_row(payload, now)) for payload in payloads]
        transactions.append(rows)
    return transactions


def outbox_row(payload: bytes, now: datetime) -> dict[str, Any]:
    """An unsent outbox row carrying one of the payloads the service wrote for one booking."""
    return {
        "event_id": str(uuid.uuid4()),
        "type": "bench",
        "subject": "bench",
        "payload": payload,
        "created_at": now,
        "sent_at": None,
    }


def stay_row(stay_id: str, site_id: str, place_id: str, now: datetime) -> dict[str, Any]:
    return {
        "id": stay_id,
        "site_id": site_id,
        "place_id": place_id,
        "place_kind": "bed",
        "group_id": stay_id,
        "started_at": now,
        "recorded_at": now,
        "source": "walk_in",
        "is_child": False,
        "scheduled_end": now + timedelta(hours=20),
        "extension_days": 0,
    }


def _hold(hold_id: str, site_id: str, now: datetime) -> dict[str, Any]:
    return {
        "id": hold_id,
        "site_id": site_id,
        "status": "active",
        "adults": 1,
        "children": 0,
        "gender": "male",
        "accessible": False,
        "pet": False,
        "placed_at": now,
        "expires_at": now + timedelta(hours=10),
        "warn_at": now + timedelta(hours=9),
        "holder_subject": "bench",
        "holder_role": "patrol",
        "source": "patrol",
    }


async def run(plan: Plan, transactions: list[list[tuple[sa.Table, dict[str, Any]]]], concurrency: int) -> Any:
    queue = iter(transactions)
    latencies: list[float] = []

    async def writer() -> None:
        for rows in queue:
            t0 = time.perf_counter()
            turn: AbstractAsyncContextManager[Any] = plan.lock if plan.sqlite else nullcontext()
            async with turn, plan.engine.begin() as conn:
                site_id = rows[0][1]["site_id"]
                await conn.execute(sa.select(sites.c.id).where(sites.c.id == site_id).with_for_update())
                for table, values in rows:
                    await conn.execute(sa.insert(table).values(**values))
            latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(concurrency)))
    return {"requests": len(latencies), **figures(latencies, time.perf_counter() - started)}


async def dispose(plan: Plan) -> None:
    await plan.engine.dispose()
