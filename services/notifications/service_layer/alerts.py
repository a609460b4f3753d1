"""Alerts: made from events by the routing table, listed for their team and supervisors,
acknowledged by their team. An alert and its deliveries (one per channel of the team) are
written together, in the same transaction as the inbox row of the event that caused them."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any

from common.errors import RuleViolation
from contracts import CloudEvent, Event
from contracts.events.notifications import AlertFailed
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.domain import commands as c
from services.notifications.domain.access import Actor, absent, check_team_access
from services.notifications.domain.alerts import ALERT_KINDS, Alert
from services.notifications.domain.routing import ROUTES, Routed, route

Uow = NotificationsUnitOfWork
MAX_PAGE = 200
FEED_BATCH = 100
ACKNOWLEDGED = uuid.UUID("0d3c1f4e-6a2b-4c8d-9e7f-1a2b3c4d5e6f")


@dataclass(frozen=True)
class FeedStart:
    """Whose feed it is (the caller's team, or the one a supervisor named) and what it missed."""

    team_id: str
    alerts: list[Alert]


@dataclass(frozen=True)
class AlertWithDeliveries:
    alert: Alert
    deliveries: list[Any]


def _team_of(query: c.ListAlerts | c.FollowFeed, actor: Actor) -> str:
    team_id = query.team_id or actor.team_id
    if team_id is None:
        raise RuleViolation("Name the team (team_id): this token belongs to no team.", code="no-team")
    check_team_access(query, actor, team_id)
    return team_id


async def list_alerts(query: c.ListAlerts, actor: Actor, uow: Uow) -> list[AlertWithDeliveries]:
    team_id = _team_of(query, actor)
    if query.kind is not None and query.kind not in ALERT_KINDS:
        raise RuleViolation(
            f"Unknown alert kind {query.kind!r}; one of: {', '.join(ALERT_KINDS)}.", code="unknown-kind"
        )
    if await uow.teams.get(team_id) is None:
        raise absent(query)
    found = await uow.alerts.page(team_id, query.kind, query.since, min(query.limit, MAX_PAGE), query.offset)
    deliveries = await uow.alerts.deliveries_of([a.id for a in found])
    return [AlertWithDeliveries(a, deliveries[a.id]) for a in found]


async def follow_feed(query: c.FollowFeed, actor: Actor, uow: Uow) -> FeedStart:
    team_id = _team_of(query, actor)
    return FeedStart(team_id, await uow.alerts.after(team_id, query.after, FEED_BATCH))


async def ack_alert(command: c.AckAlert, actor: Actor, uow: Uow) -> Alert:
    alert = await uow.alerts.get(command.alert_id)
    if alert is None:
        raise absent(command)
    check_team_access(command, actor, alert.team_id)
    if alert.acknowledge(uow.clock.now(), actor.subject):
        await uow.alerts.save_ack(alert)
        await _tell_the_holder(uow, alert)
    return alert


async def _tell_the_holder(uow: Uow, alert: Alert) -> None:
    """The team bringing them hears that the site knows they are coming."""
    holder = alert.facts.holder_team_id
    team = await uow.teams.get(holder) if alert.kind == "on_the_way" and holder else None
    if team is not None:
        event_id = str(uuid.uuid5(ACKNOWLEDGED, alert.id))
        # The holder may be the patrol that referred a DV case: it never learns a confidential site.
        facts = dataclasses.replace(alert.facts, site_id=None) if alert.facts.confidential else alert.facts
        await add_alerts(uow, event_id, [Routed("on_the_way_acknowledged", team, facts)])


async def add_alerts(uow: Uow, event_id: str, routed: list[Routed]) -> list[Alert]:
    """(kind, team, facts) → alerts with one pending delivery per live channel of the team."""
    made = []
    channels = await uow.channels.of_teams([r.team.id for r in routed])
    for kind, team, facts in ((r.kind, r.team, r.facts) for r in routed):
        if await uow.alerts.exists(event_id, team.id):
            continue  # the same fact under another message id: the team heard it already
        alert = Alert(str(uuid.uuid4()), team.id, kind, event_id, uow.clock.now(), facts)
        team_channels = channels[team.id]
        delivery_ids = [str(uuid.uuid4()) for _ in team_channels]
        await uow.alerts.add(alert, team_channels, delivery_ids, send_at=uow.delivery_clock.now())
        # A broken channel is not tried again until an admin replaces it; it fails in the open.
        for channel in (ch for ch in team_channels if ch.broken):
            uow.publish(
                AlertFailed(
                    alert_id=alert.id,
                    alert_kind=kind,
                    team_id=team.id,
                    channel=channel.kind,
                    event_id=event_id,
                    attempts=0,
                )
            )
        made.append(alert)
    return made


async def on_event(event: Event, envelope: CloudEvent, uow: Uow) -> None:
    teams = await uow.teams.all()
    routed = route(event, teams)
    if routed:
        await add_alerts(uow, envelope.id, routed)


def routed_handlers(service: str) -> dict[type[Event], Any]:
    """The routed events one publishing service sends (one durable consumer per stream)."""
    return {t: on_event for t in ROUTES if t.event_kind().service == service}
