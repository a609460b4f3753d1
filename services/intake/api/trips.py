"""Trips: a team's call-outs and patrol rounds."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from common.access_table import sends
from services.intake.api import urls
from services.intake.api.dependencies import Dispatch
from services.intake.api.schemas import TripIn
from services.intake.domain import commands as c
from services.intake.service_layer import read_models as rm
from services.intake.service_layer import views
from services.intake.service_layer.referrals import MAX_PAGE


class TripsController(Controller):
    tags = ["trips"]

    @post(
        urls.TRIPS,
        opt=sends(c.RecordTrip),
        status_code=201,
        summary="Record a call-out or patrol round of the caller's team",
    )
    async def record(self, data: JSONBody[TripIn], bus: NamedDependency[Dispatch]) -> Response[rm.TripView]:
        command = c.RecordTrip(
            started_at=data.started_at,
            ended_at=data.ended_at,
            area=data.area,
            outcome=data.outcome,
            referral_id=data.referral_id,
        )
        return await bus.write(command, views.trip, result_type=rm.TripView, status=201)

    @get(
        urls.TRIPS,
        opt=sends(c.ListTrips),
        summary="Trips of the caller's team (supervisors: any team), newest first",
    )
    async def listed(
        self,
        bus: NamedDependency[Dispatch],
        team_id: Annotated[str | None, QueryParameter(min_length=1, max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> rm.TripPage:
        return await bus.read(c.ListTrips(team_id=team_id, limit=limit, offset=offset), views.trip_page)
