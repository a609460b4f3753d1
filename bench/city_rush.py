"""A whole city's evening rush through every service at once (issue 25), against baselines
measured in the same run on the same machine.

    .venv/bin/python -m bench.city_rush [--sites 100] [--arrivals 5000] [--concurrency 16]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/] [--no-postgres] [--no-replicas]

Real `shelterbeds serve beds|intake|notifications` processes, one throwaway nats-server
(`sync_interval: always`, as deploy/ runs it). `--sites` sites of 6 rooms x 10 beds; a supervisors'
team of every site's staff and one patrol team, each with a webhook to a local peer (a threaded
stdlib HTTP server in this process) that records every `webhook-id` and when it came. The arrivals
— 40% check-ins at the door, 30% holds by patrols, 30% referrals (POST, then polled every 20 ms
until beds has held a place) — are shuffled and sent by `--concurrency` closed-loop clients.

Measured: time until every arrival is answered, every referral held and every alert at the peer;
p99 of each step (check-in, hold, referral POST, referral → held, event committed → webhook at the
peer); the peak RSS of each service process. Baselines, same run, same processes: /health/live of
intake at the same concurrency (the HTTP floor), and a raw JetStream publish → pull → ack round
trip (the bus floor). Configurations: SQLite (one file per service), PostgreSQL, and PostgreSQL
with two processes of every service (clients alternate between them).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bench._support import ThrowawayNats, free_port, save, wait_ready
from bench.referral_placement import raw_round_trips
from common.auth import Tokens
from common.db import drop_postgres_database
from common.settings import database_url_for

SECRET = "bench-city-rush-secret-0123456789abcdef"
HOOK_SECRET = "whsec_YSBrZXkgb2YgdGhpcnR5LXR3byBieXRlcywgZXhhY3Q="
CITY = (49.84, 24.03)
ROOMS, BEDS_PER_ROOM = 6, 10
SHARES = {"checkin": 0.4, "hold": 0.3, "referral": 0.3}
POLL_S = 0.02
SERVICES = ("beds", "intake", "notifications")


# -- the webhook peer --------------------------------------------------------------------------


class Peer:
    """Standard Webhooks receiver: counts each `webhook-id`, notes when each alert arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}  # alert id → first arrival (epoch seconds)
        self.ids: dict[str, int] = {}
        self.lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                at = time.time()
                alert = json.loads(body)["data"]["alert_id"]
                with peer.lock:
                    peer.ids[self.headers["webhook-id"]] = peer.ids.get(self.headers["webhook-id"], 0) + 1
                    peer.arrived.setdefault(alert, at)
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def received(self) -> int:
        with self.lock:
            return sum(self.ids.values())

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the services --------------------------------------------------------------------------------


class Service:
    def __init__(self, name: str, data_dir: Path, nats_url: str, database: str | None, prefix: str | None):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SHELTERBEDS_SECRET": SECRET, "SHELTERBEDS_LOG_LEVEL": "warning",
               "SHELTERBEDS_DATA_DIR": str(data_dir), "SHELTERBEDS_NATS_URL": nats_url,
               f"SHELTERBEDS_{name.upper()}_PORT": str(self.port),
               # one patrol team makes every referral: the per-token write cap is not under test
               "SHELTERBEDS_WRITES_PER_MINUTE": "1000000"}  # fmt: skip
        if database:
            env["SHELTERBEDS_DATABASE_URL"] = database
            env["SHELTERBEDS_DATABASE_PREFIX"] = prefix or ""
        self.log = (data_dir / f"{name}-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shelterbeds", "serve", name],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    async def ready(self) -> None:
        await wait_ready(self.url, self.process, self.name, log=Path(self.log.name), within=90)

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


class City:
    """Every service, `replicas` processes each, on one nats-server and one database per service."""

    def __init__(self, nats: ThrowawayNats, database: str | None, replicas: int):
        self.data_dir = Path(tempfile.mkdtemp(prefix="bench-city-"))
        self.database = database
        self.prefix = f"bench_city_{uuid.uuid4().hex[:8]}_" if database else None
        self.nats = nats
        self.replicas = replicas
        self.processes: dict[str, list[Service]] = {name: [] for name in SERVICES}

    def db_url(self, service: str) -> str:
        return database_url_for(service, self.database, self.data_dir, self.prefix or "")

    async def start(self) -> None:
        # the first of each service migrates its own database alone (the three at once), the
        # replicas then find it done
        for name in SERVICES:
            self.processes[name].append(
                Service(name, self.data_dir, self.nats.url, self.database, self.prefix)
            )
        await asyncio.gather(*(ps[0].ready() for ps in self.processes.values()))
        for _ in range(1, self.replicas):
            for name in SERVICES:
                process = Service(name, self.data_dir, self.nats.url, self.database, self.prefix)
                self.processes[name].append(process)
        await asyncio.gather(*(p.ready() for ps in self.processes.values() for p in ps))

    def urls(self, service: str) -> Iterator[str]:
        return itertools.cycle([p.url for p in self.processes[service]])

    async def stop(self) -> None:
        for processes in self.processes.values():
            for process in processes:
                process.stop()
        if self.database:
            for name in SERVICES:
                await drop_postgres_database(self.db_url(name))


