"""What controllers receive: `bus`, intake's message bus bound to this request's caller (the
shape of beds' `api/dependencies.py`): writes run through `common.writes.Writes`
(Idempotency-Key, race retries) with the bus's handler as the work; reads in a read-only unit
of work; a view maps the handler's result to the response Struct."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.di import Provide

from common.auth import Principal
from common.writes import writes_for
from services.intake.adapters.unit_of_work import IntakeUnitOfWork
from services.intake.domain.access import Actor
from services.intake.service_layer.messagebus import IntakeBus

T = TypeVar("T")


def actor_of(request: Request[Principal, Any, Any]) -> Actor:
    principal = request.user
    return Actor(principal.subject, principal.role, principal.team_id, principal.site_ids)


class Dispatch:
    def __init__(self, bus: IntakeBus, request: Request[Principal, Any, Any]):
        self.bus = bus
        self.request = request
        self.actor = actor_of(request)

    async def write(
        self, command: object, view: Callable[[Any], T], *, result_type: type[T], status: int = 200
    ) -> Response[T]:
        self.bus.authorize(command, self.actor)  # a refused role takes no write lock
        writes = await writes_for(self.request, self.bus.unit_of_work)

        async def work(uow: IntakeUnitOfWork) -> T:
            return view(await self.bus.handle(command, self.actor, uow))

        return await writes.run(work, result_type=result_type, status=status)

    async def read(self, query: object, view: Callable[[Any], T]) -> T:
        return await self.bus.ask(query, self.actor, view)


def dependencies(bus: IntakeBus) -> dict[str, Provide]:
    def provide_bus(request: Request[Principal, Any, Any]) -> Dispatch:
        return Dispatch(bus, request)

    return {"bus": Provide(provide_bus, sync_to_thread=False)}
