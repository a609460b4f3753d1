"""The whole system as a user starts it: `shelterbeds up` in its own process, on free ports and a
temp data dir, waited for until it prints `ready`, and stopped with SIGTERM like Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from shelterbeds.embedded_nats import OPERATOR, USERS_FILE
from tests.support.nats_server import free_port


class System:
    def __init__(self, data_dir: Path, *extra: str, env: dict[str, str] | None = None, demo: bool = False):
        self.data_dir = data_dir
        self.ports = {name: free_port() for name in ("beds", "intake", "notifications", "nats")}
        self.args = [
            sys.executable, "-m", "shelterbeds", "up", "--data-dir", str(data_dir),
            "--beds-port", str(self.ports["beds"]), "--intake-port", str(self.ports["intake"]),
            "--notifications-port", str(self.ports["notifications"]), "--nats-port", str(self.ports["nats"]),
            *([] if demo else ["--no-demo"]), *extra,
        ]  # fmt: skip
        self.env = {**os.environ, **(env or {})}
        self.url = {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items() if name != "nats"}
        self.nats_url = f"nats://127.0.0.1:{self.ports['nats']}"
        self.process: subprocess.Popen[str] | None = None
        self.stdout: list[str] = []
        self.startup_seconds = 0.0

    @property
    def operator_url(self) -> str:
        """The embedded nats-server refuses anonymous clients: the operator's user, from the data dir."""
        users = json.loads((self.data_dir / USERS_FILE).read_text())
        return f"nats://{OPERATOR}:{users[OPERATOR]}@127.0.0.1:{self.ports['nats']}"

    def start(self, timeout: float = 120) -> System:
        started = time.monotonic()
        log = open(self.data_dir.parent / f"{self.data_dir.name}-up.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=log, text=True, env=self.env, start_new_session=True
        )
        assert self.process.stdout is not None
        ready = threading.Event()

        def read() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                self.stdout.append(line.rstrip("\n"))
                if line.strip() == "ready":
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        while not ready.wait(0.1):
            if self.process.poll() is not None:
                raise RuntimeError(f"shelterbeds up exited {self.process.returncode}; see {log.name}")
            if time.monotonic() - started > timeout:
                self.stop()
                raise TimeoutError("no `ready` line")
        self.startup_seconds = time.monotonic() - started
        return self

    def stop(self, timeout: float = 60) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def token(self, role: str, *, team: str | None = None, sites: tuple[str, ...] | list[str] = ()) -> str:
        cmd = [sys.executable, "-m", "shelterbeds", "token", "--role", role, "--data-dir", str(self.data_dir)]
        if team:
            cmd += ["--team", team]
        for site in sites:
            cmd += ["--site", site]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, env=self.env).stdout.strip()

    def client(self, service: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url[service], timeout=30)

    async def call(
        self, service: str, method: str, path: str, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.client(service) as client:
            return await client.request(method, path, headers=headers, **kw)
