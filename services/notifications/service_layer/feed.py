"""The live feed's one reader: however many feeds are open in this process, one loop reads the
alerts committed since it last looked (woken by this process's commits, polling for other
replicas') and hands each to the open feeds of its team, in memory. A thousand open feeds cost a
thousand small queues, not a thousand database polls.

Alert `seq` numbers come from a sequence, taken before commit: on PostgreSQL a later number can
commit first. A number skipped over is kept as a gap and asked for again for a while, so a late
commit still reaches the feeds."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

from common.logging import get_logger
from common.waiting import rung
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.domain.alerts import Alert

log = get_logger(__name__)
BATCH = 500
GAP_SECONDS = 30.0  # how long a skipped seq is asked for again (a transaction open that long is stuck)
MAX_GAPS = 1_000
QUEUE = 1_000  # alerts waiting for one slow feed before it must catch up from the database


class Follower:
    """One open feed: the alerts of its team, as they come. Left `behind` when its reader was
    too slow to keep up; the feed then catches up from the database, as a reconnect would."""

    def __init__(self, team_id: str):
        self.team_id = team_id
        self.queue: asyncio.Queue[Alert] = asyncio.Queue(QUEUE)
        self.behind = False

    def offer(self, alert: Alert) -> None:
        try:
            self.queue.put_nowait(alert)
        except asyncio.QueueFull:
            self.behind = True


class FeedHub:
    def __init__(self, read: Callable[[], NotificationsUnitOfWork], *, poll_seconds: float):
        self.read = read
        self.poll = poll_seconds
        self._followers: dict[str, set[Follower]] = defaultdict(set)
        self._last: int | None = None
        self._gaps: dict[int, float] = {}
        self._bell = asyncio.Event()

    def wake(self) -> None:
        """Alerts were committed in this process: hand them out now, not at the next poll."""
        self._bell.set()

    @property
    def open_feeds(self) -> int:
        return sum(len(f) for f in self._followers.values())

    @contextlib.contextmanager
    def follow(self, team_id: str) -> Iterator[Follower]:
        follower = Follower(team_id)
        self._followers[team_id].add(follower)
        try:
            yield follower
        finally:
            self._followers[team_id].discard(follower)
            if not self._followers[team_id]:
                del self._followers[team_id]

    async def run(self) -> None:
        while True:
            self._bell.clear()  # before the round: a ring during it must still wake the next wait
            try:
                found = await self.read_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. the database briefly away: feeds wait, nothing is lost
                log.warning("feed_round_failed", error=type(exc).__name__)
                found = 0
            if found < BATCH:
                await rung(self._bell, self.poll)

    async def read_once(self) -> int:
        now = time.monotonic()
        self._gaps = {seq: until for seq, until in self._gaps.items() if until > now}
        async with self.read() as uow:
            if self._last is None:  # feeds start from their own backlog; the hub from now
                self._last = await uow.alerts.last_seq()
                return 0
            found = await uow.alerts.newer(self._last, sorted(self._gaps), BATCH)
        for alert in found:
            seq = alert.seq or 0
            self._gaps.pop(seq, None)
            if seq > self._last:
                if seq - self._last <= MAX_GAPS:
                    self._gaps.update(dict.fromkeys(range(self._last + 1, seq), now + GAP_SECONDS))
                self._last = seq
            for follower in self._followers.get(alert.team_id, ()):
                follower.offer(alert)
        return len(found)
