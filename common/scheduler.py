"""Runs a service's clocks: every tick, the replica that holds the lease does the due work.

A job is an async callable returning how many things it did. Due work is found in the database
(`expires_at <= now`), never kept in memory, so a restart or a new leader loses nothing; each
job changes state with conditional updates, so a brief overlap of two leaders does no harm.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from common.lease import Lease
from common.logging import get_logger
from common.metrics import ServiceMetrics

log = get_logger(__name__)


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
    ):
        self.jobs = jobs
        self.lease = lease
        self.metrics = metrics
        self.tick_seconds = tick_seconds
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

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. database briefly away
                log.warning("clock_tick_failed", error=type(exc).__name__)
            await asyncio.sleep(self.tick_seconds)

    async def resign(self) -> None:
        """On shutdown: hand the clocks to another replica now rather than when the lease expires."""
        if self.leader:
            self.leader = False
            self.metrics.clock_leader.set(0)
            await self.lease.release()


def lease_ttl(tick_seconds: float) -> timedelta:
    return timedelta(seconds=max(10.0, tick_seconds * 10))
