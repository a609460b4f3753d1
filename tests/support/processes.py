"""Services as production runs them, for fault tests: `shelterbeds serve <service>` in its own
process (its own session, so a kill reaches only it), on a free port, against the NATS and the
database the test chooses; started, killed with -9, stopped with SIGTERM, started again on the
same data dir and database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from common.auth import Tokens
from tests.support.nats_server import free_port
from tests.support.service import wait_until

SECRET = "fault-tests-token-secret-0123456789abcdef"


class ServeProcess:
    def __init__(
        self,
        service: str,
        data_dir: Path,
        nats_url: str,
        *,
        database_url: str | None = None,
        instance: str | None = None,
        env: dict[str, str] | None = None,
    ):
        self.service = service
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = instance or service
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SHELTERBEDS_")},
            "SHELTERBEDS_SECRET": SECRET,
            "SHELTERBEDS_DATA_DIR": str(data_dir),
            "SHELTERBEDS_NATS_URL": nats_url,
            f"SHELTERBEDS_{service.upper()}_PORT": str(self.port),
            "SHELTERBEDS_LOG_LEVEL": "warning",
            "SHELTERBEDS_LOG_FORMAT": "json",
            # one writer's token does every write of a test; the limit is tested on its own
            "SHELTERBEDS_WRITES_PER_MINUTE": "100000",
            **(env or {}),
        }
        if database_url:
            self.env[f"SHELTERBEDS_{service.upper()}_DATABASE_URL"] = database_url
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = data_dir.parent / f"{self.name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._signalled = False

    def spawn(self, *, migrate: bool = True) -> None:
        self._signalled = False
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "shelterbeds",
                    "serve",
                    self.service,
                    *([] if migrate else ["--no-migrate"]),
                ],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    async def start(self, *, migrate: bool = True, within: float = 60) -> ServeProcess:
        self.spawn(migrate=migrate)
        await self.wait_ready(within)
        return self

    async def ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited {self.process.returncode}; see {self.log}")
        try:
            async with httpx.AsyncClient(timeout=3) as client:
                return (await client.get(f"{self.url}/health/ready")).status_code == 200
        except httpx.TransportError:
            return False

    async def wait_ready(self, within: float = 60) -> None:
        await wait_until(self.ready, within, step=0.1)

    async def wait_not_ready(self, within: float = 30) -> None:
        async def not_ready() -> bool:
            return not await self.ready()

        await wait_until(not_ready, within, step=0.1)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> int:
        """kill -9: no drain, no lease released, no ack of what it holds."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(30)

    def terminate(self, timeout: float = 60) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def signal_stop(self) -> None:
        """SIGTERM without waiting, once (a second one would cut the graceful stop short): several
        processes told first and waited for after stop side by side."""
        if self.process is not None and self.process.poll() is None and not self._signalled:
            self.process.send_signal(signal.SIGTERM)
            self._signalled = True

    def stop(self) -> int | None:
        """Teardown: SIGTERM (unless `signal_stop` sent it), and kill -9 if it does not go."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.signal_stop()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def token(self, role: str, **kw: Any) -> str:
        return Tokens(SECRET).issue(role, **kw)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=30)

    async def call(
        self, method: str, path: str, token: str | None = None, body: Any = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.client() as client:
            return await client.request(method, path, json=body, headers=headers, **kw)
