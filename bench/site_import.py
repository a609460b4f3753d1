"""Setting up a city or a country: sites/s through `shelterbeds import` against sites/s through
`POST /api/v1/sites`, measured in the same run on the same database.

    .venv/bin/python -m bench.site_import [--api-sites 300] [--import-sites 3000] [--clients 4]
                                          [--chunk 500] [--postgres URL]

Every site has 50 places (4 rooms of 10 beds, 10 mats), as in the issue's figure (4,950 such
sites took 311 s through the API). The API side is a real `shelterbeds serve beds` process (with
its outbox relay and a throwaway nats-server) driven over HTTP by `--clients` concurrent clients;
the import side is the command's own code path (CSV parsing and checks included), writing to the
same database after the server has stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx

from bench._support import ThrowawayNats, free_port, save, wait_ready
from common.auth import Tokens
from common.clock import SystemClock
from common.db import drop_postgres_database
from common.logging import configure_logging
from shelterbeds.site_csv import COLUMNS, parse_sites
from shelterbeds.site_import import import_sites

SECRET = "bench-site-import-secret-0123456789abcdef"
ROOMS = (("Men 1", "men"), ("Men 2", "men"), ("Women", "women"), ("Any", "any"))


def body(n: int) -> dict[str, Any]:
    return {
        "name": f"Site {n}",
        "kind": "night_shelter",
        "lat": 45.5 + (n % 650) / 100,
        "lon": 22.5 + (n % 1750) / 100,
        "address": f"Street {n}",
        "mats": 10,
        "rooms": [{"name": name, "restriction": r, "beds": 10} for name, r in ROOMS],
    }


def csv_rows(first: int, count: int) -> list[str]:
    rows = [",".join(COLUMNS)]
    for n in range(first, first + count):
        b = body(n)
        site = ["", b["name"], b["kind"], str(b["lat"]), str(b["lon"]), b["address"], "", "", "", "10"]
        rows += [",".join([*site, name, r, "false", "10"]) for name, r in ROOMS]
    return [f"{row}\n" for row in rows]


def _serve(database_url: str, nats_url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    # The API's side opens sites flat out from one admin token: lift the per-token write limit.
    env = {**os.environ, "SHELTERBEDS_SECRET": SECRET, "SHELTERBEDS_LOG_LEVEL": "warning",
           "SHELTERBEDS_WRITES_PER_MINUTE": "1000000"}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "shelterbeds", "serve", "beds", "--port", str(port), "--nats-url", nats_url,
         "--database-url", database_url, "--data-dir", str(data_dir), "--log-format", "json"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )  # fmt: skip


async def through_api(url: str, count: int, clients: int) -> float:
    token = Tokens(SECRET).issue("admin")
    numbers = iter(range(count))

    async def client() -> None:
        async with httpx.AsyncClient(
            base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            for n in numbers:
                response = await http.post("/api/v1/sites", json=body(n))
                assert response.status_code == 201, response.text

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return count / (time.perf_counter() - started)


async def through_import(database_url: str, first: int, count: int, chunk: int) -> float:
    rows = csv_rows(first, count)
    clock = SystemClock()
    started = time.perf_counter()
    report = await import_sites(database_url, clock, parse_sites(rows), chunk_size=chunk)
    elapsed = time.perf_counter() - started
    assert report.ok, report.problems[:3]
    assert report.created == count
    return count / elapsed


def measure(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(mkdtemp(prefix="bench-site-import-"))
    nats = ThrowawayNats(sync_always=True)
    port = free_port()
    server = _serve(database_url, nats.url, data_dir, port)
    try:
        asyncio.run(wait_ready(f"http://127.0.0.1:{port}", server, "beds"))
        api = asyncio.run(through_api(f"http://127.0.0.1:{port}", args.api_sites, args.clients))
    finally:
        server.terminate()
        server.wait(30)
        nats.stop()
    imported = asyncio.run(through_import(database_url, args.api_sites, args.import_sites, args.chunk))
    return {
        "api_sites": args.api_sites,
        "api_clients": args.clients,
        "import_sites": args.import_sites,
        "chunk": args.chunk,
        "api_sites_per_s": round(api, 1),
        "import_sites_per_s": round(imported, 1),
        "ratio": round(imported / api, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api-sites", type=int, default=300)
    parser.add_argument("--import-sites", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument(
        "--postgres", help="also measure on this server, e.g. postgresql+asyncpg://postgres@127.0.0.1/"
    )
    args = parser.parse_args()
    configure_logging("warning")
    results: dict[str, Any] = {}
    sqlite_url = f"sqlite+aiosqlite:///{Path(mkdtemp(prefix='bench-site-import-')) / 'beds.db'}"
    results["sqlite"] = measure(sqlite_url, args)
    if args.postgres:
        url = args.postgres.rstrip("/") + f"/bench_site_import_{uuid.uuid4().hex[:8]}"
        try:
            results["postgres"] = measure(url, args)
        finally:
            asyncio.run(drop_postgres_database(url))
    print(save("site-import", results))
    for backend, f in results.items():
        print(
            f"{backend:8} import {f['import_sites_per_s']} sites/s ({f['import_sites']} sites, chunks of "
            f"{f['chunk']}) | POST /api/v1/sites {f['api_sites_per_s']} sites/s ({f['api_clients']} clients) "
            f"| {f['ratio']}x"
        )


if __name__ == "__main__":
    main()
