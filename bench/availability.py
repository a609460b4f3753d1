"""Nearest free fitting place, at the scale of a national registry: 5,000 sites, 250,000 places.

    .venv/bin/python -m bench.availability [--sites 5000] [--queries 60] [--http-queries 300]
        [--small-sites 50] [--postgres URL]

Compares, in the same run on the same database, the service's search (sites ranked by distance,
checked for a fitting place chunk by chunk, nearest first) with the naive search (count free
places of every site in one grouped query, then filter and sort). Sites are spread over Ukraine,
about 60 % of beds are taken, and queries come from random points for random parties.

Then through HTTP (bench/_availability_http.py): p99 of `GET /api/v1/availability` of a real beds
process against p99 of its `/health/live`, asked in turns, at `--small-sites` (50) sites and at
`--sites`, and the growth between the two (p99 at `--sites` / p99 at 50).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import sqlalchemy as sa

from bench._availability_http import through_http
from bench._support import save
from common.clock import SystemClock
from common.db import Database, drop_postgres_database
from common.logging import configure_logging
from common.migrations import upgrade
from services.beds.adapters.availability_index import AvailabilityIndex
from services.beds.adapters.orm import place_claims, places, plumbing, rooms, sites
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain.availability import RoomOpening, distance_km, offer
from services.beds.domain.party import Needs, Party
from services.beds.domain.sites import Room
from services.beds.service_layer.nearest import nearest, nearest_in
from shelterbeds.registry import SERVICES

UKRAINE = ((45.5, 52.0), (22.5, 40.0))
KINDS = ("night_shelter",) * 5 + ("shelter",) * 3 + ("crisis_room",) * 2
RESTRICTIONS = ("any", "men", "women", "family", "any")


def room_row(site_id: str, name: str, restriction: str, *, accessible: bool) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "site_id": site_id,
        "name": name,
        "restriction": restriction,
        "accessible": accessible,
        "pets_allowed": False,
        "retired_at": None,
    }


def place_row(site_id: str, room_id: str | None, kind: str, label: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "site_id": site_id,
        "room_id": room_id,
        "kind": kind,
        "label": label,
        "emergency": False,
        "retired_at": None,
    }


async def populate(db: Database, count: int, seed: int = 7) -> int:
    """Sites of 4 rooms x 10 beds + 10 mats (50 places each), ~60 % of beds taken."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    site_rows, room_rows, place_rows, claim_rows = [], [], [], []
    for n in range(count):
        site_id = str(uuid.uuid4())
        kind = rng.choice(KINDS)
        site_rows.append(
            {
                "id": site_id,
                "name": f"Site {n}",
                "kind": kind,
                "lat": rng.uniform(*UKRAINE[0]),
                "lon": rng.uniform(*UKRAINE[1]),
                "address": f"Street {n}",
                "timezone": "Europe/Kyiv",
                "max_stay_days": 10 if kind == "crisis_room" else None,
                "confidential": kind == "crisis_room",
                "created_at": now,
                "rollover": clock_time(8),
                "cold_weather": False,
                "cold_weather_mats": None,
                "retired_at": None,
                "ledger_closed_through": None,
                "ledger_due_at": None,
            }
        )
        for r in range(4):
            room = room_row(site_id, f"Room {r}", rng.choice(RESTRICTIONS), accessible=r == 0)
            room_rows.append(room)
            for b in range(10):
                place = place_row(site_id, room["id"], "bed", f"{r}-{b}")
                place_rows.append(place)
                if rng.random() < 0.6:
                    claim_rows.append(
                        {
                            "id": str(uuid.uuid4()),
                            "place_id": place["id"],
                            "site_id": site_id,
                            "starts_at": now,
                            "ends_at": None,
                            "hold_id": None,
                            "stay_id": "s",
                        }
                    )
        for m in range(10 if kind == "night_shelter" else 0):
            place_rows.append(place_row(site_id, None, "mat", f"Mat {m}"))
        if kind != "night_shelter":  # keep 50 places per site: shelters have a fifth room instead of mats
            room = room_row(site_id, "Room 4", "family", accessible=False)
            room_rows.append(room)
            place_rows += [place_row(site_id, room["id"], "bed", f"4-{b}") for b in range(10)]
    async with db.write_sessions() as session, session.begin():
        for table, rows in (
            (sites, site_rows),
            (rooms, room_rows),
            (places, place_rows),
            (place_claims, claim_rows),
        ):
            for start in range(0, len(rows), 10000):
                await session.execute(sa.insert(table), rows[start : start + 10000])
    return len(place_rows)


async def naive(uow: BedsUnitOfWork, lat: float, lon: float, party: Party, limit: int) -> list[str]:
    """Everything counted for every site, then filtered and sorted."""
    rows = (await uow.session.execute(sa.select(sites.c.id, sites.c.kind, sites.c.lat, sites.c.lon))).all()
    counts = await uow.reads.site_counts([r.id for r in rows])
    by_site: dict[str, list[Room]] = {}
    for room in (await uow.session.scalars(sa.select(Room))).all():
        by_site.setdefault(room.site_id, []).append(room)
    found = []
    for row in rows:
        c = counts.get(row.id)
        if c is None:
            continue
        openings = [RoomOpening(room, c.rooms.get(room.id, (0, 0))[1]) for room in by_site.get(row.id, [])]
        if offer(row.kind, openings, c.mats_free, party, Needs()) is not None:
            found.append((distance_km(lat, lon, row.lat, row.lon), row.id))
    return [site_id for _, site_id in sorted(found)[:limit]]


