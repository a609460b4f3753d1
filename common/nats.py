"""The NATS connection of a service: connects (and reconnects) in the background, so that a
service starts and serves HTTP while NATS is away — its events wait in the outbox — and makes
sure the JetStream streams from `contracts.streams` exist."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Sequence
from typing import Any

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from common.logging import get_logger
from common.retries import NATS_CONNECT
from contracts.streams import StreamSpec

log = get_logger(__name__)


def server_urls(url: str) -> list[str]:
    """SHELTERBEDS_NATS_URL may name every node of a cluster, comma-separated: the client then
    fails over to the next one itself (credentials in a URL are not carried over to servers it
    only discovers, see deploy/nats/nats-server.conf)."""
    return [part.strip() for part in url.split(",") if part.strip()]


def stream_config(spec: StreamSpec, replicas: int) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        description=spec.description,
        subjects=list(spec.subjects),
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        num_replicas=replicas,
        max_age=float(spec.max_age_seconds),
        duplicate_window=float(spec.duplicate_window_seconds),
    )


async def ensure_streams(js: JetStreamContext, specs: Sequence[StreamSpec], replicas: int = 1) -> None:
    for spec in specs:
        config = stream_config(spec, replicas)
        try:
            info = await js.stream_info(spec.name)
        except NotFoundError:
            await js.add_stream(config)
            continue
        current = info.config
        if (
            sorted(current.subjects or []) != sorted(config.subjects or [])
            or current.max_age != config.max_age
            or current.duplicate_window != config.duplicate_window
            or current.num_replicas != config.num_replicas
        ):
            await js.update_stream(config)


class NatsLink:
    def __init__(
        self,
        url: str,
        *,
        name: str,
        streams: Sequence[StreamSpec] = (),
        replicas: int = 1,
        credentials: str | None = None,
    ):
        self.url = url
        self.name = name
        self.streams = tuple(streams)
        self.replicas = replicas
        self.credentials = credentials
        self.nc: Client | None = None
        self._js: JetStreamContext | None = None
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            raise ConnectionError("NATS is not connected yet")
        return self._js

    @property
    def connected(self) -> bool:
        return self.ready.is_set() and self.nc is not None and self.nc.is_connected

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect_until_done(), name=f"nats-connect-{self.name}")

    async def _connect_until_done(self) -> None:
        async for attempt in NATS_CONNECT.context(on=Exception):
            with attempt:
                try:
                    await self._connect()
                except Exception as exc:
                    log.warning("nats_connect_failed", error=type(exc).__name__, attempt=attempt.num)
                    if self.nc is not None:
                        with contextlib.suppress(Exception):
                            await self.nc.close()
                        self.nc = None
                    raise

    async def _connect(self) -> None:
        async def on_error(exc: Exception) -> None:
            log.warning("nats_error", error=type(exc).__name__)

        async def on_disconnected() -> None:
            if not self._closing:
                log.warning("nats_disconnected")

        async def on_reconnected() -> None:
            log.info("nats_reconnected")

        options: dict[str, Any] = {
            "servers": server_urls(self.url),
            "name": self.name,
            "allow_reconnect": True,
            "max_reconnect_attempts": -1,
            "reconnect_time_wait": 0.5,
            "connect_timeout": 2,
            "error_cb": on_error,
            "disconnected_cb": on_disconnected,
            "reconnected_cb": on_reconnected,
        }
        if self.credentials:
            options["user_credentials"] = self.credentials
        self.nc = await nats.connect(**options)
        self._js = self.nc.jetstream(timeout=5)
        if self.streams:
            await ensure_streams(self._js, self.streams, self.replicas)
        self.ready.set()
        log.info("nats_connected", url=self.url)

    async def recreate_streams(self) -> None:
        """After a stream was lost (deleted, or its store gone), put it back so relays can refill it."""
        log.warning("nats_streams_recreated")
        await ensure_streams(self.js, self.streams, self.replicas)

    async def check(self, timeout: float = 2.0) -> None:
        """Raises unless NATS and JetStream answer now."""
        if not self.connected:
            raise ConnectionError("NATS is not connected")
        await asyncio.wait_for(self.js.account_info(), timeout)

    async def close(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.nc is not None and not self.nc.is_closed:
            # Not drain(): it waits out its timeout on pull subscriptions. Every publish that
            # matters was acknowledged already (outbox relay), so a flush is enough.
            await within(self.nc.flush(), 2)
            # After the server was restarted, nats-py's close can wait forever, cancellation
            # included: the process is stopping, so it is left behind.
            if not await within(self.nc.close(), 2):
                log.warning("nats_close_incomplete")
        self.ready.clear()


async def within(awaitable: Awaitable[Any], seconds: float) -> bool:
    """Awaits it for at most `seconds`; True if it finished. Unlike `asyncio.wait_for`, it does
    not wait for a cancellation to be honoured: a driver call that swallows it cannot hang a stop."""
    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        task.cancel()
        return False
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()
    return not task.cancelled() and task.exception() is None
