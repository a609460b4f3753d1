"""The live feed: `GET /api/v1/feed`, Server-Sent Events of the caller's team's alerts (through
litestar's own SSE response). Each event's id is the alert's feed position, so a client that
reconnects with `Last-Event-ID` gets exactly what it missed; a comment line every
`feed_heartbeat_seconds` keeps proxies from closing a quiet stream."""

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

from common.access_table import sends
from common.ids import UUID_PATTERN
from services.notifications.api import urls
from services.notifications.api.dependencies import RULED_READ, Dispatch
from services.notifications.domain import commands as c
from services.notifications.domain.alerts import Alert

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


def feed_handler(*, poll_seconds: float, heartbeat_seconds: float) -> Any:
    @get(
        urls.FEED,
        tags=["alerts"],
        summary="Live feed (text/event-stream) of the caller's team's alerts; resumable with Last-Event-ID",
        media_type="text/event-stream",
        opt=sends(c.FollowFeed, **RULED_READ),
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
        first: list[Alert] = await bus.read(c.FollowFeed(team_id=team_id, after=after), list)

        async def events() -> AsyncIterator[ServerSentEventMessage]:
            nonlocal after
            batch = first
            quiet = 0.0
            while True:
                for alert in batch:
                    yield message(alert)
                    after = alert.seq or after
                if batch:
                    quiet = 0.0
                else:
                    await asyncio.sleep(poll_seconds)
                    quiet += poll_seconds
                    if quiet >= heartbeat_seconds:
                        quiet = 0.0
                        yield ServerSentEventMessage(comment="heartbeat")
                batch = await bus.read(c.FollowFeed(team_id=team_id, after=after), list)

        return ServerSentEvent(events(), retry_duration=3000)

    return feed