# -- the rush ------------------------------------------------------------------------------------


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _figures(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(1000 * statistics.median(samples), 2) if samples else 0.0,
        "p99_ms": round(_p(samples, 0.99), 2),
    }


async def _setup(city: City, peer: Peer, sites: int) -> tuple[list[str], str]:
    tokens = Tokens(SECRET)
    admin = {"Authorization": f"Bearer {tokens.issue('admin')}"}
    rng = random.Random(25)
    site_ids: list[str] = []
    async with httpx.AsyncClient(base_url=next(city.urls("beds")), headers=admin, timeout=60) as beds:
        for n in range(sites):
            body = {"name": f"Shelter {n}", "kind": "shelter", "address": f"Street {n}",
                    "lat": CITY[0] + rng.uniform(-0.1, 0.1), "lon": CITY[1] + rng.uniform(-0.15, 0.15),
                    "rooms": [{"name": f"R{r}", "beds": BEDS_PER_ROOM} for r in range(ROOMS)]}  # fmt: skip
            answer = await beds.post("/api/v1/sites", json=body)
            answer.raise_for_status()
            site_ids.append(answer.json()["id"])
    base = next(city.urls("notifications"))
    async with httpx.AsyncClient(base_url=base, headers=admin, timeout=60) as notes:
        staff = {"name": "Every site's staff", "kind": "shelter_staff", "sites": site_ids}
        patrol = {"name": "Evening patrol", "kind": "patrol"}
        teams = []
        for team_body in (staff, patrol):
            answer = await notes.post("/api/v1/teams", json=team_body)
            answer.raise_for_status()
            team = answer.json()["id"]
            hook = {"kind": "webhook", "url": peer.url, "secret": HOOK_SECRET}
            (await notes.post(f"/api/v1/teams/{team}/channels", json=hook)).raise_for_status()
            teams.append(team)
    # intake and notifications learn the sites from beds' events before the rush starts
    await asyncio.sleep(2.0)
    return site_ids, teams[1]


