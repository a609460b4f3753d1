"""Runs a service's clocks: every tick, the replica that holds the lease does the due work.

A job is an async callable returning how many things it did. Due work is found in the database
(`expires_at <= now`), never kept in memory, so a restart or a new leader loses nothing; each
job changes state with conditional updates, so a brief overlap of two leaders does no harm.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.clock import Clock
from common.lease import Lease
from common.logging import get_logger
from common.metrics import ServiceMetrics
from common.waiting import rung

log = get_logger(__name__)
MIN_WAIT_S = 0.01


@dataclass(frozen=True)
class ClockJob:
    name: str
    run: Callable[[], Awaitable[int]]


class Clocks:
    def __init__(
        self,
        jobs: list[ClockJob],
        lease: Lease,
        metrics: ServiceMetrics,
        *,
        tick_seconds: float = 1.0,
        clock: Clock | None = None,
        next_due: Callable[[], Awaitable[datetime | None]] | None = None,
    ):
        self.jobs = jobs
        self.lease = lease
        self.metrics = metrics
        self.tick_seconds = tick_seconds
        self.clock = clock
        self.next_due = next_due
        # Waking for due work makes sense only on a clock that moves by itself (not a test's).
        self.follows_time = (
            clock is not None and next_due is not None and math.isfinite(clock.real_seconds(timedelta(1)))
        )
        self._wake = asyncio.Event()
        self.leader = False
        # a tick asked for (tests, `replay`) may come while the loop's own tick runs: one at a time
        self._one_tick = asyncio.Lock()

    async def tick(self) -> int:
        """One round of due work (if this replica leads). Returns how much was done."""
        async with self._one_tick:
            return await self._tick()

    async def _tick(self) -> int:
        self.leader = await self.lease.acquire()
        self.metrics.clock_leader.set(1 if self.leader else 0)
        if not self.leader:
            return 0
        done = 0
        for job in self.jobs:
            try:
                count = await job.run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("clock_job_failed", job=job.name, error=type(exc).__name__, exc_info=exc)
                continue
            if count:
                self.metrics.clock_actions.labels(action=job.name).inc(count)
                done += count
        return done

    def wake(self) -> None:
        """Something was just committed that may be due sooner than the next tick (a short hold):
        the loop asks again when its next work is due. It does not tick for it — a tick on every
        commit would compete with the very work that committed (the lease, the jobs' queries)."""
        if self.follows_time:
            self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()  # before the tick: a commit during it must still wake the next wait
            delay = self.tick_seconds
            try:
                await self.tick()
                delay = await self._until_next_due()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. database briefly away
                log.warning("clock_tick_failed", error=type(exc).__name__)
            await self._wait(delay)

    async def _wait(self, delay: float) -> None:
        """Until the next tick, or sooner if a commit brought due work forward."""
        deadline = time.monotonic() + delay
        while (left := deadline - time.monotonic()) > 0:
            if not await rung(self._wake, left):
                return
            self._wake.clear()
            try:
                due_in = await self._until_next_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                return  # the tick will say what is wrong
            deadline = min(deadline, time.monotonic() + due_in)

    async def _until_next_due(self) -> float:
        """Real seconds until the earliest due work, at most one tick. A fixed tick alone is too
        coarse for a faster clock: at 600x one real second is ten minutes, and a hold's 15-minute
        warning would come at 5."""
        if not self.leader or not self.follows_time or self.next_due is None or self.clock is None:
            return self.tick_seconds
        due = await self.next_due()
        if due is None:
            return self.tick_seconds
        wait = self.clock.real_seconds(due - self.clock.now())
        return min(self.tick_seconds, max(MIN_WAIT_S, wait))

    async def resign(self) -> None:
        """On shutdown: hand the clocks to another replica now rather than when the lease expires."""
        if self.leader:
            self.leader = False
            self.metrics.clock_leader.set(0)
            await self.lease.release()


def lease_ttl(tick_seconds: float) -> timedelta:
    return timedelta(seconds=max(10.0, tick_seconds * 10))
