"""Memory of the notifications service with 1,000 open live feeds, and the fan-out of one alert
to all of them, against the same alert reaching a single open feed in the same run.

    .venv/bin/python -m bench.sse_memory [--feeds 1000] [--teams 10] [--alerts 5] [--source DIR]
        [--rest-seconds 5] [--idle-seconds 10]

- `shelterbeds serve notifications` in its own process (throwaway data dir, SQLite, a throwaway
  nats-server); RSS is read from /proc/<pid>/status (VmRSS) once the service has answered a few
  requests, then again with every feed open and idle for a few seconds;
- the feeds are `GET /api/v1/feed` over raw sockets (one connection each), spread over `--teams`
  patrol teams; an alert is a beds `cold_weather` on JetStream, which every patrol hears;
- baseline: with one feed open, event → that feed; then with all open, event → the last feed
  (and the median feed). The ratio is last-of-all over the one feed's time.
- `--source DIR`: run the service from another checkout (e.g. `git archive <commit>` unpacked),
  to measure the code before a change with this same client.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats

from bench._support import ThrowawayNats, free_port, save, wait_ready
from common.auth import Tokens
from contracts import encode, wrap
from contracts.events import beds as ev

SECRET = "bench-sse-memory-secret-0123456789abcdef"


class Service:
    def __init__(self, nats_url: str, source: Path | None):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-sse-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "SHELTERBEDS_SECRET": SECRET,
            "SHELTERBEDS_LOG_LEVEL": "warning",
            "SHELTERBEDS_DATA_DIR": str(self.dir),
            "SHELTERBEDS_NATS_URL": nats_url,
            "SHELTERBEDS_NOTIFICATIONS_PORT": str(self.port),
            # the admin opening the teams writes flat out: the per-token write limit is not under test
            "SHELTERBEDS_WRITES_PER_MINUTE": "1000000",
        }
        if source is not None:
            env["PYTHONPATH"] = str(source)
        self.log = (self.dir / "service.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shelterbeds", "serve", "notifications"],
            env=env,
            cwd=source or Path.cwd(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        raise RuntimeError("no VmRSS")

    async def wait_ready(self) -> None:
        log = self.dir / "service.log"
        await wait_ready(self.url, self.process, "notifications", log=log, within=90, step=0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Feed:
    """One EventSource over a raw socket: notes when each alert (an `id:` line) arrives."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.token = token
        self.arrivals: list[float] = []
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.open = asyncio.Event()

    async def start(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(
            (
                f"GET /api/v1/feed HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                f"Authorization: Bearer {self.token}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.decode(errors="replace").splitlines()[0])
        self.task = asyncio.create_task(self._read(reader, writer))

    async def _read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                if line.startswith(b"id:"):
                    self.arrivals.append(time.perf_counter())
                    self.changed.set()
        finally:
            writer.close()

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


async def one_alert(js: Any, feeds: list[Feed]) -> list[float]:
    """Publishes one cold_weather and waits until every feed has it: each feed's delay (s)."""
    seen = [len(f.arrivals) for f in feeds]
    event = ev.ColdWeatherSwitchedOn(site_id=str(uuid.uuid4()), confidential=False, mats_total=10)
    event_id = str(uuid.uuid4())
    envelope = wrap(event, event_id=event_id, time=datetime.now(UTC), subject=event.site_id)
    started = time.perf_counter()
    await js.publish(event.KIND.subject, encode(envelope), headers={"Nats-Msg-Id": event_id})
    deadline = time.monotonic() + 60
    while any(len(f.arrivals) <= n for f, n in zip(feeds, seen, strict=True)):
        if time.monotonic() > deadline:
            missing = sum(len(f.arrivals) <= n for f, n in zip(feeds, seen, strict=True))
            raise TimeoutError(f"{missing} feeds never got the alert")
        await asyncio.sleep(0.005)
    return [f.arrivals[n] - started for f, n in zip(feeds, seen, strict=True)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


async def run(
    feeds: int, teams: int, alerts: int, source: Path | None, rest_s: float = 5, idle_s: float = 10
) -> dict[str, Any]:
    server = ThrowawayNats(sync_always=False)
    service = Service(server.url, source)
    tokens = Tokens(SECRET)
    opened: list[Feed] = []
    try:
        await service.wait_ready()
        admin = {"Authorization": f"Bearer {tokens.issue('admin')}"}
        async with httpx.AsyncClient(base_url=service.url, headers=admin, timeout=30) as client:
            team_ids = []
            for n in range(teams):
                body = {"name": f"patrol {n}", "kind": "patrol"}
                team_ids.append((await client.post("/api/v1/teams", json=body)).json()["id"])
            for _ in range(20):  # warm: the code paths a feed uses have run once
                await client.get("/api/v1/teams")
        patrol = [tokens.issue("patrol", team_id=t, ttl=timedelta(hours=2)) for t in team_ids]
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        first = Feed(service.port, patrol[0])
        await first.start()
        opened.append(first)
        await asyncio.sleep(1)
        single = [min(await one_alert(js, [first])) for _ in range(alerts)]
        await asyncio.sleep(2)
        before = service.rss_mb()
        for n in range(1, feeds):
            feed = Feed(service.port, patrol[n % teams])
            await feed.start()
            opened.append(feed)
        await asyncio.sleep(rest_s)  # idle with all open: what they cost at rest
        with_feeds = service.rss_mb()
        cpu_idle = _cpu_seconds(service.process.pid)
        await asyncio.sleep(idle_s)
        cpu_idle = round(_cpu_seconds(service.process.pid) - cpu_idle, 2)
        rounds = [await one_alert(js, opened) for _ in range(alerts)]
        await nc.close()
        last = statistics.median(max(r) for r in rounds)
        return {
            "feeds": feeds,
            "teams": teams,
            "source": str(source) if source else "this checkout",
            "rss_mb_one_feed": before,
            "rss_mb_all_feeds": with_feeds,
            "rss_kb_per_feed": round((with_feeds - before) * 1024 / (feeds - 1), 1),
            "service_cpu_seconds_in_10s_idle_with_all_feeds": round(cpu_idle * 10 / idle_s, 2),
            "idle_seconds_measured": idle_s,
            "one_feed_ms_median": ms(statistics.median(single)),
            "all_feeds_last_ms_median": ms(last),
            "all_feeds_median_feed_ms": ms(statistics.median(statistics.median(r) for r in rounds)),
            "every_feed_got_every_alert": True,
            "ratio_last_of_all_to_one_feed": round(last / statistics.median(single), 1),
        }
    finally:
        for feed in opened:
            feed.stop()
        service.stop()
        server.stop()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main(args: argparse.Namespace) -> None:
    result = await run(args.feeds, args.teams, args.alerts, args.source, args.rest_seconds, args.idle_seconds)
    print(result)
    print(save("sse-memory", result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--alerts", type=int, default=5)
    parser.add_argument("--source", type=Path, default=None)
    parser.add_argument("--rest-seconds", type=float, default=5, help="all feeds open, before measuring")
    parser.add_argument("--idle-seconds", type=float, default=10, help="the idle CPU window (scaled to 10 s)")
    asyncio.run(main(parser.parse_args()))
