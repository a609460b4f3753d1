"""The live feed's one reader, without a database: each alert reaches the open feeds of its team
once, and a sequence number skipped over (taken by a transaction that commits later, as on
PostgreSQL) still reaches them when it commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from services.notifications.domain.alerts import Alert, AlertFacts
from services.notifications.service_layer.feed import QUEUE, FeedHub

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
PATROL, STAFF = str(uuid.uuid4()), str(uuid.uuid4())


def alert(seq: int, team: str = PATROL) -> Alert:
    return Alert(str(uuid.uuid4()), team, "cold_weather", str(uuid.uuid4()), NOW, AlertFacts(), seq=seq)


class Committed:
    """The alerts table as the hub's query sees it."""

    def __init__(self) -> None:
        self.rows: list[Alert] = []
        self.asked: list[tuple[int, list[int]]] = []

    async def last_seq(self) -> int:
        return max((a.seq or 0 for a in self.rows), default=0)

    async def newer(self, seq: int, also: Sequence[int], limit: int) -> list[Alert]:
        self.asked.append((seq, list(also)))
        found = [a for a in self.rows if (a.seq or 0) > seq or a.seq in also]
        return sorted(found, key=lambda a: a.seq or 0)[:limit]


class Reading:
    def __init__(self, table: Committed):
        self.alerts = table

    async def __aenter__(self) -> Reading:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None


def drained(queue: Any) -> list[int]:
    out = []
    while not queue.empty():
        out.append(queue.get_nowait().seq)
    return out


async def test_each_alert_reaches_the_open_feeds_of_its_team_once_and_a_late_commit_too() -> None:
    table = Committed()
    table.rows = [alert(1)]
    hub = FeedHub(lambda: Reading(table), poll_seconds=1)  # type: ignore[arg-type, return-value]
    await hub.read_once()  # starts from now: feeds read their own backlog
    with hub.follow(PATROL) as patrol, hub.follow(PATROL) as second, hub.follow(STAFF) as staff:
        assert hub.open_feeds == 3
        table.rows += [alert(2), alert(4), alert(5, STAFF)]  # 3 is taken, not yet committed
        await hub.read_once()
        assert drained(patrol.queue) == drained(second.queue) == [2, 4]
        assert drained(staff.queue) == [5]
        await hub.read_once()
        assert drained(patrol.queue) == [] and table.asked[-1] == (5, [3])
        table.rows.append(alert(3))  # the late commit
        await hub.read_once()
        assert drained(patrol.queue) == [3] and drained(second.queue) == [3]
        await hub.read_once()
        assert table.asked[-1] == (5, []) and drained(patrol.queue) == []
    assert hub.open_feeds == 0


async def test_a_feed_too_slow_to_keep_up_is_told_to_catch_up_from_the_database() -> None:
    table = Committed()
    hub = FeedHub(lambda: Reading(table), poll_seconds=1)  # type: ignore[arg-type, return-value]
    await hub.read_once()
    with hub.follow(PATROL) as slow:
        table.rows = [alert(n) for n in range(1, QUEUE + 2)]
        while await hub.read_once():
            pass
        assert slow.behind and slow.queue.full()
