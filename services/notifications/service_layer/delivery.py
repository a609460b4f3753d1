"""The delivery loop: works the deliveries outbox. Each round claims what is due, sends every
claimed delivery at once (a dead channel costs its own timeout, never the others' turn), and
records each attempt in its own transaction together with its outcome event
(`alert.delivered`, or `alert.failed` once the channel has failed for a day and is broken).

Two clocks: the service's clock (scaled by `--time-scale`) says what an alert's text says ("hold
45 min left"); the delivery clock, real time, schedules everything about talking to a peer —
claims, the backoff between attempts, the attempts' times and the day after which a channel is
broken. A peer down for 30 s at time-scale 600 is retried over 30 real seconds, not given up on
as if five hours had passed."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping
from datetime import timedelta

from common.clock import Clock
from common.db import is_retryable
from common.logging import get_logger
from common.retries import CONSUMER_RACE
from common.waiting import rung
from contracts.events.notifications import AlertDelivered, AlertFailed
from services.notifications.adapters.deliveries import Due, Outcome
from services.notifications.adapters.senders import NotDelivered, Outgoing, Sender
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.domain.delivery import RetryPolicy
from services.notifications.domain.teams import ChannelKind
from services.notifications.domain.texts import text

log = get_logger(__name__)
BATCH = 50


class DeliveryWorker:
    def __init__(
        self,
        unit_of_work: Callable[..., NotificationsUnitOfWork],
        senders: Mapping[ChannelKind, Sender],
        clock: Clock,
        *,
        real: Clock,
        timeout_seconds: float,
        poll_seconds: float,
        policy: RetryPolicy | None = None,
        jitter: Callable[[], float] = random.random,
    ):
        self.unit_of_work = unit_of_work
        self.senders = senders
        self.clock = clock
        self.real = real
        self.timeout = timeout_seconds
        self.poll = poll_seconds
        self.policy = policy or RetryPolicy()
        self.jitter = jitter
        self._doorbell = asyncio.Event()
        self._handed: list[str] = []
        self._last_claim = float("-inf")

    @property
    def claim_for(self) -> timedelta:
        """Long enough for every send of a batch to time out."""
        return timedelta(seconds=self.timeout * 3)

    def take(self, delivery_ids: list[str]) -> None:
        """Deliveries this process just committed, already claimed for it: send them now."""
        self._handed.extend(delivery_ids)
        self._doorbell.set()

    def wake(self) -> None:
        """Something may be due: look now rather than at the next poll."""
        self._doorbell.set()

    async def run(self) -> None:
        while True:
            self._doorbell.clear()  # before the round: a ring during it must still wake the next wait
            try:
                more = await self.work_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. the database briefly away
                log.warning("delivery_round_failed", error=type(exc).__name__)
                more = False
            if not more:
                await rung(self._doorbell, self.poll)

    async def work_once(self) -> bool:
        """One round: what was handed over, and (when nothing was, or once per poll) what is
        due in the database: retries, and deliveries whose claim lapsed. True when more may be
        waiting already."""
        handed, self._handed = self._handed, []
        due: list[Due] = []
        if handed:
            async with self.unit_of_work(write=False) as uow:
                due = await uow.deliveries.handed(handed)
        full = False
        if not handed or time.monotonic() - self._last_claim >= self.poll:
            self._last_claim = time.monotonic()
            now = self.real.now()
            async with self.unit_of_work() as uow:
                claimed = await uow.deliveries.claim(now, now + self.claim_for, BATCH)
                await uow.commit()
            due += claimed
            full = len(claimed) == BATCH
        await asyncio.gather(*(self._deliver(d) for d in due))
        return full or bool(self._handed)

    async def _deliver(self, due: Due) -> None:
        if due.channel.broken or due.channel_removed:
            reason = "channel broken" if due.channel.broken else "channel removed"
            await self._record(due, Outcome(False, self.real.now(), 0.0, error=reason), final=True)
            return
        message = Outgoing(
            delivery_id=due.delivery_id,
            alert_id=due.alert.id,
            kind=due.alert.kind,
            team_id=due.alert.team_id,
            site_id=due.alert.facts.site_id,
            text=text(due.alert, language=due.language, public_name=due.public_name, now=self.clock.now()),
            created_at=due.alert.created_at.isoformat(),
        )
        started = time.perf_counter()
        try:
            status = await asyncio.wait_for(
                self.senders[due.channel.kind].send(due.channel, message), self.timeout
            )
            outcome = Outcome(True, self.real.now(), _ms_since(started), status)
        except NotDelivered as exc:
            outcome = Outcome(False, self.real.now(), _ms_since(started), exc.status_code, exc.reason)
        except TimeoutError:
            outcome = Outcome(False, self.real.now(), _ms_since(started), error="timeout")
        except Exception as exc:  # a sender's bug must not stop the loop or the others
            log.error("delivery_sender_crashed", channel=due.channel.kind, error=type(exc).__name__)
            outcome = Outcome(False, self.real.now(), _ms_since(started), error=type(exc).__name__)
        await self._record(due, outcome, final=False)

    async def _record(self, due: Due, outcome: Outcome, *, final: bool) -> None:
        async for attempt in CONSUMER_RACE.context(on=is_retryable):
            with attempt:
                async with self.unit_of_work() as uow:
                    await self._write(uow, due, outcome, final)
                    await uow.commit()

    async def _write(self, uow: NotificationsUnitOfWork, due: Due, outcome: Outcome, final: bool) -> None:
        attempts = due.attempts + 1
        if outcome.ok:
            if await uow.deliveries.record(due, outcome, retry_at=None, give_up=False):
                await uow.deliveries.channel_worked(due.channel.id)
                uow.publish(_event(AlertDelivered, due, attempts))
            return
        failing_since = due.channel.failing_since or outcome.at
        give_up = final or self.policy.broken(failing_since, outcome.at)
        retry_at = None if give_up else self.policy.next_attempt_at(outcome.at, attempts, self.jitter())
        if await uow.deliveries.record(due, outcome, retry_at=retry_at, give_up=give_up):
            await uow.deliveries.channel_failed(
                due.channel.id, outcome.at, broken=give_up and not due.channel_removed
            )
            if give_up:
                uow.publish(_event(AlertFailed, due, attempts))
        log.info(
            "delivery_failed",
            channel=due.channel.kind,
            attempts=attempts,
            error=outcome.error,
            gave_up=give_up,
        )


def _event(
    cls: type[AlertDelivered] | type[AlertFailed], due: Due, attempts: int
) -> AlertDelivered | AlertFailed:
    return cls(
        alert_id=due.alert.id,
        alert_kind=due.alert.kind,
        team_id=due.alert.team_id,
        channel=due.channel.kind,
        event_id=due.alert.event_id,
        attempts=attempts,
    )


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
