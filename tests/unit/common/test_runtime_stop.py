"""Stopping a service is bounded: a background loop that swallows its cancellation (as a driver
call can) is left behind and named, instead of keeping the process from exiting."""

from __future__ import annotations

import asyncio
import time

import pytest

from common import runtime


async def test_a_loop_that_will_not_stop_is_left_behind_within_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime, "STOP_WAIT_S", 0.2)
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                continue  # swallowed, as a driver call can

    async def polite() -> None:
        await asyncio.sleep(10)

    loops = [asyncio.create_task(stubborn(), name="stubborn"), asyncio.create_task(polite(), name="polite")]
    started = time.monotonic()
    await runtime._cancelled(loops)
    assert time.monotonic() - started < 2
    assert loops[1].cancelled()
    release.set()
    loops[0].cancel()
    await asyncio.wait([loops[0]], timeout=1)
