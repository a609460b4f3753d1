"""Waiting for a doorbell with a time limit, in a way a cancellation always reaches.

Python 3.11's `asyncio.wait_for` loses a cancellation that arrives in the same loop iteration as
the awaited thing completes (it returns the result instead), and a background loop that then
goes round again never stops. A commit rings a doorbell at any moment — also while the service
is stopping — so every loop waits through `asyncio.timeout`, which does not have that race."""

from __future__ import annotations

import asyncio


async def rung(bell: asyncio.Event, timeout: float) -> bool:
    """Waits until `bell` is set or `timeout` seconds pass; True if it was set."""
    try:
        async with asyncio.timeout(timeout):
            await bell.wait()
    except TimeoutError:
        return False
    return True
