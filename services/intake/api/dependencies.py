"""What controllers receive: `bus`, intake's message bus bound to this request's caller
(`common.dispatch`: writes through `common.writes.Writes`, reads in a read-only unit of work).
Intake answers a write 200 unless the route names another status."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

from common.auth import Principal
from common.dispatch import BusDispatch
from services.intake.adapters.unit_of_work import IntakeUnitOfWork
from services.intake.domain.access import Actor
from services.intake.service_layer.messagebus import IntakeBus


def actor_of(request: Request[Principal, Any, Any]) -> Actor:
    principal = request.user
    return Actor(principal.subject, principal.role, principal.team_id, principal.site_ids)


class Dispatch(BusDispatch[IntakeUnitOfWork, Actor]):
    write_status = 200

    def __init__(self, bus: IntakeBus, request: Request[Principal, Any, Any]):
        super().__init__(bus, request, actor_of(request))


def dependencies(bus: IntakeBus) -> dict[str, Provide]:
    def provide_bus(request: Request[Principal, Any, Any]) -> Dispatch:
        return Dispatch(bus, request)

    return {"bus": Provide(provide_bus, sync_to_thread=False)}
