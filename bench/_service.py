"""A real beds service process for the HTTP benchmarks, and the closed-loop clients that load it.

The service is started the way an operator starts it (`shelterbeds serve beds`) in a throwaway
data dir, against a throwaway nats-server, so what is measured is what a phone at the door meets:
the HTTP stack, auth, the service's own code, the database and the outbox relay, all together.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench._support import ThrowawayNats, free_port
from common.auth import Tokens
from common.settings import load_secret

Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


class BedsProcess:
    """`shelterbeds serve beds` on a free port; `profile_to` runs it under py-spy (all threads, idle
    included, so time spent waiting on SQLite's lock shows as well as time spent computing)."""

    def __init__(
        self,
        nats: ThrowawayNats,
        *,
        database_url: str | None = None,
        database_prefix: str | None = None,
        data_dir: Path | None = None,
        profile_to: Path | None = None,
        log_level: str = "info",
    ):
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="bench-beds-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SHELTERBEDS_LOG_LEVEL": log_level}
        env.pop("SHELTERBEDS_SECRET", None)
        # A benchmark is one token writing as fast as it can: the per-token write limit (120 a
        # minute) would answer it 429 and measure the limiter instead of the door.
        env["SHELTERBEDS_WRITES_PER_MINUTE"] = "1000000"
        if database_prefix:
            env["SHELTERBEDS_DATABASE_PREFIX"] = database_prefix
        args = ["-m", "shelterbeds", "serve", "beds", "--data-dir", str(self.data_dir)]
        args += ["--port", str(self.port), "--nats-url", nats.url]
        if database_url:
            args += ["--database-url", database_url]
        command = [sys.executable, *args]
        if profile_to:
            spy = Path(sys.executable).with_name("py-spy")
            command = [str(spy), "record", "--idle", "--threads", "--rate", "200", "--format", "raw"]
            command += ["--output", str(profile_to), "--", sys.executable, *args]
        self.log = (self.data_dir / "service.log").open("wb")
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"beds exited early; see {self.data_dir / 'service.log'}")
            try:
                if httpx.get(f"{self.base_url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError("beds did not become ready")

    def tokens(self) -> Tokens:
        """Signs with the data dir's secret, as `shelterbeds token` does (without a process each)."""
        return Tokens(load_secret(self.data_dir))

    def token(self, role: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "shelterbeds", "token", "--role", role, "--data-dir", str(self.data_dir)],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        # SIGINT to the whole group: uvicorn shuts down gracefully, and py-spy writes its file.
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


async def drive(base_url: str, requests: Sequence[Request], concurrency: int, ok: int) -> dict[str, Any]:
    """`concurrency` clients, each sending its next request as soon as its last one was answered."""
    latencies: list[float] = []
    failures: dict[int, int] = {}
    queue = iter(requests)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient) -> None:
        for request in queue:
            t0 = time.perf_counter()
            response = await request(client)
            latencies.append(time.perf_counter() - t0)
            if response.status_code != ok:
                failures[response.status_code] = failures.get(response.status_code, 0) + 1

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "failed": failures, **figures(latencies, elapsed)}


def figures(latencies: list[float], elapsed: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 2),
    }
