"""What notifications can be asked to do and to tell: plain Structs with domain values, built by
controllers (and tests) and dispatched through the bus to one handler each."""

from __future__ import annotations

from datetime import datetime

import msgspec

from services.notifications.domain.teams import ChannelKind, Language, TeamKind, TeamStatus


class Command(msgspec.Struct, frozen=True, kw_only=True):
    pass


class Query(msgspec.Struct, frozen=True, kw_only=True):
    pass


class CreateTeam(Command, frozen=True):
    name: str
    kind: TeamKind
    site_ids: frozenset[str] = frozenset()
    language: Language = "uk"


class AddChannel(Command, frozen=True):
    team_id: str
    kind: ChannelKind
    target: str
    secret: str | None = None


class RemoveChannel(Command, frozen=True):
    team_id: str
    channel_id: str


class SetTeamStatus(Command, frozen=True):
    team_id: str
    status: TeamStatus
    lat: float | None = None
    lon: float | None = None


class AckAlert(Command, frozen=True):
    alert_id: str


class ListTeams(Query, frozen=True):
    status: TeamStatus | None = None
    limit: int | None = None  # None: every team; HTTP always pages
    offset: int = 0


class ListChannels(Query, frozen=True):
    team_id: str
    limit: int | None = None
    offset: int = 0


class ListAlerts(Query, frozen=True):
    team_id: str | None = None  # None: the caller's own team
    kind: str | None = None
    since: datetime | None = None
    limit: int = 50
    offset: int = 0


class FollowFeed(Query, frozen=True):
    team_id: str | None = None
    after: int = 0  # the feed position (alert sequence number) already seen
