"""Alerts a team has been sent, with their deliveries, and acknowledging one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, QueryParameter

from common.access_table import sends
from common.ids import UUID_PATTERN
from common.times import check_year
from services.notifications.api import urls, views
from services.notifications.api.dependencies import RULED_READ, Dispatch
from services.notifications.api.schemas import AckView, AlertView
from services.notifications.domain import commands as c
from services.notifications.domain.alerts import AlertKind


class AlertsController(Controller):
    tags = ["alerts"]

    @get(
        urls.ALERTS,
        opt=sends(c.ListAlerts, **RULED_READ),
        summary="A team's alerts, newest first, with their deliveries (paged)",
    )
    async def listed(
        self,
        bus: NamedDependency[Dispatch],
        team_id: Annotated[
            str | None, QueryParameter(pattern=UUID_PATTERN, description="default: the caller's team")
        ] = None,
        kind: Annotated[AlertKind | None, QueryParameter(description="only alerts of this kind")] = None,
        since: Annotated[datetime | None, QueryParameter(description="RFC 3339 time with offset")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> list[AlertView]:
        if since is not None:
            if since.tzinfo is None:
                raise ValidationException("since: an RFC 3339 time with offset (2026-11-23T20:00:00+02:00)")
            try:
                check_year("since", since)
            except ValueError as exc:
                raise ValidationException(str(exc)) from exc
        query = c.ListAlerts(
            team_id=team_id.lower() if team_id else None, kind=kind, since=since, limit=limit, offset=offset
        )
        return await bus.read(query, views.alerts)

    @post(
        urls.ALERT_ACK,
        opt=sends(c.AckAlert),
        status_code=200,
        summary="The team acknowledges an alert (an on_the_way then does not escalate)",
    )
    async def ack(self, alert_id: FromPath[str], bus: NamedDependency[Dispatch]) -> Response[AckView]:
        return await bus.write(c.AckAlert(alert_id=alert_id), views.ack, result_type=AckView, status=200)
