"""The clocks wake when work is due, in virtual time, not only once per tick."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from common.clock import ManualClock, ScaledClock
from common.metrics import ServiceMetrics
from common.scheduler import ClockJob, Clocks

ANCHOR = datetime(2026, 12, 1, 20, 0, tzinfo=UTC).timestamp()


class AlwaysLeader:
    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None


def clocks_due_in(virtual: timedelta | None, scale: float) -> tuple[Clocks, ScaledClock]:
    clock = ScaledClock(scale, anchor_real=ANCHOR, anchor_virtual=ANCHOR)

    async def next_due() -> datetime | None:
        return None if virtual is None else clock.now() + virtual

    lease: Any = AlwaysLeader()
    return Clocks([], lease, ServiceMetrics("beds"), tick_seconds=1.0, clock=clock, next_due=next_due), clock


async def test_at_600x_the_clocks_wake_when_the_next_warning_is_due_not_a_second_later() -> None:
    clocks, _ = clocks_due_in(timedelta(minutes=5), scale=600)
    await clocks.tick()
    wait = await clocks._until_next_due()
    assert abs(wait - 0.5) < 0.05  # five virtual minutes are half a real second


async def test_the_clocks_never_wait_longer_than_a_tick() -> None:
    for due in (None, timedelta(hours=3)):
        clocks, _ = clocks_due_in(due, scale=1)
        await clocks.tick()
        assert await clocks._until_next_due() == 1.0


async def test_work_already_due_is_done_almost_at_once() -> None:
    clocks, _ = clocks_due_in(-timedelta(minutes=1), scale=60)
    await clocks.tick()
    assert await clocks._until_next_due() <= 0.01


async def test_on_a_test_s_manual_clock_the_loop_keeps_its_tick_and_ignores_wake_ups() -> None:
    clock = ManualClock(datetime(2026, 12, 1, 20, 0, tzinfo=UTC))

    async def due_now() -> datetime | None:
        return clock.now()

    lease: Any = AlwaysLeader()
    clocks = Clocks([], lease, ServiceMetrics("beds"), tick_seconds=5.0, clock=clock, next_due=due_now)
    await clocks.tick()
    assert await clocks._until_next_due() == 5.0
    clocks.wake()
    assert not clocks._wake.is_set()


class CountingLeader(AlwaysLeader):
    def __init__(self) -> None:
        self.asked = 0

    async def acquire(self) -> bool:
        self.asked += 1
        return True


async def test_a_commit_wakes_the_loop_to_ask_when_work_is_due_not_to_tick() -> None:
    import asyncio

    clock = ScaledClock(1, anchor_real=ANCHOR, anchor_virtual=ANCHOR)
    due: list[datetime | None] = [None]

    async def next_due() -> datetime | None:
        return due[0]

    async def do_due_work() -> int:
        if due[0] is None or due[0] > clock.now():
            return 0
        due[0] = None
        return 1

    lease = CountingLeader()
    jobs = [ClockJob("due", do_due_work)]
    metrics = ServiceMetrics("beds")
    clocks = Clocks(jobs, lease, metrics, tick_seconds=30.0, clock=clock, next_due=next_due)  # type: ignore[arg-type]
    loop = asyncio.create_task(clocks.run())
    try:
        await asyncio.sleep(0.05)
        assert lease.asked == 1  # the first tick
        for _ in range(5):  # commits with nothing due soon: no tick for them
            clocks.wake()
            await asyncio.sleep(0.01)
        assert lease.asked == 1
        due[0] = clock.now() + timedelta(milliseconds=50)  # a commit made work due in 50 ms
        clocks.wake()
        await asyncio.sleep(0.3)
        assert lease.asked == 2 and due[0] is None  # ticked for it, then, and not since
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
