"""Pure mappings from what the handlers return to what the API answers."""

from __future__ import annotations

from typing import Any

from services.notifications.api.schemas import (
    AckView,
    AlertView,
    ChannelView,
    Created,
    DeliveryView,
    TeamView,
)
from services.notifications.domain.alerts import Alert
from services.notifications.domain.teams import Channel, Team
from services.notifications.service_layer.alerts import AlertWithDeliveries


def created(thing: Team | Channel) -> Created:
    return Created(thing.id)


def removed(channel_id: str) -> Created:
    return Created(channel_id)


def channel(ch: Channel) -> ChannelView:
    return ChannelView(ch.id, ch.kind, ch.target, ch.broken, ch.failing_since)


def channels(found: list[Channel]) -> list[ChannelView]:
    return [channel(ch) for ch in found]


def team(t: Team) -> TeamView:
    return TeamView(t.id, t.name, t.kind, t.language, sorted(t.site_ids), t.status, t.lat, t.lon, t.status_at)


def teams(found: list[Team]) -> list[TeamView]:
    return [team(t) for t in found]


def delivery(row: Any) -> DeliveryView:
    return DeliveryView(
        row.channel_kind,
        row.channel_id,
        row.status,
        row.attempts,
        row.last_error,
        row.last_latency_ms,
        row.delivered_at,
    )


def alert(a: Alert, deliveries: list[Any] = []) -> AlertView:  # noqa: B006 - never mutated
    f = a.facts
    return AlertView(
        a.id,
        a.kind,
        a.team_id,
        a.created_at,
        a.event_id,
        f.site_id,
        f.subject_id,
        a.acked_at,
        [delivery(d) for d in deliveries],
    )


def alerts(found: list[AlertWithDeliveries]) -> list[AlertView]:
    return [alert(a.alert, a.deliveries) for a in found]


def ack(a: Alert) -> AckView:
    assert a.acked_at is not None
    return AckView(a.id, a.acked_at)
