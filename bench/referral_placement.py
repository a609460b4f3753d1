"""Referral → `held`, as the referrer sees it through HTTP, against the floor under it: a raw
JetStream publish → pull-consume round trip, measured in the same run on the same nats-server.

    .venv/bin/python -m bench.referral_placement [--referrals 1000]

Real `shelterbeds serve beds` and `serve intake` processes (SQLite in a throwaway data dir, a
throwaway nats-server). One patrol posts referrals one after another; each is timed from the POST
until its GET answers `held` (polled every 2 ms). The path: intake's outbox → relay → JetStream →
beds' placement consumer (nearest search, hold) → outbox → relay → JetStream → intake's status
consumer → GET. Goal (issue 19): p50 and p99 within 5x the raw round trip's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx
import nats

from bench._support import ThrowawayNats, free_port, save
from common.auth import Tokens

SECRET = "bench-referral-placement-secret-0123456789"
POLL_S = 0.002


def _serve(service: str, nats_url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SHELTERBEDS_SECRET": SECRET, "SHELTERBEDS_LOG_LEVEL": "warning"}
    return subprocess.Popen(
        [sys.executable, "-m", "shelterbeds", "serve", service, "--port", str(port), "--nats-url", nats_url,
         "--data-dir", str(data_dir), "--log-format", "json"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )  # fmt: skip


async def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=2) as client:
        for _ in range(600):
            if server.poll() is not None:
                raise RuntimeError(f"{url} exited with {server.returncode}")
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError(f"{url} not ready")


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "n": len(ordered),
    }


async def raw_round_trips(nats_url: str, count: int) -> list[float]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await js.add_stream(name="BENCH_ROUND_TRIP", subjects=["bench.round_trip"])
        sub = await js.pull_subscribe("bench.round_trip", durable="bench-round-trip")
        samples = []
        for n in range(count):
            started = time.perf_counter()
            await js.publish("bench.round_trip", b"x" * 400, headers={"Nats-Msg-Id": f"rt-{n}"})
            [msg] = await sub.fetch(1, timeout=5)
            await msg.ack()
            samples.append(time.perf_counter() - started)
        return samples
    finally:
        await nc.close()


async def _until_held(intake: httpx.AsyncClient, path: str) -> None:
    """Polled as a referrer's phone would (there is nothing to wait on across the HTTP line)."""
    for _ in range(int(30 / POLL_S)):
        if (await intake.get(path)).json()["status"] == "held":
            return
        await asyncio.sleep(POLL_S)
    raise TimeoutError(f"{path} not held within 30 s")


async def referrals_held(beds_url: str, intake_url: str, count: int) -> list[float]:
    tokens = Tokens(SECRET)
    admin = {"Authorization": f"Bearer {tokens.issue('admin')}"}
    patrol = {"Authorization": f"Bearer {tokens.issue('patrol', team_id=str(uuid.uuid4()))}"}
    async with httpx.AsyncClient(base_url=beds_url, timeout=30, headers=admin) as beds:
        for n in range(count // 100 + 1):
            site: dict[str, Any] = {
                "name": f"Shelter {n}",
                "kind": "shelter",
                "lat": 49.80 + n / 100,
                "lon": 24.00,
                "address": f"Street {n}",
                "rooms": [{"name": f"Hall {r}", "beds": 50} for r in range(2)],
            }
            assert (await beds.post("/api/v1/sites", json=site)).status_code == 201
    samples = []
    async with httpx.AsyncClient(base_url=intake_url, timeout=30, headers=patrol) as intake:
        for n in range(count):
            body = {
                "source": "patrol",
                "party": {"adults": 1, "gender": "male"},
                "location": {"lat": 49.80 + (n % 10) / 100, "lon": 24.01},
                "urgency": "urgent",
            }
            started = time.perf_counter()
            answer = await intake.post("/api/v1/referrals", json=body)
            assert answer.status_code == 202, answer.text
            await _until_held(intake, f"/api/v1/referrals/{answer.json()['id']}")
            samples.append(time.perf_counter() - started)
    return samples


async def run(referrals: int) -> dict[str, Any]:
    server = ThrowawayNats(sync_always=False)
    data_dir = Path(mkdtemp(prefix="bench-referrals-"))
    ports = {"beds": free_port(), "intake": free_port()}
    processes = {name: _serve(name, server.url, data_dir, port) for name, port in ports.items()}
    try:
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name, url in urls.items():
            await _wait_ready(url, processes[name])
        floor = _percentiles(await raw_round_trips(server.url, referrals))
        held = _percentiles(await referrals_held(urls["beds"], urls["intake"], referrals))
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(30)
        server.stop()
    return {
        "referrals": referrals,
        "raw_round_trip": floor,
        "referral_to_held": held,
        "ratio_p50": held["p50_ms"] / floor["p50_ms"],
        "ratio_p99": held["p99_ms"] / floor["p99_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1000)
    args = parser.parse_args()
    results = asyncio.run(run(args.referrals))
    print(save("referral_placement", results))
    for key in ("raw_round_trip", "referral_to_held"):
        print(f"{key}: p50 {results[key]['p50_ms']:.1f} ms, p99 {results[key]['p99_ms']:.1f} ms")
    print(f"ratio: p50 {results['ratio_p50']:.1f}x, p99 {results['ratio_p99']:.1f}x")


if __name__ == "__main__":
    main()
