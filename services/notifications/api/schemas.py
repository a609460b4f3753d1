"""What the notifications API accepts and answers. msgspec checks shape and ranges (400 naming
the field); the domain then checks the rules (422), so bad input changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from common.ids import Uuid
from services.notifications.domain.teams import Language, TeamKind, TeamStatus

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Url = Annotated[
    str, msgspec.Meta(min_length=1, max_length=500, examples=["https://example.org/hooks/shelter"])
]
Secret = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]
ChatId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, examples=["-1001234567890"])]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, examples=["night-desk@example.org"])]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class TeamIn(Strict):
    name: Name
    kind: TeamKind
    sites: Annotated[list[Uuid], msgspec.Meta(max_length=500)] = []
    language: Language = "uk"


class Created(msgspec.Struct):
    id: str


class WebhookIn(Strict, tag_field="kind", tag="webhook"):
    url: Url
    secret: Secret


class TelegramIn(Strict, tag_field="kind", tag="telegram"):
    chat_id: ChatId


class EmailIn(Strict, tag_field="kind", tag="email"):
    address: Email


ChannelIn = WebhookIn | TelegramIn | EmailIn


class StatusIn(Strict):
    status: TeamStatus
    lat: Latitude | None = None
    lon: Longitude | None = None


class ChannelView(msgspec.Struct):
    id: str
    kind: str
    target: str  # the secret is never shown again
    broken: bool
    failing_since: datetime | None


class TeamView(msgspec.Struct):
    id: str
    name: str
    kind: str
    language: str
    sites: list[str]
    status: TeamStatus
    lat: float | None
    lon: float | None
    status_at: datetime | None


class DeliveryView(msgspec.Struct):
    channel: str
    channel_id: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_error: str | None
    latency_ms: float | None
    delivered_at: datetime | None


class AlertView(msgspec.Struct):
    id: str
    kind: str
    team_id: str
    created_at: datetime
    event_id: str
    site_id: str | None
    subject_id: str | None
    acked_at: datetime | None
    deliveries: list[DeliveryView]


class AckView(msgspec.Struct):
    id: str
    acked_at: datetime