async def rush(city: City, peer: Peer, args: argparse.Namespace) -> dict[str, Any]:
    site_ids, patrol_team = await _setup(city, peer, args.sites)
    tokens = Tokens(SECRET)
    rng = random.Random(5000)
    kinds = [k for k, share in SHARES.items() for _ in range(round(share * args.arrivals))]
    rng.shuffle(kinds)
    arrivals = [(kind, rng.choice(site_ids)) for kind in kinds]
    steps: dict[str, list[float]] = {"checkin": [], "hold": [], "referral_post": [], "referral_held": []}
    failures: dict[str, int] = {}
    refused: dict[str, int] = {}  # 409 answers: a full site said so, by the problem's type
    beds_urls, intake_urls = city.urls("beds"), city.urls("intake")
    queue = iter(arrivals)
    limits = httpx.Limits(max_connections=args.concurrency * 3)

    retried = [0]

    async def send(client: httpx.AsyncClient, method: str, url: str, **kw: Any) -> httpx.Response:
        """A phone's retry: a dropped connection (a keep-alive the server closed) is sent again,
        a write under the same Idempotency-Key, so it is applied once."""
        headers = {**kw.pop("headers", {}), "Idempotency-Key": str(uuid.uuid4())}
        for _ in range(5):
            try:
                return await client.request(method, url, headers=headers, **kw)
            except httpx.TransportError:
                retried[0] += 1
                await asyncio.sleep(0.1)
        return await client.request(method, url, headers=headers, **kw)

    async def client_loop(client: httpx.AsyncClient) -> None:
        for kind, site in queue:
            t0 = time.perf_counter()
            if kind == "checkin":
                token = tokens.issue("shelter_staff", site_ids=[site])
                answer = await send(
                    client,
                    "POST",
                    f"{next(beds_urls)}/api/v1/sites/{site}/checkins",
                    json={"party": {"adults": 1, "gender": rng.choice(["male", "female"])}},
                    headers={"Authorization": f"Bearer {token}"},
                )
                ok = 201
            elif kind == "hold":
                token = tokens.issue("patrol")
                body = {"site_id": site, "party": {"adults": 1, "gender": "male"}, "eta_minutes": 600}
                answer = await send(
                    client,
                    "POST",
                    f"{next(beds_urls)}/api/v1/holds",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                )
                ok = 201
            else:
                token = tokens.issue("patrol", team_id=patrol_team)
                headers = {"Authorization": f"Bearer {token}"}
                body = {"source": "patrol", "party": {"adults": 1, "gender": "male"},
                        "location": {"lat": CITY[0] + rng.uniform(-0.1, 0.1), "lon": CITY[1]},
                        "urgency": "urgent"}  # fmt: skip
                answer = await client.post(
                    f"{next(intake_urls)}/api/v1/referrals", json=body, headers=headers
                )
                ok = 202
                if answer.status_code == ok:
                    steps["referral_post"].append(time.perf_counter() - t0)
                    path = f"/api/v1/referrals/{answer.json()['id']}"
                    while True:  # polled as a referrer's phone would: nothing to wait on over HTTP
                        seen = await send(client, "GET", f"{next(intake_urls)}{path}", headers=headers)
                        if seen.json()["status"] in ("held", "waitlisted"):
                            break
                        await asyncio.sleep(POLL_S)
                    steps["referral_held"].append(time.perf_counter() - t0)
                    continue
            if answer.status_code == ok:
                steps[kind].append(time.perf_counter() - t0)
            elif answer.status_code == 409:
                # the right answer at a site that filled up (arrivals go to random sites): counted
                # apart by the problem's type, not as a failure of the system
                key = f"{kind}:{str(answer.json().get('type', '')).rsplit('/', 1)[-1]}"
                refused[key] = refused.get(key, 0) + 1
            else:
                key = f"{kind}:{answer.status_code}"
                failures[key] = failures.get(key, 0) + 1

    started = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(args.concurrency)))
    answered = time.perf_counter() - started
    expected = await _expected_alerts(city)
    while peer.received < expected and time.perf_counter() - started < answered + 300:
        await asyncio.sleep(0.1)
        expected = await _expected_alerts(city)
    finished = time.perf_counter() - started
    return {
        "arrivals": len(arrivals),
        "answered_s": round(answered, 2),
        "finished_s": round(finished, 2),
        "arrivals_per_s": round(len(arrivals) / finished, 1),
        "failed": failures,
        "refused": refused,
        "transport_retries": retried[0],
        "alerts": expected,
        "webhooks": peer.received,
        "webhook_ids_seen_twice": sum(1 for n in peer.ids.values() if n > 1),
        "steps": {
            **{name: _figures(samples) for name, samples in steps.items()},
            "event_to_webhook": _figures(await _alert_latencies(city, peer)),
        },
        "peak_rss_mb": {
            name: [round(p.peak_rss_mb(), 1) for p in processes] for name, processes in city.processes.items()
        },
    }


async def _scalar(url: str, sql: str) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(sa.text(sql))
    finally:
        await engine.dispose()


async def _expected_alerts(city: City) -> int:
    return int(await _scalar(city.db_url("notifications"), "SELECT count(*) FROM deliveries") or 0)


async def _alert_latencies(city: City, peer: Peer) -> list[float]:
    """Webhook arrival minus the commit of the event that caused the alert (outbox created_at)."""
    created: dict[str, float] = {}
    for service in ("beds", "intake"):
        engine = create_async_engine(city.db_url(service))
        try:
            async with engine.connect() as conn:
                for event_id, at in await conn.execute(sa.text("SELECT event_id, created_at FROM outbox")):
                    created[event_id] = _epoch(at)
        finally:
            await engine.dispose()
    engine = create_async_engine(city.db_url("notifications"))
    try:
        async with engine.connect() as conn:
            alerts: dict[str, str] = dict(
                (await conn.execute(sa.text("SELECT id, event_id FROM alerts"))).all()
            )
    finally:
        await engine.dispose()
    return [at - created[alerts[a]] for a, at in peer.arrived.items() if alerts.get(a) in created]


def _epoch(value: Any) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())


