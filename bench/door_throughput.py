"""How many people the door takes per second, against the floors beneath it, in one run.

    .venv/bin/python -m bench.door_throughput [--ops 4800] [--sites 100] [--postgres URL] [--profile]

From outside, through HTTP, against a real `shelterbeds serve beds` process (throwaway data dir,
throwaway nats-server): `--ops` check-ins spread over `--sites` sites of one city, at 8 and then 32
concurrent clients, and as many holds; beside them, at the same concurrency and in the same run:

- the framework floor: `GET /health/live` of the same service;
- the thinnest service this stack allows (bench/_thin_service.py): litestar, a PyJWT check, a
  msgspec body and one bare SQLAlchemy transaction writing the same rows, in a process of its own,
  beside its own `/health/live` — the two floors at once, with none of our code in a request;
- the storage floor: bare SQLAlchemy transactions, outside the service, writing the rows one
  check-in (or hold) writes — the stay (or hold), its place claim, and the outbox rows the service
  wrote for one — under the site row lock, on a database of the same shape. On SQLite the
  transactions begin with BEGIN IMMEDIATE and take turns on an asyncio lock (the cheapest way one
  process serialises its writers); on PostgreSQL they run on a pool of as many connections.

Each site has 5 rooms of 10 beds, and each phase books its own sites, so every request finds a bed.
`--profile` records the service under py-spy (raw stacks in bench/results/).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bench import _storage_floor as floor
from bench._service import BedsProcess, Request, drive
from bench._support import ThrowawayNats, results_dir, save
from bench._thin_service import ThinProcess
from common.db import drop_postgres_database

KYIV = (50.45, 30.52)
CONCURRENCY = (8, 32)
ROOMS = 5
BEDS_PER_ROOM = 10


def site_body(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "name": f"Shelter {n}",
        "kind": "shelter",
        "lat": KYIV[0] + rng.uniform(-0.15, 0.15),
        "lon": KYIV[1] + rng.uniform(-0.25, 0.25),
        "address": f"Street {n}",
        "rooms": [{"name": f"Room {r}", "beds": BEDS_PER_ROOM} for r in range(ROOMS)],
    }


async def open_sites(service: BedsProcess, token: str, count: int) -> list[str]:
    rng = random.Random(3)
    headers = {"Authorization": f"Bearer {token}"}
    ids: list[str] = []

    def opening(n: int) -> Request:
        async def send(client: httpx.AsyncClient) -> httpx.Response:
            response = await client.post("/api/v1/sites", json=site_body(rng, n), headers=headers)
            ids.append(response.json()["id"])
            return response

        return send

    result = await drive(service.base_url, [opening(n) for n in range(count)], 8, ok=201)
    if result["failed"]:
        raise RuntimeError(f"could not open the sites: {result['failed']}")
    return ids


def spread(site_ids: list[str], ops: int, seed: int) -> list[str]:
    """Each site gets its share of the requests, in a random order."""
    targets = [site_ids[n % len(site_ids)] for n in range(ops)]
    random.Random(seed).shuffle(targets)
    return targets


Signer = Callable[[str], str]  # site id → a token of a caller who may act there


def check_ins(site_ids: list[str], sign: Signer, ops: int, seed: int) -> list[Request]:
    genders = random.Random(seed).choices(["male", "female", "other"], k=ops)

    def one(site_id: str, gender: str) -> Request:
        body = {"party": {"adults": 1, "gender": gender}}
        # each request its own door token: one token is capped in writes per minute
        headers = {"Authorization": f"Bearer {sign(site_id)}"}
        return lambda client: client.post(f"/api/v1/sites/{site_id}/checkins", json=body, headers=headers)

    return [one(s, g) for s, g in zip(spread(site_ids, ops, seed), genders, strict=True)]


def holds(site_ids: list[str], sign: Signer, ops: int, seed: int) -> list[Request]:
    genders = random.Random(seed).choices(["male", "female", "other"], k=ops)

    def one(site_id: str, gender: str) -> Request:
        body = {"site_id": site_id, "party": {"adults": 1, "gender": gender}, "eta_minutes": 600}
        # each its own patrol token: open holds and writes per minute are capped per token
        headers = {"Authorization": f"Bearer {sign(site_id)}"}
        return lambda client: client.post("/api/v1/holds", json=body, headers=headers)

    return [one(s, g) for s, g in zip(spread(site_ids, ops, seed), genders, strict=True)]


def health(ops: int) -> list[Request]:
    return [lambda client: client.get("/health/live")] * ops


async def outbox_rows_written_by(service_url: str, request: Request, base_url: str) -> list[bytes]:
    """The outbox payloads one request made the service write: the storage floor writes as many."""
    db = create_async_engine(service_url)
    try:
        async with db.connect() as conn:
            last = await conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM outbox"))
        async with httpx.AsyncClient(base_url=base_url) as client:
            response = await request(client)
            response.raise_for_status()
        async with db.connect() as conn:
            rows = await conn.execute(sa.text("SELECT payload FROM outbox WHERE id > :id"), {"id": last})
            return [bytes(r.payload) for r in rows]
    finally:
        await db.dispose()


async def measure(nats: ThrowawayNats, args: argparse.Namespace, postgres: str | None) -> dict[str, Any]:
    prefix = f"bench_door_{uuid.uuid4().hex[:8]}_" if postgres else None
    profile = (
        results_dir() / f"door-profile-{'postgres' if postgres else 'sqlite'}.txt" if args.profile else None
    )
    if profile:
        profile.parent.mkdir(parents=True, exist_ok=True)
    service = BedsProcess(nats, database_url=postgres, database_prefix=prefix, profile_to=profile)
    phases = [(kind, c) for c in CONCURRENCY for kind in ("checkins", "holds")]
    service_db = (
        f"{postgres.rstrip('/')}/{prefix}beds"
        if postgres
        else f"sqlite+aiosqlite:///{service.data_dir / 'beds.db'}"
    )
    floor_url = f"{postgres.rstrip('/')}/{prefix}floor" if postgres else floor.sqlite_url()
    try:
        service.wait_ready()
        tokens = service.tokens()
        admin = tokens.issue("admin")

        def staff(site_id: str) -> str:
            return tokens.issue("shelter_staff", site_ids=[site_id])

        def patrol(_: str) -> str:
            return tokens.issue("patrol")

        site_ids = await open_sites(service, admin, args.sites * len(phases) + 1)
        spare = site_ids.pop()
        events = {
            "checkins": await outbox_rows_written_by(
                service_db, check_ins([spare], staff, 1, 0)[0], service.base_url
            ),
            "holds": await outbox_rows_written_by(
                service_db, holds([spare], patrol, 1, 0)[0], service.base_url
            ),
        }
        results: dict[str, Any] = {"ops": args.ops, "sites": args.sites}
        for n, (kind, concurrency) in enumerate(phases):
            sites = site_ids[n * args.sites : (n + 1) * args.sites]
            make = check_ins if kind == "checkins" else holds
            requests = make(sites, staff if kind == "checkins" else patrol, args.ops, seed=n)
            at = results.setdefault(f"c{concurrency}", {})
            at["health"] = await drive(service.base_url, health(args.ops), concurrency, ok=200)
            at[kind] = await drive(service.base_url, requests, concurrency, ok=201)
    finally:
        service.stop()
    thin_url = f"{postgres.rstrip('/')}/{prefix}thin" if postgres else floor.sqlite_url()
    await measure_thin_service(thin_url, args, events["checkins"], results)
    plan = await floor.prepare(floor_url, site_count=args.sites * len(phases), beds=ROOMS * BEDS_PER_ROOM)
    try:
        for n, (kind, concurrency) in enumerate(phases):
            work = floor.work(plan, n, args.sites, args.ops, kind, events[kind], datetime.now(UTC))
            results[f"c{concurrency}"][f"{kind}_storage_floor"] = await floor.run(plan, work, concurrency)
    finally:
        await floor.dispose(plan)
        if postgres:
            for url in (service_db, floor_url, thin_url):
                await drop_postgres_database(url)
    for concurrency in CONCURRENCY:
        at = results[f"c{concurrency}"]
        for kind in ("checkins", "holds"):
            at[f"{kind}_ratios"] = ratios(at[kind], at["health"], at[f"{kind}_storage_floor"])
        thin = at["checkins_thin_service"]
        at["checkins_ratios"]["throughput_vs_thin_service"] = round(
            at["checkins"]["per_second"] / thin["per_second"], 3
        )
        at["thin_service_ratios"] = ratios(thin, at["thin_health"], at["checkins_storage_floor"])
    results["events_per_op"] = {k: len(v) for k, v in events.items()}
    results["profile"] = str(profile) if profile else None
    return results


async def measure_thin_service(
    url: str, args: argparse.Namespace, outbox_payloads: list[bytes], results: dict[str, Any]
) -> None:
    """The same check-ins against the thinnest service this stack allows (bench/_thin_service.py),
    on sites of its own, beside its own `/health/live`."""
    plan = await floor.prepare(url, site_count=args.sites * len(CONCURRENCY), beds=ROOMS * BEDS_PER_ROOM)
    await floor.dispose(plan)  # the thin service opens its own engine
    thin = ThinProcess(url, outbox_payloads)
    try:
        await thin.wait_ready()
        token = thin.token()
        for n, concurrency in enumerate(CONCURRENCY):
            sites = plan.site_ids[n * args.sites : (n + 1) * args.sites]
            requests = check_ins(sites, lambda _: token, args.ops, seed=100 + n)
            at = results[f"c{concurrency}"]
            at["thin_health"] = await drive(thin.base_url, health(args.ops), concurrency, ok=200)
            at["checkins_thin_service"] = await drive(thin.base_url, requests, concurrency, ok=201)
    finally:
        thin.stop()


def ratios(ours: dict[str, Any], health: dict[str, Any], storage: dict[str, Any]) -> dict[str, float]:
    return {
        "throughput_vs_health": round(ours["per_second"] / health["per_second"], 3),
        "p99_vs_health": round(ours["p99_ms"] / health["p99_ms"], 1),
        "throughput_vs_storage_floor": round(ours["per_second"] / storage["per_second"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=4800)
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument(
        "--postgres", help="also on this server, e.g. postgresql+asyncpg://postgres@127.0.0.1/"
    )
    parser.add_argument("--profile", action="store_true", help="record the service under py-spy")
    args = parser.parse_args()
    if args.ops > args.sites * ROOMS * BEDS_PER_ROOM:
        parser.error("more requests than beds: raise --sites")
    nats = ThrowawayNats(sync_always=True)
    try:
        results = {"sqlite": asyncio.run(measure(nats, args, None))}
        if args.postgres:
            results["postgres"] = asyncio.run(measure(nats, args, args.postgres))
    finally:
        nats.stop()
    print(save("door-throughput", results))
    for backend, figures in results.items():
        for concurrency in CONCURRENCY:
            at = figures[f"c{concurrency}"]
            for kind in ("checkins", "holds"):
                ours, r = at[kind], at[f"{kind}_ratios"]
                print(
                    f"{backend:8} c={concurrency:<2} {kind:8} {ours['per_second']:>7}/s "
                    f"p50 {ours['p50_ms']} ms "
                    f"p99 {ours['p99_ms']} ms | health {at['health']['per_second']}/s "
                    f"p99 {at['health']['p99_ms']} ms | storage floor "
                    f"{at[f'{kind}_storage_floor']['per_second']}/s | x health {r['throughput_vs_health']} "
                    f"p99 x{r['p99_vs_health']} | x floor {r['throughput_vs_storage_floor']}"
                )
            thin, r = at["checkins_thin_service"], at["thin_service_ratios"]
            print(
                f"{backend:8} c={concurrency:<2} thin     {thin['per_second']:>7}/s "
                f"p50 {thin['p50_ms']} ms p99 {thin['p99_ms']} ms | its health "
                f"{at['thin_health']['per_second']}/s | x its health {r['throughput_vs_health']} "
                f"p99 x{r['p99_vs_health']} | x floor {r['throughput_vs_storage_floor']} | ours x thin "
                f"{at['checkins_ratios']['throughput_vs_thin_service']}"
            )


if __name__ == "__main__":
    main()
