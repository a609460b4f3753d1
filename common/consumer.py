"""Durable JetStream consumers that apply each event exactly once to the service's database.

- Durable pull consumer, explicit ack, filtered to the event types the service handles.
- The event's id goes into the inbox in the same transaction as the change it causes, so a
  redelivered event is a no-op by construction; the ack is sent only after that commit.
- A failing event is retried with backoff; after `max_tries` it is parked on
  `shelter.parked.<service>.<consumer>` (stream SHELTER_PARKED) and terminated, so the
  stream keeps flowing. Parking shows in metrics and as an error log line.
- An event that arrived before the one it builds on (a hold's end before its start, a card's
  revocation before its issue: two replicas, or a retried earlier event) makes its handler raise
  `NotYet`: nothing is written, the message is nak'ed with a delay and applied once its
  prerequisite has been; after `max_deferrals` deliveries it is parked as `prerequisite_missing`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import ServiceUnavailableError

from common.db import is_retryable
from common.logging import get_logger
from common.metrics import ServiceMetrics
from common.nats import NatsLink
from common.retries import CONSUMER_RACE
from common.uow import UnitOfWork
from contracts import CloudEvent, Event, decode_data, decode_envelope, parked_subject
from contracts.streams import StreamSpec

log = get_logger(__name__)

Handler = Callable[[Any, CloudEvent, Any], Awaitable[None]]

PARKED_REASON = "Shelter-Parked-Reason"
PARKED_FROM = "Shelter-Parked-From"
PARKED_CONSUMER = "Shelter-Parked-Consumer"
PARKED_DELIVERIES = "Shelter-Parked-Deliveries"
# A pull answered 503 (the consumer's leader is gone: a node lost, an election under way) is
# tried again on the same subscription; only when that lasts is the consumer re-created.
UNAVAILABLE_RETRY_S = 0.25
UNAVAILABLE_RECREATE_AFTER_S = 15.0
# A deferred event comes back after 0.5, 1, 2, 4, 5, 5 ... s: with 10 deliveries about half a
# minute for its prerequisite to arrive (itself retried, or held up on another replica).
MAX_DEFER_DELAY_S = 5.0
PREREQUISITE_MISSING = "prerequisite_missing"


class NotYet(Exception):
    """Raised by a handler for an event that cannot be applied before another one has been (its
    message says which). The consumer rolls back, and delivers the event again later."""


@dataclass(frozen=True)
class Subscription:
    """What one durable consumer of a service listens to, and what it does with each type."""

    durable: str
    stream: StreamSpec
    handlers: Mapping[type[Event], Handler]

    @property
    def subjects(self) -> list[str]:
        return sorted(cls.KIND.subject for cls in self.handlers)


def _raise_if_cancelled() -> None:
    """nats-py can lose a cancellation that lands while it waits on the server (it answers with
    a TimeoutError instead); a loop that then carries on would never stop: stopping hung."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class EventConsumer:
    def __init__(
        self,
        subscription: Subscription,
        link: NatsLink,
        unit_of_work: Callable[[], UnitOfWork],
        metrics: ServiceMetrics,
        *,
        service: str,
        max_tries: int = 5,
        max_deferrals: int = 10,
        ack_wait: float = 30.0,
        batch: int = 64,
        backoff_base: float = 0.5,
    ):
        self.subscription = subscription
        self.durable = subscription.durable
        self.link = link
        self.unit_of_work = unit_of_work
        self.metrics = metrics
        self.service = service
        self.max_tries = max_tries
        self.max_deferrals = max(max_deferrals, max_tries)
        self.ack_wait = ack_wait
        self.batch = batch
        self.backoff_base = backoff_base
        self._by_type = {cls.KIND.type: handler for cls, handler in subscription.handlers.items()}
        self._finishing = asyncio.Event()
        # Present at 0 from the start, so that an alert on its rate sees the first parked event.
        metrics.events_parked.labels(consumer=self.durable).inc(0)

    def consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.durable,
            description=f"{self.service}: {', '.join(self.subscription.subjects)}",
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            # We count tries ourselves and park; JetStream must never drop a message silently.
            max_deliver=-1,
            filter_subjects=self.subscription.subjects,
            max_ack_pending=1000,
        )

    def finish(self) -> None:
        """Shutdown: stop after the message in hand is applied and acked, instead of being cancelled
        half-way (its transaction rolled back, the event redelivered only after AckWait)."""
        self._finishing.set()

    async def run(self) -> None:
        while not self._finishing.is_set():
            _raise_if_cancelled()
            try:
                await self.link.ready.wait()
                await self.link.js.add_consumer(self.subscription.stream.name, self.consumer_config())
                sub = await self.link.js.pull_subscribe_bind(
                    durable=self.durable, stream=self.subscription.stream.name
                )
                await self._pull(sub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _raise_if_cancelled()
                log.warning("consumer_restarting", consumer=self.durable, error=type(exc).__name__)
                await asyncio.sleep(1.0)

    async def _pull(self, sub: Any) -> None:
        unavailable_since: float | None = None
        while not self._finishing.is_set():
            _raise_if_cancelled()
            try:
                messages = await self._fetch(sub)
            except ServiceUnavailableError:
                # Re-creating the consumer now would ask the cluster's meta leader, which is often
                # being elected at that very moment (found by tests/e2e/test_nats_cluster.py: each
                # lost node cost every consumer seconds of add_consumer timeouts). The consumer
                # and its leader come back on their own once the cluster has a quorum.
                now = time.monotonic()
                unavailable_since = unavailable_since or now
                if now - unavailable_since > UNAVAILABLE_RECREATE_AFTER_S:
                    raise
                await asyncio.sleep(UNAVAILABLE_RETRY_S)
                continue
            if messages is None:
                return
            unavailable_since = None
            for n, msg in enumerate(messages):
                if self._finishing.is_set():
                    # The rest of the batch goes back now, not after AckWait, for another replica.
                    for left in messages[n:]:
                        with contextlib.suppress(Exception):
                            await left.nak()
                    return
                await self.handle(msg)

    async def _fetch(self, sub: Any) -> list[Msg] | None:
        """The next batch (empty when none came within a second), or None once asked to finish:
        a consumer waiting for messages stops at once, one applying a message finishes it first."""
        fetching = asyncio.ensure_future(sub.fetch(self.batch, timeout=1.0))
        finishing = asyncio.ensure_future(self._finishing.wait())
        try:
            await asyncio.wait({fetching, finishing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            finishing.cancel()
            if not fetching.done():
                fetching.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetching
        if fetching.cancelled():
            return None
        try:
            return list(fetching.result())
        except TimeoutError:
            return []

    async def handle(self, msg: Msg) -> str:
        """Applies one message; returns the outcome (also counted in metrics)."""
        deliveries = msg.metadata.num_delivered if msg.metadata else 1
        try:
            envelope = decode_envelope(msg.data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return await self._park(msg, None, "not_a_cloudevent", deliveries)
        handler = self._by_type.get(envelope.type)
        if handler is None:
            await msg.ack()
            return self._count(envelope.type, "ignored")
        with structlog.contextvars.bound_contextvars(
            event_id=envelope.id, event_type=envelope.type, consumer=self.durable
        ):
            if deliveries > self.max_deferrals:
                return await self._park(msg, envelope, "too_many_deliveries", deliveries)
            try:
                event = decode_data(envelope)
            except (msgspec.DecodeError, msgspec.ValidationError):
                return await self._park(msg, envelope, "invalid_payload", deliveries)
            try:
                outcome = await self._apply(envelope, event, handler)
            except NotYet as waiting:
                if deliveries >= self.max_deferrals:
                    return await self._park(msg, envelope, PREREQUISITE_MISSING, deliveries)
                delay = min(self.backoff_base * 2 ** (deliveries - 1), MAX_DEFER_DELAY_S)
                log.info("event_deferred", waiting_for=str(waiting), deliveries=deliveries, retry_in_s=delay)
                await msg.nak(delay=delay)
                return self._count(envelope.type, "deferred")
            except Exception as exc:
                if deliveries >= self.max_tries:
                    return await self._park(msg, envelope, type(exc).__name__, deliveries)
                delay = self.backoff_base * 2 ** (deliveries - 1)
                log.warning("event_failed", error=type(exc).__name__, deliveries=deliveries, retry_in_s=delay)
                await msg.nak(delay=delay)
                return self._count(envelope.type, "retried")
            await msg.ack()
            return self._count(envelope.type, outcome)

    async def _apply(self, envelope: CloudEvent, event: Event, handler: Handler) -> str:
        async for attempt in CONSUMER_RACE.context(on=is_retryable):
            with attempt:
                async with self.unit_of_work() as uow:
                    if await uow.already_applied(self.durable, envelope.id):
                        return "duplicate"
                    await handler(event, envelope, uow)
                    await uow.mark_applied(self.durable, envelope.id)
                    await uow.commit()
                    return "applied"
        raise AssertionError("unreachable: stamina either returns or raises")

    async def _park(self, msg: Msg, envelope: CloudEvent | None, reason: str, deliveries: int) -> str:
        headers = {
            PARKED_REASON: reason,
            PARKED_FROM: msg.subject,
            PARKED_CONSUMER: self.durable,
            PARKED_DELIVERIES: str(deliveries),
        }
        if envelope is not None:
            headers["Nats-Msg-Id"] = f"parked.{self.durable}.{envelope.id}"
        await self.link.js.publish(parked_subject(self.service, self.durable), msg.data, headers=headers)
        with contextlib.suppress(Exception):
            await msg.term()
        self.metrics.events_parked.labels(consumer=self.durable).inc()
        event_type = envelope.type if envelope else "unknown"
        log.error("event_parked", reason=reason, deliveries=deliveries, subject=msg.subject)
        return self._count(event_type, "parked")

    def _count(self, event_type: str, outcome: str) -> str:
        self.metrics.events_consumed.labels(consumer=self.durable, type=event_type, outcome=outcome).inc()
        return outcome
