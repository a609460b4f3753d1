"""What controllers receive: `bus`, the message bus bound to this request's caller. Writes run
through `common.writes.Writes` (Idempotency-Key, race retries) with the handler as the work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.di import Provide

from common.auth import Principal
from common.openapi import PROBLEMS
from common.writes import writes_for
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.domain.access import Actor
from services.notifications.service_layer.messagebus import NotificationsBus

T = TypeVar("T")
# For the OpenAPI document (common.openapi): a read that a rule may refuse (422). Writes through
# `Dispatch.write` are documented with 409/422 and Idempotency-Key already.
RULED_READ: dict[str, object] = {PROBLEMS: (422,)}


def actor_of(request: Request[Principal, Any, Any]) -> Actor:
    principal = request.user
    return Actor(principal.subject, principal.role, principal.team_id)


class Dispatch:
    def __init__(self, bus: NotificationsBus, request: Request[Principal, Any, Any]):
        self.bus = bus
        self.request = request
        self.actor = actor_of(request)

    async def write(
        self, command: object, view: Callable[[Any], T], *, result_type: type[T], status: int = 201
    ) -> Response[T]:
        self.bus.authorize(command, self.actor)  # a refused role takes no write lock
        writes = await writes_for(self.request, self.bus.unit_of_work)

        async def work(uow: NotificationsUnitOfWork) -> T:
            return view(await self.bus.handle(command, self.actor, uow))

        return await writes.run(work, result_type=result_type, status=status)

    async def read(self, query: object, view: Callable[[Any], T]) -> T:
        return await self.bus.ask(query, self.actor, view)


def dependencies(bus: NotificationsBus) -> dict[str, Provide]:
    def provide_bus(request: Request[Principal, Any, Any]) -> Dispatch:
        return Dispatch(bus, request)

    return {"bus": Provide(provide_bus, sync_to_thread=False)}
