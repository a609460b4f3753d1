"""The composition of notifications' use cases: every command and query with its one handler,
and the access table as the bus's door."""

from __future__ import annotations

from typing import Any

from common.bus import Handler, MessageBus, UnitsOfWork
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.domain import commands as c
from services.notifications.domain.access import Actor, may_call
from services.notifications.service_layer import alerts, teams

NotificationsBus = MessageBus[NotificationsUnitOfWork, Actor]

COMMANDS: dict[type, Handler[Actor, Any]] = {
    c.CreateTeam: teams.create_team,
    c.AddChannel: teams.add_channel,
    c.RemoveChannel: teams.remove_channel,
    c.SetTeamStatus: teams.set_team_status,
    c.AckAlert: alerts.ack_alert,
}

QUERIES: dict[type, Handler[Actor, Any]] = {
    c.ListTeams: teams.list_teams,
    c.ListChannels: teams.list_channels,
    c.ListAlerts: alerts.list_alerts,
    c.FollowFeed: alerts.follow_feed,
}


def notifications_bus(unit_of_work: UnitsOfWork[NotificationsUnitOfWork]) -> NotificationsBus:
    return MessageBus(unit_of_work, commands=COMMANDS, queries=QUERIES, authorize=may_call)
