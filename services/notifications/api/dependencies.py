"""What controllers receive: `bus`, the message bus bound to this request's caller
(`common.dispatch`: writes run through `common.writes.Writes`, Idempotency-Key and race retries,
with the handler as the work)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

from common.auth import Principal
from common.dispatch import BusDispatch
from common.openapi import PROBLEMS
from services.notifications.adapters.unit_of_work import NotificationsUnitOfWork
from services.notifications.domain.access import Actor
from services.notifications.service_layer.messagebus import NotificationsBus

# For the OpenAPI document (common.openapi): a read that a rule may refuse (422). Writes through
# `Dispatch.write` are documented with 409/422 and Idempotency-Key already.
RULED_READ: dict[str, object] = {PROBLEMS: (422,)}


def actor_of(request: Request[Principal, Any, Any]) -> Actor:
    principal = request.user
    return Actor(principal.subject, principal.role, principal.team_id)


class Dispatch(BusDispatch[NotificationsUnitOfWork, Actor]):
    def __init__(self, bus: NotificationsBus, request: Request[Principal, Any, Any]):
        super().__init__(bus, request, actor_of(request))


def dependencies(bus: NotificationsBus) -> dict[str, Provide]:
    def provide_bus(request: Request[Principal, Any, Any]) -> Dispatch:
        return Dispatch(bus, request)

    return {"bus": Provide(provide_bus, sync_to_thread=False)}
