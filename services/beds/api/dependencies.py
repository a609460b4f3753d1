"""What controllers receive: the caller as a domain Actor, a read unit of work, and Writes."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from common.auth import Principal
from common.runtime import ServiceRuntime
from common.writes import Writes, writes_for
from services.beds.adapters.unit_of_work import BedsUnitOfWork
from services.beds.domain.access import Actor


def actor_of(request: Request[Principal, Any, Any]) -> Actor:
    principal = request.user
    return Actor(principal.subject, principal.role, principal.team_id, principal.site_ids)


async def provide_writes(
    request: Request[Any, Any, Any], runtime: NamedDependency[ServiceRuntime[BedsUnitOfWork]]
) -> Writes[BedsUnitOfWork]:
    return await writes_for(request, runtime.unit_of_work)


def provide_actor(request: Request[Principal, Any, Any]) -> Actor:
    return actor_of(request)


DEPENDENCIES = {
    "writes": Provide(provide_writes),
    "actor": Provide(provide_actor, sync_to_thread=False),
}
