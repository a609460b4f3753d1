"""Shared by the benchmarks: a throwaway nats-server and databases, waiting for a service to be
ready, and result files."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from shelterbeds.embedded_nats import nats_server_binary

RESULTS = Path(__file__).with_name("results")
# Where result files go instead (the suite's smoke runs write to a tmp dir, never the repository).
RESULTS_ENV = "SHELTERBEDS_BENCH_RESULTS"


def results_dir() -> Path:
    return Path(os.environ.get(RESULTS_ENV) or RESULTS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_ready(
    url: str,
    process: subprocess.Popen[Any],
    name: str = "the service",
    *,
    log: Path | None = None,
    within: float = 60,
    step: float = 0.1,
) -> None:
    """Until `url`'s /health/ready answers 200; at once an error if `process` exits first."""
    see = f"; see {log}" if log is not None else ""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=url, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited {process.returncode}{see}")
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(step)
    raise TimeoutError(f"{name} not ready within {within} s{see}")


class ThrowawayNats:
    def __init__(self, *, sync_always: bool):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-nats-"))
        self.port = free_port()
        config = self.dir / "nats.conf"
        sync = "sync_interval: always" if sync_always else ""
        config.write_text(
            f'listen: 127.0.0.1:{self.port}\njetstream {{ store_dir: "{self.dir}/js"\n{sync}\n}}\n'
        )
        self.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise TimeoutError("nats-server did not start")

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def save(name: str, results: dict[str, Any], path: Path | None = None) -> Path:
    """Writes `results` to `<results dir>/<name>-<stamp>.json`, or over `path` (a run that saves
    as it goes: what it reached survives it being stopped)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if path is None:
        directory = results_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}-{stamp}.json"
    results = {"benchmark": name, "at": stamp, "machine": platform.platform(), "cpus": _cpus(), **results}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=2, default=str))
    tmp.replace(path)
    return path


def _cpus() -> int:
    return os.cpu_count() or 0