async def measure(url: str, count: int, queries: int) -> dict[str, object]:
    await upgrade(url, SERVICES["beds"].migrations)
    db = Database(url)
    try:
        started = time.perf_counter()
        total_places = await populate(db, count)
        load_seconds = time.perf_counter() - started
        if not db.sqlite:  # fresh bulk load: give the planner the statistics autovacuum would
            async with db.engine.connect() as conn:
                await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("ANALYZE")
        rng = random.Random(11)
        parties = [Party(1, 0, "male"), Party(1, 0, "female"), Party(1, 2, "female"), Party(2, 1, "other")]
        asks = [
            (rng.uniform(*UKRAINE[0]), rng.uniform(*UKRAINE[1]), rng.choice(parties)) for _ in range(queries)
        ]
        timings: dict[str, list[float]] = {"search": [], "naive": [], "index": []}
        index = AvailabilityIndex()
        async with BedsUnitOfWork(db, plumbing, SystemClock(), write=False) as uow:
            t0 = time.perf_counter()
            await index.fresh(uow.reads)
            build_seconds = time.perf_counter() - t0
        for lat, lon, party in asks:
            t0 = time.perf_counter()
            from_memory = [
                a.site_id
                for a in nearest_in(
                    index,
                    lat=lat,
                    lon=lon,
                    party=party,
                    needs=Needs(),
                    kind=None,
                    include_confidential=True,
                    limit=10,
                )
            ]
            timings["index"].append((time.perf_counter() - t0) * 1000)
            for name in ("search", "naive"):
                async with BedsUnitOfWork(db, plumbing, SystemClock(), write=False) as uow:
                    t0 = time.perf_counter()
                    if name == "search":
                        answer = [
                            a.site_id
                            for a in await nearest(
                                uow,
                                lat=lat,
                                lon=lon,
                                party=party,
                                needs=Needs(),
                                kind=None,
                                include_confidential=True,
                                limit=10,
                            )
                        ]
                    else:
                        expected = await naive(uow, lat, lon, party, 10)
                    timings[name].append((time.perf_counter() - t0) * 1000)
            assert answer == expected, "the fast search must give the naive search's answer"
            assert from_memory == expected, "the index must give the naive search's answer"
        summary = {name: _stats(ms) for name, ms in timings.items()}
        return {
            "sites": count,
            "places": total_places,
            "load_seconds": round(load_seconds, 1),
            "queries": queries,
            "ms": summary,
            "speedup_p50": round(summary["naive"]["p50"] / summary["search"]["p50"], 1),
            "index_build_seconds": round(build_seconds, 2),
            "index_vs_search_p50": round(summary["search"]["p50"] / max(summary["index"]["p50"], 0.01), 1),
        }
    finally:
        await db.dispose()


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max": round(ordered[-1], 1),
    }


def on_backend(url: str, postgres: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Both searches on the database at `url`, then through HTTP on a fresh one of the same
    backend (`postgres`: the server; None: SQLite). A PostgreSQL database of its own is dropped
    after use."""
    try:
        figures: dict[str, Any] = asyncio.run(measure(url, args.sites, args.queries))
    finally:
        if postgres is not None:
            asyncio.run(drop_postgres_database(url))
    figures["http"] = asyncio.run(
        through_http(populate, args.sites, args.http_queries, postgres, args.small_sites)
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--http-queries", type=int, default=300, help="of each, through HTTP")
    parser.add_argument(
        "--small-sites", type=int, default=50, help="the small registry the HTTP growth is measured from"
    )
    parser.add_argument(
        "--postgres", help="also measure on this server, e.g. postgresql+asyncpg://postgres@127.0.0.1/"
    )
    args = parser.parse_args()
    configure_logging("warning")
    results: dict[str, dict[str, Any]] = {}
    sqlite_url = f"sqlite+aiosqlite:///{Path(mkdtemp(prefix='bench-availability-')) / 'beds.db'}"
    results["sqlite"] = on_backend(sqlite_url, None, args)
    if args.postgres:
        url = args.postgres.rstrip("/") + f"/bench_availability_{uuid.uuid4().hex[:8]}"
        results["postgres"] = on_backend(url, args.postgres, args)
    print(save("availability", results))
    for backend, figures in results.items():
        ms = figures["ms"]
        print(
            f"{backend:8} {figures['sites']} sites, {figures['places']} places: "
            f"search p50 {ms['search']['p50']} ms p95 {ms['search']['p95']} ms | "
            f"naive p50 {ms['naive']['p50']} ms p95 {ms['naive']['p95']} ms | {figures['speedup_p50']}x"
        )
        print(
            f"{backend:8} index in memory p50 {ms['index']['p50']} ms p95 {ms['index']['p95']} ms "
            f"(built in {figures['index_build_seconds']} s) | x{figures['index_vs_search_p50']} of search"
        )
        http = figures["http"]
        for size in ("small", "large"):
            at = http[size]
            print(
                f"{backend:8} HTTP {at['sites']} sites: availability p50 {at['availability']['p50_ms']} ms "
                f"p99 {at['availability']['p99_ms']} ms | health p99 {at['health']['p99_ms']} ms | "
                f"p99 x{at['p99_vs_health']} of health | beds RSS {at['rss_mb']} MB"
            )
        print(
            f"{backend:8} HTTP growth of p99 from {args.small_sites} to {args.sites} sites: "
            f"x{http['growth_p99']}"
        )


if __name__ == "__main__":
    main()
