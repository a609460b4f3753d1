"""Watching what services publish: a plain NATS subscription on `shelter.>` that decodes every
CloudEvent, so a test can wait for "hold.expired for this hold" and look at its payload."""

from __future__ import annotations

import asyncio
from typing import Any

import nats
from nats.aio.msg import Msg

from contracts import CloudEvent, Event, decode_data, decode_envelope

# The streams that hold the services' facts (the parked stream is not one of them).
EVENT_STREAMS = ("SHELTER_BEDS", "SHELTER_INTAKE")


async def every_message(nats_url: str, streams: tuple[str, ...] = EVENT_STREAMS) -> list[tuple[str, bytes]]:
    """(subject, data) of every message `streams` hold, stream by stream in sequence order: a whole
    flow as JetStream kept it, to publish again."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        found = []
        for stream in streams:
            info = await js.stream_info(stream)
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await js.get_msg(stream, seq)
                found.append((msg.subject, msg.data or b""))
        return found
    finally:
        await nc.close()


class EventTap:
    def __init__(self, url: str, subject: str = "shelter.>"):
        self.url = url
        self.subject = subject
        self.received: list[tuple[CloudEvent, Event | None, Msg]] = []
        self._nc: Any = None
        self._changed = asyncio.Event()

    async def __aenter__(self) -> EventTap:
        self._nc = await nats.connect(self.url)
        await self._nc.subscribe(self.subject, cb=self._on_message)
        await self._nc.flush()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._nc.close()

    async def _on_message(self, msg: Msg) -> None:
        try:
            envelope = decode_envelope(msg.data)
        except Exception:
            return
        try:
            event: Event | None = decode_data(envelope)
        except Exception:
            event = None
        self.received.append((envelope, event, msg))
        self._changed.set()

    def of(self, event_type: type[Event], **match: Any) -> list[Event]:
        found = []
        for envelope, event, _ in self.received:
            wanted = envelope.type == event_type.KIND.type and event is not None
            if wanted and all(getattr(event, k) == v for k, v in match.items()):
                found.append(event)
        return found

    async def wait_for(
        self, event_type: type[Event], timeout: float = 10.0, count: int = 1, **match: Any
    ) -> list[Event]:
        async def enough() -> list[Event]:
            while len(self.of(event_type, **match)) < count:
                self._changed.clear()
                await self._changed.wait()
            return self.of(event_type, **match)

        return await asyncio.wait_for(enough(), timeout)

    def payloads(self) -> list[bytes]:
        return [msg.data for _, _, msg in self.received]
