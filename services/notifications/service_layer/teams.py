"""Teams and their channels: the use cases behind /api/v1/teams."""

from __future__ import annotations

import uuid

from common.errors import RuleViolation
from common.pagination import page_of
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.domain import commands as c
from services.notifications.domain.access import Actor, absent, check_team_access
from services.notifications.domain.alerts import AlertFacts, AlertKind
from services.notifications.domain.routing import Routed
from services.notifications.domain.teams import (
    Channel,
    Team,
    check_email_address,
    check_team,
    check_telegram_chat,
    check_webhook_url,
    status_with_place,
)
from services.notifications.service_layer.alerts import add_alerts

Uow = NotificationsUnitOfWork


async def _team(message: object, actor: Actor, uow: Uow, team_id: str) -> Team:
    check_team_access(message, actor, team_id)
    team = await uow.teams.get(team_id)
    if team is None:
        raise absent(message)
    return team


async def create_team(command: c.CreateTeam, actor: Actor, uow: Uow) -> Team:
    check_team(command.kind, command.site_ids)
    team = Team(str(uuid.uuid4()), command.kind, command.name, command.language, command.site_ids)
    await uow.teams.add(team, uow.clock.now())
    return team


async def add_channel(command: c.AddChannel, actor: Actor, uow: Uow) -> Channel:
    await _team(command, actor, uow, command.team_id)
    if command.kind == "webhook":
        check_webhook_url(command.target)
        if not command.secret:
            raise RuleViolation(
                "A webhook channel needs the secret its signatures are made with.", code="no-secret"
            )
    elif command.secret is not None:
        raise RuleViolation("Only a webhook channel has a secret.", code="secret-not-allowed")
    if command.kind == "email":
        check_email_address(command.target)
    if command.kind == "telegram":
        check_telegram_chat(command.target)
    channel = Channel(
        str(uuid.uuid4()), command.team_id, command.kind, command.target, command.secret, uow.clock.now()
    )
    await uow.channels.add(channel)
    return channel


async def remove_channel(command: c.RemoveChannel, actor: Actor, uow: Uow) -> str:
    await _team(command, actor, uow, command.team_id)
    if not await uow.channels.remove(command.team_id, command.channel_id, uow.clock.now()):
        raise absent(command)
    return command.channel_id


async def list_channels(query: c.ListChannels, actor: Actor, uow: Uow) -> list[Channel]:
    await _team(query, actor, uow, query.team_id)
    return page_of(await uow.channels.of_team(query.team_id), query.limit, query.offset)


async def list_teams(query: c.ListTeams, actor: Actor, uow: Uow) -> list[Team]:
    return page_of(await uow.teams.all(query.status), query.limit, query.offset)


async def set_team_status(command: c.SetTeamStatus, actor: Actor, uow: Uow) -> Team:
    """A change of status reaches the supervisors' live feed (and channels) as an alert; the
    position is kept coarse (about 1 km), never shown in the alert."""
    team = await _team(command, actor, uow, command.team_id)
    status_with_place(command.status, command.lat, command.lon)
    changed = team.status != command.status
    now = uow.clock.now()
    team.status, team.lat, team.lon, team.status_at = (
        command.status,
        coarse(command.lat),
        coarse(command.lon),
        now,
    )
    await uow.teams.save_status(team)
    if changed:
        supervisors = [t for t in await uow.teams.all() if t.kind == "supervisors" and t.id != team.id]
        facts = AlertFacts(subject_id=team.id)
        kind: AlertKind = STATUS_ALERT[command.status]
        event_id = str(uuid.uuid5(STATUS_CHANGED, f"{team.id}/{now.isoformat()}/{command.status}"))
        await add_alerts(uow, event_id, [Routed(kind, t, facts) for t in supervisors])
    return team


STATUS_CHANGED = uuid.UUID("6f1d4c52-3b0e-4e53-9d7e-5a0b4c2f9e61")
STATUS_ALERT: dict[str, AlertKind] = {"on_call": "team_on_call", "on_trip": "team_on_trip", "off": "team_off"}


def coarse(degrees: float | None) -> float | None:
    """Two decimals (~1 km): where a team is, roughly; enough to send the nearest one."""
    return None if degrees is None else round(degrees, 2)
