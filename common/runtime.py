"""Everything one service process owns, started and stopped together: the database, the NATS
link, the outbox relay, its consumers and its clocks. The app factory of each service builds one
and hands it to `create_service_app`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Generic, TypeVar

from common.auth import Tokens
from common.clock import Clock
from common.consumer import EventConsumer, Subscription
from common.db import Database
from common.lease import Lease
from common.logging import get_logger
from common.metrics import ServiceMetrics
from common.nats import NatsLink, within
from common.outbox import OutboxRelay, prune
from common.revocation import REVOKED_FILE, USED_LINKS_FILE, DenyList, SpentLinks
from common.scheduler import ClockJob, Clocks, lease_ttl
from common.settings import Settings
from common.tables import PlumbingTables
from common.uow import UnitOfWork
from contracts import ALL_STREAMS, Event

log = get_logger(__name__)
U = TypeVar("U", bound=UnitOfWork)
HOUSEKEEPING_EVERY_S = 600
STOP_WAIT_S = 5.0
# Kept back from the shutdown budget for closing NATS (its flush is bounded at 2 s) and the pool.
CLOSE_RESERVE_S = 1.0


class ServiceRuntime(Generic[U]):
    def __init__(
        self,
        settings: Settings,
        tables: PlumbingTables,
        unit_of_work_class: type[U],
        *,
        clock: Clock | None = None,
    ):
        self.settings = settings
        self.service = settings.service
        self.clock = clock or settings.clock()
        self.tables = tables
        self.metrics = ServiceMetrics(settings.service)
        self.db = Database(settings.database_url, pool_size=settings.db_pool_size)
        self.tokens = Tokens(
            settings.secret,
            previous=settings.previous_secret,
            revoked=DenyList(Path(settings.data_dir) / REVOKED_FILE).is_revoked,
            spend_link=SpentLinks(Path(settings.data_dir) / USED_LINKS_FILE).spend,
        )
        self.nats = NatsLink(
            settings.nats_url,
            name=f"shelterbeds-{settings.service}-{settings.instance_id}",
            streams=ALL_STREAMS,
            replicas=settings.stream_replicas,
            credentials=settings.nats_creds,
        )
        self.relay = OutboxRelay(
            self.db,
            tables,
            self.nats,
            self.metrics,
            self.clock,
            batch_size=settings.relay_batch_size,
            poll_seconds=settings.relay_poll_seconds,
            single_writer_lease=Lease(
                self.db, tables, f"{self.service}-outbox-relay", settings.instance_id, timedelta(seconds=15)
            )
            if self.db.sqlite
            else None,
        )
        self._unit_of_work_class = unit_of_work_class
        self.consumers: list[EventConsumer] = []
        self.clocks: Clocks | None = None
        self._loops: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._commit_listeners: list[Callable[[Sequence[Event]], None]] = []
        # Set at SIGTERM (readiness answers 503 from then on); `stop_deadline` is when, on the
        # monotonic clock, the process must be gone (the server sets it from the grace setting).
        self.stopping = False
        self.stop_deadline: float | None = None

    def unit_of_work(self, *, write: bool = True) -> U:
        return self._unit_of_work_class(
            self.db, self.tables, self.clock, write=write, on_events_committed=self._events_committed
        )

    def _events_committed(self, events: Sequence[Event]) -> None:
        self.relay.wake()
        if self.clocks is not None:
            self.clocks.wake()
        for listener in self._commit_listeners:
            listener(events)

    def on_commit(self, listener: Callable[[Sequence[Event]], None]) -> None:
        """`listener` hears the events of every commit of this process, right after it (it must
        only take note: it runs inside the committing code). Events of other replicas never reach it."""
        self._commit_listeners.append(listener)

    def read(self) -> U:
        return self.unit_of_work(write=False)

    def subscribe(self, subscription: Subscription) -> EventConsumer:
        consumer = EventConsumer(
            subscription,
            self.nats,
            self.unit_of_work,
            self.metrics,
            service=self.service,
            max_tries=self.settings.consumer_max_tries,
            max_deferrals=self.settings.consumer_max_deferrals,
            ack_wait=self.settings.consumer_ack_wait_seconds,
        )
        self.consumers.append(consumer)
        return consumer

    def run_clocks(
        self, jobs: Sequence[ClockJob], next_due: Callable[[], Awaitable[datetime | None]] | None = None
    ) -> Clocks:
        lease = Lease(
            self.db,
            self.tables,
            f"{self.service}-clocks",
            self.settings.instance_id,
            lease_ttl(self.settings.tick_seconds),
        )
        self.clocks = Clocks(
            list(jobs),
            lease,
            self.metrics,
            tick_seconds=self.settings.tick_seconds,
            clock=self.clock,
            next_due=next_due,
        )
        return self.clocks

    def run_loop(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        """A service's own background loop (notifications' deliveries), supervised like the rest."""
        self._loops.append((name, loop))

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        self.nats.start()
        loops: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("relay", self.relay.run),
            ("housekeeping", self._housekeeping),
        ]
        loops += [(f"consumer-{c.durable}", c.run) for c in self.consumers]
        loops += self._loops
        if self.clocks is not None:
            loops.append(("clocks", self.clocks.run))
        self._tasks = [asyncio.create_task(self._supervised(name, fn), name=name) for name, fn in loops]
        log.info("service_started", service=self.service, consumers=len(self.consumers))

    async def _supervised(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await loop()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("background_loop_crashed", loop=name, error=type(exc).__name__, exc_info=exc)
                await asyncio.sleep(1.0)

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(HOUSEKEEPING_EVERY_S)
            try:
                await prune(
                    self.db, self.tables, self.clock.now(), outbox_days=self.settings.outbox_retention_days
                )
            except Exception as exc:
                log.warning("housekeeping_failed", error=type(exc).__name__)

    def begin_stopping(self) -> None:
        """Readiness goes false at once: traffic is steered away before anything stops."""
        if not self.stopping:
            self.stopping = True
            log.info("service_stopping", service=self.service)

    def _left(self, default: float) -> float:
        if self.stop_deadline is None:
            return default
        return max(0.1, self.stop_deadline - time.monotonic() - CLOSE_RESERVE_S)

    async def stop(self) -> None:
        """Stops taking work, lets the consumers ack what they hold, relays what is committed,
        then closes connections; within `stop_deadline` when the server has set one."""
        self.begin_stopping()
        consumer_names = {f"consumer-{c.durable}" for c in self.consumers}
        consumer_tasks = [t for t in self._tasks if t.get_name() in consumer_names]
        relay_tasks = [t for t in self._tasks if t.get_name() == "relay"]
        for consumer in self.consumers:
            consumer.finish()
        each_step = min(STOP_WAIT_S, self._left(STOP_WAIT_S) / 2)
        if consumer_tasks:
            # An idle consumer returns at once; a busy one after applying and acking its message.
            _, unfinished = await asyncio.wait(consumer_tasks, timeout=each_step)
            if unfinished:
                log.warning("consumers_not_finished", consumers=sorted(t.get_name() for t in unfinished))
        others = [t for t in self._tasks if t not in relay_tasks]
        await _cancelled(others, min(each_step, self._left(STOP_WAIT_S) / 2))
        if self.clocks is not None and not await within(self.clocks.resign(), self._left(STOP_WAIT_S) / 2):
            log.warning("clock_lease_not_released")  # the lease then simply expires
        await _cancelled(relay_tasks, min(each_step, self._left(STOP_WAIT_S) / 2))
        # Bounded as a whole: `drain` checks its deadline between batches, not inside a database
        # call that hangs on a connection the network lost.
        draining = asyncio.ensure_future(self.relay.drain(timeout=self._left(5.0)))
        await within(draining, self._left(5.0) + 0.5)
        if not draining.done() or draining.cancelled() or draining.exception() is not None:
            log.warning("outbox_drain_failed")
        elif draining.result():
            log.warning("outbox_not_drained", pending=draining.result())
        await self.nats.close()
        if not await within(self.db.dispose(), max(0.5, self._left(5.0) + CLOSE_RESERVE_S / 2)):
            log.warning("database_close_incomplete")  # the process exits; the server drops them
        log.info("service_stopped", service=self.service)


async def _cancelled(tasks: Sequence[asyncio.Task[None]], seconds: float = STOP_WAIT_S) -> None:
    """Cancels background loops and waits for them, within a bound: a loop stuck where a
    cancellation cannot reach it (a driver call that swallows it) must not keep the process from
    stopping; it is named in the log and left behind."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    done, stuck = await asyncio.wait(tasks, timeout=seconds)
    for task in done:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            task.result()
    if stuck:
        log.warning("loops_not_stopped", loops=sorted(t.get_name() for t in stuck))
