"""Events published by the notifications service."""

from __future__ import annotations

from typing import Literal

from contracts.events.base import Count, Event
from contracts.naming import EventKind

ChannelKind = Literal["webhook", "telegram", "email", "feed"]


class AlertDelivered(Event, frozen=True):
    KIND = EventKind("notifications", "alert", "delivered", 1)
    alert_id: str
    alert_kind: str
    team_id: str
    channel: ChannelKind
    event_id: str
    attempts: Count


class AlertFailed(Event, frozen=True):
    KIND = EventKind("notifications", "alert", "failed", 1)
    alert_id: str
    alert_kind: str
    team_id: str
    channel: ChannelKind
    event_id: str
    attempts: Count
