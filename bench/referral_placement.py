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
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx
import nats

from bench._support import ThrowawayNats, free_port, save, wait_ready
from common.auth import Tokens

SECRET = "bench-referral-placement-secret-0123456789"
POLL_S = 0.002


def _serve(
    service: str, nats_url: str, data_dir: Path, port: int, profile_to: Path | None = None
) -> subprocess.Popen[bytes]:
    # One client writing flat out would measure the per-token write limit (429), not the service.
    env = {**os.environ, "SHELTERBEDS_SECRET": SECRET, "SHELTERBEDS_LOG_LEVEL": "warning",
           "SHELTERBEDS_WRITES_PER_MINUTE": "1000000"}  # fmt: skip
    command = [sys.executable, "-m", "shelterbeds", "serve", service, "--port", str(port),
               "--nats-url", nats_url, "--data-dir", str(data_dir), "--log-format", "json"]  # fmt: skip
    if profile_to is not None:
        spy = Path(sys.executable).with_name("py-spy")
        command = [str(spy), "record", "--idle", "--threads", "--rate", "200", "--format", "raw",
                   "--output", str(profile_to / f"{service}.txt"), "--", *command]  # fmt: skip
    return subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
    )


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


class Trip(dict[str, Any]):
    """One referral's wall-clock stamps as the bench saw them (seconds since the epoch)."""


async def referrals_held(beds_url: str, intake_url: str, count: int, trips: list[Trip]) -> list[float]:
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
            posted = time.time()
            started = time.perf_counter()
            answer = await intake.post("/api/v1/referrals", json=body)
            assert answer.status_code == 202, answer.text
            answered = time.time()
            await _until_held(intake, f"/api/v1/referrals/{answer.json()['id']}")
            samples.append(time.perf_counter() - started)
            trips.append(Trip(id=answer.json()["id"], posted=posted, answered=answered, seen=time.time()))
    return samples


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux): what a referral costs a service, which the
    machine's other load disturbs far less than it disturbs wall-clock latency."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def hops(data_dir: Path, trips: list[Trip]) -> dict[str, dict[str, float]]:
    """Where each trip's time went, from the stamps the services wrote themselves (outbox
    `created_at` at commit, `sent_at` once JetStream acknowledged, inbox `applied_at` just
    before the consumer's commit): one referral's path, hop by hop, p50/p99 in ms."""
    intake = sqlite3.connect(data_dir / "intake.db")
    beds = sqlite3.connect(data_dir / "beds.db")
    created = {
        json.loads(payload)["data"]["referral_id"]: (event_id, _stamp(at), _stamp(sent))
        for event_id, payload, at, sent in intake.execute(
            "SELECT event_id, payload, created_at, sent_at FROM outbox WHERE type LIKE '%referral.created%'"
        )
    }
    placed = {
        json.loads(payload)["data"]["referral_id"]: (event_id, _stamp(at), _stamp(sent))
        for event_id, payload, at, sent in beds.execute(
            "SELECT event_id, payload, created_at, sent_at FROM outbox WHERE type LIKE '%hold.placed%'"
        )
    }
    applied_beds = dict(
        beds.execute("SELECT event_id, applied_at FROM inbox WHERE consumer = 'beds-placement'")
    )
    applied_intake = dict(
        intake.execute("SELECT event_id, applied_at FROM inbox WHERE consumer = 'intake-referrals'")
    )
    names = [
        "1 POST → referral committed (intake)",
        "2 → intake relay has JetStream's ack",
        "3 → placed in beds (consumer applied)",
        "4 → hold committed in beds",
        "5 → beds relay has JetStream's ack",
        "6 → held applied at intake",
        "7 → seen through GET",
        "POST answered (202)",
    ]
    spans: dict[str, list[float]] = {name: [] for name in names}
    for trip in trips:
        out_id, out_at, out_sent = created[trip["id"]]
        hold_id, hold_at, hold_sent = placed[trip["id"]]
        points = [
            trip["posted"],
            out_at,
            out_sent,
            _stamp(applied_beds[out_id]),
            hold_at,
            hold_sent,
            _stamp(applied_intake[hold_id]),
            trip["seen"],
        ]
        # the relay's ack and the next hop's consumer run concurrently: each span is from the
        # previous point on the path that is not a relay's ack
        starts = [points[0], points[1], points[1], points[3], points[4], points[4], points[6]]
        for name, start, end in zip(names[:-1], starts, points[1:], strict=True):
            spans[name].append(end - start)
        spans["POST answered (202)"].append(trip["answered"] - trip["posted"])
    return {name: _percentiles(values) for name, values in spans.items()}


async def run(referrals: int, profile_to: Path | None) -> dict[str, Any]:
    server = ThrowawayNats(sync_always=False)
    data_dir = Path(mkdtemp(prefix="bench-referrals-"))
    ports = {"beds": free_port(), "intake": free_port()}
    if profile_to is not None:
        os.makedirs(profile_to, exist_ok=True)
    processes = {name: _serve(name, server.url, data_dir, port, profile_to) for name, port in ports.items()}
    trips: list[Trip] = []
    try:
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name, url in urls.items():
            await wait_ready(url, processes[name], name)
        floor = _percentiles(await raw_round_trips(server.url, referrals))
        cpu_before = {name: _cpu_seconds(p.pid) for name, p in processes.items()}
        held = _percentiles(await referrals_held(urls["beds"], urls["intake"], referrals, trips))
        cpu = {
            f"{name}_cpu_ms_per_referral": 1000 * (_cpu_seconds(p.pid) - cpu_before[name]) / referrals
            for name, p in processes.items()
        }
    finally:
        for process in processes.values():
            os.killpg(process.pid, signal.SIGINT)  # py-spy writes its file on SIGINT
            process.wait(60)
        server.stop()
    return {
        "referrals": referrals,
        "raw_round_trip": floor,
        "referral_to_held": held,
        "ratio_p50": held["p50_ms"] / floor["p50_ms"],
        "ratio_p99": held["p99_ms"] / floor["p99_ms"],
        "hops": hops(data_dir, trips),
        **({} if profile_to else cpu),  # under py-spy the pid is py-spy's
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1000)
    parser.add_argument("--profile", type=Path, help="run both services under py-spy, files into this dir")
    args = parser.parse_args()
    results = asyncio.run(run(args.referrals, args.profile))
    print(save("referral_placement", results))
    for key in ("raw_round_trip", "referral_to_held"):
        print(f"{key}: p50 {results[key]['p50_ms']:.1f} ms, p99 {results[key]['p99_ms']:.1f} ms")
    print(f"ratio: p50 {results['ratio_p50']:.1f}x, p99 {results['ratio_p99']:.1f}x")
    for name in ("beds", "intake"):
        if f"{name}_cpu_ms_per_referral" in results:
            print(f"{name}: {results[f'{name}_cpu_ms_per_referral']:.1f} ms of CPU per referral")
    for name, figures in results["hops"].items():
        print(f"  {name}: p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms")


if __name__ == "__main__":
    main()
