"""The one clock. Domain code receives `now` from here and never reads the system time itself.

`ScaledClock` runs faster than real time (`--time-scale 60`: an hour passes in a minute) for
training sessions and demos. Every service started by one `shelterbeds up` shares the same
anchor, so they agree on what time it is.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def real_seconds(self, virtual: timedelta) -> float:
        """How long to wait in real time for `virtual` time to pass."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_seconds(self, virtual: timedelta) -> float:
        return virtual.total_seconds()


class ScaledClock:
    """Virtual time = anchor_virtual + (real - anchor_real) * scale."""

    def __init__(
        self, scale: float, *, anchor_real: float | None = None, anchor_virtual: float | None = None
    ):
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.scale = scale
        self.anchor_real = time.time() if anchor_real is None else anchor_real
        self.anchor_virtual = self.anchor_real if anchor_virtual is None else anchor_virtual

    def now(self) -> datetime:
        virtual = self.anchor_virtual + (time.time() - self.anchor_real) * self.scale
        return datetime.fromtimestamp(virtual, UTC)

    def real_seconds(self, virtual: timedelta) -> float:
        return virtual.total_seconds() / self.scale


class ManualClock:
    """A clock that moves only when told: for tests and for seeding history."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)

    def real_seconds(self, virtual: timedelta) -> float:
        """Never, by itself: this clock moves only when told."""
        return math.inf


def make_clock(scale: float, anchor_real: float | None = None, anchor_virtual: float | None = None) -> Clock:
    if scale == 1 and anchor_virtual is None:
        return SystemClock()
    return ScaledClock(scale, anchor_real=anchor_real, anchor_virtual=anchor_virtual)


def real_now() -> datetime:
    """Wall-clock time for infrastructure (leases, token expiry), never for domain rules."""
    return datetime.now(UTC)
