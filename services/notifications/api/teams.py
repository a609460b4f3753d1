"""Teams, their status on shift, and their channels."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from common.access_table import sends
from common.pagination import MAX_PAGE, Limit, Offset
from services.notifications.api import urls, views
from services.notifications.api.dependencies import Dispatch
from services.notifications.api.schemas import (
    ChannelIn,
    ChannelView,
    Created,
    StatusIn,
    TeamIn,
    TeamView,
    TelegramIn,
    WebhookIn,
)
from services.notifications.domain import commands as c
from services.notifications.domain.teams import TeamStatus


class TeamsController(Controller):
    tags = ["teams"]

    @post(
        urls.TEAMS,
        opt=sends(c.CreateTeam),
        status_code=201,
        summary="Create a team (a staff team names its sites)",
    )
    async def create(self, data: JSONBody[TeamIn], bus: NamedDependency[Dispatch]) -> Response[Created]:
        command = c.CreateTeam(
            name=data.name,
            kind=data.kind,
            site_ids=frozenset(s.lower() for s in data.sites),
            language=data.language,
        )
        return await bus.write(command, views.created, result_type=Created)

    @get(
        urls.TEAMS,
        opt=sends(c.ListTeams),
        summary="Teams, optionally only those with a status (on_call, on_trip, off)",
    )
    async def listed(
        self,
        bus: NamedDependency[Dispatch],
        status: Annotated[
            TeamStatus | None, QueryParameter(description="only teams with this status")
        ] = None,
        limit: Limit = MAX_PAGE,
        offset: Offset = 0,
    ) -> list[TeamView]:
        return await bus.read(c.ListTeams(status=status, limit=limit, offset=offset), views.teams)

    @put(
        urls.TEAM_STATUS,
        opt=sends(c.SetTeamStatus),
        status_code=200,
        summary="The team's own status on shift, and where it is",
    )
    async def set_status(
        self, team_id: FromPath[str], data: JSONBody[StatusIn], bus: NamedDependency[Dispatch]
    ) -> Response[TeamView]:
        command = c.SetTeamStatus(team_id=team_id, status=data.status, lat=data.lat, lon=data.lon)
        return await bus.write(command, views.team, result_type=TeamView, status=200)


class ChannelsController(Controller):
    tags = ["channels"]

    @post(
        urls.TEAM_CHANNELS,
        opt=sends(c.AddChannel),
        status_code=201,
        summary="Add a webhook, Telegram or e-mail channel to a team",
    )
    async def add(
        self, team_id: FromPath[str], data: JSONBody[ChannelIn], bus: NamedDependency[Dispatch]
    ) -> Response[Created]:
        if isinstance(data, WebhookIn):
            command = c.AddChannel(team_id=team_id, kind="webhook", target=data.url, secret=data.secret)
        elif isinstance(data, TelegramIn):
            command = c.AddChannel(team_id=team_id, kind="telegram", target=data.chat_id)
        else:
            command = c.AddChannel(team_id=team_id, kind="email", target=data.address)
        return await bus.write(command, views.created, result_type=Created)

    @get(
        urls.TEAM_CHANNELS,
        opt=sends(c.ListChannels),
        summary="A team's channels, with those that keep failing marked broken",
    )
    async def listed(
        self,
        team_id: FromPath[str],
        bus: NamedDependency[Dispatch],
        limit: Limit = MAX_PAGE,
        offset: Offset = 0,
    ) -> list[ChannelView]:
        return await bus.read(c.ListChannels(team_id=team_id, limit=limit, offset=offset), views.channels)

    @delete(
        urls.TEAM_CHANNEL,
        opt=sends(c.RemoveChannel),
        status_code=200,
        summary="Remove a channel; its pending deliveries stop",
    )
    async def remove(
        self, team_id: FromPath[str], channel_id: FromPath[str], bus: NamedDependency[Dispatch]
    ) -> Response[Created]:
        command = c.RemoveChannel(team_id=team_id, channel_id=channel_id)
        return await bus.write(command, views.removed, result_type=Created, status=200)
