"""Which boards changed, as beds' own events pass on NATS: the live board pages wait on this.

Every replica's outbox relays its events to `shelter.beds.>`, so a plain (core) subscription
here hears a change made on any replica, by any caller or clock, milliseconds after its commit.
The signal carries no data: a page reads its board again through the access rules."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import msgspec

from common.logging import get_logger
from common.nats import NatsLink
from contracts.streams import BEDS

log = get_logger(__name__)


class _Envelope(msgspec.Struct):
    data: dict[str, Any] = {}


_decode = msgspec.json.Decoder(_Envelope).decode


def site_of(payload: bytes) -> str | None:
    """The site an event is about; None when it does not say (then every board looks again)."""
    try:
        site = _decode(payload).data.get("site_id")
    except msgspec.DecodeError:
        return None
    return site if isinstance(site, str) else None


class BoardSignals:
    def __init__(self, nats: NatsLink):
        self._nats = nats
        self._watchers: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        self._subscribed: asyncio.Task[None] | None = None
        self._listening = False

    async def _subscribe(self) -> None:
        await self._nats.ready.wait()
        assert self._nats.nc is not None
        for subject in BEDS.subjects:
            await self._nats.nc.subscribe(subject, cb=self._heard)
        self._listening = True

    async def _heard(self, msg: Any) -> None:
        self.changed(site_of(msg.data))

    def changed(self, site_id: str | None) -> None:
        groups = [self._watchers.get(site_id, set())] if site_id else list(self._watchers.values())
        for watchers in groups:
            for event in watchers:
                event.set()

    @contextlib.asynccontextmanager
    async def watch(self, site_id: str) -> AsyncIterator[asyncio.Event]:
        """An event that is set whenever `site_id`'s board may have changed (clear it yourself)."""
        if self._subscribed is None or (self._subscribed.done() and not self._listening):
            # Subscribing once per process, on the first watcher, in the background: a page
            # opened while NATS is still connecting gets its changes once it is.
            self._subscribed = asyncio.create_task(self._subscribe(), name="board-signals")
        event = asyncio.Event()
        self._watchers[site_id].add(event)
        try:
            yield event
        finally:
            self._watchers[site_id].discard(event)
            if not self._watchers[site_id]:
                del self._watchers[site_id]
