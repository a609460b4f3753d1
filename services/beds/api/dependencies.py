"""What controllers receive: `bus`, the message bus bound to this request's caller
(`common.dispatch`), with the service's clock for today's date; `open_data`, the bus asked as the
public. A controller builds a command or a query and hands it over; a view maps the handler's
domain result to the response Struct."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from litestar import Request
from litestar.di import Provide

from common.auth import Principal
from common.clock import Clock
from common.dispatch import BusDispatch
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain.access import PUBLIC_ROLE, Actor
from services.beds.service_layer.messagebus import BedsBus

T = TypeVar("T")


def actor_of(request: Request[Principal, Any, Any]) -> Actor:
    principal = request.user
    return Actor(principal.subject, principal.role, principal.team_id, principal.site_ids)


class Dispatch(BusDispatch[BedsUnitOfWork, Actor]):
    def __init__(self, bus: BedsBus, clock: Clock, request: Request[Principal, Any, Any]):
        super().__init__(bus, request, actor_of(request))
        self.clock = clock

    def today(self) -> date:
        return self.clock.now().date()


class OpenData:
    """What an open-data controller receives: the bus, asked as the public, token or not."""

    actor = Actor("open-data", PUBLIC_ROLE)

    def __init__(self, bus: BedsBus):
        self.bus = bus

    async def read(self, query: object, view: Callable[[Any], T]) -> T:
        return await self.bus.ask(query, self.actor, view)


def dependencies(bus: BedsBus, clock: Clock) -> dict[str, Provide]:
    def provide_bus(request: Request[Principal, Any, Any]) -> Dispatch:
        return Dispatch(bus, clock, request)

    def provide_open_data() -> OpenData:
        return OpenData(bus)

    return {
        "bus": Provide(provide_bus, sync_to_thread=False),
        "open_data": Provide(provide_open_data, sync_to_thread=False),
    }
