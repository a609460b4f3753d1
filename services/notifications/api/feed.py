"""The live feed: `GET /api/v1/feed`, Server-Sent Events of the caller's team's alerts (through
litestar's own SSE response). Each event's id is the alert's feed position, so a client that
reconnects with `Last-Event-ID` gets exactly what it missed; a comment line every
`feed_heartbeat_seconds` keeps proxies from closing a quiet stream. New alerts come from the
process's one FeedHub (service_layer/feed.py), not from a database poll per open feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from common.ids import UUID_PATTERN
from services.notifications.api import urls
from services.notifications.api.dependencies import RULED_READ, Dispatch
from services.notifications.domain import commands as c
from services.notifications.domain.alerts import Alert
from services.notifications.service_layer.alerts import FEED_BATCH, FeedStart
from services.notifications.service_layer.feed import FeedHub

MAX_POSITION = 2**62


class FeedAlert(msgspec.Struct):
    id: str
    kind: str
    team_id: str
    created_at: str
    site_id: str | None
    subject_id: str | None


def message(alert: Alert) -> ServerSentEventMessage:
    data = FeedAlert(
        alert.id,
        alert.kind,
        alert.team_id,
        alert.created_at.isoformat(),
        alert.facts.site_id,
        alert.facts.subject_id,
    )
    return ServerSentEventMessage(data=msgspec.json.encode(data).decode(), event=alert.kind, id=alert.seq)


def position(last_event_id: str | None) -> int:
    if last_event_id is None:
        return 0
    if not last_event_id.isdigit() or int(last_event_id) > MAX_POSITION:
        raise ValidationException("Last-Event-ID: the id of the last event this feed sent (a whole number).")
    return int(last_event_id)


def feed_handler(hub: FeedHub, *, heartbeat_seconds: float) -> Any:
    @get(
        urls.FEED,
        tags=["alerts"],
        summary="Live feed (text/event-stream) of the caller's team's alerts; resumable with Last-Event-ID",
        media_type="text/event-stream",
        opt=RULED_READ,
    )
    async def feed(
        bus: NamedDependency[Dispatch],
        last_event_id: Annotated[
            str | None,
            HeaderParameter(name="Last-Event-ID", required=False, max_length=20, description="resume after"),
        ] = None,
        team_id: Annotated[
            str | None,
            QueryParameter(pattern=UUID_PATTERN, description="supervisors: another team"),
        ] = None,
    ) -> ServerSentEvent:
        after = position(last_event_id)
        # Asked once before the stream starts, so a refusal is a plain problem answer, not a broken stream.
        start: FeedStart = await bus.read(c.FollowFeed(team_id=team_id, after=after), _same)

        async def backlog(cursor: int) -> list[Alert]:
            found: FeedStart = await bus.read(c.FollowFeed(team_id=start.team_id, after=cursor), _same)
            return found.alerts

        async def events() -> AsyncIterator[ServerSentEventMessage]:
            cursor = after
            sent: set[int] = set()  # what the database reads sent, so the hub's copy is not sent twice
            with hub.follow(start.team_id) as follower:
                # read again once following: what committed between the first read and now
                batch = start.alerts + await backlog(max([cursor, *(a.seq or 0 for a in start.alerts)]))
                while True:
                    for alert in batch:
                        if alert.seq not in sent:
                            sent.add(alert.seq or 0)
                            cursor = max(cursor, alert.seq or 0)
                            yield message(alert)
                    if len(batch) < FEED_BATCH and not follower.behind:
                        break
                    follower.behind = False
                    batch = await backlog(cursor)
                while True:
                    try:
                        alert = await asyncio.wait_for(follower.queue.get(), heartbeat_seconds)
                    except TimeoutError:
                        yield ServerSentEventMessage(comment="heartbeat")
                        continue
                    if alert.seq in sent:
                        continue
                    cursor = max(cursor, alert.seq or 0)
                    yield message(alert)
                    if follower.behind:  # its queue overflowed: catch up from the database
                        follower.behind = False
                        for missed in await backlog(cursor):
                            sent.add(missed.seq or 0)
                            cursor = max(cursor, missed.seq or 0)
                            yield message(missed)

        return ServerSentEvent(events(), retry_duration=3000)

    return feed


def _same(start: FeedStart) -> FeedStart:
    return start
