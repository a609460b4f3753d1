"""Retries are stamina's (bounded attempts, exponential backoff with jitter, async-aware), with
the bounds of each loop named here so they can be read side by side.

stamina's own instrumentation is switched off: its Prometheus hook registers in the default
registry (we keep one registry per service, `common.metrics`), and its log hook would log the
arguments of retried callables. Each loop logs its own failure under its own event name instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import stamina
import stamina.instrumentation

stamina.instrumentation.set_on_retry_hooks([])


@dataclass(frozen=True)
class Backoff:
    attempts: int | None  # None: until it works (or the task is cancelled)
    wait_initial: float
    wait_max: float
    wait_jitter: float = 0.0
    wait_exp_base: float = 2.0

    def context(self, on: type[Exception] | Callable[[Exception], bool]) -> AsyncIterator[stamina.Attempt]:
        return stamina.retry_context(
            on=on,
            attempts=self.attempts,
            timeout=None,
            wait_initial=self.wait_initial,
            wait_max=self.wait_max,
            wait_jitter=self.wait_jitter,
            wait_exp_base=self.wait_exp_base,
        )


# An HTTP write that lost a race: a dozen quick tries, 5-20 ms apart and growing, then 409 busy.
WRITE_RACE = Backoff(attempts=12, wait_initial=0.005, wait_max=0.25, wait_jitter=0.015, wait_exp_base=1.3)
# A consumer's transaction that lost a race: 3 tries, 50 ms then 100 ms; then JetStream redelivers.
CONSUMER_RACE = Backoff(attempts=3, wait_initial=0.05, wait_max=0.1)
# Connecting to NATS at start: forever, 0.2 s doubling to 5 s (after that nats-py reconnects itself).
NATS_CONNECT = Backoff(attempts=None, wait_initial=0.2, wait_max=5.0)
