"""When a delivery is tried again, and when its channel is given up on. Exponential backoff
with full jitter (the jitter is drawn by the caller and passed in, so this stays pure): a peer
that is down for a while is not hammered, and many alerts do not retry in lockstep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.notifications.domain.teams import BROKEN_AFTER

DeliveryStatus = Literal["pending", "delivered", "failed"]


@dataclass(frozen=True)
class RetryPolicy:
    first: timedelta = timedelta(seconds=2)
    longest: timedelta = timedelta(minutes=10)
    broken_after: timedelta = BROKEN_AFTER

    def next_attempt_at(self, now: datetime, attempts: int, jitter: float) -> datetime:
        """`attempts` made so far (>= 1); `jitter` in [0, 1): half the wait fixed, half random."""
        wait: timedelta = min(self.longest, self.first * (2 ** (attempts - 1)))
        return now + wait * (0.5 + 0.5 * jitter)

    def broken(self, failing_since: datetime | None, now: datetime) -> bool:
        return failing_since is not None and now - failing_since >= self.broken_after
