"""The lease that lets one replica at a time run the clocks, raced the way replicas race it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from common.lease import Lease
from tests.support.service import Service


def lease(beds: Service, holder: str) -> Lease:
    return Lease(beds.runtime.db, beds.runtime.tables, "race", holder, timedelta(seconds=30))


async def test_of_many_replicas_racing_for_a_free_lease_exactly_one_wins(beds: Service) -> None:
    won = await asyncio.gather(*(lease(beds, f"replica-{n}").acquire() for n in range(4)))
    assert won.count(True) == 1


async def test_a_replica_racing_itself_for_its_lease_never_loses_it(beds: Service) -> None:
    # the clocks' own loop and a tick asked for from outside may both be acquiring
    for _ in range(5):
        won = await asyncio.gather(*(lease(beds, "replica-a").acquire() for _ in range(3)))
        assert all(won)
        await lease(beds, "replica-a").release()


async def test_a_released_lease_passes_to_the_next_replica_at_once(beds: Service) -> None:
    first, second = lease(beds, "first"), lease(beds, "second")
    assert await first.acquire()
    assert not await second.acquire()
    await first.release()
    assert await second.acquire()
    assert not await first.acquire()
