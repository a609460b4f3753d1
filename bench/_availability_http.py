"""Nearest search as a patrol meets it: `GET /api/v1/availability` of a real beds process, beside
`GET /health/live` of the same process, asked in turns so that both meet the same machine; at a
small registry and at a national one, for the growth between them."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx

from bench._service import BedsProcess, figures
from bench._support import ThrowawayNats
from common.db import Database, drop_postgres_database
from common.migrations import upgrade
from shelterbeds.registry import SERVICES

UKRAINE = ((45.5, 52.0), (22.5, 40.0))
PARTIES: tuple[dict[str, str | int], ...] = (
    {"adults": 1, "gender": "male"},
    {"adults": 1, "gender": "female"},
    {"adults": 1, "children": 2, "gender": "female"},
    {"adults": 2, "children": 1, "gender": "other"},
)

Populate = Callable[[Database, int], Awaitable[int]]


async def one_size(
    nats: ThrowawayNats, populate: Populate, sites: int, queries: int, postgres: str | None
) -> Any:
    data_dir = Path(mkdtemp(prefix="bench-availability-"))
    prefix = f"bench_avail_{uuid.uuid4().hex[:8]}_" if postgres else None
    url = (
        f"{postgres.rstrip('/')}/{prefix}beds" if postgres else f"sqlite+aiosqlite:///{data_dir / 'beds.db'}"
    )
    await upgrade(url, SERVICES["beds"].migrations)
    db = Database(url)
    try:
        await populate(db, sites)
        if not db.sqlite:
            async with db.engine.connect() as conn:
                await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("ANALYZE")
    finally:
        await db.dispose()
    service = BedsProcess(nats, database_url=postgres, database_prefix=prefix, data_dir=data_dir)
    try:
        service.wait_ready()
        headers = {"Authorization": f"Bearer {service.tokens().issue('patrol')}"}
        rng = random.Random(11)
        timings: dict[str, list[float]] = {"availability": [], "health": []}
        async with httpx.AsyncClient(base_url=service.base_url, timeout=60) as client:
            for n in range(queries + 20):  # the first 20 of each warm the process up
                params: dict[str, str | int | float] = {
                    "lat": rng.uniform(*UKRAINE[0]),
                    "lon": rng.uniform(*UKRAINE[1]),
                    **rng.choice(PARTIES),
                }
                asks = {
                    "availability": client.get("/api/v1/availability", params=params, headers=headers),
                    "health": client.get("/health/live"),
                }
                for name, ask in asks.items():
                    t0 = time.perf_counter()
                    response = await ask
                    elapsed = time.perf_counter() - t0
                    response.raise_for_status()
                    if n >= 20:
                        timings[name].append(elapsed)
        rss_mb = resident_mb(service.process.pid)
    finally:
        service.stop()
        if postgres:
            await drop_postgres_database(url)
    found = {name: figures(values, sum(values)) for name, values in timings.items()}
    return {
        "sites": sites,
        "queries": queries,
        **found,
        "p99_vs_health": round(found["availability"]["p99_ms"] / found["health"]["p99_ms"], 1),
        "rss_mb": rss_mb,
    }


def resident_mb(pid: int) -> float | None:
    """The process's resident memory (Linux), after the searches: the index of every site in it."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


async def through_http(
    populate: Populate, sites: int, queries: int, postgres: str | None, small_sites: int = 50
) -> dict[str, Any]:
    nats = ThrowawayNats(sync_always=False)
    try:
        small = await one_size(nats, populate, small_sites, queries, postgres)
        large = await one_size(nats, populate, sites, queries, postgres)
    finally:
        nats.stop()
    return {
        "small": small,
        "large": large,
        "growth_p99": round(large["availability"]["p99_ms"] / small["availability"]["p99_ms"], 2),
    }