async def health_floor(city: City, requests: int, concurrency: int) -> dict[str, float]:
    """/health/live of intake, at the rush's concurrency: what the HTTP stack alone answers."""
    samples: list[float] = []
    urls = city.urls("intake")
    queue = iter(range(requests))

    async def loop(client: httpx.AsyncClient) -> None:
        for _ in queue:
            t0 = time.perf_counter()
            (await client.get(f"{next(urls)}/health/live")).raise_for_status()
            samples.append(time.perf_counter() - t0)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(loop(client) for _ in range(concurrency)))
    return {"per_s": round(len(samples) / (time.perf_counter() - started), 1), **_figures(samples)}


async def one_configuration(args: argparse.Namespace, database: str | None, replicas: int) -> dict[str, Any]:
    nats = ThrowawayNats(sync_always=True)
    city = City(nats, database, replicas)
    peer = Peer()
    try:
        await city.start()
        health = await health_floor(city, args.health_requests, args.concurrency)
        bus = _figures(await raw_round_trips(nats.url, args.bus_round_trips))
        result = await rush(city, peer, args)
    finally:
        await city.stop()
        peer.stop()
        nats.stop()
    result["baseline"] = {"health_live": health, "raw_jetstream_round_trip": bus}
    result["ratios"] = {
        "arrivals_per_s_vs_health_per_s": round(result["arrivals_per_s"] / health["per_s"], 4),
        **{
            f"{step}_p99_vs_health_p99": round(figures["p99_ms"] / health["p99_ms"], 1)
            for step, figures in result["steps"].items()
            if figures["n"]
        },
        **{
            f"{step}_p99_vs_bus_p99": round(figures["p99_ms"] / bus["p99_ms"], 1)
            for step, figures in result["steps"].items()
            if figures["n"]
        },
    }
    return result


async def run(args: argparse.Namespace, checkpoint: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """`checkpoint` gets the results after each configuration: a long run that is stopped keeps
    the configurations it finished."""
    results: dict[str, Any] = {
        "sites": args.sites,
        "arrivals": args.arrivals,
        "concurrency": args.concurrency,
        "shares": SHARES,
    }
    configurations: list[tuple[str, str | None, int]] = [("sqlite", None, 1)]
    if args.postgres:
        configurations.append(("postgres", args.postgres, 1))
        if args.replicas:
            configurations.append(("postgres_2_replicas", args.postgres, 2))
    for name, database, replicas in configurations:
        results[name] = await one_configuration(args, database, replicas)
        report(name, results[name])
        checkpoint(results)
    if "postgres_2_replicas" in results:
        one, two = results["postgres"], results["postgres_2_replicas"]
        results["two_replicas_vs_one"] = {
            "arrivals_per_s": round(two["arrivals_per_s"] / one["arrivals_per_s"], 2),
            # each against its own run's HTTP floor: the machine's load moves between runs
            "arrivals_per_s_vs_health": round(
                two["ratios"]["arrivals_per_s_vs_health_per_s"]
                / one["ratios"]["arrivals_per_s_vs_health_per_s"],
                2,
            ),
        }
    return results


def report(name: str, r: dict[str, Any]) -> None:
    print(f"{name}: {r['arrivals']} arrivals in {r['finished_s']} s ({r['arrivals_per_s']}/s), "
          f"failed {r['failed']}, refused {r.get('refused', {})}, "
          f"alerts {r['webhooks']}/{r['alerts']}")  # fmt: skip
    print(f"  peak RSS MB: {r['peak_rss_mb']}")
    health, bus = r["baseline"]["health_live"], r["baseline"]["raw_jetstream_round_trip"]
    print(f"  baseline: /health/live {health['per_s']}/s, p99 {health['p99_ms']} ms; "
          f"JetStream round trip p99 {bus['p99_ms']} ms")  # fmt: skip
    for step, f in r["steps"].items():
        print(f"  {step}: p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms (n {f['n']})")
    print(f"  ratios: {r['ratios']}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--arrivals", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--health-requests", type=int, default=2000)
    parser.add_argument("--bus-round-trips", type=int, default=500)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/")
    parser.add_argument("--no-postgres", dest="postgres", action="store_const", const=None)
    parser.add_argument("--no-replicas", dest="replicas", action="store_false")
    args = parser.parse_args(argv)
    path: list[Path] = []

    def checkpoint(results: dict[str, Any]) -> None:
        path[:] = [save("city-rush", results, path[0] if path else None)]

    results = asyncio.run(run(args, checkpoint))
    checkpoint(results)
    print(path[0])
    if "two_replicas_vs_one" in results:
        print(f"two replicas vs one (PostgreSQL): {results['two_replicas_vs_one']}")


if __name__ == "__main__":
    main()
